/**
 * A cancel delivered before its order's first upsert (webhook retries arrive out of order), on every
 * store: the order's upsert, arriving late and no newer than the cancel, is ignored like any event
 * older than the order's last one; a newer upsert creates the order as usual.
 */
import type { OrderWithZone, Store } from '../../src/repositories/types';
import { at, orderEvent } from '../helpers';
import { STORE_KINDS, useTestStore } from '../stores';

const CANCELLED = at('2026-11-26T10:00:00Z');

async function scanned(store: Store): Promise<string[]> {
  const ids: string[] = [];
  for (const kind of ['license', 'maintenance'] as const) {
    for await (const page of store.directory.findOrdersExpiringBetween(kind, '2026-01-01', '2030-12-31')) ids.push(...page.map((o: OrderWithZone) => `${kind}:${o.id}`));
  }
  return ids;
}

describe.each(STORE_KINDS)('%s store: a cancel before the order was seen', (kind) => {
  const ctx = useTestStore(kind);
  let store: Store;
  beforeEach(() => { store = ctx.current.store; });

  it('is remembered: the order\'s older upsert delivered after it is ignored, and nothing exists to plan reminders for', async () => {
    expect(await store.directory.applyOrderCancel('ORD-1001', CANCELLED)).toEqual({
      outcome: 'ignored',
      reason: 'order-not-found: order ORD-1001 is unknown; remembered as cancelled at 2026-11-26T10:00:00.000Z, so an upsert of it that occurred no later is ignored',
    });
    const late = await store.directory.applyOrderUpsert(orderEvent({ occurredAt: at('2026-11-26T09:59:01Z') }));
    expect(late).toEqual({
      outcome: 'ignored',
      reason: 'out-of-order: event occurred at 2026-11-26T09:59:01.000Z, not after the order\'s cancellation at 2026-11-26T10:00:00.000Z (received before the order was first seen)',
    });
    // Equal in time: billing's cancel of the order it created in the same second stands.
    expect(await store.directory.applyOrderUpsert(orderEvent({ occurredAt: CANCELLED }))).toMatchObject({ outcome: 'ignored' });
    expect(await store.directory.getOrder('ORD-1001')).toBeNull();
    expect(await store.directory.getOrganization('org-1')).toBeNull();
    expect(await store.directory.getUserByEmail('ann@acme.com')).toBeNull();
    expect(await store.reminders.listForOrder('ORD-1001')).toEqual([]);
    expect(await scanned(store)).toEqual([]);
  });

  it('keeps the newest of several cancels, whatever order they came in', async () => {
    await store.directory.applyOrderCancel('ORD-1001', CANCELLED);
    expect(await store.directory.applyOrderCancel('ORD-1001', at('2026-11-26T08:00:00Z')))
      .toMatchObject({ outcome: 'ignored', reason: expect.stringContaining('remembered as cancelled at 2026-11-26T10:00:00.000Z') });
    expect(await store.directory.applyOrderUpsert(orderEvent({ occurredAt: at('2026-11-26T09:00:00Z') }))).toMatchObject({ outcome: 'ignored' });
    expect(await store.directory.getOrder('ORD-1001')).toBeNull();
  });

  it('an upsert newer than that cancel creates the order as usual, and from then on the order\'s own last event judges', async () => {
    await store.directory.applyOrderCancel('ORD-1001', CANCELLED);
    const created = await store.directory.applyOrderUpsert(orderEvent({ occurredAt: at('2026-11-26T10:00:01Z') }));
    expect(created).toMatchObject({ outcome: 'applied', order: { status: 'active' }, changedKinds: ['license', 'maintenance'], notApplied: null });
    expect((await store.directory.listContacts('ORD-1001')).map((c) => c.email)).toEqual(['ann@acme.com']);
    expect(await scanned(store)).toEqual(['license:ORD-1001', 'maintenance:ORD-1001']);
    expect(await store.directory.applyOrderUpsert(orderEvent({ product: 'stale', occurredAt: at('2026-11-26T09:00:00Z') })))
      .toMatchObject({ outcome: 'ignored', reason: expect.stringMatching(/^out-of-order: .*before the last applied event at 2026-11-26T10:00:01.000Z$/) });
    // A cancel now cancels the stored order; an upsert newer than it reactivates it.
    expect(await store.directory.applyOrderCancel('ORD-1001', at('2026-11-27T00:00:00Z'))).toMatchObject({ outcome: 'applied', order: { status: 'cancelled' } });
    expect(await store.directory.applyOrderUpsert(orderEvent({ occurredAt: at('2026-11-28T00:00:00Z') }))).toMatchObject({ outcome: 'applied', order: { status: 'active' } });
  });

  it('judges concurrent upserts of such orders each as if alone (one statement on PostgreSQL)', async () => {
    await store.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-KNOWN' })); // org-1 exists
    await store.directory.applyOrderCancel('ORD-OLDER', CANCELLED);
    await store.directory.applyOrderCancel('ORD-NEWER', CANCELLED);
    await store.directory.applyOrderCancel('ORD-NEW-ORG', CANCELLED);
    const outcomes = await Promise.all([
      store.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-OLDER', occurredAt: at('2026-11-26T09:59:00Z') })),
      store.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-NEWER', occurredAt: at('2026-11-26T10:01:00Z') })),
      store.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-NEW-ORG', organization: { id: 'org-2', name: 'Globex', timeZone: 'Asia/Tokyo' }, purchaserEmail: 'gil@globex.com', occurredAt: at('2026-11-26T09:00:00Z') })),
      store.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-FRESH', occurredAt: at('2026-11-26T09:00:00Z') })),
    ]);
    expect(outcomes.map((o) => o.outcome)).toEqual(['ignored', 'applied', 'ignored', 'applied']);
    expect(await store.directory.getOrder('ORD-OLDER')).toBeNull();
    expect(await store.directory.getOrder('ORD-NEWER')).toMatchObject({ status: 'active' });
    expect(await store.directory.getOrder('ORD-NEW-ORG')).toBeNull();
    expect(await store.directory.getOrganization('org-2')).toBeNull();
    expect(await store.directory.getOrder('ORD-FRESH')).toMatchObject({ status: 'active' });
  });
});
