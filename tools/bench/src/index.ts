/** @tickler/bench: the synthetic-data seeder (what `tickler db seed` calls). Benchmarks run through `pnpm bench`, not this API. */
export { seedDatabase, type SeedOptions, type SeedResult } from './seed/seed';
