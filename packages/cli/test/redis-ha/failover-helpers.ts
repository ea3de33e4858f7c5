/** What the failover tests measure while a master dies: billing events sent throughout, and when sending resumed. */
import { postOrderEvent } from './fixtures';

export interface SentEvent { eventId: string; orderId: string; status: number }

/**
 * Posts one signed billing event every `everyMs` until `stop()`, like a billing system that keeps
 * working while Tickler's Redis fails over. `retryRefused()` re-sends (same event id) every event
 * that got a 5xx or no answer, as the sender's retry would, until each is accepted.
 */
export function sendEvents(baseUrl: string, tag: string, everyMs = 100): { stop(): Promise<{ sent: SentEvent[]; retryRefused(): Promise<void> }> } {
  const sent: SentEvent[] = [];
  let started = 0;
  let stopped = false;
  const loop = (async () => {
    for (let i = 0; !stopped; i += 1) {
      const orderId = `ORD-${tag}-${i}`;
      const eventId = `evt_${tag.toLowerCase()}_${i}`;
      started += 1;
      void postOrderEvent(baseUrl, eventId, orderId).then((status) => sent.push({ eventId, orderId, status }));
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
              const status = await postOrderEvent(baseUrl, event.eventId, event.orderId);
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
 * When sending resumed after `killedAt`: the first send that follows a pause of at least `gapMs`
 * (in-flight sends finish right after the kill; the pause is the failover). Null when there was no pause.
 */
export function firstSendAfterGap(sent: Array<{ at: number }>, killedAt: number, gapMs = 300): number | null {
  const after = sent.map((s) => s.at).filter((at) => at >= killedAt).sort((a, b) => a - b);
  let previous = killedAt;
  for (const at of after) {
    if (at - previous >= gapMs) return at;
    previous = at;
  }
  return null;
}
