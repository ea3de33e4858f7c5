/**
 * A worker's `error` events, logged without flooding. While Redis is away BullMQ emits one for every
 * command that fails — in the scheduler, about two a millisecond for the scan and order-events
 * queues — and logging each with its stack buried everything else. Now the first error of an outage
 * is logged as it is (with its stack), the rest are counted into at most one line per
 * `summaryEveryMs`, and once they have stopped and Redis answers again one info line says so.
 */
import type { Logger } from 'pino';

export interface WorkerErrorLogOptions {
  /** The least time between two lines about one outage, ms (default 15 000). */
  summaryEveryMs?: number;
  /** How long errors must have stopped before the worker counts as working again, ms (default 2 000). */
  quietMs?: number;
  /** How often a worker in trouble is checked for recovery, ms (default 1 000). */
  checkEveryMs?: number;
}

export interface WorkerErrorLog {
  /** Logs or counts one `error` event of the worker. */
  error(err: Error): void;
  /** Stops the recovery check (the worker is closing). */
  stop(): void;
}

/**
 * The error log of one queue's worker. `isReady` says whether the worker's Redis connection answers
 * again (checked only after errors have been quiet for `quietMs`).
 */
export function makeWorkerErrorLog(
  queue: string, logger: Pick<Logger, 'info' | 'error'>, isReady: () => Promise<boolean>, options: WorkerErrorLogOptions = {},
): WorkerErrorLog {
  const summaryEveryMs = options.summaryEveryMs ?? 15_000;
  const quietMs = options.quietMs ?? 2_000;
  let since: number | null = null;
  let total = 0;
  let unreported = 0;
  let lastLineAt = 0;
  let lastErrorAt = 0;
  let timer: NodeJS.Timeout | null = null;
  let checking = false;

  const stop = () => {
    if (timer) clearInterval(timer);
    timer = null;
  };
  const check = async () => {
    if (checking || since === null || Date.now() - lastErrorAt < quietMs) return;
    checking = true;
    try {
      if (!(await isReady().catch(() => false)) || since === null || Date.now() - lastErrorAt < quietMs) return;
      logger.info({ queue, errors: total, outageMs: Date.now() - since }, 'worker works again');
      since = null;
      stop();
    } finally {
      checking = false;
    }
  };

  return {
    error(err) {
      const now = Date.now();
      lastErrorAt = now;
      if (since === null) {
        since = now;
        total = 1;
        unreported = 0;
        lastLineAt = now;
        logger.error({ queue, err }, 'worker error');
        timer ??= setInterval(() => void check(), options.checkEveryMs ?? 1000);
        timer.unref();
        return;
      }
      total += 1;
      unreported += 1;
      if (now - lastLineAt >= summaryEveryMs) {
        logger.error({ queue, errors: unreported, total, outageMs: now - since, lastError: err.message }, 'worker errors continue');
        unreported = 0;
        lastLineAt = now;
      }
    },
    stop,
  };
}
