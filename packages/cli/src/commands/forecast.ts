import { forecastTable, type ForecastDay } from '@tickler/domain';
import type { Env } from '../env';
import { formatTable } from '../output/table';
import { makeForecaster, makeSchedulerConfig } from '@tickler/scheduler';
import { planningConfigOf } from '../runtime/scheduler-deps';
import { withStore } from '../runtime/with-runtime';

function formatForecast(days: ForecastDay[], from: Date): string {
  const { header, rows, total } = forecastTable(days);
  return `${formatTable(['date (UTC)', ...header.slice(1)], rows)}\n${total} reminder${total === 1 ? '' : 's'} in ${days.length} days from ${from.toISOString()} (each goes to every contact of its order)\n`;
}

/** `tickler forecast [--days N] [--now ISO]`: reminders per day and kind. */
export async function forecastCommand(env: Env, opts: { days: number; now?: Date }): Promise<void> {
  await withStore(env, async (store) => {
    const now = opts.now ?? new Date();
    const days = await makeForecaster({ store, config: makeSchedulerConfig(planningConfigOf(env)) }).forecast({ now, days: opts.days });
    process.stdout.write(formatForecast(days, now));
  });
}
