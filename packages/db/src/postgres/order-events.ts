/**
 * Billing order events on PostgreSQL, each one transaction. "Newest event wins" holds under
 * concurrent writers on many hosts because every event first locks what it judges against:
 *
 * 1. the event's organization row (created if new): events of any order of one organization queue
 *    here, so its name and zone follow the newest event of any of its orders;
 * 2. the order row: events of one order queue here, so each compares its time with the last event
 *    the other committed — whatever order they commit in, the newest one's data stays;
 * 3. when there is no order row yet, an advisory lock on the order id (sql/unseen-order-cancels.ts):
 *    a cancel of an unknown order is remembered under it, and an upsert creating the order judges
 *    against that cancel under it, so the newer of the two wins here too.
 *
 * Locks are FOR NO KEY UPDATE, which foreign-key checks (FOR KEY SHARE) do not wait for. Always
 * organization before order before the order id's lock, so two events cannot wait for each other in
 * a cycle; a deadlock with some other writer, or two events creating one order under two
 * organizations at once, rolls the event back and runs it again (withTransaction). An ignored event
 * rolls back: it changes nothing — except a cancel of an unknown order, which is remembered.
 *
 * The common path of an upsert runs as one call of a database function (sql/apply-order-upserts.ts),
 * which takes the same locks in the same order, coalesced with the process's concurrent events
 * (order-upsert-coalescer.ts); the rest runs step by step below.
 */
import { expiryOf, perKind, REMINDER_KINDS, reminderKind } from '@tickler/domain';
import type pg from 'pg';
import type { InboundEventMark, OrderEventOutcome, OrderUpsert, OrderWithZone } from '../repositories/types';
import { normalizeEmail } from '../email';
import { cancelledBeforeSeenReason, organizationNotChanged, outOfOrderReason, unseenCancelReason } from '../order-event-reasons';
import { makeOrderUpsertCoalescer } from './order-upsert-coalescer';
import { type Transaction, withTransaction } from './pool';
import { ORDER_COLUMNS } from './rows';
import { expiryColumnList, type ExpirySqlColumns, type OrderSqlRow, toOrder } from '../sql-rows';
import { cancelPendingReminders } from './sql/cancel-pending-reminders';
import { moveRemindersToZone } from './sql/move-reminders-to-zone';
import { insertOrderWithPurchaser, type OrderWrite, updateOrderWithPurchaser } from './sql/order-writes';
import { forgetUnseenCancel, lockUnseenOrder, readUnseenCancel, rememberUnseenCancel } from './sql/unseen-order-cancels';
import { isRetryableConflict } from './store-error';

type StoredOrder = ExpirySqlColumns & { organization_id: string; status: string; last_event_at: Date | null };

/** Thrown inside a unit of work whose premise a concurrent transaction just broke: run it again. */
class ConcurrentChange extends Error {}
const retryOn = (error: unknown) => error instanceof ConcurrentChange || isRetryableConflict(error);

const outOfOrder = (stored: StoredOrder | undefined, occurredAt: Date): OrderEventOutcome | null => {
  if (!stored?.last_event_at || occurredAt.getTime() >= stored.last_event_at.getTime()) return null;
  return { outcome: 'ignored', reason: outOfOrderReason(occurredAt, stored.last_event_at) };
};

/** An upsert no newer than the cancel of its order that came before the order was seen (`cancelledAt`, or null: none). */
const notAfterUnseenCancel = (cancelledAt: Date | null, occurredAt: Date): OrderEventOutcome | null =>
  (cancelledAt && occurredAt.getTime() <= cancelledAt.getTime() ? { outcome: 'ignored', reason: cancelledBeforeSeenReason(occurredAt, cancelledAt) } : null);

/** When a not yet stored order was cancelled before it was seen (or null), read under the order id's lock. */
async function unseenCancelOf(tx: Transaction, orderId: string): Promise<Date | null> {
  await lockUnseenOrder(tx, orderId);
  return readUnseenCancel(tx, orderId);
}

async function lockOrder(tx: Transaction, orderId: string): Promise<StoredOrder | undefined> {
  const { rows } = await tx.query<StoredOrder>(`SELECT organization_id, ${expiryColumnList()}, status, last_event_at FROM orders WHERE id = $1 FOR NO KEY UPDATE`, [orderId]);
  return rows[0];
}

async function readOrder(tx: Transaction, orderId: string) {
  const { rows: [row] } = await tx.query<OrderSqlRow>(`SELECT ${ORDER_COLUMNS} FROM orders o JOIN organizations g ON g.id = o.organization_id WHERE o.id = $1`, [orderId]);
  if (!row) throw new Error(`order ${orderId} vanished inside its own transaction`);
  return toOrder(row);
}

/**
 * Locks the event's organization, creating it if new; updates its name and zone unless a newer event
 * of one of its orders was applied already (then `ignored` says so: the event is only partly applied).
 */
async function upsertOrganization(tx: Transaction, event: OrderUpsert): Promise<{ created: boolean; timeZoneChanged: boolean; ignored: string | null }> {
  const { id, name, timeZone } = event.organization;
  const locale = event.organization.locale ?? null;
  const lock = () => tx.query<{ name: string; time_zone: string; locale: string | null }>(`SELECT name, time_zone, locale FROM organizations WHERE id = $1 FOR NO KEY UPDATE`, [id]);
  let { rows: [before] } = await lock();
  if (!before) {
    const created = await tx.query(`INSERT INTO organizations (id, name, time_zone, locale) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING`, [id, name, timeZone, locale]);
    if (created.rowCount === 1) return { created: true, timeZoneChanged: false, ignored: null };
    ({ rows: [before] } = await lock()); // created by a concurrent event meanwhile
    if (!before) throw new ConcurrentChange(`organization ${id} vanished`);
  }
  if (before.name === name && before.time_zone === timeZone && before.locale === locale) return { created: false, timeZoneChanged: false, ignored: null };
  const { rows: [newest] } = await tx.query<{ at: Date | null }>(`SELECT max(last_event_at) AS at FROM orders WHERE organization_id = $1`, [id]);
  if (newest?.at && newest.at.getTime() > event.occurredAt.getTime()) {
    return { created: false, timeZoneChanged: false, ignored: organizationNotChanged(event, before, newest.at.getTime()) };
  }
  await tx.query(`UPDATE organizations SET name = $2, time_zone = $3, locale = $4 WHERE id = $1`, [id, name, timeZone, locale]);
  return { created: false, timeZoneChanged: before.time_zone !== timeZone, ignored: null };
}

/** The purchaser becomes the first active member (owner) of an organization its event created. */
async function addOwner(tx: Transaction, organizationId: string, purchaserId: number, at: Date): Promise<void> {
  await tx.query(`INSERT INTO memberships (organization_id, user_id, status, role, activated_at) VALUES ($1, $2, 'active', 'owner', $3)
    ON CONFLICT (organization_id, user_id) DO NOTHING`, [organizationId, purchaserId, at]);
}

async function ensurePurchaser(tx: Transaction, event: OrderUpsert): Promise<number> {
  const { rows: [row] } = await tx.query<{ id: number }>(`INSERT INTO users (email, name) VALUES ($1, $2)
    ON CONFLICT (email) DO UPDATE SET name = coalesce(users.name, excluded.name) RETURNING id`, [normalizeEmail(event.purchaserEmail), event.purchaserName]);
  return row!.id;
}

/** The purchaser becomes a contact of the order when an active member of its organization. */
async function addPurchaserContact(tx: Transaction, event: OrderUpsert, purchaserId: number): Promise<void> {
  await tx.query(`INSERT INTO order_contacts (order_id, user_id) SELECT $1, $2
    WHERE EXISTS (SELECT 1 FROM memberships WHERE organization_id = $3 AND user_id = $2 AND status = 'active')
    ON CONFLICT DO NOTHING`, [event.orderId, purchaserId, event.organization.id]);
}

/**
 * An order moved to another organization keeps only contacts who are active members there (SPEC
 * §2.2); the purchaser, when a member there, becomes a contact; open reminders follow the new zone.
 */
async function moveToOrganization(tx: Transaction, event: OrderUpsert, purchaserId: number, at: Date): Promise<number> {
  await tx.query(`DELETE FROM order_contacts WHERE order_id = $1 AND user_id NOT IN
    (SELECT user_id FROM memberships WHERE organization_id = $2 AND status = 'active')`, [event.orderId, event.organization.id]);
  await addPurchaserContact(tx, event, purchaserId);
  const { rows: [org] } = await tx.query<{ time_zone: string }>(`SELECT time_zone FROM organizations WHERE id = $1`, [event.organization.id]);
  return moveRemindersToZone(tx, 'order', event.orderId, org!.time_zone, at, event.calendar);
}

/** The columns an applied event changes on a stored order (an unchanged organization is not SET: it would fire the zone trigger). */
function changedColumns(event: OrderUpsert, stored: StoredOrder): Array<[string, string | null]> {
  return ([
    ['organization_id', event.organization.id, stored.organization_id],
    ...REMINDER_KINDS.map((kind) => [reminderKind(kind).expiryColumn, expiryOf(event, kind), stored[reminderKind(kind).expiryColumn]]),
    ['status', 'active', stored.status],
  ] as Array<[string, string | null, string | null]>).filter(([, value, previous]) => value !== previous).map(([column, value]) => [column, value]);
}

/** Writes an applied event onto a stored order that moves to another organization (the rare path: statements one by one). */
async function updateMovedOrder(tx: Transaction, event: OrderUpsert, stored: StoredOrder, at: Date): Promise<void> {
  const values: unknown[] = [event.orderId, event.product, at];
  const sets = changedColumns(event, stored).map(([column, value]) => {
    values.push(value);
    return `${column} = $${values.length}, `;
  });
  await tx.query(`UPDATE orders SET ${sets.join('')}product = $2, last_event_at = $3, updated_at = $3 WHERE id = $1`, values);
}

async function upsert(tx: Transaction, event: OrderUpsert): Promise<OrderEventOutcome> {
  const at = event.occurredAt;
  normalizeEmail(event.purchaserEmail); // a malformed address fails the event before anything is written
  const organization = await upsertOrganization(tx, event);
  const stored = await lockOrder(tx, event.orderId);
  const cancelledUnseen = stored ? null : await unseenCancelOf(tx, event.orderId);
  const ignored = outOfOrder(stored, at) ?? notAfterUnseenCancel(cancelledUnseen, at);
  if (ignored) {
    tx.rollbackOnly();
    return ignored;
  }
  let retimed = organization.timeZoneChanged ? await moveRemindersToZone(tx, 'organization', event.organization.id, event.organization.timeZone, at, event.calendar) : 0;
  const next = perKind((kind) => expiryOf(event, kind));
  const write: OrderWrite = {
    orderId: event.orderId, organizationId: event.organization.id, product: event.product, at, expiries: next,
    purchaserEmail: normalizeEmail(event.purchaserEmail), purchaserName: event.purchaserName,
  };
  if (!stored) {
    const order = await insertOrderWithPurchaser(tx, write, organization.created);
    // Another event created the order under another organization meanwhile: judge this one again.
    if (!order) throw new ConcurrentChange(`order ${event.orderId} was created concurrently`);
    if (cancelledUnseen) await forgetUnseenCancel(tx, event.orderId); // newer than the cancel: the order's own time judges from now on
    const changedKinds = REMINDER_KINDS.filter((kind) => next[kind] !== null);
    return { outcome: 'applied', order, changedKinds, cancelledReminderIds: [], retimed, notApplied: organization.ignored, ...replan(organization.timeZoneChanged) };
  }
  const reactivated = stored.status !== 'active';
  // Reactivation undoes the cancellation: this cycle's reminders that the cancel stopped (never
  // sent) are forgotten, so they can be planned again; their ledger identity would keep them out.
  const cycles = REMINDER_KINDS.filter((kind) => next[kind] !== null);
  if (reactivated && cycles.length > 0) {
    await tx.query(`DELETE FROM reminders WHERE order_id = $1 AND status = 'cancelled' AND reason = 'order-cancelled'
      AND (kind, expires_on) IN (SELECT * FROM unnest($2::text[], $3::date[]))`, [event.orderId, cycles, cycles.map((kind) => next[kind])]);
  }
  let order: OrderWithZone;
  let movedOrganization = false;
  if (stored.organization_id === event.organization.id && !organization.created) {
    order = await updateOrderWithPurchaser(tx, write, changedColumns(event, stored));
  } else {
    const purchaserId = await ensurePurchaser(tx, event);
    if (organization.created) await addOwner(tx, event.organization.id, purchaserId, at);
    retimed += await moveToOrganization(tx, event, purchaserId, at);
    movedOrganization = stored.organization_id !== event.organization.id;
    await updateMovedOrder(tx, event, stored, at);
    order = await readOrder(tx, event.orderId);
  }
  const changed = REMINDER_KINDS.filter((kind) => stored[reminderKind(kind).expiryColumn] !== next[kind]);
  const changedKinds = REMINDER_KINDS.filter((kind) => changed.includes(kind) || (reactivated && next[kind] !== null));
  const cancelledReminderIds = await cancelPendingReminders(tx, event.orderId, 'expiry-changed', at, changed.map((kind) => ({ kind, keepExpiresOn: next[kind] })));
  return { outcome: 'applied', order, changedKinds, cancelledReminderIds, retimed, notApplied: organization.ignored, ...replan(organization.timeZoneChanged || movedOrganization) };
}

async function cancel(tx: Transaction, orderId: string, occurredAt: Date): Promise<OrderEventOutcome> {
  let stored = await lockOrder(tx, orderId);
  if (!stored) {
    // Unknown, unless an upsert holding the order id's lock creates it: look again under that lock.
    await lockUnseenOrder(tx, orderId);
    stored = await lockOrder(tx, orderId);
  }
  // Remembered, so that the order's upsert delivered late (no newer than this cancel) is ignored.
  if (!stored) return { outcome: 'ignored', reason: unseenCancelReason(orderId, await rememberUnseenCancel(tx, orderId, occurredAt)) };
  const ignored = outOfOrder(stored, occurredAt);
  if (ignored) return ignored;
  await tx.query(`UPDATE orders SET status = 'cancelled', last_event_at = $2, updated_at = $2 WHERE id = $1`, [orderId, occurredAt]);
  const cancelledReminderIds = await cancelPendingReminders(tx, orderId, 'order-cancelled', occurredAt);
  return { outcome: 'applied', order: await readOrder(tx, orderId), changedKinds: [], cancelledReminderIds, retimed: 0, notApplied: null };
}

export function makePgOrderEvents(pool: pg.Pool) {
  const upsertOnCommonPath = makeOrderUpsertCoalescer(pool);
  return {
    /** See DirectoryRepository.applyOrderUpsert. */
    applyOrderUpsert: async (event: OrderUpsert, mark?: InboundEventMark) =>
      (await upsertOnCommonPath(event, mark)) ?? withTransaction(pool, (tx) => upsert(tx, event), { retryOn }),
    /** See DirectoryRepository.applyOrderCancel. */
    applyOrderCancel: (orderId: string, occurredAt: Date) => withTransaction(pool, (tx) => cancel(tx, orderId, occurredAt), { retryOn }),
  };
}

/** The outcome's `replanOrganization` flag: set only when the organization's send times moved. */
function replan(moved: boolean): { replanOrganization?: true } {
  return moved ? { replanOrganization: true } : {};
}
