/**
 * Coalesces the order upserts that one process makes while a batch is in flight into the next
 * batch: one statement and one commit for all of them (a worker applies up to its concurrency at
 * once), where each event alone costs a round trip and a commit — most of the server's work per
 * event. Each event stays atomic; its promise settles once its batch committed.
 *
 * At most one batch per process is in flight, so a process's batches never wait for each other's
 * locks. A batch is sorted by organization, then order — each event's own lock order — so batches of
 * several hosts rarely wait for each other in a cycle; a deadlock victim, like any batch the server
 * rolled back, runs again event by event, each alone as before.
 */
import type pg from 'pg';
import type { InboundEventMark, OrderEventOutcome, OrderUpsert } from '../repositories/types';
import { normalizeEmail } from '../email';
import { applyOrderUpserts, type UpsertCall } from './sql/apply-order-upserts';
import { isRetryableConflict, isServerError } from './store-error';

/** Events in one statement at most. */
export const MAX_BATCH = 100;

interface Waiting extends UpsertCall {
  resolve(outcome: OrderEventOutcome | null): void;
  reject(error: unknown): void;
}

const byLockOrder = (a: UpsertCall, b: UpsertCall) => compare(a.event.organization.id, b.event.organization.id) || compare(a.event.orderId, b.event.orderId);
const compare = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

/**
 * @returns `apply(event, mark)`: the event's outcome on the common path, or null when it needs the
 *   step-by-step path (it wrote nothing): the function said so, or a concurrent writer broke its premise
 */
export function makeOrderUpsertCoalescer(pool: pg.Pool): (event: OrderUpsert, mark?: InboundEventMark) => Promise<OrderEventOutcome | null> {
  let queue: Waiting[] = [];
  let running = false;

  const alone = async (call: Waiting) => {
    try {
      call.resolve((await applyOrderUpserts(pool, [call]))[0]!);
    } catch (error) {
      if (isRetryableConflict(error)) call.resolve(null);
      else call.reject(error);
    }
  };

  const together = async (batch: Waiting[]) => {
    try {
      const outcomes = await applyOrderUpserts(pool, batch);
      batch.forEach((call, i) => call.resolve(outcomes[i]!));
    } catch (error) {
      // A statement the server refused changed nothing; one whose answer was lost may have committed.
      if (!isServerError(error)) return batch.forEach((call) => call.reject(error));
      await Promise.all(batch.map(alone));
    }
  };

  const drain = async () => {
    while (queue.length > 0) {
      const batch = queue.slice(0, MAX_BATCH).sort(byLockOrder);
      queue = queue.slice(MAX_BATCH);
      await (batch.length === 1 ? alone(batch[0]!) : together(batch));
    }
    running = false;
  };

  return (event, mark) => new Promise((resolve, reject) => {
    normalizeEmail(event.purchaserEmail); // a malformed address fails its own event, not its batch
    queue.push({ event, mark, resolve, reject });
    if (running) return;
    running = true;
    // Calls made in the same turn of the event loop join the first batch.
    setImmediate(() => void drain());
  });
}
