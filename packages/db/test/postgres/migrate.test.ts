/** PostgreSQL migrations: several hosts migrating one new database at once, and a server that is down. */
import { migrateDatabase, openStore } from '../../src/open-store';
import { PG_MIGRATIONS_FOLDER } from '../../src/postgres/migrate';
import { migrateConcurrently, migrationCount } from '../helpers';
import { createTestDatabase, type TestDatabase, withClient } from './helpers';

const MIGRATION_COUNT = migrationCount(PG_MIGRATIONS_FOLDER);

let database: TestDatabase;
beforeEach(async () => { database = await createTestDatabase(); });
afterEach(async () => database.drop());

it('four processes migrating the same new database at once all succeed, and it is migrated once', async () => {
  const applied = (await migrateConcurrently(database.url, 4)).sort();
  expect(applied).toEqual([0, 0, 0, MIGRATION_COUNT]);
  const { journal, tables } = await withClient(database.url, async (client) => ({
    journal: Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM drizzle.__drizzle_migrations')).rows[0]!.n),
    tables: (await client.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`)).rows.map((r) => r.tablename),
  }));
  expect(journal).toBe(MIGRATION_COUNT);
  expect(tables).toEqual(expect.arrayContaining(['orders', 'organizations', 'reminders', 'deliveries', 'inbound_events', 'list_unsubscribes', 'suppressions', 'scheduler_state']));
}, 60_000);

it('is a no-op when up to date, and openStore migrates unless told not to', async () => {
  expect(await migrateDatabase(database.url)).toEqual({ applied: MIGRATION_COUNT });
  expect(await migrateDatabase(database.url)).toEqual({ applied: 0 });
  const other = await createTestDatabase();
  try {
    const unmigrated = await openStore({ url: other.url, migrate: false });
    await expect(unmigrated.directory.getOrder('x')).rejects.toMatchObject({ name: 'StoreError', code: '42P01', kind: 'schema' });
    await unmigrated.close();
    const store = await openStore({ url: other.url });
    expect(await store.directory.getOrder('x')).toBeNull();
    await store.close();
  } finally {
    await other.drop();
  }
});

it('rejects with a transient StoreError when the server cannot be reached', async () => {
  // Nothing listens on port 1.
  await expect(migrateDatabase('postgres://postgres@127.0.0.1:1/tickler', { connectionTimeoutMs: 2_000 }))
    .rejects.toMatchObject({ name: 'StoreError', code: 'ECONNREFUSED', kind: 'unavailable', transient: true });
});
