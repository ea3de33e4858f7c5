/** PostgreSQL implementation of DeliveriesRepository: the at-most-once send ledger. */
import type { DeliveryStatus } from '@tickler/domain';
import type pg from 'pg';
import { DEFAULT_SENDING_LEASE_MS } from '../repositories/defaults';
import type { DeliveriesRepository } from '../repositories/types';
import { emailKey } from '../email';
import { batched } from './batched';
import { withStatementRetry } from './pool';
import { claimDeliveries, type ClaimKey } from './sql/claim-delivery';
import { DELIVERY_COLUMNS, type DeliverySqlRow, toDelivery } from './sql/delivery-rows';
import { upsertDeliveries } from './sql/upsert-deliveries';

/** Statuses a send may (re)claim: fresh, or left `sending` by a worker that died mid-send. */
const CLAIMABLE = `('queued', 'sending')`;

/** Concurrent `markSent`s in one statement (see batched.ts); one delivery twice in a batch: one of them is kept. */
const MARK_SENT_SQL = `UPDATE deliveries d SET status = 'sent', provider_message_id = s.message_id, sent_at = s.at, updated_at = s.at, last_error = NULL
  FROM unnest($1::bigint[], $2::text[], $3::timestamptz[]) AS s(id, message_id, at) WHERE d.id = s.id`;

interface SentKey { id: number; providerMessageId: string; at: Date }

export function makePgDeliveriesRepository(pool: pg.Pool): DeliveriesRepository {
  // The send path's two ledger writes, batched across the process's concurrent send jobs.
  const claim = batched((keys: readonly ClaimKey[]) => withStatementRetry(() => claimDeliveries(pool, keys)));
  const markSent = batched(async (keys: readonly SentKey[]) => {
    await withStatementRetry(() => pool.query(MARK_SENT_SQL, [keys.map((k) => k.id), keys.map((k) => k.providerMessageId), keys.map((k) => k.at)]));
    return keys.map(() => undefined);
  });
  const list = async (where: string, params: unknown[]) =>
    (await pool.query<DeliverySqlRow>(`SELECT ${DELIVERY_COLUMNS} FROM deliveries WHERE ${where}`, params)).rows.map(toDelivery);

  return {
    async upsertMany(rows) {
      if (rows.length === 0) return [];
      const normalised = rows.map((r) => ({ ...r, email: emailKey(r.email) }));
      return withStatementRetry(() => upsertDeliveries(pool, normalised));
    },
    async get(id) {
      return (await list(`id = $1`, [id]))[0] ?? null;
    },
    async claimForSending(id, options = {}) {
      return claim({ id, leaseMs: options.leaseMs ?? DEFAULT_SENDING_LEASE_MS });
    },
    async markSent(id, providerMessageId, at) {
      await markSent({ id, providerMessageId, at });
    },
    async markFailed(id, error, permanent) {
      // A transient failure goes back to `queued` so a retry (or reconciliation) may claim it again.
      await pool.query(`UPDATE deliveries SET status = $2, last_error = $3, updated_at = now()
        WHERE id = $1 AND status NOT IN ('sent', 'delivered', 'bounced', 'complained')`, [id, permanent ? 'failed' : 'queued', error]);
    },
    async markSkipped(id, reason) {
      await pool.query(`UPDATE deliveries SET status = 'skipped', reason = $2, updated_at = now() WHERE id = $1`, [id, reason]);
    },
    async findByProviderMessageId(messageId) {
      return (await list(`provider_message_id = $1 ORDER BY id LIMIT 1`, [messageId]))[0] ?? null;
    },
    async setOutcome(id, status, detail) {
      // A late "delivered" never hides an earlier bounce or complaint (re-checked under the row lock).
      const guard = status === 'delivered' ? `AND status NOT IN ('bounced', 'complained')` : '';
      await pool.query(`UPDATE deliveries SET status = $2, reason = coalesce($3, reason), updated_at = now() WHERE id = $1 ${guard}`, [id, status, detail]);
    },
    async listUnfinished(sendingSince, limit) {
      return list(`(status = 'queued' OR (status = 'sending' AND coalesce(updated_at, created_at) <= $1)) ORDER BY id LIMIT $2`, [sendingSince, limit]);
    },
    async listByEmail(email) {
      return list(`email = $1 ORDER BY id`, [emailKey(email)]);
    },
    async listByOrder(orderId) {
      return list(`order_id = $1 ORDER BY id`, [orderId]);
    },
    async requeue(id) {
      const changed = await pool.query(`UPDATE deliveries SET status = 'queued', reason = NULL, last_error = NULL, updated_at = now()
        WHERE id = $1 AND status NOT IN ${CLAIMABLE}`, [id]);
      return changed.rowCount === 1;
    },
    async countByStatusAndReason() {
      const { rows } = await pool.query<{ status: DeliveryStatus; reason: string | null; count: number }>(
        `SELECT status, reason, count(*) AS count FROM deliveries GROUP BY status, reason ORDER BY status, reason`);
      return rows.map((r) => ({ status: r.status, reason: r.reason, count: r.count }));
    },
  };
}
