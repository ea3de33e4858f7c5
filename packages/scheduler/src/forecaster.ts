/**
 * What will be sent when: reminders per UTC day for the next `days` days, by kind, with order ids
 * (for `tickler forecast` and `/admin/forecast`). Counts are reminders, not recipients; the
 * recipients are resolved at send time. Same rules as the domain's `forecastReminders` (which lays
 * out the days and validates `days`), computed over range queries instead of every order.
 */
import {
  expiryOf, expiryRangeFor, forecastReminders, REMINDER_KINDS, sendAtMs, utcMsToIsoDate, isoDateToUtcMs, type ForecastDay, type IsoDate, type ReminderKind,
  type SendCalendar,
} from '@tickler/domain';
import type { SchedulerDeps } from './config';
import { narrowExpiryRange } from './plan-window';

const DAY_MS = 86_400_000;

export interface Forecaster {
  /**
   * Reminders with sendAt from `now` to the end of the `days`-th UTC day (1..366). Counts are
   * complete; `orderIds` lists at most `maxOrderIdsPerDay` distinct orders per day (default 1000,
   * in expiry order), so a year's forecast stays small.
   * @throws DomainError `invalid_forecast_days`
   */
  forecast(input: { now: Date; days: number; maxOrderIdsPerDay?: number }): Promise<ForecastDay[]>;
}

interface Bucket { day: ForecastDay; ids: Set<string> }
/** One range query and the offsets whose reminders it can contain. */
interface Query { kind: ReminderKind; from: IsoDate; to: IsoDate; offsets: number[] }

export function makeForecaster(deps: Pick<SchedulerDeps, 'store' | 'config'>): Forecaster {
  return {
    async forecast({ now, days, maxOrderIdsPerDay = 1000 }) {
      const calendar = deps.config.sendCalendar;
      const result = forecastReminders({ orders: [], offsets: deps.config.offsets, from: now, days, calendar });
      const buckets = new Map<IsoDate, Bucket>(result.map((day) => [day.date, { day, ids: new Set() }]));
      const window = { from: now.getTime(), end: isoDateToUtcMs(result[0]!.date) + days * DAY_MS };
      for (const query of REMINDER_KINDS.flatMap((kind) => queriesFor(kind, deps.config.offsets[kind], window, calendar))) {
        for await (const page of deps.store.directory.findOrdersExpiringBetween(query.kind, query.from, query.to)) {
          for (const order of page) {
            const expiresOn = expiryOf(order, query.kind);
            if (expiresOn === null) continue;
            for (const offsetDays of query.offsets) {
              const at = sendAtMs(expiresOn, offsetDays, order.timeZone, calendar);
              if (at < window.from || at >= window.end) continue;
              const bucket = buckets.get(utcMsToIsoDate(at));
              if (bucket) count(bucket, query.kind, order.id, maxOrderIdsPerDay);
            }
          }
        }
      }
      return result;
    },
  };
}

function count(bucket: Bucket, kind: ReminderKind, orderId: string, maxIds: number): void {
  bucket.day.counts[kind] += 1;
  if (bucket.ids.size >= maxIds || bucket.ids.has(orderId)) return;
  bucket.ids.add(orderId);
  bucket.day.orderIds.push(orderId);
}

const spanDays = (q: { from: IsoDate; to: IsoDate }) => (isoDateToUtcMs(q.to) - isoDateToUtcMs(q.from)) / DAY_MS + 1;

/**
 * The range queries for `kind`: one per offset, or — when the offsets' ranges overlap enough to
 * make it cheaper (long forecasts) — one query over their union checking every offset.
 */
function queriesFor(kind: ReminderKind, offsets: number[], window: { from: number; end: number }, calendar: SendCalendar): Query[] {
  const plan = { after: new Date(window.from - 1), until: new Date(window.end - 1), calendar };
  const perOffset = offsets.flatMap((offsetDays) => {
    const range = narrowExpiryRange(expiryRangeFor(offsetDays, plan.after, plan.until, calendar.maxShiftDays), offsetDays, plan);
    return range ? [{ kind, ...range, offsets: [offsetDays] }] : [];
  });
  if (perOffset.length <= 1) return perOffset;
  const from = perOffset.map((q) => q.from).reduce((a, b) => (a < b ? a : b));
  const to = perOffset.map((q) => q.to).reduce((a, b) => (a > b ? a : b));
  const union = { kind, from, to, offsets: perOffset.flatMap((q) => q.offsets) };
  const separate = perOffset.reduce((n, q) => n + spanDays(q), 0);
  return spanDays(union) < separate ? [union] : perOffset;
}
