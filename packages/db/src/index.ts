export type * from './repositories/types';
export { openStore, migrateDatabase, type OpenStoreOptions } from './sqlite/open-store';
export { withBulkLoadConnection, type BulkLoadConnection, type BulkLoadResult } from './sqlite/bulk-load';
export { DatabaseUrlError } from './sqlite/database-url';
export { StoreError } from './sqlite/store-error';
export { jobCatalog, parseJob, jobIdFor, QUEUE_NAMES, type JobName, type JobData, type QueueName } from './queues/catalog';
export { makeQueues, closeQueues, enqueue, enqueueBulk, type Queues } from './queues/queues';
export type { Processor, Processors } from './queues/processors';
