export type * from './repositories/types';
export { openStore, migrateDatabase, type OpenStoreOptions } from './open-store';
export { withBulkLoadConnection, type BulkLoadConnection, type BulkLoadResult } from './sqlite/bulk-load';
export { DatabaseUrlError, parseDatabaseUrl, redactDatabaseUrl, type DatabaseTarget } from './database-url';
export { isStoreUnavailable, StoreError, type StoreErrorKind } from './store-error';
export { copySqliteToPostgres, CopyRefusedError, type CopyResult, type CopyOptions } from './copy/copy-to-postgres';
export { DEFAULT_SENDING_LEASE_MS } from './repositories/defaults';
