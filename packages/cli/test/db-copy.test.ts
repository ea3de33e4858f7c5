/**
 * `tickler db copy --to postgres://…` as an operator runs it: a SQLite store with orders, contacts,
 * reminders and deliveries (a real scan and a real mailer run), copied into an empty PostgreSQL
 * database with ids kept and counts checked; a second copy into the now non-empty database is refused
 * in one line and changes nothing; a bad target URL is named without its password.
 */
import { openStore } from '@tickler/db';
import { createTestDatabase, withClient, type TestDatabase } from '@tickler/testkit';
import { runCli, sesStore, startCli, waitUntil } from './helpers/cli';
import { loadDueOrders, useCliSuite } from './helpers/services';

jest.setTimeout(180_000);

const suite = useCliSuite('db-copy');
let target: TestDatabase;
beforeAll(async () => { target = await createTestDatabase(); });
afterAll(async () => { await target?.drop(); });

it('copies every table with ids kept, then refuses a non-empty target', async () => {
  const env = suite.env();
  const emails = ['ann@acme-copy.example', `${'b'.repeat(60)}@enterprise-${'x'.repeat(40)}.example`, 'zoe@bücher-copy.example'];
  expect((await runCli(['db', 'migrate'], env)).code).toBe(0);
  const orderIds = await loadDueOrders(env.DATABASE_URL, emails);
  expect((await runCli(['scan'], env)).code).toBe(0);
  const mailer = startCli(['mailer'], env);
  await waitUntil(async () => (await sesStore(suite.ses.url)).length >= emails.length, 60_000);
  mailer.child.kill('SIGTERM');
  await mailer.exited;

  const source = await openStore({ url: env.DATABASE_URL });
  const before = await Promise.all(orderIds.map(async (id) => ({ order: await source.directory.getOrder(id), reminders: await source.reminders.listForOrder(id), deliveries: await source.deliveries.listByOrder(id) })));
  // A cancel of an order not seen yet is kept too (unseen_order_cancels): its late upsert stays ignored after the move.
  const cancelledAt = new Date('2026-11-26T10:00:00Z');
  expect(await source.directory.applyOrderCancel('ORD-UNSEEN', cancelledAt)).toMatchObject({ outcome: 'ignored' });
  await source.close();

  const copied = await runCli(['db', 'copy', '--to', target.url], env);
  expect(copied.stderr).toBe('');
  expect(copied.code).toBe(0);
  expect(copied.stdout).toMatch(/orders\s+3/);
  expect(copied.stdout).toMatch(/unseen_order_cancels\s+1/);
  expect(copied.stdout).toMatch(/row counts match/);

  const copy = await openStore({ url: target.url });
  try {
    const after = await Promise.all(orderIds.map(async (id) => ({ order: await copy.directory.getOrder(id), reminders: await copy.reminders.listForOrder(id), deliveries: await copy.deliveries.listByOrder(id) })));
    expect(after).toEqual(before);
    const late = await copy.directory.applyOrderUpsert({
      orderId: 'ORD-UNSEEN', organization: { id: 'org-unseen', name: 'Unseen', timeZone: 'UTC' }, product: 'SDK', licenseExpiresOn: '2027-01-31',
      maintenanceExpiresOn: null, purchaserEmail: 'ann@unseen.example', purchaserName: null, occurredAt: new Date(cancelledAt.getTime() - 60_000),
    });
    expect(late).toMatchObject({ outcome: 'ignored', reason: expect.stringContaining('cancellation at 2026-11-26T10:00:00.000Z') });
    expect(before.flatMap((b) => b.deliveries).every((d) => d.status === 'sent')).toBe(true);
    // Sequences continue after the copied ids: a new row does not collide.
    const [fresh] = await copy.deliveries.upsertMany([{ sourceType: 'broadcast', sourceId: 999, email: 'new@after-copy.example', listId: null, orderId: null, status: 'queued', reason: null }]);
    expect(fresh!.id).toBeGreaterThan(Math.max(...before.flatMap((b) => b.deliveries.map((d) => d.id))));
  } finally {
    await copy.close();
  }

  const again = await runCli(['db', 'copy', '--to', target.url], env);
  expect(again.code).toBe(1);
  expect(again.stderr).toMatch(/^tickler: the target database is not empty \(table \w+ has rows\)/);
  expect(again.stderr.trim().split('\n')).toHaveLength(1);
  const orders = await withClient(target.url, async (c) => (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM orders')).rows[0]!.n);
  expect(orders).toBe(3);

  const bad = await runCli(['db', 'copy', '--to', 'mysql://root:hunter2@db/x'], env);
  expect(bad.code).toBe(1);
  expect(bad.stderr).toMatch(/^tickler: .*mysql/);
  expect(bad.stderr).not.toContain('hunter2');
});
