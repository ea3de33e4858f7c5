import { migrateDatabase } from '@tickler/db';
import type { Env } from '../env';

/** `tickler db migrate`: applies pending migrations; running it again applies none. */
export async function dbMigrateCommand(env: Env): Promise<void> {
  const { applied } = await migrateDatabase(env.databaseUrl);
  process.stdout.write(`${applied} migration${applied === 1 ? '' : 's'} applied to ${env.databaseUrl}${applied === 0 ? ' (up to date)' : ''}\n`);
}
