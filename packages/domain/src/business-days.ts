/**
 * Business days (SPEC §3): with weekends skipped (`REMINDER_SKIP_WEEKENDS=on`) or holidays listed
 * (`REMINDER_HOLIDAYS`), a reminder whose send day is closed moves — to the previous business day
 * while the send day is before expiry, to the next one when it is on or after the expiry day.
 *
 * Terms: a *send calendar* says which days are closed; a *closed day* is a Saturday or Sunday (when
 * weekends are skipped) or a holiday, global or of the organization's time zone (holiday-file.ts).
 */
import { isoDateToUtcMs, utcMsToIsoDate } from './calendar';
import type { IsoDate } from './types';

const DAY_MS = 86_400_000;

/**
 * The furthest a send day moves, in days. A run of closed days longer than this (a misconfigured
 * holiday file) does not move the reminder at all: it goes out on its own day rather than never.
 */
export const MAX_SHIFT_DAYS = 14;

/** Which days reminders may go out on. Build with {@link createSendCalendar}. */
export interface SendCalendar {
  readonly skipWeekends: boolean;
  /** Holiday keys: `YYYY-MM-DD` (every organization) or `<IANA zone> YYYY-MM-DD` (organizations in that zone). */
  readonly holidays: ReadonlySet<string>;
  /** Upper bound of any move under this calendar, in days (0 when nothing is closed). */
  readonly maxShiftDays: number;
}

/** Every day open: the rule before business days existed, and the default. */
export const EVERY_DAY_OPEN: SendCalendar = Object.freeze({ skipWeekends: false, holidays: new Set<string>(), maxShiftDays: 0 });

/** A holiday key as the calendar stores it: `2026-12-25` (global) or `Europe/Berlin 2026-10-03`. */
export function holidayKey(date: IsoDate, timeZone: string | null): string {
  return timeZone === null ? date : `${timeZone} ${date}`;
}

/**
 * A send calendar. `holidays` are keys as made by {@link holidayKey}; zones must be spelled as the
 * organizations' zones are stored (assertTimeZone's spelling).
 */
export function createSendCalendar(input: { skipWeekends: boolean; holidays?: Iterable<string> }): SendCalendar {
  const holidays = new Set(input.holidays ?? []);
  if (!input.skipWeekends && holidays.size === 0) return EVERY_DAY_OPEN;
  const draft = { skipWeekends: input.skipWeekends, holidays, maxShiftDays: 0 };
  return Object.freeze({ ...draft, maxShiftDays: longestClosedRun(draft) });
}

/** Saturday or Sunday (of the calendar date, wherever it is). */
function isWeekendMs(dayMs: number): boolean {
  const weekday = (Math.floor(dayMs / DAY_MS) + 4) % 7; // 1970-01-01 was a Thursday (4); 0 = Sunday
  return weekday === 0 || weekday === 6;
}

function isClosedMs(calendar: Pick<SendCalendar, 'skipWeekends' | 'holidays'>, dayMs: number, timeZone: string): boolean {
  if (calendar.skipWeekends && isWeekendMs(dayMs)) return true;
  if (calendar.holidays.size === 0) return false;
  const date = utcMsToIsoDate(dayMs);
  return calendar.holidays.has(date) || calendar.holidays.has(holidayKey(date, timeZone));
}

/** True when no reminder goes out on `date` for an organization in `timeZone`. */
export function isClosedDay(calendar: SendCalendar, date: IsoDate, timeZone: string): boolean {
  return isClosedMs(calendar, isoDateToUtcMs(date), timeZone);
}

/**
 * The send day of the reminder `offsetDays` before `expiresOn`, as UTC-midnight epoch ms of the local
 * calendar day: `expiresOn − offsetDays`, moved off closed days — back while that day is before
 * expiry, forward when it is on or after the expiry day — at most {@link MAX_SHIFT_DAYS} days
 * (else not moved).
 */
export function sendDayMs(expiresOn: IsoDate, offsetDays: number, timeZone: string, calendar: SendCalendar = EVERY_DAY_OPEN): number {
  const expiryMs = isoDateToUtcMs(expiresOn, 'expiresOn');
  const dayMs = expiryMs - offsetDays * DAY_MS;
  if (calendar.maxShiftDays === 0) return dayMs;
  const step = offsetDays > 0 ? -DAY_MS : DAY_MS;
  for (let i = 0; i <= MAX_SHIFT_DAYS; i++) {
    const candidate = dayMs + i * step;
    if (!isClosedMs(calendar, candidate, timeZone)) return candidate;
  }
  return dayMs;
}

/** {@link sendDayMs} as `YYYY-MM-DD`: the local calendar day the reminder goes out on. */
export function sendDayFor(expiresOn: IsoDate, offsetDays: number, timeZone: string, calendar: SendCalendar = EVERY_DAY_OPEN): IsoDate {
  return utcMsToIsoDate(sendDayMs(expiresOn, offsetDays, timeZone, calendar));
}

/**
 * The longest run of consecutive closed days any zone can meet (capped at {@link MAX_SHIFT_DAYS}),
 * which bounds every move: 2 for weekends alone, more when holidays touch weekends or each other.
 */
function longestClosedRun(calendar: Pick<SendCalendar, 'skipWeekends' | 'holidays'>): number {
  let longest = calendar.skipWeekends ? 2 : 0;
  const zones = new Set<string | null>([null]);
  const days: Array<{ ms: number; zone: string | null }> = [];
  for (const key of calendar.holidays) {
    const space = key.lastIndexOf(' ');
    const zone = space < 0 ? null : key.slice(0, space);
    zones.add(zone);
    days.push({ ms: isoDateToUtcMs(key.slice(space + 1)), zone });
  }
  // A global holiday is closed in every zone, so each day is checked in every zone named.
  const zoneName = (zone: string | null) => zone ?? '\u0000no zone';
  for (const { ms, zone } of days) {
    for (const z of zone === null ? zones : [zone]) {
      let run = 1;
      for (let d = ms - DAY_MS; run <= MAX_SHIFT_DAYS && isClosedMs(calendar, d, zoneName(z)); d -= DAY_MS) run++;
      for (let d = ms + DAY_MS; run <= MAX_SHIFT_DAYS && isClosedMs(calendar, d, zoneName(z)); d += DAY_MS) run++;
      longest = Math.max(longest, run);
    }
  }
  return Math.min(longest, MAX_SHIFT_DAYS);
}

/**
 * The calendar as one text, for the SQL functions that must apply the same rule (SQLite's
 * `tickler_send_at`); {@link sendCalendarFromText} reads it back.
 */
export function sendCalendarText(calendar: SendCalendar): string {
  let text = calendarTexts.get(calendar);
  if (text === undefined) {
    text = JSON.stringify({ skipWeekends: calendar.skipWeekends, holidays: [...calendar.holidays].sort() });
    calendarTexts.set(calendar, text);
  }
  return text;
}

/** A scan asks for the text once per slice; calendars are immutable. */
const calendarTexts = new WeakMap<SendCalendar, string>();

let lastText = '';
let lastCalendar: SendCalendar = EVERY_DAY_OPEN;

/** Reads {@link sendCalendarText}'s output (the last one is memoized: a scan passes the same text per order). */
export function sendCalendarFromText(text: string): SendCalendar {
  if (text === lastText) return lastCalendar;
  const parsed = JSON.parse(text) as { skipWeekends?: unknown; holidays?: unknown };
  if (typeof parsed.skipWeekends !== 'boolean' || !Array.isArray(parsed.holidays) || !parsed.holidays.every((h) => typeof h === 'string')) {
    throw new TypeError(`not a send calendar: ${text.slice(0, 80)}`);
  }
  lastCalendar = createSendCalendar({ skipWeekends: parsed.skipWeekends, holidays: parsed.holidays as string[] });
  lastText = text;
  return lastCalendar;
}
