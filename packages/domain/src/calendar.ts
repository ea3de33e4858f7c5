import { DomainError } from './errors';
import type { IsoDate } from './types';

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Parses a calendar date `YYYY-MM-DD` to the UTC midnight epoch ms of that day.
 * @throws DomainError `invalid_date` (e.g. `2027-02-29`, `2027-1-5`)
 */
export function isoDateToUtcMs(date: IsoDate, field = 'date'): number {
  const match = ISO_DATE.exec(typeof date === 'string' ? date : '');
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : Number.NaN;
  if (!match || Number.isNaN(ms) || utcMsToIsoDate(ms) !== date) {
    throw new DomainError('invalid_date', `"${String(date)}" is not a calendar date (YYYY-MM-DD).`, field);
  }
  return ms;
}

/** The UTC calendar date of an instant (epoch ms or Date), as `YYYY-MM-DD`. */
export function utcMsToIsoDate(ms: number | Date): IsoDate {
  return new Date(typeof ms === 'number' ? ms : ms.getTime()).toISOString().slice(0, 10);
}

/** `date` plus `days` calendar days (negative moves back): `addDays('2028-02-28', 1)` → `2028-02-29`. */
export function addDays(date: IsoDate, days: number): IsoDate {
  return utcMsToIsoDate(isoDateToUtcMs(date) + days * DAY_MS);
}

/** True when `text` is a real calendar date `YYYY-MM-DD`. */
export function isIsoDate(text: string): boolean {
  try {
    isoDateToUtcMs(text);
    return true;
  } catch {
    return false;
  }
}
