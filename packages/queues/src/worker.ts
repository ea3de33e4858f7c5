/**
 * The one worker factory: every role and benchmark turns a catalog job into a BullMQ `Worker` here.
 * It parses the payload on entry (a payload that does not match the catalog can never succeed, so it
 * fails permanently with `UnrecoverableError` naming the field instead of being retried), logs
 * failures the same way everywhere (`warn` while BullMQ will retry, `error` once the job is failed
 * for good), and supervises the worker: a wedged one is replaced and closing is bounded (see
 * supervised-worker.ts).
 */
import { UnrecoverableError, Worker, type ConnectionOptions, type Job, type WorkerOptions } from 'bullmq';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import { jobCatalog, parseJob, type JobData, type JobName } from './catalog';
import { queuePrefixFor } from './key-layout';
import type { Processor } from './processors';
import { SupervisedWorker, type SupervisionOptions } from './supervised-worker';

/** Pause before a worker fetches again after its fetch met a lost connection (ms). */
const FETCH_RETRY_DELAY_MS = 1000;

export interface CatalogWorkerOptions {
  connection: ConnectionOptions;
  /** Queue key prefix (QUEUE_PREFIX; on a Redis Cluster the queue's hash tag is added, see key-layout.ts). */
  prefix: string;
  /** Jobs processed at once by this worker. */
  concurrency: number;
  logger: Pick<Logger, 'warn' | 'error'>;
  /** A rate limit shared by every worker of the queue (it lives in Redis). */
  limiter?: WorkerOptions['limiter'];
  /** When a wedged worker is replaced and how long closing may take (defaults suit production). */
  supervision?: SupervisionOptions;
}

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
  const create = () => new Worker(queue, async (job: Job) => processor(parsePayload(name, job.data), job), {
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
  worker.on('error', (err: Error) => logger.error({ queue, err }, 'worker error'));
  return worker;
}
