import { addDays, utcMsToIsoDate } from './calendar';
import { EVERY_DAY_OPEN, sendDayMs, type SendCalendar } from './business-days';
import { DomainError } from './errors';
import { zonedWallTimeToInstant } from './timezone';
import { expiryOf, perKind, type OrderExpiries, type ReminderKind } from './reminder-kinds';
import type { IsoDate, Order } from './types';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Local wall-clock hour at which reminders go out, in the organization's time zone. */
export const SEND_HOUR = 9;

/** Offsets in whole days before expiry (negative = after expiry) accepted by {@link parseOffsets}. */
export const MAX_OFFSET_DAYS = 366;

/**
 * How far back, in days before `until`, {@link expiryRangeFor} looks when there was no previous scan
 * (`after === null`). Older reminders are never planned.
 */
export const EXPIRY_LOOKBACK_DAYS = 400;

/** Default reminder offsets in days before expiry (SPEC §3). */
export const DEFAULT_OFFSETS: Record<ReminderKind, number[]> = Object.freeze(perKind((_, definition) => Object.freeze([...definition.defaultOffsets]) as number[]));

export type ReminderOffsets = Readonly<Record<ReminderKind, readonly number[]>>;

/**
 * Parses a comma-separated list of whole-day offsets (`"60, 30, 7, 0, -30"`) read from env
 * `variable`. Returns them sorted from earliest reminder to latest (largest offset first).
 * Each must be an integer in [-366, 366]; duplicates and empty lists are refused.
 * @throws DomainError `invalid_offsets` naming `variable` and every bad item
 */
export function parseOffsets(text: string, variable: string): number[] {
  const items = String(text ?? '').split(',').map((item) => item.trim());
  const problems = items.length === 1 && items[0] === '' ? ['no offsets given'] : offsetProblems(items);
  if (problems.length > 0) {
    throw new DomainError('invalid_offsets', `${variable}: ${problems.join(', ')} (expected whole days before expiry, e.g. "60,30,7,0,-30")`, variable);
  }
  return [...new Set(items.map((item) => Number(item) || 0))].sort((a, b) => b - a); // "-0" is 0
}

/** What is wrong with each item, in order; each problem once. */
function offsetProblems(items: string[]): string[] {
  const problems = new Set<string>();
  const seen = new Set<number>();
  for (const item of items) {
    if (item === '') {
      problems.add('an empty item between commas');
      continue;
    }
    if (!/^[+-]?\d+$/.test(item)) {
      problems.add(`"${item}" is not a whole number of days`);
      continue;
    }
    const days = Number(item) || 0; // "-0" is 0
    if (Math.abs(days) > MAX_OFFSET_DAYS) problems.add(`${item} is outside -${MAX_OFFSET_DAYS}..${MAX_OFFSET_DAYS} days`);
    else if (seen.has(days)) problems.add(`${days} is listed twice`);
    seen.add(days);
  }
  return [...problems];
}

/**
 * When the reminder `offsetDays` before `expiresOn` goes out: 09:00 wall-clock time in `timeZone`
 * on the calendar day `expiresOn − offsetDays`, moved off closed days by `calendar` (business-days.ts;
 * default: every day open). If 09:00 does not exist that day (a daylight-saving gap), the first
 * instant after the gap. `timeZone` must be a valid IANA zone (see assertTimeZone).
 */
export function sendAtFor(expiresOn: IsoDate, offsetDays: number, timeZone: string, calendar: SendCalendar = EVERY_DAY_OPEN): Date {
  return new Date(sendAtMs(expiresOn, offsetDays, timeZone, calendar));
}

/**
 * {@link sendAtFor} as epoch milliseconds, for hot loops (scans, forecasts, the SQL function). The
 * one send-time memo: results are kept per (zone, local day), bounded to {@link SEND_AT_CACHE_SIZE}
 * entries per zone, so callers need no cache of their own.
 */
export function sendAtMs(expiresOn: IsoDate, offsetDays: number, timeZone: string, calendar: SendCalendar = EVERY_DAY_OPEN): number {
  const localMs = sendDayMs(expiresOn, offsetDays, timeZone, calendar) + SEND_HOUR * HOUR_MS;
  let zoneCache = sendAtCache.get(timeZone);
  if (zoneCache === undefined) {
    zoneCache = new Map();
    sendAtCache.set(timeZone, zoneCache);
  }
  let sendAt = zoneCache.get(localMs);
  if (sendAt === undefined) {
    sendAt = zonedWallTimeToInstant(localMs, timeZone).getTime();
    if (zoneCache.size >= SEND_AT_CACHE_SIZE) zoneCache.clear();
    zoneCache.set(localMs, sendAt);
  }
  return sendAt;
}

/** Scans and forecasts compute the same (zone, day) pairs for many orders (~0.1 ms each uncached); the result never changes. */
const SEND_AT_CACHE_SIZE = 50_000;
const sendAtCache = new Map<string, Map<number, number>>();

/** Whether a reminder is sent before, on or after the expiry day (offset > 0, = 0, < 0). */
export function reminderVariant(offsetDays: number): 'before' | 'on' | 'after' {
  if (offsetDays > 0) return 'before';
  return offsetDays === 0 ? 'on' : 'after';
}

/** {@link planReminders}' verdict on one reminder of a cycle; the caller adds the cycle (order, kind, expiry). */
export interface ReminderPlan {
  offsetDays: number;
  sendAt: Date;
  /** `queued`: send it (delayed until sendAt when in the future); `skipped`: record, never send. */
  status: 'queued' | 'skipped';
  /** Why it is skipped (`superseded`), else null. */
  reason: string | null;
}

export interface PlanInput {
  kind: ReminderKind;
  expiresOn: IsoDate;
  timeZone: string;
  offsets: ReminderOffsets;
  /** Exclusive lower bound on sendAt (the previous scan's `until`); null = from the beginning. */
  after: Date | null;
  /** Inclusive upper bound on sendAt (usually now + look-ahead). */
  until: Date;
  now: Date;
  /** Closed days to move off (default: every day open). */
  calendar?: SendCalendar;
}

/**
 * The reminders of one cycle (order, kind, expiresOn) whose sendAt ∈ (after, until], earliest first.
 * A reminder is `skipped` with reason `superseded` when {@link supersedingReminder} names another of
 * the cycle — a later one, or one at the same time nearer expiry, already due: after downtime only
 * the latest due one is sent. All others are
 * `queued`; those with sendAt > now are to be delayed until sendAt.
 */
export function planReminders(input: PlanInput): ReminderPlan[] {
  const { kind, expiresOn, timeZone, offsets, after, until, now, calendar = EVERY_DAY_OPEN } = input;
  const cycle = (offsets[kind] ?? []).map((offsetDays, id) => ({
    id, kind, expiresOn, offsetDays, sendAt: new Date(sendAtMs(expiresOn, offsetDays, timeZone, calendar)), status: 'queued',
  }));
  const lower = after === null ? Number.NEGATIVE_INFINITY : after.getTime();
  return cycle
    .filter((r) => r.sendAt.getTime() > lower && r.sendAt.getTime() <= until.getTime())
    .sort((a, b) => a.sendAt.getTime() - b.sendAt.getTime() || b.offsetDays - a.offsetDays)
    .map((r) => {
      // The send-time rule itself, so planning and sending can never disagree (ties included).
      const superseded = supersedingReminder(r, cycle, now) !== null;
      return { offsetDays: r.offsetDays, sendAt: r.sendAt, status: superseded ? 'skipped' : 'queued', reason: superseded ? 'superseded' : null };
    });
}

/**
 * The inclusive range of expiry dates to query for reminders at `offsetDays` so that every order
 * whose reminder has sendAt ∈ (after, until] in ANY time zone (UTC−12..UTC+14, plus a DST gap) is
 * included. Wider than exact on purpose: callers filter exactly with {@link planReminders}.
 * With `after === null` it looks back {@link EXPIRY_LOOKBACK_DAYS} days before `until`.
 * `maxShiftDays` (a send calendar's `maxShiftDays`, default 0) widens it by as many days each side:
 * a reminder moved off a closed day may fall in the window though its own day does not.
 */
export function expiryRangeFor(offsetDays: number, after: Date | null, until: Date, maxShiftDays = 0): { from: IsoDate; to: IsoDate } {
  // 09:00 local on day D is between D 09:00−14h (= D−5h) and D 09:00+12h (+1h gap) = D+22h in UTC,
  // so D lies within one day either side of the UTC dates of `after` and `until`.
  const fromDay = after === null ? utcMsToIsoDate(until.getTime() - EXPIRY_LOOKBACK_DAYS * DAY_MS) : utcMsToIsoDate(after);
  const toDay = utcMsToIsoDate(until);
  return { from: addDays(fromDay, offsetDays - 1 - maxShiftDays), to: addDays(toDay, offsetDays + 1 + maxShiftDays) };
}

export type ReminderValidity = { ok: true } | { ok: false; reason: 'order-not-found' | 'order-cancelled' | 'expiry-changed' };

/** What `supersedingReminder` reads of a reminder. */
export interface CycleReminder { id: number; kind: ReminderKind; expiresOn: IsoDate; offsetDays: number; sendAt: Date; status: string }

/**
 * At send time (SPEC §3, "after downtime only the latest due reminder of a cycle is sent"): the
 * reminder of the same cycle (order, kind, expiresOn) that is due by `now` and comes after
 * `reminder` — planned later, or at the same time nearer expiry (offsets a weekend or holiday moved
 * onto one day) — so `reminder` must not go out; null when `reminder` is the latest due one.
 * `cycle` may hold any reminders of the order; cancelled ones never supersede.
 */
export function supersedingReminder<R extends CycleReminder>(reminder: CycleReminder, cycle: readonly R[], now: Date): R | null {
  const at = reminder.sendAt.getTime();
  return cycle.find((r) => r.id !== reminder.id && r.kind === reminder.kind && r.expiresOn === reminder.expiresOn && r.status !== 'cancelled'
    && r.sendAt.getTime() <= now.getTime()
    && (r.sendAt.getTime() > at || (r.sendAt.getTime() === at && r.offsetDays < reminder.offsetDays))) ?? null;
}

/**
 * Re-checks a planned reminder against the order as it is now (SPEC §3): the order must exist,
 * not be cancelled, and still have the reminder's expiry date for its kind.
 */
export function checkReminderStillValid(
  reminder: { kind: ReminderKind; expiresOn: IsoDate },
  order: (Pick<Order, 'status'> & OrderExpiries) | null,
): ReminderValidity {
  if (order === null) return { ok: false, reason: 'order-not-found' };
  if (order.status === 'cancelled') return { ok: false, reason: 'order-cancelled' };
  if (expiryOf(order, reminder.kind) !== reminder.expiresOn) return { ok: false, reason: 'expiry-changed' };
  return { ok: true };
}
