/** @tickler/queues: the job catalog, the queues over Redis, and the one worker factory. */
export { jobCatalog, parseJob, jobIdFor, isQueueName, orderEventJobData, QUEUE_NAMES, type JobName, type JobData, type QueueName } from './catalog';
export { makeQueues, closeQueues, enqueue, enqueueBulk, type Queues } from './queues';
export type { Processor, Processors } from './processors';
export { makeCatalogWorker, parsePayload, type CatalogWorkerOptions } from './worker';
export { listFailedJobs, replayFailedJobs, FailedJobsError, type FailedJobView, type FailedJobFilter, type DeliveryReopener } from './failed-jobs';
