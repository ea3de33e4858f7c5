/** The `scan` job: one reminder scan (at the job's `now`, or the clock), then reconciliation. */
import type { Processor } from '@tickler/queues';
import type { SchedulerDeps } from './config';
import { reconcile, type ReconcileReport } from './reconcile';
import { makeScanner, type ScanReport } from './scanner';

export interface ScanJobResult {
  dryRun: boolean;
  now: string;
  after: string;
  until: string;
  totals: ScanReport['totals'];
  reconciled: ReconcileReport | null;
}

export function makeScanProcessor(deps: SchedulerDeps): Processor<'scan'> {
  const scanner = makeScanner(deps);
  return async (data, job) => {
    const now = data.now ? new Date(data.now) : deps.now();
    const logger = deps.logger.child({ queue: 'scan', jobId: job.id });
    const report = await scanner.scan({ now, dryRun: data.dryRun ?? false });
    // A dry run writes nothing, so it does not reconcile either.
    const reconciled = report.dryRun ? null : await reconcile({ ...deps, logger }, now);
    const result: ScanJobResult = {
      dryRun: report.dryRun, now: now.toISOString(), after: report.horizon.after.toISOString(),
      until: report.horizon.until.toISOString(), totals: report.totals, reconciled,
    };
    return result;
  };
}
