/**
 * One keyset page of active orders whose `kind` expiry lies in [from, to], after (expiry, zone, id):
 * a row-value comparison PostgreSQL seeks on `orders_<kind>_due_idx` (partial: active orders) and
 * reads in index order, without a sort. Parameters ($1 expiry, $2 zone, $3 id, $4 to, $5 limit).
 */
import { reminderKind, type ReminderKind } from '@tickler/domain';
import { ORDER_COLUMNS } from '../rows';

export function expiringOrdersSql(kind: ReminderKind): string {
  const column = `o.${reminderKind(kind).expiryColumn}`;
  return `SELECT ${ORDER_COLUMNS} FROM orders o JOIN organizations g ON g.id = o.organization_id
    WHERE (${column}, o.time_zone, o.id) > ($1::date, $2::text COLLATE "C", $3::text COLLATE "C") AND ${column} <= $4::date AND o.status = 'active'
    ORDER BY ${column}, o.time_zone, o.id LIMIT $5`;
}
