/**
 * PostgreSQL failures as callers see them: a StoreError whose `kind` says what happened and whether
 * trying again later helps — a server that is down, a read-only database, a statement past its
 * timeout, a deadlock (retried inside the unit of work), a closed store.
 */
import { openStore } from '../../src/open-store';
import { parseDatabaseUrl, type PostgresTarget } from '../../src/database-url';
import { makePool, withTransaction } from '../../src/postgres/pool';
import { toStoreError } from '../../src/postgres/store-error';
import { isStoreUnavailable } from '../../src/store-error';
import { orderEvent } from '../helpers';
import { createTestDatabase, type TestDatabase, withAdmin } from './helpers';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  await (await openStore({ url: database.url })).close();
});
afterAll(async () => database.drop());

const target = () => parseDatabaseUrl(database.url) as PostgresTarget;

it('a server that refuses connections: calls and ping reject with a transient `unavailable` StoreError', async () => {
  const store = await openStore({ url: 'postgres://postgres@127.0.0.1:1/tickler', migrate: false, connectionTimeoutMs: 1_000 });
  await expect(store.ping()).rejects.toMatchObject({ name: 'StoreError', kind: 'unavailable', transient: true });
  const failure = await store.inboundEvents.record({ source: 'billing', eventId: 'e', type: 't', status: 'pending', payload: '{}' }).catch((e: unknown) => e);
  expect(failure).toMatchObject({ name: 'StoreError', code: 'ECONNREFUSED', kind: 'unavailable' });
  expect(isStoreUnavailable(failure)).toBe(true);
  await store.close();
});

it.each([
  ['a database that does not exist', (db: string) => `postgres://postgres@127.0.0.1:5432/${db}_missing`, '3D000'],
  ['a user the server does not know', (db: string) => `postgres://${db}_nobody@127.0.0.1:5432/${db}`, '28000'],
])('%s: a transient `unavailable` StoreError carrying the SQLSTATE (fix the URL or create it, and the call works)', async (_what, url, code) => {
  const store = await openStore({ url: url(database.name), migrate: false, connectionTimeoutMs: 1_000 });
  try {
    const failure = await store.ping().catch((e: unknown) => e);
    expect(failure).toMatchObject({ name: 'StoreError', code, kind: 'unavailable', transient: true });
    expect(isStoreUnavailable(failure)).toBe(true);
  } finally {
    await store.close();
  }
});

it('probeWrite reports a read-only database (a replica, or writes switched off), as do writes; ping and reads still work', async () => {
  await withAdmin((client) => client.query(`ALTER DATABASE ${database.name} SET default_transaction_read_only = on`));
  try {
    const readOnly = await openStore({ url: database.url, migrate: false }); // new sessions pick up the setting
    await readOnly.ping();
    await expect(readOnly.probeWrite(new Date())).rejects.toMatchObject({ name: 'StoreError', code: '25006', kind: 'read_only', transient: true });
    await expect(readOnly.state.set('k', 'v')).rejects.toMatchObject({ name: 'StoreError', code: '25006', kind: 'read_only' });
    expect(await readOnly.state.get('k')).toBeNull();
    await readOnly.close();
  } finally {
    await withAdmin((client) => client.query(`ALTER DATABASE ${database.name} RESET default_transaction_read_only`));
  }
  const writable = await openStore({ url: database.url, migrate: false });
  await writable.probeWrite(new Date());
  await writable.close();
});

it('cancels a statement past the statement timeout, as a transient `timeout`', async () => {
  const pool = makePool({ target: target(), statementTimeoutMs: 100 });
  try {
    const error = await pool.query('SELECT pg_sleep(2)').catch((e: unknown) => e);
    expect(toStoreError(error)).toMatchObject({ code: '57014', kind: 'timeout', transient: true });
  } finally {
    await pool.end();
  }
});

it('a deadlock victim is rolled back and run again: both units of work commit', async () => {
  const pool = makePool({ target: target(), poolSize: 4 });
  try {
    await pool.query(`INSERT INTO scheduler_state (key, value) VALUES ('a', '0'), ('b', '0')`);
    let attempts = 0;
    let arrived = 0;
    let bothHoldOne!: () => void;
    const barrier = new Promise<void>((resolve) => { bothHoldOne = resolve; });
    // Each locks one row, waits until the other holds its row, then wants the other's: a deadlock the
    // server breaks by aborting one (40P01); that one's retry finds the row free once the other commits.
    const lockBoth = (first: string, second: string) => withTransaction(pool, async (tx) => {
      attempts += 1;
      await tx.query(`UPDATE scheduler_state SET value = value || '+' WHERE key = $1`, [first]);
      if (++arrived === 2) bothHoldOne();
      await Promise.race([barrier, new Promise((resolve) => { setTimeout(resolve, 20_000).unref(); })]);
      await tx.query(`UPDATE scheduler_state SET value = value || '+' WHERE key = $1`, [second]);
    });
    await Promise.all([lockBoth('a', 'b'), lockBoth('b', 'a')]);
    expect(attempts).toBe(3);
    const { rows } = await pool.query<{ key: string; value: string }>(`SELECT key, value FROM scheduler_state WHERE key IN ('a', 'b') ORDER BY key`);
    expect(rows).toEqual([{ key: 'a', value: '0++' }, { key: 'b', value: '0++' }]);
  } finally {
    await pool.end();
  }
}, 60_000);

it('constraint failures are StoreErrors of kind `constraint`; domain errors pass through unchanged', async () => {
  const store = await openStore({ url: database.url, migrate: false });
  try {
    await expect(store.reminders.insertNew([{ orderId: 'missing', kind: 'license', expiresOn: '2027-01-01', offsetDays: 7, sendAt: new Date(), status: 'queued', reason: null }]))
      .rejects.toMatchObject({ name: 'StoreError', code: '23503', kind: 'constraint', transient: false });
    await expect(store.directory.applyOrderUpsert(orderEvent({ purchaserEmail: 'not-an-address' }))).rejects.toMatchObject({ name: 'DomainError', code: 'invalid_email' });
    await expect(store.directory.addContact('nope', 'a@acme.com', 'b@acme.com')).rejects.toThrow(/order nope.*does not exist/);
  } finally {
    await store.close();
  }
});

it('a closed store rejects with STORE_CLOSED, also from its pages', async () => {
  const store = await openStore({ url: database.url, migrate: false });
  await store.close();
  await store.close(); // twice is harmless
  await expect(store.ping()).rejects.toMatchObject({ name: 'StoreError', code: 'STORE_CLOSED', kind: 'closed' });
  await expect(store.directory.getOrder('x')).rejects.toMatchObject({ name: 'StoreError', code: 'STORE_CLOSED' });
  const pages = store.directory.findOrdersExpiringBetween('license', '2027-01-01', '2027-12-31');
  await expect((async () => { for await (const _ of pages) break; })()).rejects.toMatchObject({ code: 'STORE_CLOSED' });
});
