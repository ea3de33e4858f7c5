/**
 * A process's concurrent order upserts on the common path, coalesced (batched.ts) into one
 * statement and one commit, where each event alone cost a round trip and a commit — most of the
 * server's work per event. Each event stays atomic; its promise settles once its batch committed.
 *
 * A batch runs sorted by organization, then order — each event's own lock order — so batches of
 * several hosts rarely wait for each other in a cycle. A batch the server refused (a deadlock
 * victim, one event's bad data) changed nothing: its events run again one by one, each alone.
 */
import type pg from 'pg';
import type { InboundEventMark, OrderEventOutcome, OrderUpsert } from '../repositories/types';
import { normalizeEmail } from '../email';
import { batched } from './batched';
import { applyOrderUpserts, type UpsertCall } from './sql/apply-order-upserts';
import { isRetryableConflict, isServerError } from './store-error';

const compare = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
const byLockOrder = (a: UpsertCall, b: UpsertCall) => compare(a.event.organization.id, b.event.organization.id) || compare(a.event.orderId, b.event.orderId);

const asError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));

/** One event alone; null (the step-by-step path) when a concurrent writer broke the function's premise. */
async function alone(pool: pg.Pool, call: UpsertCall): Promise<OrderEventOutcome | null | Error> {
  try {
    return (await applyOrderUpserts(pool, [call]))[0]!;
  } catch (error) {
    return isRetryableConflict(error) ? null : asError(error);
  }
}

async function together(pool: pg.Pool, calls: readonly UpsertCall[]): Promise<Array<OrderEventOutcome | null | Error>> {
  const order = calls.map((_, i) => i).sort((i, j) => byLockOrder(calls[i]!, calls[j]!));
  try {
    const outcomes = await applyOrderUpserts(pool, order.map((i) => calls[i]!));
    const inCallOrder = new Array<OrderEventOutcome | null>(calls.length);
    order.forEach((i, k) => { inCallOrder[i] = outcomes[k]!; });
    return inCallOrder;
  } catch (error) {
    // A statement the server refused changed nothing; one whose answer was lost may have committed.
    if (!isServerError(error)) return calls.map(() => asError(error));
    return Promise.all(calls.map((call) => alone(pool, call)));
  }
}

/**
 * @returns `apply(event, mark)`: the event's outcome on the common path, or null when it needs the
 *   step-by-step path (it wrote nothing): the function said so, or a concurrent writer broke its premise
 */
export function makeOrderUpsertCoalescer(pool: pg.Pool): (event: OrderUpsert, mark?: InboundEventMark) => Promise<OrderEventOutcome | null> {
  const apply = batched<UpsertCall, OrderEventOutcome | null>((calls) => (calls.length === 1 ? alone(pool, calls[0]!).then((r) => [r]) : together(pool, calls)));
  return async (event, mark) => {
    normalizeEmail(event.purchaserEmail); // a malformed address fails its own event, not its batch
    return apply({ event, mark });
  };
}
