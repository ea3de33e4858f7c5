/**
 * What will be sent when: reminders per UTC day for the next `days` days, by kind, with order ids
 * (for `tickler forecast` and `/admin/forecast`). Counts are reminders, not recipients; the
 * recipients are resolved at send time.
 */
import { forecastReminders, expiryOf, isoDateToUtcMs, expiryRangeFor, MAX_FORECAST_DAYS, REMINDER_KINDS, type ForecastDay, type ReminderKind } from '@tickler/domain';
import type { OrderWithZone } from '@tickler/db';
import type { SchedulerDeps } from './config';

const DAY_MS = 86_400_000;

export interface Forecaster {
  /**
   * Reminders with sendAt from `now` to the end of the `days`-th UTC day (1..366).
   * @throws DomainError `invalid_forecast_days`
   */
  forecast(input: { now: Date; days: number }): Promise<ForecastDay[]>;
}

type Buckets = Map<string, { day: ForecastDay; ids: Set<string> }>;

export function makeForecaster(deps: Pick<SchedulerDeps, 'store' | 'config'>): Forecaster {
  return {
    async forecast({ now, days }) {
      // Validates `days` and lays out every day of the range, also the empty ones.
      const result = forecastReminders({ orders: [], offsets: deps.config.offsets, from: now, days });
      const buckets: Buckets = new Map(result.map((day) => [day.date, { day, ids: new Set<string>() }]));
      const until = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + Math.min(days, MAX_FORECAST_DAYS) * DAY_MS);
      for (const kind of REMINDER_KINDS) {
        for (const offsetDays of deps.config.offsets[kind]) {
          const range = expiryRangeFor(offsetDays, now, until);
          for await (const page of deps.store.directory.findOrdersExpiringBetween(kind, range.from, range.to)) {
            addPage(buckets, page, kind, offsetDays, now);
          }
        }
      }
      return result;
    },
  };
}

/**
 * Orders sharing (expiry, zone) share their send time, so the domain is asked once per group, over
 * the three UTC days around expiry − offset where 09:00 local can fall.
 */
function addPage(buckets: Buckets, page: OrderWithZone[], kind: ReminderKind, offsetDays: number, now: Date): void {
  for (const [key, orders] of groupByCycle(page, kind)) {
    const [expiresOn, timeZone] = key.split('|') as [string, string];
    const around = Math.max(now.getTime(), isoDateToUtcMs(expiresOn, 'expiresOn') - (offsetDays + 1) * DAY_MS);
    const hits = forecastReminders({ orders: [{ id: '', kind, expiresOn, timeZone }], offsets: only(kind, offsetDays), from: new Date(around), days: 3 });
    for (const hit of hits) {
      const bucket = hit[kind] > 0 ? buckets.get(hit.date) : undefined;
      if (!bucket) continue;
      bucket.day[kind] += orders.length;
      for (const id of orders) {
        if (bucket.ids.has(id)) continue;
        bucket.ids.add(id);
        bucket.day.orderIds.push(id);
      }
    }
  }
}

function only(kind: ReminderKind, offsetDays: number): Record<ReminderKind, number[]> {
  return { license: [], maintenance: [], [kind]: [offsetDays] };
}

/** Order ids of a page grouped by `${expiresOn}|${timeZone}` for `kind`. */
function groupByCycle(page: OrderWithZone[], kind: ReminderKind): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const order of page) {
    const expiresOn = expiryOf(order, kind);
    if (expiresOn === null) continue;
    const key = `${expiresOn}|${order.timeZone}`;
    const ids = groups.get(key);
    if (ids) ids.push(order.id);
    else groups.set(key, [order.id]);
  }
  return groups;
}
