/**
 * Hot paths on PostgreSQL are set-based: a batch of any size is one statement (one round trip),
 * never a loop of one row per round trip. Counted on the pool the repositories run on.
 */
import type pg from 'pg';
import { parseDatabaseUrl, type PostgresTarget } from '../../src/database-url';
import { openStore } from '../../src/open-store';
import { makePgDeliveriesRepository } from '../../src/postgres/deliveries-repository';
import { makePgDirectoryRepository } from '../../src/postgres/directory-repository';
import { makePgInboundEventsRepository } from '../../src/postgres/inbound-events-repository';
import { makePgListsRepository } from '../../src/postgres/lists-repository';
import { makePool } from '../../src/postgres/pool';
import { makePgRemindersRepository } from '../../src/postgres/reminders-repository';
import type { NewReminder } from '../../src/repositories/types';
import { at, orderEvent } from '../helpers';
import { createTestDatabase, type TestDatabase } from './helpers';

let database: TestDatabase;
let pool: pg.Pool;
let roundTrips = 0;
beforeAll(async () => {
  database = await createTestDatabase();
  await (await openStore({ url: database.url })).close();
  pool = makePool({ target: parseDatabaseUrl(database.url) as PostgresTarget });
  const query = pool.query.bind(pool);
  pool.query = ((...args: Parameters<typeof query>) => {
    roundTrips += 1;
    return query(...args);
  }) as typeof pool.query;
  const directory = makePgDirectoryRepository(pool);
  for (let i = 0; i < 20; i++) await directory.applyOrderUpsert(orderEvent({ orderId: `ORD-${i}`, purchaserEmail: `p${i}@acme.com` }));
});
afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

/** How many statements `run` sent through the pool. */
async function countRoundTrips(run: () => Promise<unknown>): Promise<number> {
  const before = roundTrips;
  await run();
  return roundTrips - before;
}

it('deliveries.upsertMany: 5,000 rows in one statement, new or already there', async () => {
  const deliveries = makePgDeliveriesRepository(pool);
  const rows = Array.from({ length: 5_000 }, (_, i) => ({
    sourceType: 'broadcast' as const, sourceId: 7, email: `reader-${i}@acme.com`, listId: null, orderId: null, status: 'queued' as const, reason: null,
  }));
  expect(await countRoundTrips(() => deliveries.upsertMany(rows))).toBe(1);
  expect(await countRoundTrips(() => deliveries.upsertMany([...rows, { ...rows[0]!, email: 'new@acme.com' }]))).toBe(1);
});

it('events.recordMany: 500 events (with duplicates) in one statement', async () => {
  const events = makePgInboundEventsRepository(pool);
  const batch = Array.from({ length: 500 }, (_, i) => ({ source: 'billing', eventId: `evt-${i % 400}`, type: 'order.upserted', status: 'pending' as const, payload: '{}' }));
  expect(await countRoundTrips(() => events.recordMany(batch))).toBe(1);
});

it('reminders: insert, supersede, list for many orders and plan a slice — one statement each', async () => {
  const reminders = makePgRemindersRepository(pool);
  const planned: NewReminder[] = Array.from({ length: 20 }, (_, i) => [30, 14, 7].map((offsetDays) => ({
    orderId: `ORD-${i}`, kind: 'license' as const, expiresOn: '2027-01-31', offsetDays, sendAt: new Date(Date.UTC(2027, 0, 31 - offsetDays, 8)), status: 'queued' as const, reason: null,
  }))).flat();
  let inserted: Awaited<ReturnType<typeof reminders.insertNew>> = [];
  expect(await countRoundTrips(async () => { inserted = await reminders.insertNew(planned); })).toBe(1);
  const due = inserted.filter((r) => r.offsetDays === 7).map((r) => r.id);
  let superseded = 0;
  expect(await countRoundTrips(async () => { superseded = (await reminders.supersedeEarlier(due)).length; })).toBe(1);
  expect(superseded).toBe(40);
  expect(await countRoundTrips(() => reminders.listForOrders(Array.from({ length: 20 }, (_, i) => `ORD-${i}`)))).toBe(1);
  const slice = { kind: 'maintenance' as const, offsetDays: 7, expiresOn: '2027-01-31', after: at('2027-01-23T00:00:00Z'), until: at('2027-01-25T00:00:00Z') };
  expect(await countRoundTrips(() => reminders.planFutureSlice(slice, { dryRun: false }))).toBe(1);
  expect(await countRoundTrips(() => reminders.planFutureSlice(slice, { dryRun: true }))).toBe(1);
});

it('lists: membership of 2,000 addresses in one statement', async () => {
  const lists = makePgListsRepository(pool);
  const emails = Array.from({ length: 2_000 }, (_, i) => `u${i}@corp.example`);
  expect(await countRoundTrips(() => lists.suppressionsAmong(emails))).toBe(1);
  expect(await countRoundTrips(() => lists.suppressedAmong(emails))).toBe(1);
  expect(await countRoundTrips(() => lists.unsubscribedAmong('renewal:ORD-1', emails))).toBe(1);
});
