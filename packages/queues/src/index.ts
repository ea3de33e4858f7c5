/** @tickler/queues: the job catalog, the queues over Redis, and the one worker factory. */
export { jobCatalog, parseJob, jobIdFor, isQueueName, orderEventJobData, QUEUE_NAMES, type JobName, type JobData, type QueueName } from './catalog';
export { makeQueues, closeQueues, enqueue, enqueueBulk, type Queues } from './queues';
export type { Processor, Processors } from './processors';
export { makeCatalogWorker, parsePayload, type CatalogWorkerOptions, type OutageRetry } from './worker';
export type { WorkerErrorLogOptions } from './worker-error-log';
export { SupervisedWorker, type SupervisionOptions } from './supervised-worker';
export { deliveryReopenerOf, listFailedJobs, replayFailedJobs, FailedJobsError, type FailedJobView, type FailedJobFilter, type DeliveryReopener } from './failed-jobs';
export { parseRedisUrl, redactRedisUrl, redisUrlSetting, RedisUrlError, REDIS_URL_SCHEMES, type ParsedRedisUrl, type RedisTopology, type RedisNodeAddress } from './redis-url';
export { makeRedisConnection, redisAnswers, isClusterConnection, describeConnection, type RedisConnection, type RedisConnectionOptions } from './redis-connection';
export { queuePrefixFor } from './key-layout';
export { jobPresence, retryFailedJobs, type JobPresence } from './job-presence';
