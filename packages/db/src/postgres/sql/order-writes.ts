/**
 * The writes of an order event that follow its locks, each in ONE statement (one round trip, where
 * they were four or five): the purchaser upserted as a user, then
 *
 * - a new order inserted: the purchaser becomes owner of a just-created organization, and the
 *   order's first contact when an active member of its organization (SPEC §2.2);
 * - or an existing order of the same organization updated (only the columns that change are SET,
 *   so an unchanged organization does not fire the zone trigger);
 *
 * and the order comes back as the event's outcome reads it (its zone as the trigger set it, its
 * organization's name and locale as this transaction left them).
 *
 * The parts are data-modifying CTEs of one statement: each runs exactly once whether or not the
 * main query reads it, and foreign keys between them (contact → order, membership → user) are
 * checked at the end of the statement, when all of them are there.
 */
import { REMINDER_KINDS, type ReminderKind } from '@tickler/domain';
import type { OrderWithZone } from '../../repositories/types';
import type { Queryable } from '../pool';
import { expiryColumnList, type OrderSqlRow, toOrder } from '../../sql-rows';

export interface OrderWrite {
  orderId: string; organizationId: string; product: string; at: Date;
  expiries: Record<ReminderKind, string | null>;
  /** Normalised address. */
  purchaserEmail: string; purchaserName: string | null;
}

/** `$1`…`$6`: order id, organization id, product, event time, purchaser address, purchaser name. */
const commonValues = (w: OrderWrite): unknown[] => [w.orderId, w.organizationId, w.product, w.at, w.purchaserEmail, w.purchaserName];

const PURCHASER = `purchaser AS (
    INSERT INTO users (email, name) VALUES ($5, $6)
    ON CONFLICT (email) DO UPDATE SET name = coalesce(users.name, excluded.name) RETURNING id)`;

const RETURNED = `RETURNING id, organization_id, product, ${expiryColumnList()}, status, time_zone`;
const SELECT_ORDER = (from: string) => `SELECT o.id, o.organization_id, o.product, ${expiryColumnList('o')}, o.status, o.time_zone,
    g.name AS organization_name, g.locale AS organization_locale FROM ${from} o JOIN organizations g ON g.id = o.organization_id`;

const INSERT_SQL = `WITH ${PURCHASER},
  owner AS (
    INSERT INTO memberships (organization_id, user_id, status, role, activated_at)
    SELECT $2, purchaser.id, 'active', 'owner', $4 FROM purchaser WHERE $7::boolean
    ON CONFLICT (organization_id, user_id) DO NOTHING RETURNING user_id),
  inserted AS (
    INSERT INTO orders (id, organization_id, product, ${expiryColumnList()}, status, last_event_at, updated_at)
    VALUES ($1, $2, $3, ${REMINDER_KINDS.map((_, i) => `$${i + 8}::date`).join(', ')}, 'active', $4, $4)
    ON CONFLICT (id) DO NOTHING ${RETURNED}),
  contact AS (
    INSERT INTO order_contacts (order_id, user_id)
    SELECT inserted.id, purchaser.id FROM inserted, purchaser
    WHERE EXISTS (SELECT 1 FROM owner)
       OR EXISTS (SELECT 1 FROM memberships m WHERE m.organization_id = $2 AND m.user_id = purchaser.id AND m.status = 'active')
    ON CONFLICT DO NOTHING)
  ${SELECT_ORDER('inserted')}`;

/**
 * Inserts a new order (orders.time_zone is set from the organization by the trigger).
 * @returns the order, or null when another transaction created it meanwhile: the caller must then
 *   roll back (the purchaser's row was written) and judge the event again
 */
export async function insertOrderWithPurchaser(db: Queryable, w: OrderWrite, organizationCreated: boolean): Promise<OrderWithZone | null> {
  const { rows: [row] } = await db.query<OrderSqlRow>(INSERT_SQL, [...commonValues(w), organizationCreated, ...REMINDER_KINDS.map((kind) => w.expiries[kind])]);
  return row ? toOrder(row) : null;
}

/** Updates an existing (locked) order that stays in its organization: `changes` are the columns whose value changes (status, expiries). */
export async function updateOrderWithPurchaser(db: Queryable, w: OrderWrite, changes: Array<[column: string, value: string | null]>): Promise<OrderWithZone> {
  const values = commonValues(w);
  const sets = changes.map(([column, value]) => {
    values.push(value);
    return `${column} = $${values.length}, `;
  });
  const { rows: [row] } = await db.query<OrderSqlRow>(`WITH ${PURCHASER},
    updated AS (UPDATE orders SET ${sets.join('')}product = $3, last_event_at = $4, updated_at = $4 WHERE id = $1 AND organization_id = $2 ${RETURNED})
    ${SELECT_ORDER('updated')}`, values);
  if (!row) throw new Error(`order ${w.orderId} of organization ${w.organizationId} vanished inside its own transaction`);
  return toOrder(row);
}
