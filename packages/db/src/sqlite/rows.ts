/** Row shapes of the SQL the repositories run, and their mapping to repository values. */
import { REMINDER_KINDS, reminderKind, type ExpiryColumn, type MembershipRole, type MembershipStatus, type OrderExpiries, type OrderStatus } from '@tickler/domain';
import type { Membership, OrderWithZone, User } from '../repositories/types';

export interface UserSqlRow { id: number; email: string; name: string | null }
export interface MembershipSqlRow { organization_id: string; user_id: number; email: string; status: MembershipStatus; role: MembershipRole }
/** An order's expiry columns, one per reminder kind. */
export type ExpirySqlColumns = { [C in ExpiryColumn]: string | null };
export type OrderSqlRow = ExpirySqlColumns & {
  id: string; organization_id: string; product: string; status: OrderStatus; last_event_at: number | null;
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

/**
 * Columns selected for an `OrderSqlRow` (orders `o` joined with organizations `g`). The time zone is
 * the order's copy of its organization's (kept equal by triggers), so index order can serve it.
 */
export const ORDER_COLUMNS = `o.id, o.organization_id, o.product, ${expiryColumnList('o')},
  o.status, o.last_event_at, o.time_zone, g.name AS organization_name, g.locale AS organization_locale`;

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
