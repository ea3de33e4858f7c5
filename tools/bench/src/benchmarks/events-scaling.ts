/**
 * `pnpm bench events --processes 1,2 [--rounds R]`: the events benchmark with N edges and N workers
 * for each N in turn, R times over, on each store; then one process of each against N, round by round
 * (see scaling-summary.ts). Without `--processes` it is one run per store with `--edges`/`--workers`.
 */
import { benchEvents, type BenchEventsOptions, type BenchEventsResult } from './events';
import { printScalingSummary, type ScalingRow } from './scaling-summary';
import { storesOf, type StoreChoice } from './stores';

export interface BenchEventsScalingOptions extends Omit<BenchEventsOptions, 'store'> {
  store?: StoreChoice;
  /** Edge-and-worker counts to measure in turn (N edges + N workers each); unset: `edges`/`workers` once. */
  processes?: number[];
  /** Times every count and store is measured (default 1). */
  rounds?: number;
}

/** Every process's CPU per event (ours and the servers'), as events per CPU-second. */
export function eventsPerCpuSecond(result: BenchEventsResult): number {
  return 1e6 / Object.values(result.cpuMicrosPerEvent).reduce((x, y) => x + y, 0);
}

/** Runs the rounds and prints each run and, with more than one count, the scaling summary. */
export async function benchEventsScaling(opts: BenchEventsScalingOptions): Promise<ScalingRow[]> {
  const print = opts.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const rows: ScalingRow[] = [];
  // Without --processes: one run per store and round, of --edges and --workers as given.
  const counts: Array<number | undefined> = opts.processes ?? [undefined];
  for (let round = 1; round <= (opts.rounds ?? 1); round += 1) {
    for (const processes of counts) {
      for (const store of storesOf(opts.store)) {
        const shape = processes === undefined ? {} : { edges: processes, workers: processes };
        const result = await benchEvents({ ...opts, ...shape, store, print });
        rows.push({ group: store, processes: processes ?? 1, round, perCpuSecond: eventsPerCpuSecond(result), work: result.work });
      }
    }
  }
  printScalingSummary(print, 'event', rows);
  return rows;
}
