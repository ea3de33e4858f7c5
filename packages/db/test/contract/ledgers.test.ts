/** The reminders and deliveries ledgers and the small key/value state, on every store. */
import type { NewDelivery, NewReminder, Store } from '../../src/repositories/types';
import { at, orderEvent } from '../helpers';
import { STORE_KINDS, useTestStore } from '../stores';

/** Time for two batches of tens of thousands of rows (2 shared cores; PostgreSQL maintains its indexes per row, out of process). */
const BATCH_BUDGET_MS = { sqlite: 5_000, postgres: 12_000 };

describe.each(STORE_KINDS)('%s store', (kind) => {
  const ctx = useTestStore(kind);
  let store: Store;
  beforeEach(async () => {
    store = ctx.current.store;
    await store.directory.applyOrderUpsert(orderEvent());
  });

  const reminder = (offsetDays: number, over: Partial<NewReminder> = {}): NewReminder => ({
    orderId: 'ORD-1001', kind: 'license', expiresOn: '2027-01-31', offsetDays,
    sendAt: new Date(Date.UTC(2027, 0, 31 - offsetDays, 8)), status: 'queued', reason: null, ...over,
  });
  const delivery = (email: string, over: Partial<NewDelivery> = {}): NewDelivery => ({
    sourceType: 'reminder', sourceId: 1, email, listId: 'renewal:ORD-1001', orderId: 'ORD-1001', status: 'queued', reason: null, ...over,
  });

  describe('reminders ledger', () => {
    it('lists an organization\'s queued reminders whose send time has come, whatever time they were planned for', async () => {
      await store.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-9', organization: { id: 'org-9', name: 'Other', timeZone: 'UTC' } }));
      const [thirty, fourteen, seven] = await store.reminders.insertNew([reminder(30), reminder(14), reminder(7), reminder(14, { orderId: 'ORD-9' })]);
      await store.reminders.setStatus(fourteen!.id, 'sent', null);
      expect((await store.reminders.listQueuedDueBy('org-1', at('2027-01-24T08:00:00Z'))).map((r) => r.id)).toEqual([thirty!.id, seven!.id]);
      expect((await store.reminders.listQueuedDueBy('org-1', at('2027-01-24T07:59:59Z'))).map((r) => r.id)).toEqual([thirty!.id]);
    });

    it('forgets only the reminders of one cycle cancelled because its expiry moved away, so the cycle can be planned again', async () => {
      const rows = await store.reminders.insertNew([reminder(30), reminder(14), reminder(7), reminder(1), reminder(30, { expiresOn: '2027-02-28' }), reminder(30, { kind: 'maintenance' })]);
      const [thirty, fourteen, seven, one, other, maintenance] = rows.map((r) => r.id);
      for (const id of [thirty!, seven!, other!, maintenance!]) await store.reminders.setStatus(id, 'cancelled', 'expiry-changed');
      await store.reminders.setStatus(fourteen!, 'cancelled', 'order-cancelled');
      await store.reminders.setStatus(one!, 'sent', null);

      expect(await store.reminders.forgetCancelledByExpiryChange('ORD-1001', 'license', '2027-01-31')).toBe(2);
      const left = (await store.reminders.listForOrder('ORD-1001')).map((r) => [r.kind, r.expiresOn, r.offsetDays, r.status]);
      expect(left).toEqual(expect.arrayContaining([
        ['license', '2027-01-31', 14, 'cancelled'], ['license', '2027-01-31', 1, 'sent'], ['license', '2027-02-28', 30, 'cancelled'], ['maintenance', '2027-01-31', 30, 'cancelled'],
      ]));
      expect(left).toHaveLength(4);
      expect(await store.reminders.insertNew([reminder(30), reminder(7)])).toHaveLength(2); // planned again
      expect(await store.reminders.forgetCancelledByExpiryChange('ORD-1001', 'license', '2027-01-31')).toBe(0);
      // Concurrent calls (batched into one statement on PostgreSQL) each get their own cycle's count.
      expect(await Promise.all([
        store.reminders.forgetCancelledByExpiryChange('ORD-1001', 'license', '2027-02-28'),
        store.reminders.forgetCancelledByExpiryChange('ORD-1001', 'maintenance', '2027-01-31'),
        store.reminders.forgetCancelledByExpiryChange('ORD-1001', 'license', '2027-01-31'),
        store.reminders.forgetCancelledByExpiryChange('ORD-1001', 'license', '2027-02-28'),
      ])).toEqual(expect.arrayContaining([1, 1, 0]));
      expect((await store.reminders.listForOrder('ORD-1001')).filter((r) => r.status === 'cancelled' && r.reason === 'expiry-changed')).toEqual([]);
    });

    it('inserts each identity once and returns only the new rows', async () => {
      const first = await store.reminders.insertNew([reminder(30), reminder(7), reminder(60, { status: 'skipped', reason: 'superseded' })]);
      expect(first.map((r) => [r.offsetDays, r.status, r.reason])).toEqual([[30, 'queued', null], [7, 'queued', null], [60, 'skipped', 'superseded']]);
      expect(first[0]).toMatchObject({ orderId: 'ORD-1001', kind: 'license', expiresOn: '2027-01-31', sendAt: at('2027-01-01T08:00:00Z') });
      const second = await store.reminders.insertNew([reminder(30), reminder(7, { status: 'skipped' }), reminder(1), reminder(1)]);
      expect(second.map((r) => r.offsetDays)).toEqual([1]);
      expect(await store.reminders.insertNew([])).toEqual([]);
      expect((await store.reminders.get(first[1]!.id))?.status).toBe('queued');
      expect(await store.reminders.listForOrder('ORD-1001')).toHaveLength(4);
    });

    it('a failing row rolls back the whole batch', async () => {
      await expect(store.reminders.insertNew([reminder(30), reminder(7, { orderId: 'unknown' })])).rejects.toMatchObject({ name: 'StoreError', kind: 'constraint', transient: false });
      expect(await store.reminders.listForOrder('ORD-1001')).toEqual([]);
    });

    it('lists queued reminders due before an instant, oldest first, and keeps status and state', async () => {
      const rows = await store.reminders.insertNew([reminder(30), reminder(7), reminder(1)]);
      await store.reminders.setStatus(rows[1]!.id, 'sent', null);
      const due = await store.reminders.listQueued(at('2027-01-30T09:00:00Z'), 10);
      expect(due.map((r) => r.offsetDays)).toEqual([30, 1]);
      expect(await store.reminders.listQueued(at('2027-01-30T09:00:00Z'), 1)).toHaveLength(1);
      expect(await store.reminders.listQueued(at('2026-12-01T00:00:00Z'), 10)).toEqual([]);
      await store.reminders.setStatus(rows[2]!.id, 'skipped', 'expiry-changed');
      expect(await store.reminders.get(rows[2]!.id)).toMatchObject({ status: 'skipped', reason: 'expiry-changed' });
      expect(await store.reminders.get(999)).toBeNull();
    });

    it('supersedes the earlier queued reminders of each due one\'s cycle, in one call, once', async () => {
      const rows = await store.reminders.insertNew([reminder(30), reminder(14), reminder(7), reminder(30, { kind: 'maintenance' }), reminder(1, { expiresOn: '2028-01-31' })]);
      const [r30, r14, r7, maintenance, otherCycle] = rows;
      await store.reminders.setStatus(r14!.id, 'sent', null);
      const superseded = await store.reminders.supersedeEarlier([r7!.id, r30!.id]);
      // r14 was sent already; other kinds and cycles are left alone; r30 is overtaken by r7.
      expect(superseded).toEqual([{ id: r30!.id, orderId: 'ORD-1001', supersededBy: r7!.id }]);
      expect(await store.reminders.get(r30!.id)).toMatchObject({ status: 'skipped', reason: 'superseded' });
      expect((await store.reminders.get(maintenance!.id))?.status).toBe('queued');
      expect((await store.reminders.get(otherCycle!.id))?.status).toBe('queued');
      expect(await store.reminders.supersedeEarlier([r7!.id])).toEqual([]);
      expect(await store.reminders.supersedeEarlier([])).toEqual([]);
    });

    it('supersedes offsets moved onto the same send time as a due one when they are farther from expiry, as the domain does', async () => {
      const friday = new Date('2027-01-29T09:00:00Z');
      const [r3, r2, r1] = await store.reminders.insertNew([3, 2, 1].map((offsetDays) => reminder(offsetDays, { expiresOn: '2027-02-01', sendAt: friday })));
      expect(await store.reminders.supersedeEarlier([r2!.id])).toEqual([{ id: r3!.id, orderId: 'ORD-1001', supersededBy: r2!.id }]);
      expect(await store.reminders.supersedeEarlier([r1!.id, r2!.id])).toEqual([{ id: r2!.id, orderId: 'ORD-1001', supersededBy: r1!.id }]);
      expect((await store.reminders.get(r1!.id))?.status).toBe('queued');
    });

    it('lists the reminders of several orders in one call, by send time', async () => {
      await store.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-2' }));
      await store.reminders.insertNew([reminder(7), reminder(30, { orderId: 'ORD-2' }), reminder(1, { orderId: 'ORD-2' })]);
      const rows = await store.reminders.listForOrders(['ORD-2', 'ORD-1001', 'ORD-2', 'ORD-none']);
      expect(rows.map((r) => [r.orderId, r.offsetDays])).toEqual([['ORD-2', 30], ['ORD-1001', 7], ['ORD-2', 1]]);
      expect(await store.reminders.listForOrders([])).toEqual([]);
    });

    it('lists the open reminders of every order of an organization', async () => {
      await store.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-2' }));
      await store.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-X', organization: { id: 'org-x', name: 'X', timeZone: 'UTC' } }));
      const [a, b] = await store.reminders.insertNew([reminder(7), reminder(30, { orderId: 'ORD-2' }), reminder(1, { orderId: 'ORD-X' })]);
      await store.reminders.setStatus(a!.id, 'sent', null);
      expect((await store.reminders.listOpenForOrganization('org-1')).map((r) => r.id)).toEqual([b!.id]);
    });

    it('inserts tens of thousands of rows quickly in one batch', async () => {
      const rows = Array.from({ length: 30_000 }, (_, i) => reminder(i - 15_000));
      const started = Date.now();
      expect(await store.reminders.insertNew(rows)).toHaveLength(30_000);
      expect(await store.reminders.insertNew(rows)).toHaveLength(0);
      // One round trip per row would take far longer (PostgreSQL's statement count is checked in test/postgres).
      expect(Date.now() - started).toBeLessThan(BATCH_BUDGET_MS[kind]);
    });
  });

  describe('key/value state', () => {
    it('gets, sets (last writer wins) and claims once', async () => {
      expect(await store.state.get('scan.horizon')).toBeNull();
      await store.state.set('scan.horizon', '2027-01-01T00:00:00Z');
      await store.state.set('scan.horizon', '2027-01-02T00:00:00Z');
      expect(await store.state.get('scan.horizon')).toBe('2027-01-02T00:00:00Z');
      const claims = await Promise.all(['a', 'b', 'c'].map((owner) => store.state.claim('queues.owner', owner)));
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await store.state.get('queues.owner')).toBe(['a', 'b', 'c'][claims.indexOf(true)]);
      expect(await store.state.claim('scan.horizon', 'x')).toBe(false);
    });
  });

  describe('deliveries ledger', () => {
    it('upserts once per (source, email) and returns every row for the keys', async () => {
      const first = await store.deliveries.upsertMany([delivery('Ann@Acme.com'), delivery('bob@acme.com', { status: 'skipped', reason: 'unsubscribed' })]);
      expect(first.map((d) => [d.email, d.status, d.reason, d.attempts])).toEqual([['ann@acme.com', 'queued', null, 0], ['bob@acme.com', 'skipped', 'unsubscribed', 0]]);
      const again = await store.deliveries.upsertMany([delivery('ann@acme.com', { status: 'skipped', reason: 'x' }), delivery('carol@acme.com'), delivery('carol@acme.com')]);
      expect(again.map((d) => [d.id, d.email, d.status])).toEqual([[first[0]!.id, 'ann@acme.com', 'queued'], [expect.any(Number), 'carol@acme.com', 'queued']]);
      expect(await store.deliveries.upsertMany([delivery('ann@acme.com', { sourceId: 2 })])).toEqual([expect.objectContaining({ sourceId: 2, email: 'ann@acme.com' })]);
      expect((await store.deliveries.listByOrder('ORD-1001')).length).toBe(4);
      expect((await store.deliveries.listByEmail('ANN@acme.com')).map((d) => d.sourceId)).toEqual([1, 2]);
    });

    it('claims atomically: of concurrent claims exactly one wins; a sent delivery is never claimed again', async () => {
      const [row] = await store.deliveries.upsertMany([delivery('ann@acme.com')]);
      const claims = await Promise.all([1, 2, 3].map(() => store.deliveries.claimForSending(row!.id)));
      expect(claims.filter((c) => c?.claimed)).toHaveLength(1);
      expect(claims.map((c) => c?.delivery)).toEqual(claims.map(() => expect.objectContaining({ status: 'sending', attempts: 1 })));
      await store.deliveries.markSent(row!.id, 'ses-1', at('2027-01-01T08:00:01Z'));
      const after = await store.deliveries.claimForSending(row!.id, { leaseMs: 0 });
      expect(after).toEqual({ claimed: false, delivery: expect.objectContaining({ status: 'sent', providerMessageId: 'ses-1', sentAt: at('2027-01-01T08:00:01Z'), attempts: 1 }) });
      expect((await store.deliveries.get(row!.id))?.status).toBe('sent');
      expect(await store.deliveries.claimForSending(12345)).toBeNull();
    });

    it('takes over a `sending` claim only once its lease has run out (its sender died)', async () => {
      const [row] = await store.deliveries.upsertMany([delivery('ann@acme.com')]);
      expect((await store.deliveries.claimForSending(row!.id))?.claimed).toBe(true);
      expect((await store.deliveries.claimForSending(row!.id, { leaseMs: 60_000 }))?.claimed).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await store.deliveries.claimForSending(row!.id, { leaseMs: 5 })).toEqual({ claimed: true, delivery: expect.objectContaining({ status: 'sending', attempts: 2 }) });
    });

    it('a claim through a second store on the same database (another process) sees the first claim', async () => {
      const other = await ctx.current.openAnother();
      const [row] = await store.deliveries.upsertMany([delivery('ann@acme.com')]);
      expect((await store.deliveries.claimForSending(row!.id))?.claimed).toBe(true);
      expect(await other.deliveries.claimForSending(row!.id)).toEqual({ claimed: false, delivery: expect.objectContaining({ status: 'sending' }) });
      expect((await other.deliveries.get(row!.id))?.attempts).toBe(1);
    });

    it('records transient and permanent failures, skips, and SES outcomes', async () => {
      const [a, b, c] = await store.deliveries.upsertMany([delivery('a@acme.com'), delivery('b@acme.com'), delivery('c@acme.com')]);
      await store.deliveries.claimForSending(a!.id);
      await store.deliveries.markFailed(a!.id, 'Throttling', false);
      expect(await store.deliveries.get(a!.id)).toMatchObject({ status: 'queued', lastError: 'Throttling', attempts: 1 });
      await store.deliveries.claimForSending(a!.id);
      await store.deliveries.markFailed(a!.id, 'MessageRejected', true);
      expect(await store.deliveries.get(a!.id)).toMatchObject({ status: 'failed', lastError: 'MessageRejected', attempts: 2 });
      expect(await store.deliveries.claimForSending(a!.id)).toMatchObject({ claimed: false, delivery: { status: 'failed' } });
      expect((await store.deliveries.get(a!.id))?.status).toBe('failed');
      await store.deliveries.markSkipped(b!.id, 'suppressed');
      expect(await store.deliveries.get(b!.id)).toMatchObject({ status: 'skipped', reason: 'suppressed' });
      await store.deliveries.markSent(c!.id, 'msg-c', at('2027-01-01T08:00:00Z'));
      expect((await store.deliveries.findByProviderMessageId('msg-c'))?.id).toBe(c!.id);
      expect(await store.deliveries.findByProviderMessageId('nope')).toBeNull();
      await store.deliveries.setOutcome(c!.id, 'bounced', 'Permanent/General');
      await store.deliveries.setOutcome(c!.id, 'delivered', null);
      expect(await store.deliveries.get(c!.id)).toMatchObject({ status: 'bounced', reason: 'Permanent/General' });
      expect(await store.deliveries.countByStatusAndReason()).toEqual([
        { status: 'bounced', reason: 'Permanent/General', count: 1 },
        { status: 'failed', reason: null, count: 1 },
        { status: 'skipped', reason: 'suppressed', count: 1 },
      ]);
    });

    it('requeues a finished delivery for a deliberate resend, but leaves queued/sending ones alone', async () => {
      const [a, b] = await store.deliveries.upsertMany([delivery('a@acme.com'), delivery('b@acme.com')]);
      expect(await store.deliveries.requeue(a!.id)).toBe(false);
      await store.deliveries.claimForSending(a!.id);
      expect(await store.deliveries.requeue(a!.id)).toBe(false);
      await store.deliveries.markSent(a!.id, 'm-a', at('2027-01-01T08:00:00Z'));
      expect(await store.deliveries.requeue(a!.id)).toBe(true);
      expect(await store.deliveries.get(a!.id)).toMatchObject({ status: 'queued', reason: null });
      expect((await store.deliveries.claimForSending(a!.id))?.claimed).toBe(true);
      await store.deliveries.markSkipped(b!.id, 'unsubscribed');
      expect(await store.deliveries.requeue(b!.id)).toBe(true);
      expect(await store.deliveries.requeue(9999)).toBe(false);
    });

    it('lists unfinished deliveries: every queued one, and those sending since before an instant', async () => {
      const [a, b, c, d] = await store.deliveries.upsertMany([delivery('a@acme.com'), delivery('b@acme.com'), delivery('c@acme.com'), delivery('d@acme.com')]);
      await store.deliveries.claimForSending(b!.id);
      await store.deliveries.markSent(c!.id, 'm', new Date());
      await store.deliveries.markFailed(d!.id, 'refused', true);
      const later = new Date(Date.now() + 60_000);
      expect((await store.deliveries.listUnfinished(later, 10)).map((r) => r.id)).toEqual([a!.id, b!.id]);
      expect((await store.deliveries.listUnfinished(new Date(Date.now() - 60_000), 10)).map((r) => r.id)).toEqual([a!.id]);
      expect((await store.deliveries.listUnfinished(later, 1)).map((r) => r.id)).toEqual([a!.id]);
    });

    it('upserts 20,000 deliveries in one fast batch', async () => {
      const rows = Array.from({ length: 20_000 }, (_, i) => delivery(`user${i}@example-corp.com`));
      const started = Date.now();
      expect(await store.deliveries.upsertMany(rows)).toHaveLength(20_000);
      expect(await store.deliveries.upsertMany(rows)).toHaveLength(20_000);
      expect(Date.now() - started).toBeLessThan(BATCH_BUDGET_MS[kind]);
      expect(await store.deliveries.countByStatusAndReason()).toEqual([{ status: 'queued', reason: null, count: 20_000 }]);
    });
  });
});
