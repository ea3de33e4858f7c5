/**
 * What the failover tests measure while a master dies, and what they expect of it: billing events
 * sent throughout (none lost), `/readyz` during each switch, and the scan running one at a time.
 */
import type { Store } from '@tickler/db';
import type { Queues } from '@tickler/queues';
import { postOrderEvent, scanRuns, waitUntil, type ReadinessSample } from './fixtures';

export interface SentEvent { eventId: string; orderId: string; occurredAt: Date; status: number }
/** The billing events once sending stopped, and the sender's retry of those not accepted. */
export interface StoppedEvents { sent: SentEvent[]; retryRefused(): Promise<void> }

/**
 * Posts one signed billing event every `everyMs` until `stop()`, like a billing system that keeps
 * working while Tickler's Redis fails over. `retryRefused()` re-sends (same event id) every event
 * that got a 5xx or no answer, as the sender's retry would, until each is accepted.
 */
export function sendEvents(baseUrl: string, tag: string, everyMs = 100): { stop(): Promise<StoppedEvents> } {
  const sent: SentEvent[] = [];
  let started = 0;
  let stopped = false;
  const loop = (async () => {
    for (let i = 0; !stopped; i += 1) {
      const orderId = `ORD-${tag}-${i}`;
      const eventId = `evt_${tag.toLowerCase()}_${i}`;
      const occurredAt = new Date();
      started += 1;
      void postOrderEvent(baseUrl, eventId, orderId, occurredAt).then((status) => sent.push({ eventId, orderId, occurredAt, status }));
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      // Let the last requests answer (they give up after 10 s).
      const deadline = Date.now() + 11_000;
      while (Date.now() < deadline && sent.length < started) await new Promise((r) => setTimeout(r, 50));
      return {
        sent,
        async retryRefused() {
          for (const event of sent.filter((e) => e.status !== 202)) {
            for (let attempt = 0; attempt < 20; attempt += 1) {
              const status = await postOrderEvent(baseUrl, event.eventId, event.orderId, event.occurredAt);
              if (status === 202 || status === 200) break;
              await new Promise((r) => setTimeout(r, 500));
            }
          }
        },
      };
    },
  };
}

/**
 * Every billing event was answered 2xx (applied) or 5xx/not at all (then retried by the sender and
 * applied): none lost. Retries the refused ones, then waits up to 30 s for each order to exist.
 */
export async function expectEveryEventApplied(events: StoppedEvents, store: Store): Promise<void> {
  expect(events.sent.length).toBeGreaterThan(20);
  expect(events.sent.every((e) => e.status === 0 || e.status === 202 || e.status >= 500)).toBe(true);
  await events.retryRefused();
  await waitUntil(async () => {
    for (const e of events.sent) if (!(await store.directory.getOrder(e.orderId))) return false;
    return true;
  }, 'every billing event to be applied', 30_000);
}

/**
 * `/readyz` answered 503 naming redis during each switch (from the kill to the promotion, ms since
 * the epoch), and 200 last. A request counts for a switch when it was open at some moment of it:
 * on a loaded machine one request may be asked before the kill and answered after it.
 */
export function expectReadyzDownDuring(samples: ReadinessSample[], switches: Array<{ killedAt: number; promotedAt: number }>): void {
  for (const { killedAt, promotedAt } of switches) {
    const during = samples.filter((s) => s.at < promotedAt && s.doneAt >= killedAt);
    expect(during.some((s) => s.status === 503 && /redis/.test(s.body))).toBe(true);
  }
  expect(samples.at(-1)?.status).toBe(200);
}

/** The scan ran at least `minRuns` times all along, never two at once across the schedulers. */
export async function expectScansOneAtATime(queues: Queues, minRuns: number): Promise<void> {
  const scans = await scanRuns(queues);
  expect(scans.runs).toBeGreaterThanOrEqual(minRuns);
  expect(scans.overlaps).toBe(0);
}

/** `N billing events (a accepted, b refused/unanswered and retried)`, for a test's summary line. */
export function describeEvents(sent: SentEvent[]): string {
  const accepted = sent.filter((e) => e.status === 202).length;
  return `${sent.length} billing events (${accepted} accepted, ${sent.length - accepted} refused/unanswered and retried)`;
}
