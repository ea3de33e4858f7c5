/** SQLite implementation of DeliveriesRepository: the at-most-once send ledger. */
import type { DeliverySource, DeliveryStatus, ListId } from '@tickler/domain';
import { DEFAULT_SENDING_LEASE_MS } from '../repositories/defaults';
import type { DeliveriesRepository, DeliveryClaim, DeliveryRow, NewDelivery } from '../repositories/types';
import type { Sqlite } from './connection';
import { emailKey } from './email';
import { groupCommitFor } from './group-commit';
import { makeStatementCache } from './statements';

export interface DeliverySqlRow {
  id: number; source_type: DeliverySource; source_id: number; email: string; list_id: ListId | null; order_id: string | null;
  status: DeliveryStatus; reason: string | null; provider_message_id: string | null; attempts: number; last_error: string | null;
  created_at: number; sent_at: number | null; digest_id: number | null;
}
export const COLUMNS = 'id, source_type, source_id, email, list_id, order_id, status, reason, provider_message_id, attempts, last_error, created_at, sent_at, digest_id';

export function toDelivery(row: DeliverySqlRow): DeliveryRow {
  return {
    id: row.id, sourceType: row.source_type, sourceId: row.source_id, email: row.email, listId: row.list_id, orderId: row.order_id,
    status: row.status, reason: row.reason, providerMessageId: row.provider_message_id, attempts: row.attempts, lastError: row.last_error,
    createdAt: new Date(row.created_at), sentAt: row.sent_at === null ? null : new Date(row.sent_at), digestId: row.digest_id,
  };
}

/** Statuses a send may (re)claim: fresh, or left `sending` by a worker that died mid-send. */
const CLAIMABLE = `('queued', 'sending')`;

export function makeSqliteDeliveriesRepository(sqlite: Sqlite): DeliveriesRepository {
  const prepare = makeStatementCache(sqlite);
  const byId = (id: number) => prepare(`SELECT ${COLUMNS} FROM deliveries WHERE id = ?`).get(id) as DeliverySqlRow | undefined;

  const upsertBatch = sqlite.transaction((rows: NewDelivery[]): DeliveryRow[] => {
    const insert = prepare(`INSERT INTO deliveries (source_type, source_id, email, list_id, order_id, status, reason, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(source_type, source_id, email) DO NOTHING`);
    const select = prepare(`SELECT ${COLUMNS} FROM deliveries WHERE source_type = ? AND source_id = ? AND email = ?`);
    const now = Date.now();
    const seen = new Set<number>();
    const out: DeliveryRow[] = [];
    for (const r of rows) {
      const email = emailKey(r.email);
      insert.run(r.sourceType, r.sourceId, email, r.listId, r.orderId, r.status, r.reason, now);
      const row = select.get(r.sourceType, r.sourceId, email) as DeliverySqlRow;
      if (!seen.has(row.id)) {
        seen.add(row.id);
        out.push(toDelivery(row));
      }
    }
    return out;
  });

  // Claims and mark-sent of concurrent sends share one commit (see group-commit.ts).
  const group = groupCommitFor(sqlite);

  /** One conditional update: queued, or sending past its lease; the row as it is when not claimed. */
  const claim = (id: number, leaseMs: number): DeliveryClaim | null => {
    const now = Date.now();
    const claimed = prepare(`UPDATE deliveries SET status = 'sending', attempts = attempts + 1, updated_at = ?
      WHERE id = ? AND (status = 'queued' OR (status = 'sending' AND coalesce(updated_at, created_at) <= ?)) RETURNING ${COLUMNS}`)
      .get(now, id, now - leaseMs) as DeliverySqlRow | undefined;
    if (claimed) return { claimed: true, delivery: toDelivery(claimed) };
    const current = byId(id);
    return current ? { claimed: false, delivery: toDelivery(current) } : null;
  };

  const list = (where: string, ...params: unknown[]) =>
    (prepare(`SELECT ${COLUMNS} FROM deliveries WHERE ${where}`).all(...params) as DeliverySqlRow[]).map(toDelivery);

  return {
    async upsertMany(rows) {
      return rows.length === 0 ? [] : upsertBatch.immediate(rows);
    },
    async get(id) {
      const row = byId(id);
      return row ? toDelivery(row) : null;
    },
    async claimForSending(id, options = {}) {
      const leaseMs = options.leaseMs ?? DEFAULT_SENDING_LEASE_MS;
      return group(() => claim(id, leaseMs));
    },
    async markSent(id, providerMessageId, at) {
      await group(() => prepare(`UPDATE deliveries SET status = 'sent', provider_message_id = ?, sent_at = ?, updated_at = ?, last_error = NULL WHERE id = ?`)
        .run(providerMessageId, at.getTime(), at.getTime(), id));
    },
    async markFailed(id, error, permanent) {
      // A transient failure goes back to `queued` so a retry (or reconciliation) may claim it again.
      prepare(`UPDATE deliveries SET status = ?, last_error = ?, updated_at = ? WHERE id = ? AND status NOT IN ('sent', 'delivered', 'bounced', 'complained')`)
        .run(permanent ? 'failed' : 'queued', error, Date.now(), id);
    },
    async markSkipped(id, reason) {
      prepare(`UPDATE deliveries SET status = 'skipped', reason = ?, updated_at = ? WHERE id = ?`).run(reason, Date.now(), id);
    },
    async findByProviderMessageId(messageId) {
      const row = prepare(`SELECT ${COLUMNS} FROM deliveries WHERE provider_message_id = ? ORDER BY id LIMIT 1`).get(messageId) as DeliverySqlRow | undefined;
      return row ? toDelivery(row) : null;
    },
    async setOutcome(id, status, detail) {
      // A late "delivered" never hides an earlier bounce or complaint.
      const guard = status === 'delivered' ? `AND status NOT IN ('bounced', 'complained')` : '';
      prepare(`UPDATE deliveries SET status = ?, reason = coalesce(?, reason), updated_at = ? WHERE id = ? ${guard}`)
        .run(status, detail, Date.now(), id);
    },
    async listUnfinished(sendingSince, limit) {
      return list(`(status = 'queued' OR (status = 'sending' AND coalesce(updated_at, created_at) <= ?)) ORDER BY id LIMIT ?`, sendingSince.getTime(), limit);
    },
    async listByEmail(email) {
      return list(`email = ? ORDER BY id`, emailKey(email));
    },
    async listByOrder(orderId) {
      return list(`order_id = ? ORDER BY id`, orderId);
    },
    async requeue(id) {
      const result = prepare(`UPDATE deliveries SET status = 'queued', reason = NULL, last_error = NULL, updated_at = ?
        WHERE id = ? AND status NOT IN ${CLAIMABLE}`).run(Date.now(), id);
      return result.changes > 0;
    },
    async countByStatusAndReason() {
      const rows = prepare(`SELECT status, reason, count(*) AS count FROM deliveries GROUP BY status, reason ORDER BY status, reason`)
        .all() as Array<{ status: DeliveryStatus; reason: string | null; count: number }>;
      return rows.map((r) => ({ status: r.status, reason: r.reason, count: r.count }));
    },
  };
}
