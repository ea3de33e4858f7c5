/**
 * Claims a delivery for sending in ONE conditional update: `queued`, or `sending` for longer than
 * the lease (its sender died), becomes `sending` with attempts + 1. Concurrent claims queue on the
 * row lock; each re-checks the condition against the winner's committed row, so exactly one wins.
 * The lease is measured on the database's clock, so hosts with skewed clocks agree.
 */
import type { DeliveryClaim } from '../../repositories/types';
import type { Queryable } from '../pool';
import { DELIVERY_COLUMNS, type DeliverySqlRow, toDelivery } from './delivery-rows';

const CLAIM_SQL = `UPDATE deliveries SET status = 'sending', attempts = attempts + 1, updated_at = now()
  WHERE id = $1 AND (status = 'queued'
    OR (status = 'sending' AND coalesce(updated_at, created_at) <= now() - $2::integer * interval '1 millisecond'))
  RETURNING ${DELIVERY_COLUMNS}`;

export async function claimDelivery(db: Queryable, id: number, leaseMs: number): Promise<DeliveryClaim | null> {
  const { rows: [claimed] } = await db.query<DeliverySqlRow>(CLAIM_SQL, [id, Math.max(0, Math.floor(leaseMs))]);
  if (claimed) return { claimed: true, delivery: toDelivery(claimed) };
  const { rows: [current] } = await db.query<DeliverySqlRow>(`SELECT ${DELIVERY_COLUMNS} FROM deliveries WHERE id = $1`, [id]);
  return current ? { claimed: false, delivery: toDelivery(current) } : null;
}
