import type { Env } from '../env';
import { makeProgress } from '../output/progress';

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * `tickler db seed --orders N`: synthetic organizations, contacts and orders, with a progress bar.
 * The seeder lives in the private `@tickler/bench` tools package; it is imported here, on use, so
 * no other command loads it.
 */
export async function dbSeedCommand(env: Env, opts: { orders: number }): Promise<void> {
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
