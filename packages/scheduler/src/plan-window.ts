/**
 * Turning orders into ledger rows for one (kind, offset) and one window (after, until]. The domain's
 * `planReminders` decides; this file only avoids calling it for orders that cannot match.
 */
import { addDays, planReminders, sendAtFor, type IsoDate, type ReminderKind } from '@tickler/domain';
import type { PlannedReminder } from '@tickler/db';

/** A planning window: reminders with sendAt ∈ (after, until], judged at `now`. */
export interface PlanWindow {
  after: Date;
  until: Date;
  now: Date;
}

export type SendAtOf = (expiresOn: IsoDate, offsetDays: number, timeZone: string) => number;

/**
 * A memoised `sendAtFor` (epoch ms). A scan sees few distinct (date, offset, zone) triples but
 * many orders, and the zone arithmetic costs ~0.1 ms per call. Bounded: cleared past `max` entries.
 */
export function makeSendAtCache(max = 50_000): SendAtOf {
  const cache = new Map<string, number>();
  return (expiresOn, offsetDays, timeZone) => {
    const key = `${expiresOn}|${offsetDays}|${timeZone}`;
    let at = cache.get(key);
    if (at === undefined) {
      if (cache.size >= max) cache.clear();
      at = sendAtFor(expiresOn, offsetDays, timeZone).getTime();
      cache.set(key, at);
    }
    return at;
  };
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
  offsets: Record<ReminderKind, number[]>, window: PlanWindow, sendAtOf: SendAtOf,
): PlannedReminder | null {
  const at = sendAtOf(expiresOn, offsetDays, order.timeZone);
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
 * reads one day of expiries per offset instead of three. Null when no date can match.
 */
export function narrowExpiryRange(
  range: { from: IsoDate; to: IsoDate }, offsetDays: number, window: Pick<PlanWindow, 'after' | 'until'>, sendAtOf: SendAtOf,
): { from: IsoDate; to: IsoDate } | null {
  let { from, to } = range;
  while (from <= to && sendAtOf(from, offsetDays, LATEST_ZONE) <= window.after.getTime()) from = addDays(from, 1);
  while (to >= from && sendAtOf(to, offsetDays, EARLIEST_ZONE) > window.until.getTime()) to = addDays(to, -1);
  return from <= to ? { from, to } : null;
}
