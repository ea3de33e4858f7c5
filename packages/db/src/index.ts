export type * from './repositories/types';
export { openStore, migrateDatabase, type OpenStoreOptions } from './sqlite/open-store';
export { seedDatabase, type SeedOptions, type SeedResult } from './sqlite/seed';
export { DatabaseUrlError } from './sqlite/database-url';
export { StoreError } from './sqlite/store-error';
