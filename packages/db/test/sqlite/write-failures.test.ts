/**
 * A write the database refuses must fail the call. better-sqlite3's `get` on an `INSERT … RETURNING`
 * outside a transaction used to return the row even when its commit failed (see statements.ts),
 * so the billing webhook answered 202 for events it never stored.
 */
import Database from 'better-sqlite3';
import { isStoreUnavailable } from '../../src/sqlite/store-error';
import { makeStatementCache, prepareStatement } from '../../src/sqlite/statements';
import type { Store } from '../../src/repositories/types';
import { at, openTempStore, orderEvent } from './helpers';

const event = (eventId: string) => ({ source: 'billing', eventId, type: 'order.upserted', status: 'pending' as const, orderId: 'ORD-1', payload: `{"id":"${eventId}"}` });

describe('a RETURNING write whose commit fails', () => {
  // A deferred foreign key is checked at COMMIT: the simplest commit-time refusal SQLite has.
  const withDeferredKey = () => {
    const sqlite = new Database(':memory:');
    sqlite.pragma('foreign_keys = ON');
    sqlite.exec(`CREATE TABLE parent (id INTEGER PRIMARY KEY);
      CREATE TABLE child (id INTEGER PRIMARY KEY AUTOINCREMENT, parent_id INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)`);
    return sqlite;
  };
  const insert = 'INSERT INTO child (parent_id) VALUES (?) RETURNING id';

  it('throws from get(), through prepareStatement and the statement cache, and nothing is stored', () => {
    const sqlite = withDeferredKey();
    // The driver's own `get` is what hid it: the row comes back although the commit failed.
    expect(sqlite.prepare(insert).get(42)).toEqual({ id: 1 });
    expect(sqlite.prepare('SELECT count(*) AS n FROM child').get()).toEqual({ n: 0 });

    expect(() => prepareStatement(sqlite, insert).get(42)).toThrow(expect.objectContaining({ code: 'SQLITE_CONSTRAINT_FOREIGNKEY' }));
    expect(() => makeStatementCache(sqlite)(insert).get(42)).toThrow(/FOREIGN KEY/);
    expect(sqlite.prepare('SELECT count(*) AS n FROM child').get()).toEqual({ n: 0 });
    // A write that commits still returns its row (and none when nothing was written).
    sqlite.prepare('INSERT INTO parent (id) VALUES (42)').run();
    expect(prepareStatement(sqlite, insert).get(42)).toEqual({ id: expect.any(Number) });
    expect(prepareStatement(sqlite, 'INSERT INTO parent (id) VALUES (?) ON CONFLICT DO NOTHING RETURNING id').get(42)).toBeUndefined();
    sqlite.close();
  });
});

describe('repositories on a database that refuses commits', () => {
  let store: Store;
  let close: () => Promise<void>;
  let url: string;
  beforeEach(async () => ({ store, close, url } = await openTempStore()));
  afterEach(async () => close());

  /**
   * Makes every new row of `tables` fail at COMMIT (not at the statement, which a plain `get` would
   * report): each insert adds a row with a deferred foreign key to nothing. (cli/test/full-disk.test.ts
   * does the same with a really full disk, on the `tickler http` process.)
   */
  const refuseCommits = (tables: string[]) => {
    const raw = new Database(url.replace(/^file:/, ''));
    raw.exec(`CREATE TABLE refuse_parent (id INTEGER PRIMARY KEY);
      CREATE TABLE refuse_child (parent_id INTEGER REFERENCES refuse_parent(id) DEFERRABLE INITIALLY DEFERRED);`);
    for (const table of tables) {
      for (const op of ['INSERT', 'UPDATE']) raw.exec(`CREATE TRIGGER refuse_${op}_${table} AFTER ${op} ON ${table} BEGIN INSERT INTO refuse_child VALUES (0); END;`);
    }
    return () => {
      raw.exec(tables.flatMap((t) => [`DROP TRIGGER refuse_INSERT_${t};`, `DROP TRIGGER refuse_UPDATE_${t};`]).join(''));
      raw.close();
    };
  };
  const refused = { name: 'StoreError', code: 'SQLITE_CONSTRAINT_FOREIGNKEY' };

  it('reject every write whose commit fails (each RETURNING one included), and store nothing', async () => {
    await store.inboundEvents.record(event('evt_0'));
    await store.directory.applyOrderUpsert(orderEvent());
    const allow = refuseCommits(['inbound_events', 'users', 'broadcasts', 'newsletter_subscriptions', 'write_probe']);
    await expect(store.inboundEvents.record(event('evt_1'))).rejects.toMatchObject(refused);
    await expect(store.inboundEvents.recordMany([event('evt_2'), event('evt_3')])).rejects.toMatchObject(refused);
    await expect(store.directory.ensureUser('bob@acme.com', 'Bob')).rejects.toMatchObject(refused);
    await expect(store.invitations.createOrRenew({
      organizationId: 'org-1', email: 'carol@acme.com', invitedByEmail: 'ann@acme.com', tokenHash: 'x', expiresAt: at('2026-12-01T00:00:00Z'),
    })).rejects.toMatchObject(refused);
    await expect(store.newsletter.ensureBroadcast('product-news', 'launch')).rejects.toMatchObject(refused);
    await expect(store.newsletter.subscribe('carol@acme.com', ['product-news'])).rejects.toMatchObject(refused);
    await expect(store.probeWrite(at('2026-11-26T10:00:00Z'))).rejects.toMatchObject(refused);
    await expect(store.ping()).resolves.toBeUndefined();
    allow();

    expect((await store.inboundEvents.listPending(10)).map((e) => e.eventId)).toEqual(['evt_0']);
    expect(await store.directory.getUserByEmail('bob@acme.com')).toBeNull();
    expect(await store.newsletter.get('carol@acme.com')).toBeNull();
    // The refused rows' ids are handed out again: why a job id must not be derived from the id alone.
    expect((await store.inboundEvents.record(event('evt_1'))).row.id).toBe(2);
    expect(await store.newsletter.ensureBroadcast('product-news', 'launch')).toEqual({ id: 1, created: true });
    await expect(store.probeWrite(at('2026-11-26T10:00:00Z'))).resolves.toBeUndefined();
  });

  it('isStoreUnavailable tells an unavailable database from a bug', () => {
    expect(isStoreUnavailable(Object.assign(new Error('disk I/O error'), { name: 'StoreError', code: 'SQLITE_IOERR_WRITE' }))).toBe(true);
    expect(isStoreUnavailable(Object.assign(new Error('locked'), { name: 'StoreError', code: 'SQLITE_BUSY' }))).toBe(true);
    expect(isStoreUnavailable(Object.assign(new Error('closed'), { name: 'StoreError', code: 'STORE_CLOSED' }))).toBe(true);
    expect(isStoreUnavailable(Object.assign(new Error('constraint'), { name: 'StoreError', code: 'SQLITE_CONSTRAINT_UNIQUE' }))).toBe(false);
    expect(isStoreUnavailable(Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' }))).toBe(false);
  });
});
