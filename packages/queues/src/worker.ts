/**
 * The one worker factory: every role and benchmark turns a catalog job into a BullMQ `Worker` here.
 * It parses the payload on entry (a payload that does not match the catalog can never succeed, so it
 * fails permanently with `UnrecoverableError` naming the field instead of being retried), logs
 * failures the same way everywhere (`warn` while BullMQ will retry, `error` once the job is failed
 * for good; the worker's own errors once per outage, see worker-error-log.ts), and supervises the worker: a wedged one is replaced and closing is bounded (see
 * supervised-worker.ts).
 *
 * Outages of the database (the role tells which errors are one, `outage.is`) are not the job's
 * fault: such a job goes back to `delayed` without spending an attempt, after a short backoff that
 * stops growing at `outage.maxMs` (default 15 s). However long the database is away, no job runs
 * out of attempts, and once it answers again the backlog drains within that cap instead of each job
 * waiting out an exponential backoff of many minutes.
 */
import { DelayedError, UnrecoverableError, Worker, type ConnectionOptions, type Job, type WorkerOptions } from 'bullmq';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import { jobCatalog, parseJob, type JobData, type JobName } from './catalog';
import { queuePrefixFor } from './key-layout';
import type { Processor } from './processors';
import { SupervisedWorker, type SupervisionOptions } from './supervised-worker';
import { makeWorkerErrorLog, type WorkerErrorLogOptions } from './worker-error-log';

/** Pause before a worker fetches again after its fetch met a lost connection (ms). */
const FETCH_RETRY_DELAY_MS = 1000;

export interface CatalogWorkerOptions {
  connection: ConnectionOptions;
  /** Queue key prefix (QUEUE_PREFIX; on a Redis Cluster the queue's hash tag is added, see key-layout.ts). */
  prefix: string;
  /** Jobs processed at once by this worker. */
  concurrency: number;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** A rate limit shared by every worker of the queue (it lives in Redis). */
  limiter?: WorkerOptions['limiter'];
  /** When a wedged worker is replaced and how long closing may take (defaults suit production). */
  supervision?: SupervisionOptions;
  /** Which errors mean the database is away: such jobs wait and retry without spending an attempt. */
  outage?: OutageRetry;
  /** How the worker's errors are summed up while Redis is away (defaults suit production; see worker-error-log.ts). */
  errorLog?: WorkerErrorLogOptions;
}

export interface OutageRetry {
  is: (error: unknown) => boolean;
  /** The first wait, ms (default 1 000); it doubles per deferral of the job, with jitter. */
  baseMs?: number;
  /** The longest wait, ms (default 15 000). */
  maxMs?: number;
}

/** How often one queue's worker logs that it is deferring jobs (one line with a count, not one per job). */
const OUTAGE_LOG_EVERY_MS = 10_000;

/** A catalog job's payload, or `UnrecoverableError` naming every bad field. */
export function parsePayload<N extends JobName>(name: N, data: unknown): JobData<N> {
  try {
    return parseJob(name, data);
  } catch (error) {
    if (error instanceof ZodError) {
      throw new UnrecoverableError(`invalid ${name} job payload: ${error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`).join('; ')}`);
    }
    throw error;
  }
}

/** Starts a supervised worker on `name`'s queue that hands each parsed payload to `processor`. The caller closes it. */
export function makeCatalogWorker<N extends JobName>(name: N, processor: Processor<N>, options: CatalogWorkerOptions): SupervisedWorker {
  const queue = jobCatalog[name].queue;
  const { connection, prefix, concurrency, limiter, logger } = options;
  const run = async (job: Job) => processor(parsePayload(name, job.data), job);
  const create = () => new Worker(queue, options.outage ? deferringOutages(queue, run, options.outage, logger) : run, {
    connection, prefix: queuePrefixFor(queue, prefix, connection), concurrency, autorun: true, ...(limiter ? { limiter } : {}),
    // BullMQ waits this long before fetching again after a "Connection is closed." (15 s by default):
    // during a cluster failover a fetch meets it once, and the queue would then sit idle for 15 s.
    runRetryDelay: FETCH_RETRY_DELAY_MS,
  });
  const worker = new SupervisedWorker(queue, create, logger, options.supervision);
  worker.on('failed', (job: Job | undefined, err: Error) => {
    if (!job) return;
    const final = err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
    const fields = { queue, jobId: job.id, attemptsMade: job.attemptsMade, err };
    if (final) logger.error(fields, 'job failed for good');
    else logger.warn(fields, 'job failed; will retry');
  });
  const errors = makeWorkerErrorLog(queue, logger, () => worker.redisReady(), options.errorLog);
  worker.on('error', (err: Error) => errors.error(err));
  worker.once('closed', () => errors.stop());
  return worker;
}

/** Wraps `run` so a database outage moves the job back to delayed (see the header) instead of failing it. */
function deferringOutages(queue: string, run: (job: Job) => Promise<unknown>, outage: OutageRetry, logger: Pick<Logger, 'warn'>) {
  const baseMs = outage.baseMs ?? 1_000;
  const maxMs = outage.maxMs ?? 15_000;
  let deferred = 0;
  let loggedAt = 0;
  return async (job: Job, token?: string) => {
    try {
      return await run(job);
    } catch (error) {
      if (!token || !outage.is(error)) throw error;
      // Every start that did not end in a failed attempt was a deferral (this one included).
      const deferrals = Math.max(0, job.attemptsStarted - job.attemptsMade - 1);
      const waitMs = Math.min(maxMs, baseMs * 2 ** Math.min(deferrals, 20)) * (0.5 + Math.random() / 2);
      await job.moveToDelayed(Date.now() + Math.round(waitMs), token);
      deferred += 1;
      if (Date.now() - loggedAt >= OUTAGE_LOG_EVERY_MS) {
        logger.warn({ queue, deferred, error: (error as Error).message }, 'database unavailable; jobs wait and retry without spending attempts');
        loggedAt = Date.now();
        deferred = 0;
      }
      throw new DelayedError();
    }
  };
}
