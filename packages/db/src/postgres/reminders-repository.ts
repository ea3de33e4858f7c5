/** PostgreSQL implementation of RemindersRepository: the reminder ledger. */
import type pg from 'pg';
import type { RemindersRepository } from '../repositories/types';
import { batchedByKey } from './batched';
import { withStatementRetry } from './pool';
import { prefixed, REMINDER_COLUMNS, type ReminderSqlRow, toReminder } from './rows';
import { insertReminders } from './sql/insert-reminders';
import { planFutureSlice } from './sql/plan-future-slice';
import { supersedeReminders } from './sql/supersede-reminders';

export function makePgRemindersRepository(pool: pg.Pool): RemindersRepository {
  const list = async (sql: string, params: unknown[]) => (await pool.query<ReminderSqlRow>(sql, params)).rows.map(toReminder);
  // Every reminder send reads its reminder: batched across the process's concurrent send jobs (see batched.ts).
  const byId = batchedByKey(async (ids: number[]) => (await list(`SELECT ${REMINDER_COLUMNS} FROM reminders WHERE id = ANY($1::bigint[])`, [ids])).map((r) => [r.id, r] as const));
  // Every applied order event asks this once per changed kind (nearly always deleting nothing):
  // batched across the worker's concurrent events, one statement instead of one per call.
  const forget = batchedByKey(async (keys: string[]) => {
    const cycles = keys.map((key) => JSON.parse(key) as [string, string, string]);
    const { rows } = await withStatementRetry(() => pool.query<{ order_id: string; kind: string; expires_on: string }>(
      `DELETE FROM reminders r USING unnest($1::text[], $2::text[], $3::date[]) AS k(order_id, kind, expires_on)
        WHERE r.order_id = k.order_id AND r.kind = k.kind AND r.expires_on = k.expires_on AND r.status = 'cancelled' AND r.reason = 'expiry-changed'
        RETURNING r.order_id, r.kind, to_char(r.expires_on, 'YYYY-MM-DD') AS expires_on`,
      [cycles.map((c) => c[0]), cycles.map((c) => c[1]), cycles.map((c) => c[2])]));
    const counts = new Map<string, number>();
    for (const r of rows) {
      const key = JSON.stringify([r.order_id, r.kind, r.expires_on]);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  });

  return {
    async insertNew(rows) {
      return rows.length === 0 ? [] : withStatementRetry(() => insertReminders(pool, rows));
    },
    async planFutureSlice(slice, options) {
      return withStatementRetry(() => planFutureSlice(pool, slice, options.dryRun));
    },
    async get(id) {
      return byId(id);
    },
    async setStatus(id, status, reason) {
      await pool.query(`UPDATE reminders SET status = $2, reason = $3, updated_at = now() WHERE id = $1`, [id, status, reason]);
    },
    async supersedeEarlier(dueIds) {
      return dueIds.length === 0 ? [] : withStatementRetry(() => supersedeReminders(pool, [...new Set(dueIds)]));
    },
    async listQueued(before, limit) {
      return list(`SELECT ${REMINDER_COLUMNS} FROM reminders WHERE status = 'queued' AND send_at <= $1 ORDER BY send_at, id LIMIT $2`, [before, limit]);
    },
    async listForOrder(orderId) {
      return list(`SELECT ${REMINDER_COLUMNS} FROM reminders WHERE order_id = $1 ORDER BY send_at, id`, [orderId]);
    },
    async listForOrders(orderIds) {
      if (orderIds.length === 0) return [];
      return list(`SELECT ${REMINDER_COLUMNS} FROM reminders WHERE order_id = ANY($1::text[]) ORDER BY send_at, id`, [[...new Set(orderIds)]]);
    },
    async listOpenForOrganization(organizationId) {
      return list(`SELECT ${prefixed(REMINDER_COLUMNS, 'r')} FROM reminders r JOIN orders o ON o.id = r.order_id
        WHERE o.organization_id = $1 AND r.status = 'queued' ORDER BY r.send_at, r.id`, [organizationId]);
    },
    async forgetCancelledByExpiryChange(orderId, kind, expiresOn) {
      return (await forget(JSON.stringify([orderId, kind, expiresOn]))) ?? 0;
    },
    async listQueuedDueBy(organizationId, now) {
      return list(`SELECT ${prefixed(REMINDER_COLUMNS, 'r')} FROM reminders r JOIN orders o ON o.id = r.order_id
        WHERE o.organization_id = $1 AND r.status = 'queued' AND r.send_at <= $2 ORDER BY r.id`, [organizationId, now]);
    },
    async listDueAt(organizationId, sendAt) {
      return list(`SELECT ${prefixed(REMINDER_COLUMNS, 'r')} FROM reminders r JOIN orders o ON o.id = r.order_id
        WHERE o.organization_id = $1 AND r.send_at = $2 ORDER BY r.id`, [organizationId, sendAt]);
    },
  };
}
