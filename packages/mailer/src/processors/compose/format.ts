/** Dates as shown in emails. Formatters are built once per time zone (Intl construction is slow). */
import { isoDateToUtcMs, type IsoDate } from '@tickler/domain';

const DAY_MS = 86_400_000;
const display = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const zoneDay = new Map<string, Intl.DateTimeFormat>();

/** "2027-01-31" → "31 January 2027". */
export function displayDate(date: IsoDate): string {
  return display.format(new Date(isoDateToUtcMs(date)));
}

/** An instant's UTC calendar day for display, e.g. an invitation's last day. */
export function displayInstant(at: Date): string {
  return display.format(at);
}

/** The calendar day of `at` in `timeZone`, as `YYYY-MM-DD`. */
function dayIn(at: Date, timeZone: string): IsoDate {
  let format = zoneDay.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone });
    zoneDay.set(timeZone, format);
  }
  return format.format(at);
}

/** Whole calendar days from `now` (in `timeZone`) to `date`; negative once `date` has passed. */
export function daysUntil(date: IsoDate, now: Date, timeZone: string): number {
  return Math.round((isoDateToUtcMs(date) - isoDateToUtcMs(dayIn(now, timeZone))) / DAY_MS);
}
