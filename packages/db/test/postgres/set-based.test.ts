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
import { makePgNewsletterRepository } from '../../src/postgres/newsletter-repository';
import { makePool } from '../../src/postgres/pool';
import { makePgRemindersRepository } from '../../src/postgres/reminders-repository';
import type { NewReminder } from '../../src/repositories/types';
import { at, orderEvent } from '../helpers';
import { createTestDatabase, type TestDatabase, withClient } from './helpers';

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

it('order events: a process\'s concurrent upserts on the common path in one statement, their inbound events read in one', async () => {
  const directory = makePgDirectoryRepository(pool);
  const events = makePgInboundEventsRepository(pool);
  const upserts = Array.from({ length: 10 }, (_, i) => orderEvent({ orderId: `ORD-${i}`, licenseExpiresOn: '2028-01-31', occurredAt: at('2026-11-27T10:00:00Z') }));
  expect(await countRoundTrips(() => Promise.all(upserts.map((event) => directory.applyOrderUpsert(event))))).toBe(1);
  const recorded = await events.recordMany(Array.from({ length: 10 }, (_, i) => ({ source: 'billing', eventId: `evt-read-${i}`, type: 'order.upserted', status: 'pending' as const, payload: '{}' })));
  let read: unknown[] = [];
  expect(await countRoundTrips(async () => { read = await Promise.all([...recorded.map(({ row }) => events.get(row.id)), events.get(999_999)]); })).toBe(1);
  expect(read).toEqual([...recorded.map(({ row }) => row), null]);
});

it('lists: membership of 2,000 addresses in one statement', async () => {
  const lists = makePgListsRepository(pool);
  const emails = Array.from({ length: 2_000 }, (_, i) => `u${i}@corp.example`);
  expect(await countRoundTrips(() => lists.suppressionsAmong(emails))).toBe(1);
  expect(await countRoundTrips(() => lists.suppressedAmong(emails))).toBe(1);
  expect(await countRoundTrips(() => lists.unsubscribedAmong('renewal:ORD-1', emails))).toBe(1);
});

describe('the send path: concurrent calls of one process share a statement, and each gets its own answer', () => {
  const n = 64;
  const emails = Array.from({ length: n }, (_, i) => `batch-${i}@corp.example`);

  it('claims and ledger writes: one statement for 64 concurrent sends, one winner per delivery', async () => {
    const deliveries = makePgDeliveriesRepository(pool);
    const rows = await deliveries.upsertMany(emails.map((email) => ({
      sourceType: 'broadcast' as const, sourceId: 8, email, listId: null, orderId: null, status: 'queued' as const, reason: null,
    })));
    await deliveries.markSkipped(rows[0]!.id, 'already finished');
    let claims: Awaited<ReturnType<typeof deliveries.claimForSending>>[] = [];
    // Each delivery twice, and one that does not exist: the claim, and one re-read for the losers.
    expect(await countRoundTrips(async () => {
      claims = await Promise.all([...rows, ...rows].map((row) => deliveries.claimForSending(row.id)).concat(deliveries.claimForSending(987_654)));
    })).toBe(2);
    expect(claims.at(-1)).toBeNull();
    expect(claims[0]).toEqual({ claimed: false, delivery: expect.objectContaining({ status: 'skipped' }) });
    for (let i = 1; i < n; i += 1) {
      expect(claims[i]).toEqual({ claimed: true, delivery: expect.objectContaining({ id: rows[i]!.id, status: 'sending', attempts: 1 }) });
      expect(claims[n + i]).toEqual({ claimed: false, delivery: expect.objectContaining({ id: rows[i]!.id, status: 'sending' }) });
    }
    const sentAt = at('2026-12-07T10:00:00Z');
    expect(await countRoundTrips(() => Promise.all(rows.slice(1).map((row) => deliveries.markSent(row.id, `msg-${row.id}`, sentAt))))).toBe(1);
    for (const row of rows.slice(1)) expect(await deliveries.get(row.id)).toMatchObject({ status: 'sent', providerMessageId: `msg-${row.id}`, sentAt });
  });

  it('checks: unsubscribes, suppressions, languages, subscriptions and broadcasts — one statement each for 64 sends', async () => {
    const lists = makePgListsRepository(pool);
    const newsletter = makePgNewsletterRepository(pool);
    await lists.unsubscribe(emails[3]!, 'newsletter:news', 'link');
    await lists.unsubscribe(emails[4]!, 'newsletter:other', 'link');
    await lists.suppress(emails[5]!, 'bounce', null);
    await lists.setLocale(emails[6]!, 'de', 'preferences');
    await newsletter.subscribe(emails[7]!, ['news']);
    const { id: broadcastId } = await newsletter.ensureBroadcast('news', 'product-news');

    let unsubscribed: boolean[] = [];
    expect(await countRoundTrips(async () => { unsubscribed = await Promise.all(emails.map((e) => lists.isUnsubscribed(e.toUpperCase(), 'newsletter:news'))); })).toBe(1);
    expect(unsubscribed.flatMap((u, i) => (u ? [i] : []))).toEqual([3]);
    let suppressed: Set<string>[] = [];
    expect(await countRoundTrips(async () => { suppressed = await Promise.all(emails.map((e) => lists.suppressedAmong([e, 'nobody@corp.example']))); })).toBe(1);
    expect(suppressed.flatMap((s, i) => (s.size > 0 ? [[i, [...s]]] : []))).toEqual([[5, [emails[5]]]]);
    let locales: Awaited<ReturnType<typeof lists.getLocale>>[] = [];
    expect(await countRoundTrips(async () => { locales = await Promise.all(emails.map((e) => lists.getLocale(e))); })).toBe(1);
    expect(locales.flatMap((l, i) => (l ? [[i, l]] : []))).toEqual([[6, { locale: 'de', source: 'preferences' }]]);
    // The three questions about one recipient share one statement, whatever mix of them is asked.
    let mixed: unknown[] = [];
    expect(await countRoundTrips(async () => {
      mixed = await Promise.all([
        lists.isUnsubscribed(emails[3]!, 'newsletter:news'), lists.isUnsubscribed(emails[4]!, 'newsletter:news'),
        lists.suppressedAmong([emails[5]!]), lists.suppressedAmong([emails[6]!]),
        lists.getLocale(emails[6]!), lists.getLocale(emails[5]!),
      ]);
    })).toBe(1);
    expect(mixed).toEqual([true, false, new Set([emails[5]]), new Set(), { locale: 'de', source: 'preferences' }, null]);
    let subscriptions: Awaited<ReturnType<typeof newsletter.get>>[] = [];
    expect(await countRoundTrips(async () => { subscriptions = await Promise.all(emails.map((e) => newsletter.get(e))); })).toBe(1);
    expect(subscriptions.flatMap((s, i) => (s ? [[i, s.email, s.status, s.topics]] : []))).toEqual([[7, emails[7], 'pending', ['news']]]);
    let broadcasts: Awaited<ReturnType<typeof newsletter.getBroadcast>>[] = [];
    expect(await countRoundTrips(async () => { broadcasts = await Promise.all([broadcastId, 424_242, broadcastId].map((id) => newsletter.getBroadcast(id))); })).toBe(1);
    expect(broadcasts).toEqual([expect.objectContaining({ id: broadcastId, topic: 'news' }), null, expect.objectContaining({ id: broadcastId })]);
  });

  it('real-world addresses survive the batch arrays: long, non-Latin, quoted with commas and braces', async () => {
    const lists = makePgListsRepository(pool);
    const odd = [
      `procurement.renewals.emea-north-${'x'.repeat(20)}@subsidiary.enterprise-holdings.example`,
      'müller.jürgen@bücher-großhandel.example',
      '"o\'brien, {jr}"@corp.example',
      '张伟@例子.example',
    ];
    for (const email of odd) await lists.unsubscribe(email, 'newsletter:news', 'link');
    await lists.setLocale(odd[1]!, 'de', 'preferences');
    let answers: unknown[] = [];
    expect(await countRoundTrips(async () => {
      answers = await Promise.all([...odd, 'plain@corp.example'].flatMap((email) => [lists.isUnsubscribed(email, 'newsletter:news'), lists.getLocale(email)]));
    })).toBe(1);
    expect(answers).toEqual([true, null, true, { locale: 'de', source: 'preferences' }, true, null, true, null, false, null]);
  });

  it('reminder checks: the reminder, its order and its contact — one statement each for concurrent sends', async () => {
    const directory = makePgDirectoryRepository(pool);
    const reminders = makePgRemindersRepository(pool);
    const [reminder] = await reminders.insertNew([{
      orderId: 'ORD-3', kind: 'license', expiresOn: '2027-03-31', offsetDays: 30, sendAt: at('2027-03-01T08:00:00Z'), status: 'queued', reason: null,
    }]);
    let found: unknown[] = [];
    expect(await countRoundTrips(async () => { found = await Promise.all([reminder!.id, 999_999].map((id) => reminders.get(id))); })).toBe(1);
    expect(found).toEqual([expect.objectContaining({ id: reminder!.id, orderId: 'ORD-3', expiresOn: '2027-03-31' }), null]);
    const ids = ['ORD-1', 'ORD-2', 'ORD-NONE', 'ORD-1'];
    expect(await countRoundTrips(async () => { found = await Promise.all(ids.map((id) => directory.getOrder(id))); })).toBe(1);
    expect(found).toEqual([expect.objectContaining({ id: 'ORD-1' }), expect.objectContaining({ id: 'ORD-2' }), null, expect.objectContaining({ id: 'ORD-1' })]);
    // ORD-0's purchaser created the organization, so is its owner and ORD-0's contact; the others' purchasers are not members.
    const pairs = [['ORD-0', 'P0@acme.com'], ['ORD-0', 'p1@acme.com'], ['ORD-1', 'p0@acme.com'], ['ORD-0', 'p0@acme.com']] as const;
    expect(await countRoundTrips(async () => { found = await Promise.all(pairs.map(([order, email]) => directory.isContact(order, email))); })).toBe(1);
    expect(found).toEqual([true, false, false, true]);
  });

  it('calls made while a statement runs wait for it and go out together', async () => {
    const deliveries = makePgDeliveriesRepository(pool);
    const rows = await deliveries.upsertMany(emails.map((email) => ({
      sourceType: 'broadcast' as const, sourceId: 9, email, listId: null, orderId: null, status: 'queued' as const, reason: null,
    })));
    // Another session holds the first row: the first claim's statement waits on the wire until it lets go.
    await withClient(database.url, async (client) => {
      await client.query('BEGIN');
      await client.query(`SELECT 1 FROM deliveries WHERE id = $1 FOR UPDATE`, [rows[0]!.id]);
      const before = roundTrips;
      const first = deliveries.claimForSending(rows[0]!.id);
      const rest: Array<ReturnType<typeof deliveries.claimForSending>> = [];
      for (const row of rows.slice(1)) {
        await new Promise((resolve) => setImmediate(resolve));
        rest.push(deliveries.claimForSending(row.id));
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(roundTrips - before).toBe(1);
      await client.query('COMMIT');
      const claims = await Promise.all([first, ...rest]);
      expect(claims.every((c) => c?.claimed)).toBe(true);
      expect(roundTrips - before).toBe(2);
    });
  });
});
