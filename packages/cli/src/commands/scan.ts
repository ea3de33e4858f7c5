import { makeScanner, type ScanReport } from '@tickler/scheduler';
import type { Env } from '../env';
import { formatTable } from '../output/table';
import { schedulerDepsOf } from '../runtime/scheduler-deps';
import { withRuntime } from '../runtime/with-runtime';

/** Prints the scan report: one row per (kind, offset), then totals. */
export function formatScanReport(report: ScanReport): string {
  const rows = report.rows.filter((r) => r.due > 0).map((r) => [r.kind, r.offsetDays, r.due, r.enqueued, r.skipped, r.existing]);
  const t = report.totals;
  const head = `${report.dryRun ? 'dry run (nothing written)' : 'scan'} at ${report.now.toISOString()}, window (${report.horizon.after.toISOString()}, ${report.horizon.until.toISOString()}]`;
  const table = rows.length > 0 ? formatTable(['kind', 'offset', 'due', 'enqueued', 'skipped', 'already planned'], rows) : 'no reminders due in this window';
  const total = `total: ${t.due} due, ${t.enqueued} ${report.dryRun ? 'would be enqueued' : 'enqueued'}, ${t.skipped} skipped, ${t.existing} already planned${t.superseded ? `, ${t.superseded} superseded` : ''}`;
  return `${head}\n${table}\n${total}\n`;
}

/** `tickler scan [--now ISO] [--dry-run]`: plans due reminders now (or reports what it would plan). */
export async function scanCommand(env: Env, opts: { now?: Date; dryRun?: boolean }): Promise<void> {
  await withRuntime(env, async (rt) => {
    const now = opts.now ?? new Date();
    const report = await makeScanner(schedulerDepsOf(rt, env, now)).scan({ now, dryRun: opts.dryRun === true });
    process.stdout.write(formatScanReport(report));
  }, { claimQueues: opts.dryRun !== true });
}
