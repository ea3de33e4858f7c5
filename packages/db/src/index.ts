export type * from './repositories/types';
export { openStore, migrateDatabase, type OpenStoreOptions } from './open-store';
export { seedDatabase, type SeedOptions, type SeedResult } from './seed';
export { DatabaseUrlError } from './database-url';
export { StoreError, isTransientStoreError, type StoreErrorKind } from './store-error';
export { jobCatalog, parseJob, jobIdFor, QUEUE_NAMES, type JobName, type JobData, type QueueName } from './queues/catalog';
export { makeQueues, closeQueues, enqueue, enqueueBulk, type Queues } from './queues/queues';
export type { Processor, Processors } from './queues/processors';
