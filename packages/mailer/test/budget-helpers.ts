/** Helpers of the SES budget tests: a transport that records when each call reached it, and window counts. */
import { performance } from 'node:perf_hooks';
import type { MailTransport, OutgoingEmail } from '../src/transport';

/** A transport that accepts everything and records the moment (monotonic ms) and the email of each call. */
export function timestampTransport(): MailTransport & { calls: Array<{ at: number; email: OutgoingEmail }> } {
  const calls: Array<{ at: number; email: OutgoingEmail }> = [];
  return {
    calls,
    async send(email) {
      calls.push({ at: performance.now(), email });
      return { messageId: `ts-${calls.length}` };
    },
  };
}

/** The most of `times` (ms) that fall in any window [t, t + windowMs) — sliding, not aligned to the second. */
export function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while (sorted[j]! - sorted[i]! >= windowMs) i++;
    best = Math.max(best, j - i + 1);
  }
  return best;
}
