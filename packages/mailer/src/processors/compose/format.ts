/** Day arithmetic of reminders at send time. Formatters are built once per time zone (Intl construction is slow). */
import { isoDateToUtcMs, type IsoDate } from '@tickler/domain';

const DAY_MS = 86_400_000;
const zoneDay = new Map<string, Intl.DateTimeFormat>();

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
