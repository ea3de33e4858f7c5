/** Row shapes of the SQL the repositories run, and their mapping to repository values. */
import type { MembershipRole, MembershipStatus, OrderStatus } from '@tickler/domain';
import type { Membership, OrderWithZone, User } from '../repositories/types';

export interface UserSqlRow { id: number; email: string; name: string | null }
export interface MembershipSqlRow { organization_id: string; user_id: number; email: string; status: MembershipStatus; role: MembershipRole }
export interface OrderSqlRow {
  id: string; organization_id: string; product: string; license_expires_on: string | null;
  maintenance_expires_on: string | null; status: OrderStatus; last_event_at: number | null;
  time_zone: string; organization_name: string;
}

/**
 * Columns selected for an `OrderSqlRow` (orders `o` joined with organizations `g`). The time zone is
 * the order's copy of its organization's (kept equal by triggers), so index order can serve it.
 */
export const ORDER_COLUMNS = `o.id, o.organization_id, o.product, o.license_expires_on, o.maintenance_expires_on,
  o.status, o.last_event_at, o.time_zone, g.name AS organization_name`;

export function toUser(row: UserSqlRow): User {
  return { id: row.id, email: row.email, name: row.name };
}

export function toMembership(row: MembershipSqlRow): Membership {
  return { organizationId: row.organization_id, userId: row.user_id, email: row.email, status: row.status, role: row.role };
}

export function toOrder(row: OrderSqlRow): OrderWithZone {
  return {
    id: row.id, organizationId: row.organization_id, product: row.product,
    licenseExpiresOn: row.license_expires_on, maintenanceExpiresOn: row.maintenance_expires_on,
    status: row.status, timeZone: row.time_zone, organizationName: row.organization_name,
  };
}
