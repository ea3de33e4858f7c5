/**
 * Plans an order's new cycle right away (after a billing event), without waiting for the next scan:
 * the latest reminder already due plus those within the look-ahead. Reminders of the cycle that
 * were due earlier are recorded as skipped (`superseded`), so the ledger explains them.
 */
import { expiryOf, type OrderExpiries, planReminders, REMINDER_KINDS, type ReminderKind } from '@tickler/domain';
import type { NewReminder, OrderWithZone } from '@tickler/db';
import { enqueueOptionsOf, type SchedulerDeps } from './config';
import { enqueueReminderRows } from './reminder-jobs';

export interface OrderPlanResult {
  /** New reminders queued (enqueued now or delayed until their send time). */
  enqueued: number;
  /** New reminders recorded as skipped (superseded, or stale). */
  skipped: number;
}

/**
 * Plans and enqueues the reminders of `kinds` for `order` with sendAt ≤ now + lookAhead. A due
 * reminder older than `catchUpMs` is recorded as skipped (`stale`): an order that arrives long after
 * its expiry does not get a weeks-old reminder. Cancelled orders get nothing.
 */
export async function planOrderNow(deps: SchedulerDeps, order: OrderWithZone, kinds: ReminderKind[], now: Date): Promise<OrderPlanResult> {
  if (order.status !== 'active' || kinds.length === 0) return { enqueued: 0, skipped: 0 };
  const rows = kinds.flatMap((kind) => planCycle(deps, order, kind, now));
  const inserted = await deps.store.reminders.insertNew(rows);
  const queued = inserted.filter((r) => r.status === 'queued');
  await enqueueReminderRows(deps.queues, queued, now, enqueueOptionsOf(deps.config));
  return { enqueued: queued.length, skipped: inserted.length - queued.length };
}

/** The kinds of `order` that `planOrderNow` would plan at least one reminder for at `now`. */
export function kindsPlannedNow(deps: SchedulerDeps, order: PlannedOrder, now: Date): ReminderKind[] {
  return REMINDER_KINDS.filter((kind) => planCycle(deps, order, kind, now).length > 0);
}

type PlannedOrder = Pick<OrderWithZone, 'id' | 'timeZone'> & OrderExpiries;

function planCycle(deps: SchedulerDeps, order: PlannedOrder, kind: ReminderKind, now: Date): NewReminder[] {
  const expiresOn = expiryOf(order, kind);
  if (expiresOn === null) return [];
  const until = new Date(now.getTime() + deps.config.lookAheadMs);
  const staleBefore = now.getTime() - deps.config.catchUpMs;
  return planReminders({ kind, expiresOn, timeZone: order.timeZone, offsets: deps.config.offsets, after: null, until, now, calendar: deps.config.sendCalendar })
    .map((p) => {
      const stale = p.status === 'queued' && p.sendAt.getTime() < staleBefore;
      return {
        orderId: order.id, kind, expiresOn, offsetDays: p.offsetDays, sendAt: p.sendAt,
        status: stale ? 'skipped' : p.status, reason: stale ? 'stale' : p.reason,
      };
    });
}
