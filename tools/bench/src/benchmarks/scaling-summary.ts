/**
 * One process against several, over rounds: `bench send --mailers 1,2 --rounds R` and `bench events
 * --processes 1,2 --rounds R` measure every process count once per round, in turn, so that a drift of
 * the machine's speed (seen here: ±20 % within an hour) falls on every count alike. Per round, each
 * count's items per CPU-second are compared with the first count's of the same round; the summary
 * gives the median of those ratios, every round's ratio, and the units of work behind them
 * (PostgreSQL statements per item and its CPU per item, Redis commands per item and CPU per command,
 * lock waits), which tell smaller batches (more statements or commands per item) from contention
 * (each command costing more, or sessions waiting for locks).
 */
import type { WorkFigures } from './work-counters';

export interface ScalingRow {
  /** What is compared within, e.g. the store (and Redis topology). */
  group: string;
  processes: number;
  round: number;
  /** Items per CPU-second of every process on the machine (ours and the servers'). */
  perCpuSecond: number;
  work: WorkFigures;
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const percent = (ratio: number) => `${ratio >= 1 ? '+' : '−'}${Math.abs((ratio - 1) * 100).toFixed(1)} %`;
const grouped = (value: number) => Math.round(value).toLocaleString('en-US');

/** Medians of one process count's rounds: items per CPU-second and the units of work. */
function medians(rows: ScalingRow[]) {
  const of = (pick: (w: WorkFigures) => number | null) => {
    const values = rows.map((r) => pick(r.work)).filter((v): v is number => v !== null && Number.isFinite(v));
    return values.length ? median(values) : null;
  };
  return {
    perCpuSecond: median(rows.map((r) => r.perCpuSecond)),
    statements: of((w) => w.pgStatements),
    postgresMicros: of((w) => w.postgresMicros),
    commands: of((w) => w.redisCommands),
    perCommand: of((w) => (w.redisCommands > 0 ? w.redisMicros / w.redisCommands : null)),
    lockWaits: rows.reduce((sum, r) => sum + (r.work.lockWaits?.withWaiters ?? 0), 0),
    lockSamples: rows.reduce((sum, r) => sum + (r.work.lockWaits?.samples ?? 0), 0),
  };
}

/** Prints, per group, each process count against the first: see the file header. */
export function printScalingSummary(print: (line: string) => void, item: string, rows: ScalingRow[]): void {
  const rounds = new Set(rows.map((r) => r.round)).size;
  const counts = [...new Set(rows.map((r) => r.processes))];
  if (counts.length < 2) return;
  print(`  scaling: ${item}s per CPU-second of all processes (ours, PostgreSQL's backends, Redis), median of ${rounds} round(s), each count against the first in the same round`);
  for (const group of [...new Set(rows.map((r) => r.group))]) {
    const of = (processes: number) => rows.filter((r) => r.group === group && r.processes === processes);
    const base = of(counts[0]!);
    const baseMedians = medians(base);
    for (const processes of counts.slice(1)) {
      const rowsNow = of(processes);
      const ratios = rowsNow.map((r) => r.perCpuSecond / (base.find((b) => b.round === r.round)?.perCpuSecond ?? Number.NaN)).filter(Number.isFinite);
      if (!ratios.length) continue;
      const now = medians(rowsNow);
      const units = [
        baseMedians.statements !== null && now.statements !== null
          ? `PostgreSQL statements/${item} ${baseMedians.statements.toFixed(2)} → ${now.statements.toFixed(2)}, its CPU µs/${item} ${baseMedians.postgresMicros?.toFixed(0)} → ${now.postgresMicros?.toFixed(0)}` : null,
        baseMedians.commands !== null && now.commands !== null
          ? `Redis commands/${item} ${baseMedians.commands.toFixed(1)} → ${now.commands.toFixed(1)}, µs per command ${baseMedians.perCommand?.toFixed(1)} → ${now.perCommand?.toFixed(1)}` : null,
        now.lockSamples ? `lock waits in ${now.lockWaits} of ${now.lockSamples} samples` : null,
      ].filter(Boolean).join('; ');
      print(`    ${group.padEnd(16)} ${counts[0]} → ${processes}: ${grouped(baseMedians.perCpuSecond)} → ${grouped(now.perCpuSecond)} ${item}s per CPU-second, `
        + `${percent(median(ratios))} (rounds ${ratios.map(percent).join(', ')}); ${units}`);
    }
  }
}
