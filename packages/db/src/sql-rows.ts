/**
 * Row shapes both SQL stores return for users, memberships and orders, and their mapping to
 * repository values. Dialect-neutral: what differs (the column lists, SQLite's `last_event_at`,
 * PostgreSQL's reminder rows) stays in `sqlite/rows.ts` and `postgres/rows.ts`.
 */
import { REMINDER_KINDS, reminderKind, type ExpiryColumn, type MembershipRole, type MembershipStatus, type OrderExpiries, type OrderStatus } from '@tickler/domain';
import type { Membership, OrderWithZone, User } from './repositories/types';

export interface UserSqlRow { id: number; email: string; name: string | null }
export interface MembershipSqlRow { organization_id: string; user_id: number; email: string; status: MembershipStatus; role: MembershipRole }
/** An order's expiry columns, one per reminder kind (dates as `YYYY-MM-DD` text). */
export type ExpirySqlColumns = { [C in ExpiryColumn]: string | null };
/** An order joined with its organization, as both stores select it. */
export type OrderSqlRow = ExpirySqlColumns & {
  id: string; organization_id: string; product: string; status: OrderStatus;
  time_zone: string; organization_name: string; organization_locale: string | null;
};

/** The expiry columns, comma-separated, each prefixed with `alias.` when given. */
export function expiryColumnList(alias = ''): string {
  return REMINDER_KINDS.map((kind) => `${alias ? `${alias}.` : ''}${reminderKind(kind).expiryColumn}`).join(', ');
}

/** An order's expiry dates from its expiry columns. */
export function toExpiries(row: ExpirySqlColumns): OrderExpiries {
  return Object.fromEntries(REMINDER_KINDS.map((kind) => [reminderKind(kind).expiryField, row[reminderKind(kind).expiryColumn]])) as OrderExpiries;
}

/** A user from its row. */
export function toUser(row: UserSqlRow): User {
  return { id: row.id, email: row.email, name: row.name };
}

/** A membership from its row (joined with the member's email). */
export function toMembership(row: MembershipSqlRow): Membership {
  return { organizationId: row.organization_id, userId: row.user_id, email: row.email, status: row.status, role: row.role };
}

/** An order with its organization's zone, name and language from its row. */
export function toOrder(row: OrderSqlRow): OrderWithZone {
  return {
    id: row.id, organizationId: row.organization_id, product: row.product, ...toExpiries(row),
    status: row.status, timeZone: row.time_zone, organizationName: row.organization_name, organizationLocale: row.organization_locale,
  };
}
