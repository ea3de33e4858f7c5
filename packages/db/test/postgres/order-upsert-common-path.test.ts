/**
 * The common path of an order upsert on PostgreSQL: one call of `tickler_apply_order_upsert`,
 * coalesced with a process's concurrent events into one statement. What the contract suite cannot
 * see from outside: the inbound event marked in the event's own transaction, batches applying each
 * event as if alone, and the races that send an event from the function to the step-by-step path.
 */
import { REMINDER_KINDS } from '@tickler/domain';
import type { Store } from '../../src/repositories/types';
import { openStore } from '../../src/open-store';
import { FUNCTION_KINDS } from '../../src/postgres/sql/apply-order-upserts';
import { at, orderEvent } from '../helpers';
import { createTestDatabase, emptyDatabase, type TestDatabase, withClient } from './helpers';

let database: TestDatabase;
let store: Store;
let other: Store;
beforeAll(async () => {
  database = await createTestDatabase();
  await (await openStore({ url: database.url })).close();
});
afterAll(async () => database.drop());
beforeEach(async () => {
  await emptyDatabase(database.url);
  [store, other] = await Promise.all([openStore({ url: database.url, migrate: false }), openStore({ url: database.url, migrate: false })]);
});
afterEach(async () => Promise.all([store.close(), other.close()]));

const markedAt = at('2026-11-26T10:00:05Z');

async function recordEvent(eventId: string): Promise<number> {
  const { row } = await store.inboundEvents.record({ source: 'billing', eventId, type: 'order.upserted', status: 'pending', orderId: 'ORD-1001', payload: '{}' });
  return row.id;
}

/** Waits until `n` sessions of the test database wait for a lock. */
async function waitForLockWaiters(n: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const waiting = await withClient(database.url, async (client) => Number((await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)).rows[0]!.n));
    if (waiting >= n) return;
    if (Date.now() > deadline) throw new Error(`expected ${n} sessions waiting for a lock, saw ${waiting}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

it('the function spells out every reminder kind of the domain', () => {
  expect(FUNCTION_KINDS).toEqual(REMINDER_KINDS);
});

describe('the inbound event marked in the event\'s own transaction', () => {
  it('is marked applied when nothing follows the event', async () => {
    const id = await recordEvent('evt-1');
    const outcome = await store.directory.applyOrderUpsert(orderEvent(), { inboundEventId: id, at: markedAt, plannedKinds: [] });
    expect(outcome).toMatchObject({ outcome: 'applied', changedKinds: ['license', 'maintenance'], inboundMarked: true });
    expect(await store.inboundEvents.get(id)).toMatchObject({ status: 'applied', reason: null, appliedAt: markedAt });
  });

  it('is left to the caller when a changed kind will be planned, or reminders were cancelled', async () => {
    const first = await recordEvent('evt-1');
    const planned = await store.directory.applyOrderUpsert(orderEvent(), { inboundEventId: first, at: markedAt, plannedKinds: ['maintenance'] });
    expect(planned).toMatchObject({ outcome: 'applied', changedKinds: ['license', 'maintenance'] });
    expect(planned).not.toHaveProperty('inboundMarked');
    const [queued] = await store.reminders.insertNew([{ orderId: 'ORD-1001', kind: 'license', expiresOn: '2027-01-31', offsetDays: 30, sendAt: at('2027-01-01T08:00:00Z'), status: 'queued', reason: null }]);
    const second = await recordEvent('evt-2');
    const renewed = await store.directory.applyOrderUpsert(orderEvent({ licenseExpiresOn: '2028-01-31', occurredAt: at('2026-12-01T00:00:00Z') }),
      { inboundEventId: second, at: markedAt, plannedKinds: [] });
    expect(renewed).toMatchObject({ outcome: 'applied', changedKinds: ['license'], cancelledReminderIds: [queued!.id] });
    expect(renewed).not.toHaveProperty('inboundMarked');
    for (const id of [first, second]) expect(await store.inboundEvents.get(id)).toMatchObject({ status: 'pending', appliedAt: null });
  });

  it('is left to the caller when the event is ignored or takes the step-by-step path', async () => {
    await store.directory.applyOrderUpsert(orderEvent({ occurredAt: at('2026-11-27T00:00:00Z') }));
    const older = await recordEvent('evt-older');
    expect(await store.directory.applyOrderUpsert(orderEvent(), { inboundEventId: older, at: markedAt, plannedKinds: [] })).toMatchObject({ outcome: 'ignored' });
    const renamed = await recordEvent('evt-renamed');
    const outcome = await store.directory.applyOrderUpsert(orderEvent({ organization: { id: 'org-1', name: 'Acme AG', timeZone: 'Europe/Berlin' }, occurredAt: at('2026-11-28T00:00:00Z') }),
      { inboundEventId: renamed, at: markedAt, plannedKinds: [] });
    expect(outcome).toMatchObject({ outcome: 'applied', order: { organizationName: 'Acme AG' } });
    expect(outcome).not.toHaveProperty('inboundMarked');
    for (const id of [older, renamed]) expect(await store.inboundEvents.get(id)).toMatchObject({ status: 'pending' });
  });
});

describe('concurrent events of one process in one statement', () => {
  it('applies each as if alone: new and known orders, a new organization, a rename, two events of one order, an older one', async () => {
    await store.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-KNOWN', occurredAt: at('2026-11-26T12:00:00Z') }));
    const outcomes = await Promise.all([
      store.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-NEW', purchaserEmail: 'bob@acme.com', purchaserName: 'Bob' })),
      store.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-KNOWN', licenseExpiresOn: '2028-01-31', occurredAt: at('2026-11-26T13:00:00Z') })),
      store.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-KNOWN', licenseExpiresOn: '2029-01-31', occurredAt: at('2026-11-26T14:00:00Z') })),
      store.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-KNOWN', product: 'stale', occurredAt: at('2026-11-26T11:00:00Z') })),
      store.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-GLOBEX', organization: { id: 'org-2', name: 'Globex', timeZone: 'Asia/Tokyo' }, purchaserEmail: 'gil@globex.com' })),
      store.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-RENAMED', organization: { id: 'org-1', name: 'Acme AG', timeZone: 'Europe/Berlin' }, occurredAt: at('2026-11-26T15:00:00Z') })),
    ]);
    expect(outcomes.map((o) => o.outcome)).toEqual(['applied', 'applied', 'applied', 'ignored', 'applied', 'applied']);
    expect(await store.directory.getOrder('ORD-KNOWN')).toMatchObject({ licenseExpiresOn: '2029-01-31', product: 'Barcode Reader SDK' });
    expect((await store.directory.listContacts('ORD-NEW')).map((c) => c.email)).toEqual([]); // Bob is no member of org-1
    expect(await store.directory.getUserByEmail('bob@acme.com')).toMatchObject({ name: 'Bob' });
    expect(await store.directory.listMembers('org-2')).toEqual([expect.objectContaining({ email: 'gil@globex.com', status: 'active', role: 'owner' })]);
    expect((await store.directory.listContacts('ORD-GLOBEX')).map((c) => c.email)).toEqual(['gil@globex.com']);
    expect(await store.directory.getOrder('ORD-GLOBEX')).toMatchObject({ timeZone: 'Asia/Tokyo', organizationName: 'Globex' });
    expect(await store.directory.getOrganization('org-1')).toMatchObject({ name: 'Acme AG' });
  });

  it('an event the server refuses fails alone; the others of its statement are applied', async () => {
    const broken = orderEvent({ orderId: 'ORD-BROKEN', product: null as unknown as string });
    const results = await Promise.allSettled([
      store.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-A' })),
      store.directory.applyOrderUpsert(broken),
      store.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-B' })),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await store.directory.getOrder('ORD-A')).not.toBeNull();
    expect(await store.directory.getOrder('ORD-B')).not.toBeNull();
    expect(await store.directory.getOrder('ORD-BROKEN')).toBeNull();
  });
});

describe('races that send an event from the function to the step-by-step path', () => {
  /** Runs `sql` in a third session's open transaction; `finish` commits or rolls it back. */
  async function inOpenTransaction(sql: string[], run: (finish: (how: 'COMMIT' | 'ROLLBACK') => Promise<void>) => Promise<void>): Promise<void> {
    await withClient(database.url, async (client) => {
      await client.query('BEGIN');
      for (const statement of sql) await client.query(statement);
      let open = true;
      const finish = async (how: 'COMMIT' | 'ROLLBACK') => {
        if (!open) return;
        open = false;
        await client.query(how);
      };
      try {
        await run(finish);
      } finally {
        await finish('ROLLBACK');
      }
    });
  }

  const moving = orderEvent({ organization: { id: 'org-2', name: 'Globex', timeZone: 'Asia/Tokyo' }, occurredAt: at('2026-11-27T10:00:00Z') });
  const createUnderOrg1 = `INSERT INTO orders (id, organization_id, product, status, last_event_at) VALUES ('ORD-1001', 'org-1', 'theirs', 'active', '2026-11-26T10:00:00Z')`;

  it('the order is created under another organization while the event inserts it: the event moves it', async () => {
    await store.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-OTHER' })); // org-1 exists
    await inOpenTransaction([createUnderOrg1], async (finish) => {
      const applying = store.directory.applyOrderUpsert(moving);
      await waitForLockWaiters(1);
      await finish('COMMIT');
      expect(await applying).toMatchObject({ outcome: 'applied', order: { organizationId: 'org-2', timeZone: 'Asia/Tokyo' } });
    });
    expect(await store.directory.getOrder('ORD-1001')).toMatchObject({ organizationId: 'org-2', product: 'Barcode Reader SDK' });
  });

  it('the organization is created by another writer while the event creates it: the event does not make its purchaser owner', async () => {
    await inOpenTransaction([`INSERT INTO organizations (id, name, time_zone) VALUES ('org-2', 'Globex', 'Asia/Tokyo')`], async (finish) => {
      const applying = store.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-2', organization: { id: 'org-2', name: 'Globex', timeZone: 'Asia/Tokyo' } }));
      await waitForLockWaiters(1);
      await finish('COMMIT');
      expect(await applying).toMatchObject({ outcome: 'applied', order: { organizationId: 'org-2' } });
    });
    expect(await store.directory.listMembers('org-2')).toEqual([]);
    expect(await store.directory.listContacts('ORD-2')).toEqual([]);
  });

  it('the order appears while the event creates its organization: the event moves it', async () => {
    await store.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-OTHER' })); // org-1 exists
    await inOpenTransaction([`INSERT INTO organizations (id, name) VALUES ('org-2', 'held')`], async (finishOrganization) => {
      await inOpenTransaction([createUnderOrg1], async (finishOrder) => {
        const applying = store.directory.applyOrderUpsert(moving);
        await waitForLockWaiters(1); // its organization insert waits for the held one
        await finishOrder('COMMIT');
        await finishOrganization('ROLLBACK');
        expect(await applying).toMatchObject({ outcome: 'applied', order: { organizationId: 'org-2', organizationName: 'Globex' } });
      });
    });
    expect(await other.directory.getOrder('ORD-1001')).toMatchObject({ organizationId: 'org-2', product: 'Barcode Reader SDK' });
    // Created by the event, the organization gets its purchaser as owner.
    expect(await other.directory.listMembers('org-2')).toEqual([expect.objectContaining({ email: 'ann@acme.com', status: 'active', role: 'owner' })]);
  });
});
