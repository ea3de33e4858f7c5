/**
 * Turning orders into ledger rows for one (kind, offset) and one window (after, until]. The domain's
 * `planReminders` decides; this file only avoids calling it for orders that cannot match.
 */
import { addDays, planReminders, sendAtMs, type IsoDate, type ReminderKind, type SendCalendar } from '@tickler/domain';
import type { NewReminder } from '@tickler/db';

/** A planning window: reminders with sendAt ∈ (after, until], judged at `now`. */
export interface PlanWindow {
  after: Date;
  until: Date;
  now: Date;
  /** The days reminders may go out on. */
  calendar: SendCalendar;
}

export interface CycleOrder {
  id: string;
  timeZone: string;
}

/**
 * The ledger row for the reminder `offsetDays` of the cycle (order, kind, expiresOn) if its sendAt
 * lies in the window, else null. A reminder still in the future is always `queued`; one already
 * due is judged by `planReminders` over the whole cycle, which skips it as `superseded` when a
 * later reminder of the cycle is due too.
 */
export function planOne(
  order: CycleOrder, kind: ReminderKind, expiresOn: IsoDate, offsetDays: number,
  offsets: Record<ReminderKind, number[]>, window: PlanWindow,
): NewReminder | null {
  const at = sendAtMs(expiresOn, offsetDays, order.timeZone, window.calendar);
  if (at <= window.after.getTime() || at > window.until.getTime()) return null;
  const base = { orderId: order.id, kind, expiresOn, offsetDays, sendAt: new Date(at) };
  if (at > window.now.getTime()) return { ...base, status: 'queued', reason: null };
  const planned = planReminders({ kind, expiresOn, timeZone: order.timeZone, offsets, ...window })
    .find((r) => r.offsetDays === offsetDays);
  return planned ? { ...base, sendAt: planned.sendAt, status: planned.status, reason: planned.reason } : null;
}

/** The zones where 09:00 of a calendar day comes last (UTC−12) and first (UTC+14) in UTC. */
const LATEST_ZONE = 'Etc/GMT+12';
const EARLIEST_ZONE = 'Pacific/Kiritimati';

/**
 * Trims the domain's expiry range (`expiryRangeFor`, deliberately a day wider on each side) to the
 * dates whose reminder can fall in the window in SOME zone: the latest 09:00 of the day (UTC−12)
 * must be after `after`, the earliest (UTC+14) not after `until`. A scan every 15 minutes then
 * reads one day of expiries per offset instead of three. Null when no date can match. With a
 * calendar that moves send days, a date's latest possible send day is `maxShiftDays` later and its
 * earliest as many days earlier, so the range keeps those dates too.
 */
export function narrowExpiryRange(
  range: { from: IsoDate; to: IsoDate }, offsetDays: number, window: Pick<PlanWindow, 'after' | 'until' | 'calendar'>,
): { from: IsoDate; to: IsoDate } | null {
  let { from, to } = range;
  const shift = window.calendar.maxShiftDays;
  while (from <= to && sendAtMs(from, offsetDays - shift, LATEST_ZONE) <= window.after.getTime()) from = addDays(from, 1);
  while (to >= from && sendAtMs(to, offsetDays + shift, EARLIEST_ZONE) > window.until.getTime()) to = addDays(to, -1);
  return from <= to ? { from, to } : null;
}
