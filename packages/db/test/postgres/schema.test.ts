/**
 * The PostgreSQL schema: the same tables, columns, keys and indexes as SQLite's (one contract, two
 * schemas); the orders' copy of their organization's zone kept by triggers whatever writes; the
 * scan's queries served by the partial due indexes.
 */
import { getTableConfig as pgTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteTableConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import { REMINDER_KINDS } from '@tickler/domain';
import * as pgSchema from '../../src/postgres/schema';
import * as sqliteSchema from '../../src/schema';
import { openStore } from '../../src/open-store';
import { planFutureSliceSql } from '../../src/postgres/sql/plan-future-slice';
import { expiringOrdersSql } from '../../src/postgres/sql/expiring-orders';
import { orderEvent } from '../helpers';
import { createTestDatabase, type TestDatabase, withClient } from './helpers';

describe('the PostgreSQL schema matches the SQLite schema', () => {
  const describeTable = (config: { name: string; columns: Array<{ name: string; notNull: boolean }>; indexes: Array<{ config: { name: string; unique: boolean } }>; foreignKeys: unknown[] }) => ({
    name: config.name,
    columns: config.columns.map((c) => [c.name, c.notNull]).sort(),
    indexes: config.indexes.map((i) => [i.config.name, i.config.unique]).sort(),
    foreignKeys: config.foreignKeys.length,
  });
  const pgTables = Object.values(pgSchema).map((t) => describeTable(pgTableConfig(t as PgTable) as never)).sort((a, b) => a.name.localeCompare(b.name));
  const sqliteTables = Object.values(sqliteSchema).map((t) => describeTable(sqliteTableConfig(t as SQLiteTable) as never)).sort((a, b) => a.name.localeCompare(b.name));

  it('table by table: column names and nullability, index names and uniqueness, foreign keys', () => {
    expect(pgTables.length).toBeGreaterThan(10);
    expect(pgTables).toEqual(sqliteTables);
  });
});

describe('on a migrated database', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
    const store = await openStore({ url: database.url });
    await store.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-NYC', organization: { id: 'org-nyc', name: 'NYC', timeZone: 'America/New_York' } }));
    await store.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-AKL', organization: { id: 'org-akl', name: 'AKL', timeZone: 'Pacific/Auckland' }, purchaserEmail: 'akl@x.com' }));
    await store.close();
  });
  afterAll(async () => database.drop());

  it('keeps orders.time_zone equal to the organization\'s, whatever writes orders or organizations', async () => {
    await withClient(database.url, async (client) => {
      const zoneOf = async (id: string) => (await client.query<{ time_zone: string }>(`SELECT time_zone FROM orders WHERE id = $1`, [id])).rows[0]!.time_zone;
      expect(await zoneOf('ORD-AKL')).toBe('Pacific/Auckland');
      // A write that forgets the zone, or sets another, is corrected by the triggers.
      await client.query(`INSERT INTO orders (id, organization_id, product) VALUES ('ORD-RAW', 'org-nyc', 'SDK')`);
      expect(await zoneOf('ORD-RAW')).toBe('America/New_York');
      await client.query(`UPDATE orders SET time_zone = 'UTC' WHERE id = 'ORD-RAW'`);
      expect(await zoneOf('ORD-RAW')).toBe('America/New_York');
      await client.query(`UPDATE orders SET organization_id = 'org-akl' WHERE id = 'ORD-RAW'`);
      expect(await zoneOf('ORD-RAW')).toBe('Pacific/Auckland');
      await client.query(`UPDATE organizations SET time_zone = 'Asia/Tokyo' WHERE id = 'org-akl'`);
      expect([await zoneOf('ORD-RAW'), await zoneOf('ORD-AKL'), await zoneOf('ORD-NYC')]).toEqual(['Asia/Tokyo', 'Asia/Tokyo', 'America/New_York']);
    });
  });

  it('ids are bigint identities, instants timestamptz, dates date, keys byte-ordered', async () => {
    const columns = await withClient(database.url, async (client) => (await client.query<{ column: string; type: string; collation: string | null }>(
      `SELECT table_name || '.' || column_name AS column, data_type AS type, collation_name AS collation FROM information_schema.columns
       WHERE table_schema = 'public' AND (table_name, column_name) IN (('reminders', 'id'), ('reminders', 'send_at'), ('reminders', 'expires_on'), ('orders', 'id'), ('orders', 'time_zone'))
       ORDER BY 1`)).rows);
    expect(columns).toEqual([
      { column: 'orders.id', type: 'text', collation: 'C' },
      { column: 'orders.time_zone', type: 'text', collation: 'C' },
      { column: 'reminders.expires_on', type: 'date', collation: null },
      { column: 'reminders.id', type: 'bigint', collation: null },
      { column: 'reminders.send_at', type: 'timestamp with time zone', collation: null },
    ]);
  });

  it.each(REMINDER_KINDS)('serves the %s scan from its partial due index, without a sort', async (kind) => {
    await withClient(database.url, async (client) => {
      // A small table would be read sequentially; the plans on a large one are what matters.
      await client.query('SET enable_seqscan = off');
      const plan = async (sql: string, params: unknown[]) =>
        (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params)).rows.map((r) => r['QUERY PLAN']).join('\n');
      const slice = await plan(planFutureSliceSql(kind), ['2027-01-31', 7, new Date(0), new Date(1), kind, true, ['2027-01-29', 'Europe/Berlin 2027-01-22']]);
      expect(slice).toMatch(new RegExp(`Index Only Scan using orders_${kind}_due_idx`));
      expect(slice).not.toMatch(/Seq Scan on orders/);
      const pages = await plan(expiringOrdersSql(kind), ['2027-01-01', '', '', '2027-02-01', 5000]);
      expect(pages).toMatch(new RegExp(`Index Scan using orders_${kind}_due_idx`));
      expect(pages).not.toMatch(/Sort/);
    });
  });
});
