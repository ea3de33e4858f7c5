/**
 * Cancels of orders not seen yet (table unseen_order_cancels). A cancel of an unknown order and the
 * upsert creating that order both take `lockUnseenOrder` once they found no order row, and judge
 * only after it: whichever commits first, the other then sees its row (order or cancel), so the newer
 * event wins as for a stored order. Lock order: the order row (missing), then this lock.
 */
import type { Queryable } from '../pool';

/** The advisory lock of an order id (the one migration 0009's function takes for a new order); held until the transaction ends. */
export async function lockUnseenOrder(db: Queryable, orderId: string): Promise<void> {
  await db.query(`SELECT pg_advisory_xact_lock(hashtextextended('tickler.order:' || $1, 0))`, [orderId]);
}

/** When the order was cancelled before it was seen (the newest such cancel), or null. Read after `lockUnseenOrder`. */
export async function readUnseenCancel(db: Queryable, orderId: string): Promise<Date | null> {
  const { rows: [row] } = await db.query<{ cancelled_at: Date }>(`SELECT cancelled_at FROM unseen_order_cancels WHERE order_id = $1`, [orderId]);
  return row?.cancelled_at ?? null;
}

/** Remembers a cancel of an unknown order; returns the newest cancel remembered for it (this one or an earlier-delivered newer one). */
export async function rememberUnseenCancel(db: Queryable, orderId: string, occurredAt: Date): Promise<Date> {
  const { rows: [row] } = await db.query<{ cancelled_at: Date }>(`INSERT INTO unseen_order_cancels (order_id, cancelled_at) VALUES ($1, $2)
    ON CONFLICT (order_id) DO UPDATE SET cancelled_at = greatest(unseen_order_cancels.cancelled_at, excluded.cancelled_at) RETURNING cancelled_at`, [orderId, occurredAt]);
  return row!.cancelled_at;
}

/** Forgets it once the order exists: from then on its `last_event_at` judges. */
export async function forgetUnseenCancel(db: Queryable, orderId: string): Promise<void> {
  await db.query(`DELETE FROM unseen_order_cancels WHERE order_id = $1`, [orderId]);
}
