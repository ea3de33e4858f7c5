export type * from './repositories/types';
export { openStore, migrateDatabase, type OpenStoreOptions } from './sqlite/open-store';
export { withBulkLoadConnection, type BulkLoadConnection, type BulkLoadResult } from './sqlite/bulk-load';
export { DatabaseUrlError, parseDatabaseUrl, type DatabaseLocation } from './sqlite/database-url';
export { isStoreUnavailable, StoreError } from './sqlite/store-error';
