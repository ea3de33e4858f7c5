import type { NewDelivery, NewReminder, Store } from '../src/repositories/types';
import { openStore } from '../src/sqlite/open-store';
import { at, openTempStore, orderEvent } from './helpers';

let store: Store;
let url: string;
let close: () => Promise<void>;
beforeEach(async () => {
  ({ store, url, close } = await openTempStore());
  await store.directory.applyOrderUpsert(orderEvent());
});
afterEach(async () => close());

const reminder = (offsetDays: number, over: Partial<NewReminder> = {}): NewReminder => ({
  orderId: 'ORD-1001', kind: 'license', expiresOn: '2027-01-31', offsetDays,
  sendAt: new Date(Date.UTC(2027, 0, 31 - offsetDays, 8)), status: 'queued', reason: null, ...over,
});
const delivery = (email: string, over: Partial<NewDelivery> = {}): NewDelivery => ({
  sourceType: 'reminder', sourceId: 1, email, listId: 'renewal:ORD-1001', orderId: 'ORD-1001', status: 'queued', reason: null, ...over,
});

describe('reminders ledger', () => {
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
    await expect(store.reminders.insertNew([reminder(30), reminder(7, { orderId: 'unknown' })])).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_FOREIGNKEY' });
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
    expect(await store.reminders.getState('scan.horizon')).toBeNull();
    await store.reminders.setState('scan.horizon', '2027-01-01T00:00:00Z');
    await store.reminders.setState('scan.horizon', '2027-01-02T00:00:00Z');
    expect(await store.reminders.getState('scan.horizon')).toBe('2027-01-02T00:00:00Z');
  });

  it('inserts tens of thousands of rows quickly in one batch', async () => {
    const rows = Array.from({ length: 30_000 }, (_, i) => reminder(i - 15_000));
    const started = Date.now();
    expect(await store.reminders.insertNew(rows)).toHaveLength(30_000);
    expect(await store.reminders.insertNew(rows)).toHaveLength(0);
    expect(Date.now() - started).toBeLessThan(5_000);
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

  it('claims atomically: the second claim sees `sending`, a sent delivery is never claimed again', async () => {
    const [row] = await store.deliveries.upsertMany([delivery('ann@acme.com')]);
    const [first, second] = await Promise.all([store.deliveries.claimForSending(row!.id), store.deliveries.claimForSending(row!.id)]);
    expect(first?.status).toBe('queued');
    expect(second?.status).toBe('sending');
    await store.deliveries.markSent(row!.id, 'ses-1', at('2027-01-01T08:00:01Z'));
    const after = await store.deliveries.claimForSending(row!.id);
    expect(after).toMatchObject({ status: 'sent', sesMessageId: 'ses-1', sentAt: at('2027-01-01T08:00:01Z'), attempts: 2 });
    expect((await store.deliveries.get(row!.id))?.status).toBe('sent');
    expect(await store.deliveries.claimForSending(12345)).toBeNull();
  });

  it('a claim through a second connection to the same file sees the first claim', async () => {
    const other = await openStore({ url });
    const [row] = await store.deliveries.upsertMany([delivery('ann@acme.com')]);
    expect((await store.deliveries.claimForSending(row!.id))?.status).toBe('queued');
    expect((await other.deliveries.claimForSending(row!.id))?.status).toBe('sending');
    expect((await other.deliveries.get(row!.id))?.attempts).toBe(2);
    await other.close();
  });

  it('records transient and permanent failures, skips, and SES outcomes', async () => {
    const [a, b, c] = await store.deliveries.upsertMany([delivery('a@acme.com'), delivery('b@acme.com'), delivery('c@acme.com')]);
    await store.deliveries.claimForSending(a!.id);
    await store.deliveries.markFailed(a!.id, 'Throttling', false);
    expect(await store.deliveries.get(a!.id)).toMatchObject({ status: 'queued', lastError: 'Throttling', attempts: 1 });
    await store.deliveries.claimForSending(a!.id);
    await store.deliveries.markFailed(a!.id, 'MessageRejected', true);
    expect(await store.deliveries.get(a!.id)).toMatchObject({ status: 'failed', lastError: 'MessageRejected', attempts: 2 });
    expect((await store.deliveries.claimForSending(a!.id))?.status).toBe('failed');
    expect((await store.deliveries.get(a!.id))?.status).toBe('failed');
    await store.deliveries.markSkipped(b!.id, 'suppressed');
    expect(await store.deliveries.get(b!.id)).toMatchObject({ status: 'skipped', reason: 'suppressed' });
    await store.deliveries.markSent(c!.id, 'msg-c', at('2027-01-01T08:00:00Z'));
    expect((await store.deliveries.findBySesMessageId('msg-c'))?.id).toBe(c!.id);
    expect(await store.deliveries.findBySesMessageId('nope')).toBeNull();
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
    expect((await store.deliveries.claimForSending(a!.id))?.status).toBe('queued');
    await store.deliveries.markSkipped(b!.id, 'unsubscribed');
    expect(await store.deliveries.requeue(b!.id)).toBe(true);
    expect(await store.deliveries.requeue(9999)).toBe(false);
  });

  it('lists unfinished deliveries (queued or stuck sending) older than an instant', async () => {
    const [a, b, c] = await store.deliveries.upsertMany([delivery('a@acme.com'), delivery('b@acme.com'), delivery('c@acme.com')]);
    await store.deliveries.claimForSending(b!.id);
    await store.deliveries.markSent(c!.id, 'm', new Date());
    const later = new Date(Date.now() + 60_000);
    expect((await store.deliveries.listUnfinished(later, 10)).map((d) => d.id)).toEqual([a!.id, b!.id]);
    expect(await store.deliveries.listUnfinished(new Date(Date.now() - 60_000), 10)).toEqual([]);
  });

  it('upserts 20,000 deliveries in one fast batch', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => delivery(`user${i}@example-corp.com`));
    const started = Date.now();
    expect(await store.deliveries.upsertMany(rows)).toHaveLength(20_000);
    expect(await store.deliveries.upsertMany(rows)).toHaveLength(20_000);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await store.deliveries.countByStatusAndReason()).toEqual([{ status: 'queued', reason: null, count: 20_000 }]);
  });
});
