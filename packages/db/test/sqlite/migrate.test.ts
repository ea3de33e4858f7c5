import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrateDatabase, openStore } from '../../src/open-store';
import { StoreError } from '../../src/sqlite/store-error';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { MIGRATIONS_FOLDER } from '../../src/sqlite/connection';
import { MIGRATION_COUNT, makeTempDir } from './helpers';

describe('migrateDatabase', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => { temp = makeTempDir(); });
  afterEach(() => temp.cleanup());

  it('creates the folder and every table on an empty database, and is a no-op the second time', async () => {
    const file = path.join(temp.dir, 'a', 'b', 'tickler.db');
    expect(await migrateDatabase(`file:${file}`)).toEqual({ applied: MIGRATION_COUNT });
    expect(await migrateDatabase(`file:${file}`)).toEqual({ applied: 0 });
    const db = new Database(file, { readonly: true });
    const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as Array<{ name: string }>).map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['orders', 'organizations', 'reminders', 'deliveries', 'inbound_events', 'list_unsubscribes', 'suppressions']));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('names a file that is not a database as a bad DATABASE_URL (no driver error), and leaves the file alone', async () => {
    const file = path.join(temp.dir, 'notes.txt');
    const text = 'these are notes, not a database\n'.repeat(40);
    fs.writeFileSync(file, text);
    for (const attempt of [() => migrateDatabase(`file:${file}`), () => openStore({ url: `file:${file}` })]) {
      await expect(attempt()).rejects.toMatchObject({ name: 'DatabaseUrlError', message: `DATABASE_URL "file:${file}" names a file that is not a SQLite database` });
    }
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
  });

  it('accepts a bare relative path, resolved against the working directory', async () => {
    const cwd = process.cwd();
    process.chdir(temp.dir);
    try {
      expect(await migrateDatabase('./data/tickler.db')).toEqual({ applied: MIGRATION_COUNT });
      expect(fs.existsSync(path.join(temp.dir, 'data', 'tickler.db'))).toBe(true);
    } finally {
      process.chdir(cwd);
    }
  });

  it('upgrades a database made by the first release: only the later migrations run, and the data stays', async () => {
    // The first release's migrations folder: the journal's first entry only.
    const firstRelease = path.join(temp.dir, 'drizzle-v1');
    fs.cpSync(MIGRATIONS_FOLDER, firstRelease, { recursive: true });
    const journalFile = path.join(firstRelease, 'meta', '_journal.json');
    const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8')) as { entries: unknown[] };
    fs.writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, 1) }));
    const file = path.join(temp.dir, 'old.db');
    const old = new Database(file);
    migrate(drizzle({ client: old }), { migrationsFolder: firstRelease, migrationsTable: '__drizzle_migrations' });
    old.prepare(`INSERT INTO inbound_events (source, event_id, type, status, email, payload) VALUES ('ses', 'm-1', 'Bounce', 'applied', 'a@acme.com', '{}')`).run();
    old.prepare(`INSERT INTO organizations (id, name, time_zone) VALUES ('org-1', 'Acme', 'Asia/Tokyo')`).run();
    old.prepare(`INSERT INTO orders (id, organization_id, product, license_expires_on) VALUES ('ORD-1', 'org-1', 'SDK', '2027-01-31')`).run();
    old.close();

    expect(await migrateDatabase(`file:${file}`)).toEqual({ applied: MIGRATION_COUNT - 1 });
    const db = new Database(file, { readonly: true });
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'inbound_events_email_idx'`).get()).toBeDefined();
    expect(db.prepare(`SELECT event_id FROM inbound_events`).all()).toEqual([{ event_id: 'm-1' }]);
    const plan = db.prepare(`EXPLAIN QUERY PLAN SELECT * FROM inbound_events WHERE email = ?`).all('a@acme.com') as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING INDEX inbound_events_email_idx/);
    // 0002: each order gets its organization's time zone, and the scan's covering index has it.
    expect(db.prepare(`SELECT time_zone FROM orders INDEXED BY orders_license_due_idx WHERE license_expires_on = '2027-01-31' AND status = 'active'`).all())
      .toEqual([{ time_zone: 'Asia/Tokyo' }]);
    // 0003: an event recorded before it gets a random job key (the random part of its job id).
    expect(db.prepare(`SELECT job_key, payload_sha256, conflicts FROM inbound_events`).all())
      .toEqual([{ job_key: expect.stringMatching(/^[0-9a-f]{16}$/), payload_sha256: null, conflicts: 0 }]);
    db.close();
  });

  it('names DATABASE_URL when the URL is not usable', async () => {
    await expect(migrateDatabase('mysql://localhost/tickler')).rejects.toThrow(/DATABASE_URL "mysql:\/\/localhost\/tickler" has an unsupported scheme "mysql:"/);
    await expect(migrateDatabase('')).rejects.toThrow(/DATABASE_URL is empty/);
    await expect(migrateDatabase('file:')).rejects.toThrow(/DATABASE_URL "file:" does not name a database file/);
    fs.writeFileSync(path.join(temp.dir, 'not-a-folder'), 'x');
    await expect(migrateDatabase(`file:${path.join(temp.dir, 'not-a-folder', 'x.db')}`)).rejects.toThrow(/DATABASE_URL .* cannot be opened/);
  });
});

describe('openStore', () => {
  it('works on :memory: and enforces foreign keys', async () => {
    const store = await openStore({ url: ':memory:' });
    await store.ping();
    await expect(store.reminders.insertNew([{
      orderId: 'missing', kind: 'license', expiresOn: '2027-01-01', offsetDays: 7, sendAt: new Date(), status: 'queued', reason: null,
    }])).rejects.toMatchObject({ name: 'StoreError', code: 'SQLITE_CONSTRAINT_FOREIGNKEY', kind: 'constraint', message: expect.stringMatching(/FOREIGN KEY/) });
    await store.close();
    await store.close();
  });

  it('opens without migrating when told so, and the first query then fails clearly', async () => {
    const store = await openStore({ url: ':memory:', migrate: false });
    await expect(store.directory.getOrder('x')).rejects.toThrow(StoreError);
    await expect(store.directory.getOrder('x')).rejects.toThrow(/no such table: orders/);
    await store.close();
  });
});
