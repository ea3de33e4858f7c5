export type * from './repositories/types';
export { openStore, migrateDatabase, type OpenStoreOptions } from './sqlite/open-store';
export { seedDatabase, type SeedOptions, type SeedResult } from './sqlite/seed';
export { DatabaseUrlError } from './sqlite/database-url';
export { isStoreUnavailable, StoreError } from './sqlite/store-error';
export { jobCatalog, parseJob, jobIdFor, orderEventJobData, QUEUE_NAMES, type JobName, type JobData, type QueueName } from './queues/catalog';
export { makeQueues, closeQueues, enqueue, enqueueBulk, type Queues } from './queues/queues';
export type { Processor, Processors } from './queues/processors';
