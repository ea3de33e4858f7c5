/** PostgreSQL test helpers of the db package: the shared ones (tools/testkit), emptying a database, two hosts on one. */
import { createTestDatabase, type TestDatabase, withClient } from '@tickler/testkit';
import { openStore } from '../../src/open-store';
import type { Store } from '../../src/repositories/types';

export { createTestDatabase, TEST_POSTGRES_URL, urlForDatabase, withAdmin, withClient, type TestDatabase } from '@tickler/testkit';

/**
 * Empties every table of a migrated test database and restarts its id sequences. DELETE (with
 * foreign-key triggers off for this session) is much cheaper than TRUNCATE on a handful of rows.
 */
export async function emptyDatabase(url: string): Promise<void> {
  await withClient(url, async (client) => {
    const { rows } = await client.query<{ name: string }>(`SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = 'public'`);
    const { rows: sequences } = await client.query<{ name: string }>(`SELECT quote_ident(sequencename) AS name FROM pg_sequences WHERE schemaname = 'public'`);
    await client.query(['SET session_replication_role = replica', ...rows.map((r) => `DELETE FROM ${r.name}`),
      ...sequences.map((q) => `ALTER SEQUENCE ${q.name} RESTART`)].join(';\n'));
  });
}

/**
 * Two stores with their own pools on one migrated test database — two hosts — emptied before each
 * test; read `hosts.a` / `hosts.b` inside tests.
 */
export function useTwoHosts(): { readonly database: TestDatabase; readonly a: Store; readonly b: Store } {
  const hosts = {} as { database: TestDatabase; a: Store; b: Store };
  beforeAll(async () => {
    hosts.database = await createTestDatabase();
    await (await openStore({ url: hosts.database.url })).close();
  });
  afterAll(async () => hosts.database.drop());
  beforeEach(async () => {
    await emptyDatabase(hosts.database.url);
    [hosts.a, hosts.b] = await Promise.all([openStore({ url: hosts.database.url, migrate: false }), openStore({ url: hosts.database.url, migrate: false })]);
  });
  afterEach(async () => Promise.all([hosts.a.close(), hosts.b.close()]));
  return hosts;
}

/** Waits until `n` sessions of the database at `url` wait for a lock (so the calls under test are really queued behind it). */
export async function waitForLockWaiters(url: string, n: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const waiting = await withClient(url, async (client) => Number((await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)).rows[0]!.n));
    if (waiting >= n) return;
    if (Date.now() > deadline) throw new Error(`expected ${n} sessions waiting for a lock, saw ${waiting}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
