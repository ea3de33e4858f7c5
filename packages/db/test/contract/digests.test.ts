/** Reminder digests (several reminders' deliveries as one email) and the reminders due together, on every store. */
import type { NewDelivery, NewReminder, Store } from '../../src/repositories/types';
import { at, orderEvent } from '../helpers';
import { STORE_KINDS, useTestStore } from '../stores';

describe.each(STORE_KINDS)('%s store', (kind) => {
  const ctx = useTestStore(kind);
  let store: Store;
  const nine = at('2027-01-17T08:00:00Z');
  const group = { organizationId: 'org-1', sendAt: nine, email: 'Ann@Acme.com' };
  beforeEach(async () => {
    store = ctx.current.store;
    await store.directory.applyOrderUpsert(orderEvent());
    await store.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-1002' }));
    await store.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-2001', organization: { id: 'org-2', name: 'Other', timeZone: 'Europe/Berlin' }, purchaserEmail: 'bob@other.com' }));
  });

  const reminder = (orderId: string, over: Partial<NewReminder> = {}): NewReminder => ({
    orderId, kind: 'license', expiresOn: '2027-01-31', offsetDays: 14, sendAt: nine, status: 'queued', reason: null, ...over,
  });
  const delivery = (sourceId: number, email = 'ann@acme.com', over: Partial<NewDelivery> = {}): NewDelivery => ({
    sourceType: 'reminder', sourceId, email, listId: `renewal:ORD-${sourceId}`, orderId: `ORD-${sourceId}`, status: 'queued', reason: null, ...over,
  });

  it('lists the reminders (any status) of one organization due at exactly one instant', async () => {
    const rows = await store.reminders.insertNew([
      reminder('ORD-1001'), reminder('ORD-1002'), reminder('ORD-1002', { kind: 'maintenance' }),
      reminder('ORD-1001', { offsetDays: 7, sendAt: at('2027-01-24T08:00:00Z') }), reminder('ORD-2001'),
    ]);
    await store.reminders.setStatus(rows[2]!.id, 'sent', null);
    const due = await store.reminders.listDueAt('org-1', nine);
    expect(due.map((r) => [r.orderId, r.kind, r.offsetDays, r.status])).toEqual([['ORD-1001', 'license', 14, 'queued'], ['ORD-1002', 'license', 14, 'queued'], ['ORD-1002', 'maintenance', 14, 'sent']]);
    expect(await store.reminders.listDueAt('org-1', at('2027-01-17T08:00:00.001Z'))).toEqual([]);
    expect(await store.reminders.listDueAt('org-9', nine)).toEqual([]);
  });

  it('attaches queued deliveries to one digest per (organization, send time, address), once, never moving them', async () => {
    const [a, b, c, d] = await store.deliveries.upsertMany([delivery(1), delivery(2), delivery(3), delivery(4, 'bob@acme.com')]);
    await store.deliveries.markSkipped(c!.id, 'unsubscribed');
    const first = await store.digests.attach(group, [a!.id, c!.id]);
    expect(first.digest).toMatchObject({ organizationId: 'org-1', sendAt: nine, email: 'ann@acme.com', closedAt: null });
    expect(first.deliveries.map((x) => x.id)).toEqual([a!.id]);
    const second = await store.digests.attach({ ...group, email: 'ann@acme.com' }, [b!.id, a!.id]);
    expect(second.digest.id).toBe(first.digest.id);
    expect(second.deliveries.map((x) => [x.id, x.digestId])).toEqual([[a!.id, first.digest.id], [b!.id, first.digest.id]]);
    const other = await store.digests.attach({ ...group, email: 'bob@acme.com' }, [d!.id, a!.id]);
    expect(other.digest.id).not.toBe(first.digest.id);
    expect(other.deliveries.map((x) => x.id)).toEqual([d!.id]);
    expect((await store.deliveries.get(c!.id))?.digestId).toBeNull();
    expect(await store.digests.get(first.digest.id)).toEqual(second);
    expect(await store.digests.get(999)).toBeNull();
  });

  it('concurrent attaches of one group from two processes make one digest', async () => {
    const other = await ctx.current.openAnother();
    const [a, b] = await store.deliveries.upsertMany([delivery(1), delivery(2)]);
    const results = await Promise.all([store.digests.attach(group, [a!.id, b!.id]), other.digests.attach(group, [b!.id, a!.id])]);
    expect(new Set(results.map((r) => r.digest.id)).size).toBe(1);
    expect(results.map((r) => r.deliveries.map((x) => x.id))).toEqual([[a!.id, b!.id], [a!.id, b!.id]]);
  });

  it('claims every claimable delivery of a digest at once; concurrent claims split nothing; a sent digest is not claimed again', async () => {
    const other = await ctx.current.openAnother();
    const [a, b, c] = await store.deliveries.upsertMany([delivery(1), delivery(2), delivery(3)]);
    const { digest } = await store.digests.attach(group, [a!.id, b!.id, c!.id]);
    await store.deliveries.markSkipped(c!.id, 'order-cancelled');
    const claims = await Promise.all([store.digests.claimForSending(digest.id), other.digests.claimForSending(digest.id), store.digests.claimForSending(digest.id)]);
    const winners = claims.filter((x) => (x?.claimed.length ?? 0) > 0);
    expect(winners).toHaveLength(1);
    expect(winners[0]!.claimed.map((x) => [x.id, x.status, x.attempts])).toEqual([[a!.id, 'sending', 1], [b!.id, 'sending', 1]]);
    expect(winners[0]!.others.map((x) => [x.id, x.status])).toEqual([[c!.id, 'skipped']]);
    const loser = claims.find((x) => x?.claimed.length === 0);
    expect(loser?.others.map((x) => x.status)).toEqual(['sending', 'sending', 'skipped']);

    await store.digests.markSent([a!.id, b!.id], 'ses-digest-1', at('2027-01-17T08:00:02Z'));
    expect(await store.deliveries.listByEmail('ann@acme.com')).toEqual([
      expect.objectContaining({ id: a!.id, status: 'sent', providerMessageId: 'ses-digest-1', sentAt: at('2027-01-17T08:00:02Z'), digestId: digest.id }),
      expect.objectContaining({ id: b!.id, status: 'sent', providerMessageId: 'ses-digest-1', digestId: digest.id }),
      expect.objectContaining({ id: c!.id, status: 'skipped', digestId: digest.id }),
    ]);
    expect(await store.digests.claimForSending(digest.id, { leaseMs: 0 })).toEqual({ claimed: [], others: expect.any(Array) });
    expect(await store.digests.claimForSending(12345)).toBeNull();
    await store.digests.markSent([], 'nothing', at('2027-01-17T08:00:02Z'));
  });

  it('takes over a digest left `sending` only once its lease has run out', async () => {
    const [a, b] = await store.deliveries.upsertMany([delivery(1), delivery(2)]);
    const { digest } = await store.digests.attach(group, [a!.id, b!.id]);
    expect((await store.digests.claimForSending(digest.id))?.claimed).toHaveLength(2);
    expect((await store.digests.claimForSending(digest.id, { leaseMs: 60_000 }))?.claimed).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const again = await store.digests.claimForSending(digest.id, { leaseMs: 5 });
    expect(again?.claimed.map((x) => x.attempts)).toEqual([2, 2]);
  });

  it('one digest, one email: once claimed it takes no more deliveries, and the group\'s next ones open a digest of their own', async () => {
    const [a, b, c] = await store.deliveries.upsertMany([delivery(1), delivery(2), delivery(3)]);
    const morning = await store.digests.attach(group, [a!.id]);
    expect((await store.digests.claimForSending(morning.digest.id))?.claimed.map((x) => x.id)).toEqual([a!.id]);
    expect((await store.digests.get(morning.digest.id))?.digest.closedAt).toBeInstanceOf(Date);
    // Later that day two more orders of the organization are due at the same send time.
    const later = await store.digests.attach(group, [b!.id, c!.id]);
    expect(later.digest.id).not.toBe(morning.digest.id);
    expect(later.digest.closedAt).toBeNull();
    expect(later.deliveries.map((x) => x.id)).toEqual([b!.id, c!.id]);
    expect((await store.digests.get(morning.digest.id))?.deliveries.map((x) => x.id)).toEqual([a!.id]);
    // A repeated attach of the same deliveries names the open digest and moves nothing.
    expect((await store.digests.attach(group, [b!.id, a!.id])).digest.id).toBe(later.digest.id);
  });

  it('an attach and a claim of one digest from two processes: the claim carries every delivery the attach committed, or the attach opens a new digest', async () => {
    const other = await ctx.current.openAnother();
    for (let round = 0; round < 10; round += 1) {
      const [a, b] = await store.deliveries.upsertMany([delivery(1000 + 2 * round), delivery(1001 + 2 * round)]);
      const roundGroup = { ...group, sendAt: new Date(nine.getTime() + round * 60_000) };
      const { digest } = await store.digests.attach(roundGroup, [a!.id]);
      const [claim, attached] = await Promise.all([other.digests.claimForSending(digest.id), store.digests.attach(roundGroup, [b!.id])]);
      const bRow = (await store.deliveries.get(b!.id))!;
      if (attached.digest.id === digest.id) {
        // The attach went first: the claim, which waited for it, carries b as well.
        expect(claim!.claimed.map((x) => x.id)).toEqual([a!.id, b!.id]);
      } else {
        // The claim went first: b is in a new, open digest, still queued.
        expect(claim!.claimed.map((x) => x.id)).toEqual([a!.id]);
        expect(bRow).toMatchObject({ status: 'queued', digestId: attached.digest.id });
      }
    }
  });
});
