/**
 * The common path of an order upsert on PostgreSQL: one call of `tickler_apply_order_upsert`,
 * coalesced with a process's concurrent events into one statement. What the contract suite cannot
 * see from outside: the inbound event marked in the event's own transaction, batches applying each
 * event as if alone, and the races that send an event from the function to the step-by-step path.
 */
import { REMINDER_KINDS } from '@tickler/domain';
import { FUNCTION_KINDS } from '../../src/postgres/sql/apply-order-upserts';
import { at, orderEvent } from '../helpers';
import { useTwoHosts, waitForLockWaiters, withClient } from './helpers';

const hosts = useTwoHosts();

const markedAt = at('2026-11-26T10:00:05Z');

async function recordEvent(eventId: string): Promise<number> {
  const { row } = await hosts.a.inboundEvents.record({ source: 'billing', eventId, type: 'order.upserted', status: 'pending', orderId: 'ORD-1001', payload: '{}' });
  return row.id;
}

it('the function spells out every reminder kind of the domain', () => {
  expect(FUNCTION_KINDS).toEqual(REMINDER_KINDS);
});

describe('the inbound event marked in the event\'s own transaction', () => {
  it('is marked applied when nothing follows the event', async () => {
    const id = await recordEvent('evt-1');
    const outcome = await hosts.a.directory.applyOrderUpsert(orderEvent(), { inboundEventId: id, at: markedAt, plannedKinds: [] });
    expect(outcome).toMatchObject({ outcome: 'applied', changedKinds: ['license', 'maintenance'], inboundMarked: true });
    expect(await hosts.a.inboundEvents.get(id)).toMatchObject({ status: 'applied', reason: null, appliedAt: markedAt });
  });

  it('is left to the caller when a changed kind will be planned, or reminders were cancelled', async () => {
    const first = await recordEvent('evt-1');
    const planned = await hosts.a.directory.applyOrderUpsert(orderEvent(), { inboundEventId: first, at: markedAt, plannedKinds: ['maintenance'] });
    expect(planned).toMatchObject({ outcome: 'applied', changedKinds: ['license', 'maintenance'] });
    expect(planned).not.toHaveProperty('inboundMarked');
    const [queued] = await hosts.a.reminders.insertNew([{ orderId: 'ORD-1001', kind: 'license', expiresOn: '2027-01-31', offsetDays: 30, sendAt: at('2027-01-01T08:00:00Z'), status: 'queued', reason: null }]);
    const second = await recordEvent('evt-2');
    const renewed = await hosts.a.directory.applyOrderUpsert(orderEvent({ licenseExpiresOn: '2028-01-31', occurredAt: at('2026-12-01T00:00:00Z') }),
      { inboundEventId: second, at: markedAt, plannedKinds: [] });
    expect(renewed).toMatchObject({ outcome: 'applied', changedKinds: ['license'], cancelledReminderIds: [queued!.id] });
    expect(renewed).not.toHaveProperty('inboundMarked');
    for (const id of [first, second]) expect(await hosts.a.inboundEvents.get(id)).toMatchObject({ status: 'pending', appliedAt: null });
  });

  it('is left to the caller when the event is ignored or takes the step-by-step path', async () => {
    await hosts.a.directory.applyOrderUpsert(orderEvent({ occurredAt: at('2026-11-27T00:00:00Z') }));
    const older = await recordEvent('evt-older');
    expect(await hosts.a.directory.applyOrderUpsert(orderEvent(), { inboundEventId: older, at: markedAt, plannedKinds: [] })).toMatchObject({ outcome: 'ignored' });
    const renamed = await recordEvent('evt-renamed');
    const outcome = await hosts.a.directory.applyOrderUpsert(orderEvent({ organization: { id: 'org-1', name: 'Acme AG', timeZone: 'Europe/Berlin' }, occurredAt: at('2026-11-28T00:00:00Z') }),
      { inboundEventId: renamed, at: markedAt, plannedKinds: [] });
    expect(outcome).toMatchObject({ outcome: 'applied', order: { organizationName: 'Acme AG' } });
    expect(outcome).not.toHaveProperty('inboundMarked');
    for (const id of [older, renamed]) expect(await hosts.a.inboundEvents.get(id)).toMatchObject({ status: 'pending' });
  });
});

describe('concurrent events of one process in one statement', () => {
  it('applies each as if alone: new and known orders, a new organization, a rename, two events of one order, an older one', async () => {
    await hosts.a.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-KNOWN', occurredAt: at('2026-11-26T12:00:00Z') }));
    const outcomes = await Promise.all([
      hosts.a.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-NEW', purchaserEmail: 'bob@acme.com', purchaserName: 'Bob' })),
      hosts.a.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-KNOWN', licenseExpiresOn: '2028-01-31', occurredAt: at('2026-11-26T13:00:00Z') })),
      hosts.a.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-KNOWN', licenseExpiresOn: '2029-01-31', occurredAt: at('2026-11-26T14:00:00Z') })),
      hosts.a.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-KNOWN', product: 'stale', occurredAt: at('2026-11-26T11:00:00Z') })),
      hosts.a.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-GLOBEX', organization: { id: 'org-2', name: 'Globex', timeZone: 'Asia/Tokyo' }, purchaserEmail: 'gil@globex.com' })),
      hosts.a.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-RENAMED', organization: { id: 'org-1', name: 'Acme AG', timeZone: 'Europe/Berlin' }, occurredAt: at('2026-11-26T15:00:00Z') })),
    ]);
    expect(outcomes.map((o) => o.outcome)).toEqual(['applied', 'applied', 'applied', 'ignored', 'applied', 'applied']);
    expect(await hosts.a.directory.getOrder('ORD-KNOWN')).toMatchObject({ licenseExpiresOn: '2029-01-31', product: 'Barcode Reader SDK' });
    expect((await hosts.a.directory.listContacts('ORD-NEW')).map((c) => c.email)).toEqual([]); // Bob is no member of org-1
    expect(await hosts.a.directory.getUserByEmail('bob@acme.com')).toMatchObject({ name: 'Bob' });
    expect(await hosts.a.directory.listMembers('org-2')).toEqual([expect.objectContaining({ email: 'gil@globex.com', status: 'active', role: 'owner' })]);
    expect((await hosts.a.directory.listContacts('ORD-GLOBEX')).map((c) => c.email)).toEqual(['gil@globex.com']);
    expect(await hosts.a.directory.getOrder('ORD-GLOBEX')).toMatchObject({ timeZone: 'Asia/Tokyo', organizationName: 'Globex' });
    expect(await hosts.a.directory.getOrganization('org-1')).toMatchObject({ name: 'Acme AG' });
  });

  it('an event the server refuses fails alone; the others of its statement are applied', async () => {
    const broken = orderEvent({ orderId: 'ORD-BROKEN', product: null as unknown as string });
    const results = await Promise.allSettled([
      hosts.a.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-A' })),
      hosts.a.directory.applyOrderUpsert(broken),
      hosts.a.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-B' })),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await hosts.a.directory.getOrder('ORD-A')).not.toBeNull();
    expect(await hosts.a.directory.getOrder('ORD-B')).not.toBeNull();
    expect(await hosts.a.directory.getOrder('ORD-BROKEN')).toBeNull();
  });
});

describe('races that send an event from the function to the step-by-step path', () => {
  /** Runs `sql` in a third session's open transaction; `finish` commits or rolls it back. */
  async function inOpenTransaction(sql: string[], run: (finish: (how: 'COMMIT' | 'ROLLBACK') => Promise<void>) => Promise<void>): Promise<void> {
    await withClient(hosts.database.url, async (client) => {
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
    await hosts.a.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-OTHER' })); // org-1 exists
    await inOpenTransaction([createUnderOrg1], async (finish) => {
      const applying = hosts.a.directory.applyOrderUpsert(moving);
      await waitForLockWaiters(hosts.database.url, 1);
      await finish('COMMIT');
      expect(await applying).toMatchObject({ outcome: 'applied', order: { organizationId: 'org-2', timeZone: 'Asia/Tokyo' } });
    });
    expect(await hosts.a.directory.getOrder('ORD-1001')).toMatchObject({ organizationId: 'org-2', product: 'Barcode Reader SDK' });
  });

  it('the organization is created by another writer while the event creates it: the event does not make its purchaser owner', async () => {
    await inOpenTransaction([`INSERT INTO organizations (id, name, time_zone) VALUES ('org-2', 'Globex', 'Asia/Tokyo')`], async (finish) => {
      const applying = hosts.a.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-2', organization: { id: 'org-2', name: 'Globex', timeZone: 'Asia/Tokyo' } }));
      await waitForLockWaiters(hosts.database.url, 1);
      await finish('COMMIT');
      expect(await applying).toMatchObject({ outcome: 'applied', order: { organizationId: 'org-2' } });
    });
    expect(await hosts.a.directory.listMembers('org-2')).toEqual([]);
    expect(await hosts.a.directory.listContacts('ORD-2')).toEqual([]);
  });

  it('the order appears while the event creates its organization: the event moves it', async () => {
    await hosts.a.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-OTHER' })); // org-1 exists
    await inOpenTransaction([`INSERT INTO organizations (id, name) VALUES ('org-2', 'held')`], async (finishOrganization) => {
      await inOpenTransaction([createUnderOrg1], async (finishOrder) => {
        const applying = hosts.a.directory.applyOrderUpsert(moving);
        await waitForLockWaiters(hosts.database.url, 1); // its organization insert waits for the held one
        await finishOrder('COMMIT');
        await finishOrganization('ROLLBACK');
        expect(await applying).toMatchObject({ outcome: 'applied', order: { organizationId: 'org-2', organizationName: 'Globex' } });
      });
    });
    expect(await hosts.b.directory.getOrder('ORD-1001')).toMatchObject({ organizationId: 'org-2', product: 'Barcode Reader SDK' });
    // Created by the event, the organization gets its purchaser as owner.
    expect(await hosts.b.directory.listMembers('org-2')).toEqual([expect.objectContaining({ email: 'ann@acme.com', status: 'active', role: 'owner' })]);
  });

  describe('a cancel of the order, not seen yet, on another host at the same time', () => {
    /** The lock a cancel of an unknown order and the upsert creating that order both take, held by a third session. */
    const holdOrderIdLock = [`SELECT pg_advisory_xact_lock(hashtextextended('tickler.order:ORD-1001', 0))`];
    const cancelledAt = at('2026-11-26T10:00:30Z');

    it('the cancel commits first: the function sees it under the lock, and the older upsert is ignored on the step-by-step path', async () => {
      await inOpenTransaction(holdOrderIdLock, async (finish) => {
        const cancelling = hosts.b.directory.applyOrderCancel('ORD-1001', cancelledAt);
        await waitForLockWaiters(hosts.database.url, 1);
        const applying = hosts.a.directory.applyOrderUpsert(orderEvent()); // past the function's first check: no cancel yet
        await waitForLockWaiters(hosts.database.url, 2);
        await finish('COMMIT');
        expect(await cancelling).toMatchObject({ outcome: 'ignored', reason: expect.stringMatching(/^order-not-found/) });
        expect(await applying).toMatchObject({ outcome: 'ignored', reason: expect.stringContaining('not after the order\'s cancellation') });
      });
      expect(await hosts.b.directory.getOrder('ORD-1001')).toBeNull();
      expect(await hosts.b.directory.getOrganization('org-1')).toBeNull();
    });

    it('the upsert commits first: the cancel sees the order under the lock and cancels it', async () => {
      await inOpenTransaction(holdOrderIdLock, async (finish) => {
        const applying = hosts.a.directory.applyOrderUpsert(orderEvent());
        await waitForLockWaiters(hosts.database.url, 1);
        const cancelling = hosts.b.directory.applyOrderCancel('ORD-1001', cancelledAt);
        await waitForLockWaiters(hosts.database.url, 2);
        await finish('COMMIT');
        expect(await applying).toMatchObject({ outcome: 'applied', order: { status: 'active' } });
        expect(await cancelling).toMatchObject({ outcome: 'applied', order: { status: 'cancelled' } });
      });
      expect(await hosts.b.directory.getOrder('ORD-1001')).toMatchObject({ status: 'cancelled' });
      // Nothing is left remembered: a later upsert, still older than the cancel, is judged by the order's last event.
      expect(await hosts.b.directory.applyOrderUpsert(orderEvent({ occurredAt: at('2026-11-26T10:00:10Z') })))
        .toMatchObject({ outcome: 'ignored', reason: expect.stringContaining('before the last applied event') });
    });
  });
});
