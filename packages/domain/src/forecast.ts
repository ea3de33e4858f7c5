import { utcMsToIsoDate } from './calendar';
import { DomainError } from './errors';
import { sendAtMs, type ReminderOffsets } from './reminder-policy';
import { EVERY_DAY_OPEN, type SendCalendar } from './business-days';
import { perKind, REMINDER_KINDS, type ReminderKind } from './reminder-kinds';
import type { IsoDate } from './types';

const DAY_MS = 86_400_000;

/** Longest forecast, in days. */
export const MAX_FORECAST_DAYS = 366;

export interface ForecastOrder {
  id: string;
  kind: ReminderKind;
  /** Expiry date of `kind`; null means nothing to remind. */
  expiresOn: IsoDate | null;
  timeZone: string;
}

export interface ForecastDay {
  /** UTC calendar date of the reminders' sendAt. */
  date: IsoDate;
  /** Reminders that day, per kind. */
  counts: Record<ReminderKind, number>;
  /** Distinct order ids with a reminder that day, in first-seen order. */
  orderIds: string[];
}

/**
 * What will be sent when: reminders with sendAt ≥ `from` and before the end of the `days`-th UTC
 * day counted from `from`'s UTC date, grouped by UTC date of sendAt. Every day of the range is
 * present, also those with nothing to send. Counts are reminders (per order, kind, offset), not
 * recipients. `days` is a whole number in 1..366. Send times follow `calendar` (default: every day open).
 * @throws DomainError `invalid_forecast_days`
 */
export function forecastReminders(input: {
  orders: Iterable<ForecastOrder>;
  offsets: ReminderOffsets;
  from: Date;
  days: number;
  calendar?: SendCalendar;
}): ForecastDay[] {
  const { orders, offsets, from, days, calendar = EVERY_DAY_OPEN } = input;
  if (!Number.isInteger(days) || days < 1 || days > MAX_FORECAST_DAYS) {
    throw new DomainError('invalid_forecast_days', `days must be a whole number from 1 to ${MAX_FORECAST_DAYS}, got ${String(days)}.`, 'days');
  }
  const firstDayMs = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
  const buckets = Array.from({ length: days }, (_, i) => ({
    day: { date: utcMsToIsoDate(firstDayMs + i * DAY_MS), counts: perKind(() => 0), orderIds: [] as string[] },
    ids: new Set<string>(),
  }));
  const fromMs = from.getTime();
  for (const order of orders) {
    if (order.expiresOn === null) continue;
    for (const offsetDays of offsets[order.kind] ?? []) {
      const sendAt = sendAtMs(order.expiresOn, offsetDays, order.timeZone, calendar);
      const bucket = sendAt >= fromMs ? buckets[Math.floor((sendAt - firstDayMs) / DAY_MS)] : undefined;
      if (!bucket) continue;
      bucket.day.counts[order.kind] += 1;
      if (!bucket.ids.has(order.id)) {
        bucket.ids.add(order.id);
        bucket.day.orderIds.push(order.id);
      }
    }
  }
  return buckets.map((b) => b.day);
}

/** Reminders of one forecast day, all kinds together. */
export function forecastDayTotal(day: ForecastDay): number {
  return REMINDER_KINDS.reduce((n, kind) => n + day.counts[kind], 0);
}

/**
 * A forecast laid out as a table for people: `date`, one column per kind, `total`; and the total over
 * all days. The CLI and the admin page print the same columns.
 */
export function forecastTable(days: readonly ForecastDay[]): { header: string[]; rows: Array<[IsoDate, ...number[]]>; total: number } {
  const rows = days.map((d): [IsoDate, ...number[]] => [d.date, ...REMINDER_KINDS.map((kind) => d.counts[kind]), forecastDayTotal(d)]);
  return { header: ['date', ...REMINDER_KINDS, 'total'], rows, total: days.reduce((n, d) => n + forecastDayTotal(d), 0) };
}

/** A forecast day as JSON for API clients: `{ date, <kind>: n …, total, orderIds }`. */
export function forecastDayJson(day: ForecastDay): Record<string, unknown> {
  return { date: day.date, ...day.counts, total: forecastDayTotal(day), orderIds: day.orderIds };
}
