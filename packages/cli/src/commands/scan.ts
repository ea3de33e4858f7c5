import { makeScanner, type ScanReport } from '@tickler/scheduler';
import type { Env } from '../env';
import { formatTable } from '../output/table';
import { CliError } from '../runtime/errors';
import { schedulerDepsOf } from '../runtime/scheduler-deps';
import { withRuntime } from '../runtime/with-runtime';

/** Prints the scan report: one row per (kind, offset), then totals. */
function formatScanReport(report: ScanReport): string {
  const rows = report.rows.filter((r) => r.due > 0).map((r) => [r.kind, r.offsetDays, r.due, r.enqueued, r.skipped, r.existing]);
  const t = report.totals;
  const head = `${report.dryRun ? 'dry run (nothing written)' : 'scan'} at ${report.now.toISOString()}, window (${report.horizon.after.toISOString()}, ${report.horizon.until.toISOString()}]`;
  const table = rows.length > 0 ? formatTable(['kind', 'offset', 'due', 'enqueued', 'skipped', 'already planned'], rows) : 'no reminders due in this window';
  const total = `total: ${t.due} due, ${t.enqueued} ${report.dryRun ? 'would be enqueued' : 'enqueued'}, ${t.skipped} skipped, ${t.existing} already planned${t.superseded ? `, ${t.superseded} superseded` : ''}`;
  return `${head}\n${table}\n${total}\n`;
}

/**
 * `tickler scan [--dry-run [--now ISO]]`: plans due reminders now (or reports what it would plan).
 * `--now` is a what-if and only works with `--dry-run`: a real scan at a pretended time would send
 * reminders early (with the wrong "expires in N days") and supersede the ones really due.
 * @throws CliError when `--now` is given without `--dry-run`
 */
export async function scanCommand(env: Env, opts: { now?: Date; dryRun?: boolean }): Promise<void> {
  if (opts.now !== undefined && opts.dryRun !== true) {
    throw new CliError('--now is a what-if and only works together with --dry-run; a real scan always runs at the current time.');
  }
  await withRuntime(env, async (rt) => {
    const now = opts.now ?? new Date();
    const report = await makeScanner(schedulerDepsOf(rt, env, now)).scan({ now, dryRun: opts.dryRun === true });
    process.stdout.write(formatScanReport(report));
  }, { claimQueues: opts.dryRun !== true });
}
