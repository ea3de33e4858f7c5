/** What the failover tests measure while a master dies: billing events sent throughout, and when sending resumed. */
import { postOrderEvent } from './fixtures';

export interface SentEvent { eventId: string; orderId: string; occurredAt: Date; status: number }

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
