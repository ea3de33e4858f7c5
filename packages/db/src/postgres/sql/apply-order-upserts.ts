/**
 * The common path of order events in one statement: `tickler_apply_order_upsert` (migrations
 * 0007_apply_order_upsert.sql and 0009_apply_order_upsert_unseen_cancels.sql say what it covers)
 * called once per event, in the given order, in one transaction — one round trip and one commit for
 * all of them. Each event is still applied whole or not at all: when the statement fails, none is.
 */
import { REMINDER_KINDS, type ReminderKind } from '@tickler/domain';
import type { InboundEventMark, OrderEventOutcome, OrderUpsert } from '../../repositories/types';
import { normalizeEmail } from '../../email';
import { outOfOrderReason } from '../../order-event-reasons';
import type { Queryable } from '../pool';
import { type OrderSqlRow, toOrder } from '../../sql-rows';

/** The kinds the function spells out, in the domain's table order (a test keeps them equal to REMINDER_KINDS). */
export const FUNCTION_KINDS: readonly ReminderKind[] = ['license', 'maintenance'];

export interface UpsertCall { event: OrderUpsert; mark?: InboundEventMark | undefined }

type ResultRow = OrderSqlRow & {
  n: number; outcome: 'applied' | 'ignored' | 'slow-path'; stored_event_at: Date | null;
  changed_kinds: ReminderKind[] | null; cancelled_reminder_ids: number[] | null; inbound_marked: boolean | null;
};

const CALL = `SELECT e.n, r.* FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[],
    $8::date[], $9::date[], $10::text[], $11::text[], $12::bigint[], $13::timestamptz[], $14::text[])
    WITH ORDINALITY AS e(order_id, organization_id, organization_name, time_zone, locale, product, at,
      license_expires_on, maintenance_expires_on, purchaser_email, purchaser_name, inbound_event_id, marked_at, planned_kinds, n)
  CROSS JOIN LATERAL tickler_apply_order_upsert(e.order_id, e.organization_id, e.organization_name, e.time_zone, e.locale, e.product, e.at,
    e.license_expires_on, e.maintenance_expires_on, e.purchaser_email, e.purchaser_name, e.inbound_event_id, e.marked_at,
    string_to_array(e.planned_kinds, ',')) r
  ORDER BY e.n`;

const COLUMNS: Array<(call: UpsertCall) => unknown> = [
  ({ event }) => event.orderId, ({ event }) => event.organization.id, ({ event }) => event.organization.name,
  ({ event }) => event.organization.timeZone, ({ event }) => event.organization.locale ?? null, ({ event }) => event.product,
  ({ event }) => event.occurredAt, ({ event }) => event.licenseExpiresOn, ({ event }) => event.maintenanceExpiresOn,
  ({ event }) => normalizeEmail(event.purchaserEmail), ({ event }) => event.purchaserName,
  ({ mark }) => mark?.inboundEventId ?? null, ({ mark }) => mark?.at ?? null, ({ mark }) => (mark?.plannedKinds ?? []).join(','),
];

function toOutcome(call: UpsertCall, row: ResultRow): OrderEventOutcome | null {
  if (row.outcome === 'slow-path') return null;
  if (row.outcome === 'ignored') return { outcome: 'ignored', reason: outOfOrderReason(call.event.occurredAt, row.stored_event_at!) };
  return {
    outcome: 'applied', order: toOrder(row), changedKinds: REMINDER_KINDS.filter((kind) => row.changed_kinds!.includes(kind)),
    cancelledReminderIds: row.cancelled_reminder_ids!, retimed: 0, notApplied: null,
    ...(row.inbound_marked ? { inboundMarked: true as const } : {}),
  };
}

/**
 * Applies `calls` in one statement, in their order (the caller orders them for its locks).
 * @returns each call's outcome in input order; null for one that takes the slow path (it wrote nothing)
 * @throws a malformed purchaser address before anything is sent; the statement's error (nothing applied)
 */
export async function applyOrderUpserts(db: Queryable, calls: readonly UpsertCall[]): Promise<Array<OrderEventOutcome | null>> {
  const columns = COLUMNS.map((value) => calls.map(value));
  const { rows } = await db.query<ResultRow>(CALL, columns);
  if (rows.length !== calls.length) throw new Error(`tickler_apply_order_upsert answered ${rows.length} of ${calls.length} events`);
  return rows.map((row) => toOutcome(calls[row.n - 1]!, row));
}
