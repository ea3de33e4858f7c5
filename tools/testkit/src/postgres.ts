/**
 * PostgreSQL for tests: each test file gets a fresh database `tickler_test_<random>` on the server
 * `TEST_POSTGRES_URL` names (default: the local server, user postgres) and drops it after. Only tests
 * read this variable.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

export const TEST_POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** `TEST_POSTGRES_URL` with another database name. */
export function urlForDatabase(name: string): string {
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Runs SQL on the server's base database (`TEST_POSTGRES_URL`): creating, altering and dropping test databases. */
export async function withAdmin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase { name: string; url: string; drop: () => Promise<void> }

/** Creates an empty database; `drop` removes it (closing any connection still open to it). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `tickler_test_${randomBytes(6).toString('hex')}`;
  await withAdmin((client) => client.query(`CREATE DATABASE ${name}`));
  return { name, url: urlForDatabase(name), drop: () => withAdmin(async (client) => { await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); }) };
}

/** Runs SQL on a test database directly (what the store hides: EXPLAIN, raw writes, settings). */
export async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}


/** Which store the integration tests of the roles run on: `TEST_STORE=postgres`, else SQLite. */
export const TEST_STORE: 'sqlite' | 'postgres' = process.env.TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

/**
 * A fresh, empty database for one test on the store `TEST_STORE` names: a SQLite file in a new
 * temporary folder, or a new PostgreSQL database on `TEST_POSTGRES_URL`. `drop` removes it.
 */
export async function createStoreDatabase(name: string): Promise<{ url: string; drop: () => Promise<void> }> {
  if (TEST_STORE === 'postgres') {
    const database = await createTestDatabase();
    return { url: database.url, drop: database.drop };
  }
  const dir = mkdtempSync(path.join(tmpdir(), `tickler-${name}-`));
  return { url: `file:${path.join(dir, 'tickler.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}
