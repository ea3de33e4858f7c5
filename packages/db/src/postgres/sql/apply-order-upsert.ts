/**
 * The common path of an order event in one call of `tickler_apply_order_upsert` (migration
 * 0007_apply_order_upsert.sql says what it covers): one round trip and one statement's transaction.
 */
import { REMINDER_KINDS, type ReminderKind } from '@tickler/domain';
import type { InboundEventMark, OrderEventOutcome, OrderUpsert } from '../../repositories/types';
import { normalizeEmail } from '../../email';
import { outOfOrderReason } from '../../order-event-reasons';
import type { Queryable } from '../pool';
import { type OrderSqlRow, toOrder } from '../rows';

/** The kinds the function spells out, in the domain's table order. */
export const FUNCTION_KINDS: readonly ReminderKind[] = ['license', 'maintenance'];

type ResultRow = OrderSqlRow & {
  outcome: 'applied' | 'ignored' | 'slow-path'; stored_event_at: Date | null;
  changed_kinds: ReminderKind[] | null; cancelled_reminder_ids: number[] | null; inbound_marked: boolean | null;
};

const CALL = `SELECT * FROM tickler_apply_order_upsert($1, $2, $3, $4, $5, $6, $7, $8::date, $9::date, $10, $11, $12, $13, $14::text[])`;

/**
 * Applies `event` in one call.
 * @returns its outcome, or null when it takes the slow path (nothing was written): the caller applies it step by step
 */
export async function applyOrderUpsertInOneCall(db: Queryable, event: OrderUpsert, mark?: InboundEventMark): Promise<OrderEventOutcome | null> {
  const { organization } = event;
  const { rows: [row] } = await db.query<ResultRow>(CALL, [
    event.orderId, organization.id, organization.name, organization.timeZone, organization.locale ?? null, event.product,
    event.occurredAt, event.licenseExpiresOn, event.maintenanceExpiresOn, normalizeEmail(event.purchaserEmail), event.purchaserName,
    mark?.inboundEventId ?? null, mark?.at ?? null, mark?.plannedKinds ?? [],
  ]);
  if (!row) throw new Error(`tickler_apply_order_upsert returned no row for order ${event.orderId}`);
  if (row.outcome === 'slow-path') return null;
  if (row.outcome === 'ignored') return { outcome: 'ignored', reason: outOfOrderReason(event.occurredAt, row.stored_event_at!) };
  return {
    outcome: 'applied',
    order: toOrder(row),
    changedKinds: REMINDER_KINDS.filter((kind) => row.changed_kinds!.includes(kind)),
    cancelledReminderIds: row.cancelled_reminder_ids!, retimed: 0, notApplied: null,
    ...(row.inbound_marked ? { inboundMarked: true as const } : {}),
  };
}
