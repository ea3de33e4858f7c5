/**
 * Billing order events as units of work: each runs synchronously inside one SQLite transaction
 * (better-sqlite3 transactions are synchronous), so an event is applied entirely or not at all.
 */
import { expiryOf, perKind, REMINDER_KINDS, reminderKind, sendAtMs, type ReminderKind, type SendCalendar } from '@tickler/domain';
import { cancelledBeforeSeenReason, organizationNotChanged, outOfOrderReason, unseenCancelReason } from '../order-event-reasons';
import type { OrderEventOutcome, OrderUpsert } from '../repositories/types';
import type { Sqlite } from './connection';
import { groupCommitFor } from './group-commit';
import { normalizeEmail } from './email';
import { ORDER_COLUMNS, type OrderSqlRow } from './rows';
import { expiryColumnList, type ExpirySqlColumns, toOrder } from '../sql-rows';
import type { Prepare } from './statements';

type StoredOrder = ExpirySqlColumns & { organization_id: string; status: string; last_event_at: number | null };

export function makeOrderEvents(sqlite: Sqlite, prepare: Prepare) {
  const readStored = (orderId: string) =>
    prepare(`SELECT organization_id, ${expiryColumnList()}, status, last_event_at FROM orders WHERE id = ?`)
      .get(orderId) as StoredOrder | undefined;

  const readOrder = (orderId: string) => {
    const row = prepare(`SELECT ${ORDER_COLUMNS} FROM orders o JOIN organizations g ON g.id = o.organization_id WHERE o.id = ?`)
      .get(orderId) as OrderSqlRow | undefined;
    if (!row) throw new Error(`order ${orderId} vanished inside its own transaction`);
    return toOrder(row);
  };

  const outOfOrder = (stored: StoredOrder | undefined, occurredAt: Date): OrderEventOutcome | null => {
    if (stored?.last_event_at == null || occurredAt.getTime() >= stored.last_event_at) return null;
    return { outcome: 'ignored', reason: outOfOrderReason(occurredAt, new Date(stored.last_event_at)) };
  };

  /**
   * An upsert of an order not stored yet, no newer than a cancel of it that came first (table
   * unseen_order_cancels): ignored like any event older than an order's last one.
   */
  const unseenCancelAt = (orderId: string) =>
    (prepare(`SELECT cancelled_at FROM unseen_order_cancels WHERE order_id = ?`).get(orderId) as { cancelled_at: number } | undefined)?.cancelled_at ?? null;
  const notAfterUnseenCancel = (cancelledAt: number | null, occurredAt: Date): OrderEventOutcome | null =>
    (cancelledAt !== null && occurredAt.getTime() <= cancelledAt ? { outcome: 'ignored', reason: cancelledBeforeSeenReason(occurredAt, new Date(cancelledAt)) } : null);

  /** Cancels still-pending reminders of an order (of one kind and other cycles than `keepExpiresOn`, or all). */
  const cancelPending = (orderId: string, reason: string, at: number, only?: { kind: ReminderKind; keepExpiresOn: string | null }): number[] => {
    const rows = only
      ? prepare(`UPDATE reminders SET status = 'cancelled', reason = ?, updated_at = ?
          WHERE order_id = ? AND kind = ? AND expires_on IS NOT ? AND status = 'queued' RETURNING id`)
        .all(reason, at, orderId, only.kind, only.keepExpiresOn)
      : prepare(`UPDATE reminders SET status = 'cancelled', reason = ?, updated_at = ?
          WHERE order_id = ? AND status = 'queued' RETURNING id`)
        .all(reason, at, orderId);
    return (rows as Array<{ id: number }>).map((r) => r.id).sort((a, b) => a - b);
  };

  /**
   * Creates or updates the organization. Its name and time zone come from the newest event of ANY of
   * its orders: an older event (of another order, delivered late) leaves them alone, and `ignored`
   * says so (the event is then only partly applied). Each order keeps the time of its last applied
   * event, so the newest is their maximum (before this event).
   */
  const upsertOrganization = (event: OrderUpsert): { created: boolean; timeZoneChanged: boolean; ignored: string | null } => {
    const { id, name, timeZone } = event.organization;
    const locale = event.organization.locale ?? null;
    const before = prepare(`SELECT name, time_zone, locale FROM organizations WHERE id = ?`).get(id) as { name: string; time_zone: string; locale: string | null } | undefined;
    if (!before) {
      prepare(`INSERT INTO organizations (id, name, time_zone, locale) VALUES (?, ?, ?, ?)`).run(id, name, timeZone, locale);
      return { created: true, timeZoneChanged: false, ignored: null };
    }
    if (before.name === name && before.time_zone === timeZone && before.locale === locale) return { created: false, timeZoneChanged: false, ignored: null };
    const newest = (prepare(`SELECT max(last_event_at) AS at FROM orders WHERE organization_id = ?`).get(id) as { at: number | null }).at;
    if (newest !== null && newest > event.occurredAt.getTime()) {
      return { created: false, timeZoneChanged: false, ignored: organizationNotChanged(event, before, newest) };
    }
    prepare(`UPDATE organizations SET name = ?, time_zone = ?, locale = ? WHERE id = ?`).run(name, timeZone, locale, id);
    return { created: false, timeZoneChanged: before.time_zone !== timeZone, ignored: null };
  };

  /**
   * Retimes not-yet-sent reminders (of an organization's orders, or of one order: `where`): moves them
   * to 09:00 of their (business) day in `timeZone`; returns how many moved (the caller retimes their jobs from the ledger).
   */
  const retimeToZone = (where: 'o.organization_id = ?' | 'o.id = ?', key: string, timeZone: string, at: number, calendar?: SendCalendar): number => {
    const open = prepare(`SELECT r.id, r.expires_on, r.offset_days, r.send_at FROM reminders r JOIN orders o ON o.id = r.order_id
      WHERE ${where} AND r.status = 'queued'`).all(key) as Array<{ id: number; expires_on: string; offset_days: number; send_at: number }>;
    let moved = 0;
    for (const r of open) {
      const sendAt = sendAtMs(r.expires_on, r.offset_days, timeZone, calendar);
      if (sendAt === r.send_at) continue;
      prepare(`UPDATE reminders SET send_at = ?, updated_at = ? WHERE id = ?`).run(sendAt, at, r.id);
      moved += 1;
    }
    return moved;
  };

  const ensurePurchaser = (event: OrderUpsert): number =>
    (prepare(`INSERT INTO users (email, name) VALUES (?, ?)
      ON CONFLICT(email) DO UPDATE SET name = coalesce(users.name, excluded.name) RETURNING id`)
      .get(normalizeEmail(event.purchaserEmail), event.purchaserName) as { id: number }).id;

  const isActiveMember = (organizationId: string, userId: number) =>
    prepare(`SELECT 1 FROM memberships WHERE organization_id = ? AND user_id = ? AND status = 'active'`).get(organizationId, userId) !== undefined;

  /** The purchaser becomes a contact of the order when an active member of its organization. */
  const addPurchaserContact = (event: OrderUpsert, purchaserId: number): void => {
    if (!isActiveMember(event.organization.id, purchaserId)) return;
    prepare(`INSERT INTO order_contacts (order_id, user_id, added_by_user_id) VALUES (?, ?, NULL) ON CONFLICT DO NOTHING`).run(event.orderId, purchaserId);
  };

  /**
   * An order moved to another organization: only its active members may stay contacts (SPEC §2.2),
   * so the old organization's people lose its reminders and license details; the purchaser, when a
   * member there, becomes a contact as on a new order; open reminders follow the new time zone.
   * Returns how many reminders were retimed.
   */
  const moveToOrganization = (event: OrderUpsert, purchaserId: number, at: number): number => {
    prepare(`DELETE FROM order_contacts WHERE order_id = ? AND user_id NOT IN
      (SELECT user_id FROM memberships WHERE organization_id = ? AND status = 'active')`).run(event.orderId, event.organization.id);
    addPurchaserContact(event, purchaserId);
    const zone = (prepare(`SELECT time_zone FROM organizations WHERE id = ?`).get(event.organization.id) as { time_zone: string }).time_zone;
    return retimeToZone('o.id = ?', event.orderId, zone, at, event.calendar);
  };

  /**
   * Writes an applied event onto a stored order. Only columns whose value changes are SET: SQLite
   * rewrites the entries of every index (and fires the triggers) naming a SET column, changed or not,
   * and most events repeat the expiry dates and organization.
   */
  const updateOrder = (event: OrderUpsert, stored: StoredOrder, at: number) => {
    const changes: Array<[column: string, value: string | null, previous: string | null]> = [
      ['organization_id', event.organization.id, stored.organization_id],
      ...REMINDER_KINDS.map((kind) => [reminderKind(kind).expiryColumn, expiryOf(event, kind), stored[reminderKind(kind).expiryColumn]]),
      ['status', 'active', stored.status],
    ].filter(([, value, previous]) => value !== previous) as Array<[string, string | null, string | null]>;
    const sets = changes.map(([column]) => `${column} = ?, `);
    const values = changes.map(([, value]) => value);
    if (event.organization.id !== stored.organization_id) {
      // Moved: the new organization's zone in the same write (see the insert above).
      sets.push('time_zone = (SELECT time_zone FROM organizations WHERE id = ?), ');
      values.push(event.organization.id);
    }
    prepare(`UPDATE orders SET ${sets.join('')}product = ?, last_event_at = ?, updated_at = ? WHERE id = ?`)
      .run(...values, event.product, at, at, event.orderId);
  };

  const upsert = (event: OrderUpsert): OrderEventOutcome => {
    const at = event.occurredAt.getTime();
    const stored = readStored(event.orderId);
    const cancelledUnseen = stored ? null : unseenCancelAt(event.orderId);
    const ignored = outOfOrder(stored, event.occurredAt) ?? notAfterUnseenCancel(cancelledUnseen, event.occurredAt);
    if (ignored) return ignored;
    const organization = upsertOrganization(event);
    const firstSight = organization.created;
    // A new time zone moves the open reminders of every order of the organization.
    let moved = organization.timeZoneChanged;
    let retimed = organization.timeZoneChanged ? retimeToZone('o.organization_id = ?', event.organization.id, event.organization.timeZone, at, event.calendar) : 0;
    const purchaserId = ensurePurchaser(event);
    if (firstSight) {
      prepare(`INSERT INTO memberships (organization_id, user_id, status, role, activated_at) VALUES (?, ?, 'active', 'owner', ?)
        ON CONFLICT(organization_id, user_id) DO NOTHING`).run(event.organization.id, purchaserId, at);
    }
    const next = perKind((kind) => expiryOf(event, kind));
    const changedKinds: ReminderKind[] = [];
    const cancelledReminderIds: number[] = [];
    if (!stored) {
      // The organization's zone as stored (not the event's, which may be older): the trigger that
      // keeps orders.time_zone equal to it then has nothing to correct, so the row is written once.
      prepare(`INSERT INTO orders (id, organization_id, time_zone, product, ${expiryColumnList()}, status, last_event_at, updated_at)
        VALUES (?, ?, (SELECT time_zone FROM organizations WHERE id = ?), ?, ${REMINDER_KINDS.map(() => '?').join(', ')}, 'active', ?, ?)`)
        .run(event.orderId, event.organization.id, event.organization.id, event.product, ...REMINDER_KINDS.map((kind) => next[kind]), at, at);
      addPurchaserContact(event, purchaserId);
      // Newer than a cancel that came first: the order's own time judges from now on.
      if (cancelledUnseen !== null) prepare(`DELETE FROM unseen_order_cancels WHERE order_id = ?`).run(event.orderId);
      changedKinds.push(...REMINDER_KINDS.filter((kind) => next[kind] !== null));
    } else {
      const reactivated = stored.status !== 'active';
      if (stored.organization_id !== event.organization.id) {
        retimed += moveToOrganization(event, purchaserId, at);
        moved = true;
      }
      // Reactivation undoes the cancellation: this cycle's reminders that the cancel stopped (never
      // sent) are forgotten, so they can be planned again; their ledger identity would keep them out.
      if (reactivated) {
        for (const kind of REMINDER_KINDS) {
          if (next[kind] === null) continue;
          prepare(`DELETE FROM reminders WHERE order_id = ? AND kind = ? AND expires_on = ? AND status = 'cancelled' AND reason = 'order-cancelled'`)
            .run(event.orderId, kind, next[kind]);
        }
      }
      updateOrder(event, stored, at);
      for (const kind of REMINDER_KINDS) {
        const previous = stored[reminderKind(kind).expiryColumn];
        if (previous !== next[kind]) {
          changedKinds.push(kind);
          cancelledReminderIds.push(...cancelPending(event.orderId, 'expiry-changed', at, { kind, keepExpiresOn: next[kind] }));
        } else if (reactivated && next[kind] !== null) {
          changedKinds.push(kind);
        }
      }
    }
    return {
      outcome: 'applied', order: readOrder(event.orderId), changedKinds, cancelledReminderIds: cancelledReminderIds.sort((a, b) => a - b),
      retimed, notApplied: organization.ignored, ...(moved ? { replanOrganization: true as const } : {}),
    };
  };

  const cancel = (orderId: string, occurredAt: Date): OrderEventOutcome => {
    const stored = readStored(orderId);
    if (!stored) {
      // Remembered, so that the order's upsert delivered late (no newer than this cancel) is ignored.
      const { cancelled_at: newest } = prepare(`INSERT INTO unseen_order_cancels (order_id, cancelled_at) VALUES (?, ?)
        ON CONFLICT (order_id) DO UPDATE SET cancelled_at = max(cancelled_at, excluded.cancelled_at) RETURNING cancelled_at`)
        .get(orderId, occurredAt.getTime()) as { cancelled_at: number };
      return { outcome: 'ignored', reason: unseenCancelReason(orderId, new Date(newest)) };
    }
    const ignored = outOfOrder(stored, occurredAt);
    if (ignored) return ignored;
    const at = occurredAt.getTime();
    prepare(`UPDATE orders SET status = 'cancelled', last_event_at = ?, updated_at = ? WHERE id = ?`).run(at, at, orderId);
    const cancelledReminderIds = cancelPending(orderId, 'order-cancelled', at);
    return { outcome: 'applied', order: readOrder(orderId), changedKinds: [], cancelledReminderIds, retimed: 0, notApplied: null };
  };

  // Each event is its own transaction (a savepoint inside the connection's group commit): applied
  // entirely or not at all, while concurrent events share one WAL commit.
  const group = groupCommitFor(sqlite);
  const upsertTx = sqlite.transaction(upsert);
  const cancelTx = sqlite.transaction(cancel);
  return {
    /** See DirectoryRepository.applyOrderUpsert. */
    applyOrderUpsert: (event: OrderUpsert) => group(() => upsertTx(event)),
    /** See DirectoryRepository.applyOrderCancel. */
    applyOrderCancel: (orderId: string, occurredAt: Date) => group(() => cancelTx(orderId, occurredAt)),
  };
}

