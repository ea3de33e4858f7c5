import { DomainError } from './errors';
import type { IsoDate } from './types';

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Parses a calendar date `YYYY-MM-DD` to the UTC midnight epoch ms of that day.
 * Years 1000..9999.
 * @throws DomainError `invalid_date` (e.g. `2027-02-29`, `2027-1-5`)
 */
export function isoDateToUtcMs(date: IsoDate, field = 'date'): number {
  const cached = parsedDates.get(date);
  if (cached !== undefined) return cached;
  const match = ISO_DATE.exec(typeof date === 'string' ? date : '');
  const year = Number(match?.[1]);
  const month = Number(match?.[2]);
  const day = Number(match?.[3]);
  // Day 0 of the next month is the last day of this one.
  const valid = match !== null && year >= 1000 && month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (!valid) {
    throw new DomainError('invalid_date', `"${String(date)}" is not a calendar date (YYYY-MM-DD).`, field);
  }
  const ms = Date.UTC(year, month - 1, day);
  if (parsedDates.size >= 20_000) parsedDates.clear();
  parsedDates.set(date, ms);
  return ms;
}

/** Scans parse the same few hundred expiry dates over and over. */
const parsedDates = new Map<string, number>();

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
