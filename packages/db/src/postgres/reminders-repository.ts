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
      const { rowCount } = await pool.query(`DELETE FROM reminders WHERE order_id = $1 AND kind = $2 AND expires_on = $3
        AND status = 'cancelled' AND reason = 'expiry-changed'`, [orderId, kind, expiresOn]);
      return rowCount ?? 0;
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
