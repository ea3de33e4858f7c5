/**
 * Row shapes of the PostgreSQL queries beyond the dialect-neutral ones in ../sql-rows.ts, and their
 * mapping to repository values (instants arrive as Date, dates as text).
 */
import type { ReminderKind, ReminderStatus } from '@tickler/domain';
import type { ReminderRow } from '../repositories/types';
import { expiryColumnList } from '../sql-rows';

/** Columns selected for an `OrderSqlRow` (orders `o` joined with organizations `g`). */
export const ORDER_COLUMNS = `o.id, o.organization_id, o.product, ${expiryColumnList('o')}, o.status, o.time_zone, g.name AS organization_name, g.locale AS organization_locale`;

export interface ReminderSqlRow {
  id: number; order_id: string; kind: ReminderKind; expires_on: string; offset_days: number; send_at: Date;
  status: ReminderStatus; reason: string | null; created_at: Date;
}
export const REMINDER_COLUMNS = 'id, order_id, kind, expires_on, offset_days, send_at, status, reason, created_at';

export function toReminder(row: ReminderSqlRow): ReminderRow {
  return {
    id: row.id, orderId: row.order_id, kind: row.kind, expiresOn: row.expires_on, offsetDays: row.offset_days,
    sendAt: row.send_at, status: row.status, reason: row.reason, createdAt: row.created_at,
  };
}

/** `r.id, r.order_id, …` for a column list. */
export function prefixed(columns: string, alias: string): string {
  return columns.split(', ').map((c) => `${alias}.${c}`).join(', ');
}
