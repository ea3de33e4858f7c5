/** Row shapes of the PostgreSQL queries and their mapping to repository values (instants arrive as Date, dates as text). */
import { REMINDER_KINDS, reminderKind, type ExpiryColumn, type MembershipRole, type MembershipStatus, type OrderExpiries, type OrderStatus, type ReminderKind, type ReminderStatus } from '@tickler/domain';
import type { Membership, OrderWithZone, ReminderRow, User } from '../repositories/types';

export interface UserSqlRow { id: number; email: string; name: string | null }
export interface MembershipSqlRow { organization_id: string; user_id: number; email: string; status: MembershipStatus; role: MembershipRole }
export type ExpirySqlColumns = { [C in ExpiryColumn]: string | null };
export type OrderSqlRow = ExpirySqlColumns & {
  id: string; organization_id: string; product: string; status: OrderStatus; time_zone: string; organization_name: string; organization_locale: string | null;
};

/** The expiry columns, comma-separated, each prefixed with `alias.` when given. */
export function expiryColumnList(alias = ''): string {
  return REMINDER_KINDS.map((kind) => `${alias ? `${alias}.` : ''}${reminderKind(kind).expiryColumn}`).join(', ');
}

export function toExpiries(row: ExpirySqlColumns): OrderExpiries {
  return Object.fromEntries(REMINDER_KINDS.map((kind) => [reminderKind(kind).expiryField, row[reminderKind(kind).expiryColumn]])) as OrderExpiries;
}

/** Columns selected for an `OrderSqlRow` (orders `o` joined with organizations `g`). */
export const ORDER_COLUMNS = `o.id, o.organization_id, o.product, ${expiryColumnList('o')}, o.status, o.time_zone, g.name AS organization_name, g.locale AS organization_locale`;

export function toUser(row: UserSqlRow): User {
  return { id: row.id, email: row.email, name: row.name };
}

export function toMembership(row: MembershipSqlRow): Membership {
  return { organizationId: row.organization_id, userId: row.user_id, email: row.email, status: row.status, role: row.role };
}

export function toOrder(row: OrderSqlRow): OrderWithZone {
  return {
    id: row.id, organizationId: row.organization_id, product: row.product, ...toExpiries(row),
    status: row.status, timeZone: row.time_zone, organizationName: row.organization_name, organizationLocale: row.organization_locale,
  };
}

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
