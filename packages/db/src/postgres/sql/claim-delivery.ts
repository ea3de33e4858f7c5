/**
 * Claims deliveries for sending in ONE conditional update per batch of concurrent claims (see
 * batched.ts): `queued`, or `sending` for longer than the lease (its sender died), becomes `sending`
 * with attempts + 1. Concurrent claims of one row, from this batch's statement and other processes',
 * queue on the row lock; each re-checks the condition against the winner's committed row, so exactly
 * one wins. The lease is measured on the database's clock, so hosts with skewed clocks agree.
 *
 * A claim that lost reads the row again in a second statement (a fresh snapshot, so it sees the
 * winner's `sending`); in normal operation every claim wins and the batch is one statement.
 */
import type { DeliveryClaim } from '../../repositories/types';
import { groupKeys } from '../batched';
import type { Queryable } from '../pool';
import { DELIVERY_COLUMNS, type DeliverySqlRow, toDelivery } from './delivery-rows';

const CLAIM_SQL = `UPDATE deliveries SET status = 'sending', attempts = attempts + 1, updated_at = now()
  WHERE id = ANY($1::bigint[]) AND (status = 'queued'
    OR (status = 'sending' AND coalesce(updated_at, created_at) <= now() - $2::integer * interval '1 millisecond'))
  RETURNING ${DELIVERY_COLUMNS}`;

const CURRENT_SQL = `SELECT ${DELIVERY_COLUMNS} FROM deliveries WHERE id = ANY($1::bigint[])`;

export interface ClaimKey { id: number; leaseMs: number }

/** The claims of `keys`, in order; of two keys naming one delivery, the first may win and the second sees it `sending`. */
export async function claimDeliveries(db: Queryable, keys: readonly ClaimKey[]): Promise<Array<DeliveryClaim | null>> {
  const claims: Array<DeliveryClaim | null> = new Array(keys.length).fill(null);
  const lost: number[] = [];
  for (const [leaseMs, group] of groupKeys(keys, (k) => Math.max(0, Math.floor(k.leaseMs)))) {
    const { rows } = await db.query<DeliverySqlRow>(CLAIM_SQL, [[...new Set(group.map(({ key }) => key.id))], leaseMs]);
    const won = new Map(rows.map((row) => [row.id, row]));
    for (const { key, index } of group) {
      const row = won.get(key.id);
      if (row) {
        claims[index] = { claimed: true, delivery: toDelivery(row) };
        won.delete(key.id);
      } else lost.push(index);
    }
  }
  if (lost.length > 0) {
    const { rows } = await db.query<DeliverySqlRow>(CURRENT_SQL, [[...new Set(lost.map((i) => keys[i]!.id))]]);
    const current = new Map(rows.map((row) => [row.id, row]));
    for (const index of lost) {
      const row = current.get(keys[index]!.id);
      claims[index] = row ? { claimed: false, delivery: toDelivery(row) } : null;
    }
  }
  return claims;
}
