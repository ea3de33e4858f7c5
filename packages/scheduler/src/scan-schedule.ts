/**
 * The scan's schedule lives in Redis: a BullMQ job scheduler that adds the next `scan` job, and the
 * scan queue's global concurrency of 1. Redis can lose both — FLUSHALL, a new empty instance at the
 * same address, a failover that dropped the last writes — and without a scan nothing reconciles, so
 * nothing would ever put the lost jobs back. The scheduler role therefore checks the schedule
 * regularly (and at start) and restores whatever is missing; the scan it then runs reconciles the
 * rest from the ledger.
 */
import { jobCatalog, type Queues } from '@tickler/queues';
import type { Logger } from 'pino';

/** Id of the BullMQ job scheduler that adds a `scan` job every `scanEveryMs`. */
export const SCAN_SCHEDULER_ID = 'reminder-scan';

/** What `ensureScanSchedule` found missing (all false: nothing was restored). */
export interface ScheduleRepair {
  scheduler: boolean;
  nextJob: boolean;
  concurrency: boolean;
}

/**
 * Makes sure the scan runs every `scanEveryMs`, one at a time across every scheduler process: sets
 * the global concurrency and upserts the job scheduler when either (or the scheduler's next job) is
 * missing. A scheduler that exists is left as it is (a standby with another SCAN_EVERY does not
 * take it over). Idempotent; two schedulers doing it at once converge on the same state.
 */
export async function ensureScanSchedule(queues: Queues, scanEveryMs: number): Promise<ScheduleRepair> {
  const scan = queues.scan;
  const [scheduler, concurrency] = await Promise.all([scan.getJobScheduler(SCAN_SCHEDULER_ID), scan.getGlobalConcurrency()]);
  const nextJob = scheduler?.next ? await scan.getJob(`repeat:${SCAN_SCHEDULER_ID}:${scheduler.next}`) : undefined;
  const repair = { scheduler: !scheduler, nextJob: !nextJob, concurrency: concurrency !== 1 };
  if (repair.concurrency) await scan.setGlobalConcurrency(1);
  if (repair.scheduler || repair.nextJob) {
    await scan.upsertJobScheduler(SCAN_SCHEDULER_ID, { every: scanEveryMs }, { name: 'scan', data: {}, opts: jobCatalog.scan.options });
  }
  return repair;
}

/**
 * Checks the schedule every `periodMs` (see {@link ensureScanSchedule}) and logs a warning when it
 * had to restore something. A check waits for Redis while it is away; checks never overlap.
 * Returns `stop()`, which waits for a check in progress.
 */
export function watchScanSchedule(queues: Queues, scanEveryMs: number, periodMs: number, logger: Logger): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    running ??= ensureScanSchedule(queues, scanEveryMs)
      .then((repair) => {
        if (repair.scheduler || repair.nextJob || repair.concurrency) {
          logger.warn({ missing: repair }, 'scan schedule was missing from Redis (Redis lost data?); restored it, the next scan reconciles the queues');
        }
      })
      .catch((error: Error) => logger.warn({ err: error.message }, 'scan schedule check failed; will try again'))
      .finally(() => { running = null; });
  }, periodMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
