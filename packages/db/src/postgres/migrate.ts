/**
 * Applies the committed PostgreSQL migrations (`packages/db/drizzle-pg`) with drizzle's node-postgres
 * migrator, under a session-level advisory lock: processes on several hosts migrating one database
 * at once queue on the lock; the first applies, the others find nothing left to do.
 */
import path from 'node:path';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import type { PostgresTarget } from '../database-url';
import { DEFAULT_CONNECTION_TIMEOUT_MS } from './pool';
import { translatePgError } from './store-error';

/** The committed migrations, found relative to this package, not the cwd. */
export const PG_MIGRATIONS_FOLDER = path.resolve(__dirname, '../../drizzle-pg');
const MIGRATIONS_SCHEMA = 'drizzle';
const MIGRATIONS_TABLE = '__drizzle_migrations';
/** The advisory lock key every Tickler migration takes (any constant bigint; this one is "tickler" in ASCII). */
export const MIGRATION_LOCK_KEY = '32766973023380850';

async function countApplied(client: pg.Client): Promise<number> {
  const { rows: [row] } = await client.query<{ n: string | null }>(
    `SELECT CASE WHEN to_regclass($1) IS NULL THEN NULL ELSE 1 END AS n`, [`${MIGRATIONS_SCHEMA}.${MIGRATIONS_TABLE}`]);
  if (row?.n == null) return 0;
  const { rows: [count] } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${MIGRATIONS_SCHEMA}.${MIGRATIONS_TABLE}`);
  return Number(count?.n ?? 0);
}

/** Applies pending migrations on `client`'s database; returns how many this call applied. */
export async function runPgMigrations(client: pg.Client): Promise<{ applied: number }> {
  await client.query(`SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY}::bigint)`);
  try {
    const before = await countApplied(client);
    await migrate(drizzle({ client }), { migrationsFolder: PG_MIGRATIONS_FOLDER, migrationsSchema: MIGRATIONS_SCHEMA, migrationsTable: MIGRATIONS_TABLE });
    return { applied: (await countApplied(client)) - before };
  } finally {
    await client.query(`SELECT pg_advisory_unlock(${MIGRATION_LOCK_KEY}::bigint)`).catch(() => undefined);
  }
}

/** Connects once, migrates, disconnects. Failures reject with StoreError (e.g. `unavailable` when the server is down). */
export async function migratePostgresDatabase(target: PostgresTarget, options: { connectionTimeoutMs?: number } = {}): Promise<{ applied: number }> {
  const client = new pg.Client({
    connectionString: target.connectionString,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
    application_name: 'tickler-migrate',
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await runPgMigrations(client);
  } catch (error) {
    return translatePgError(unwrapDrizzle(error));
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** drizzle wraps the driver's error (as `cause`) in its own "Failed query" error. */
function unwrapDrizzle(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 5 && current instanceof Error && current.cause !== undefined && !('severity' in current); depth++) current = current.cause;
  return current instanceof Error && 'severity' in current ? current : error;
}
