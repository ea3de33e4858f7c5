import { parseDatabaseUrl, redactDatabaseUrl } from '@tickler/db';
import type { Env } from '../env';
import { makeProgress } from '../output/progress';
import { CliError } from '../runtime/errors';

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * `tickler db seed --orders N`: synthetic organizations, contacts and orders, with a progress bar.
 * The seeder lives in the private `@tickler/bench` tools package; it is imported here, on use, so
 * no other command loads it. It writes SQLite's bulk-load connection directly (a million orders in
 * under two minutes), so it refuses a PostgreSQL DATABASE_URL; `db copy` takes a seeded file there.
 */
export async function dbSeedCommand(env: Env, opts: { orders: number }): Promise<void> {
  if (parseDatabaseUrl(env.databaseUrl).dialect !== 'sqlite') {
    throw new CliError(`db seed writes SQLite only, and DATABASE_URL ${JSON.stringify(redactDatabaseUrl(env.databaseUrl))} is PostgreSQL: `
      + `for a PostgreSQL demo database, seed a SQLite file (DATABASE_URL=file:./data/seed.db tickler db seed --orders ${opts.orders}), `
      + 'then copy it into the empty PostgreSQL database (DATABASE_URL=file:./data/seed.db tickler db copy --to postgres://…)');
  }
  const { seedDatabase } = await import('@tickler/bench');
  const progress = makeProgress('seeding orders', opts.orders);
  let last = 0;
  try {
    const result = await seedDatabase(env.databaseUrl, {
      orders: opts.orders,
      now: new Date(),
      onProgress: (done) => {
        progress.tick(done - last);
        last = done;
      },
    });
    progress.stop();
    process.stdout.write(`seeded ${result.orders} orders, ${result.organizations} organizations, ${result.users} users, ${result.contacts} contacts `
      + `in ${(result.ms / 1000).toFixed(1)} s; database ${env.databaseUrl} is ${mib(result.bytes)}\n`);
  } finally {
    progress.stop();
  }
}
