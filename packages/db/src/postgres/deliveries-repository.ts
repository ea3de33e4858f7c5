/** PostgreSQL implementation of DeliveriesRepository: the at-most-once send ledger. */
import type { DeliveryStatus } from '@tickler/domain';
import type pg from 'pg';
import { DEFAULT_SENDING_LEASE_MS } from '../repositories/defaults';
import type { DeliveriesRepository } from '../repositories/types';
import { emailKey } from '../email';
import { withStatementRetry } from './pool';
import { claimDelivery } from './sql/claim-delivery';
import { DELIVERY_COLUMNS, type DeliverySqlRow, toDelivery } from './sql/delivery-rows';
import { upsertDeliveries } from './sql/upsert-deliveries';

/** Statuses a send may (re)claim: fresh, or left `sending` by a worker that died mid-send. */
const CLAIMABLE = `('queued', 'sending')`;

export function makePgDeliveriesRepository(pool: pg.Pool): DeliveriesRepository {
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
      return claimDelivery(pool, id, options.leaseMs ?? DEFAULT_SENDING_LEASE_MS);
    },
    async markSent(id, providerMessageId, at) {
      await pool.query(`UPDATE deliveries SET status = 'sent', provider_message_id = $2, sent_at = $3, updated_at = $3, last_error = NULL WHERE id = $1`,
        [id, providerMessageId, at]);
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
    async listUnfinished(olderThan, limit) {
      return list(`status IN ${CLAIMABLE} AND coalesce(updated_at, created_at) <= $1 ORDER BY id LIMIT $2`, [olderThan, limit]);
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
