/** Lists and suppressions, invitations, the newsletter and inbound events, on every store. */
import { createHash } from 'node:crypto';
import { PENDING_CHANGES_KEPT } from '../../src/repositories/defaults';
import type { Store } from '../../src/repositories/types';
import { at, orderEvent } from '../helpers';
import { STORE_KINDS, useTestStore } from '../stores';

describe.each(STORE_KINDS)('%s store', (kind) => {
  const ctx = useTestStore(kind);
  let store: Store;
  beforeEach(() => { store = ctx.current.store; });

  describe('lists and suppressions', () => {
    it('unsubscribes per list, idempotently, and resubscribes', async () => {
      await store.lists.unsubscribe('Ann@Acme.com', 'renewal:ORD-1', 'one-click');
      await store.lists.unsubscribe('ann@acme.com', 'renewal:ORD-1', 'link');
      await store.lists.unsubscribe('ann@acme.com', 'newsletter:product-news', 'preferences');
      expect(await store.lists.isUnsubscribed('ann@acme.com', 'renewal:ORD-1')).toBe(true);
      expect(await store.lists.isUnsubscribed('ann@acme.com', 'renewal:ORD-2')).toBe(false);
      expect(await store.lists.listUnsubscribed('ANN@acme.com')).toEqual(['newsletter:product-news', 'renewal:ORD-1']);
      expect(await store.lists.unsubscribedAmong('renewal:ORD-1', ['ann@acme.com', 'bob@acme.com'])).toEqual(new Set(['ann@acme.com']));
      await store.lists.resubscribe('ann@acme.com', 'renewal:ORD-1');
      await store.lists.resubscribe('ann@acme.com', 'renewal:ORD-1');
      expect(await store.lists.isUnsubscribed('ann@acme.com', 'renewal:ORD-1')).toBe(false);
      expect(await store.lists.unsubscribedAmong('renewal:ORD-1', [])).toEqual(new Set());
    });

    it('answers set membership for more addresses than one statement can bind', async () => {
      const emails = Array.from({ length: 1_200 }, (_, i) => `u${i}@corp.example`);
      for (const email of emails.filter((_, i) => i % 100 === 0)) await store.lists.suppress(email, 'bounce', null);
      expect((await store.lists.suppressedAmong(emails)).size).toBe(12);
      await store.lists.unsubscribe('u1199@corp.example', 'renewal:X', 'link');
      expect(await store.lists.unsubscribedAmong('renewal:X', emails)).toEqual(new Set(['u1199@corp.example']));
    });

    it('suppresses with the latest reason, reports it, and can lift it', async () => {
      await store.lists.suppress('Bob@Acme.com', 'bounce', 'Permanent/General');
      await store.lists.suppress('bob@acme.com', 'complaint', 'abuse');
      expect(await store.lists.getSuppression('bob@acme.com')).toEqual({ reason: 'complaint', detail: 'abuse', createdAt: expect.any(Date) });
      expect(await store.lists.suppressedAmong(['bob@acme.com', 'ann@acme.com'])).toEqual(new Set(['bob@acme.com']));
      expect(await store.lists.unsuppress('bob@acme.com')).toBe(true);
      expect(await store.lists.unsuppress('bob@acme.com')).toBe(false);
      expect(await store.lists.getSuppression('bob@acme.com')).toBeNull();
    });
  });

  describe('address languages', () => {
    it('keeps a choice from preferences over sign-up languages, and clears it on request', async () => {
      expect(await store.lists.getLocale('ann@acme.com')).toBeNull();
      await store.lists.setLocale('Ann@Acme.com', 'fr-CA', 'sign-up');
      expect(await store.lists.getLocale('ann@acme.com')).toEqual({ locale: 'fr-CA', source: 'sign-up' });
      await store.lists.setLocale('ann@acme.com', 'de', 'sign-up');
      expect(await store.lists.getLocale('ann@acme.com')).toEqual({ locale: 'de', source: 'sign-up' });
      await store.lists.setLocale('ann@acme.com', 'ja', 'preferences');
      await store.lists.setLocale('ann@acme.com', 'en', 'sign-up');
      await store.lists.setLocale('ann@acme.com', null, 'sign-up');
      expect(await store.lists.getLocale('ANN@acme.com')).toEqual({ locale: 'ja', source: 'preferences' });
      await store.lists.setLocale('ann@acme.com', 'zh-CN', 'preferences');
      expect(await store.lists.getLocale('ann@acme.com')).toEqual({ locale: 'zh-CN', source: 'preferences' });
      await store.lists.setLocale('ann@acme.com', null, 'preferences');
      expect(await store.lists.getLocale('ann@acme.com')).toBeNull();
    });

    it('never lets concurrent sign-ups overwrite a choice', async () => {
      await Promise.all([
        store.lists.setLocale('bob@acme.com', 'de', 'preferences'),
        ...Array.from({ length: 5 }, () => store.lists.setLocale('bob@acme.com', 'fr', 'sign-up')),
      ]);
      expect(await store.lists.getLocale('bob@acme.com')).toEqual({ locale: 'de', source: 'preferences' });
    });
  });

  describe('invitations', () => {
    beforeEach(async () => {
      await store.directory.applyOrderUpsert(orderEvent());
    });
    const invite = (tokenHash: string, email = 'Bob@Acme.com') =>
      store.invitations.createOrRenew({ organizationId: 'org-1', email, invitedByEmail: 'ann@acme.com', tokenHash, expiresAt: at('2026-12-10T00:00:00Z') });

    it('creates one open invitation per (organization, email) and renews its token', async () => {
      const first = await invite('hash-1');
      expect(first).toMatchObject({ organizationId: 'org-1', email: 'bob@acme.com', invitedByEmail: 'ann@acme.com', acceptedAt: null, revokedAt: null });
      const renewed = await invite('hash-2');
      expect(renewed.id).toBe(first.id);
      expect(await store.invitations.findByTokenHash('hash-1')).toBeNull();
      expect((await store.invitations.findByTokenHash('hash-2'))?.id).toBe(first.id);
      expect(await store.directory.getMembership('org-1', 'bob@acme.com')).toMatchObject({ status: 'invited', role: 'member' });
      await expect(invite('hash-3', 'bad address')).rejects.toMatchObject({ code: 'invalid_email' });
    });

    it('sends at most limit.max invitations per (organization, address) in a sliding window; a refusal leaves the link alone', async () => {
      const limit = { max: 2, windowMs: 3_600_000 };
      const inviteAt = (tokenHash: string, when: string, email = 'Bob@Acme.com') => store.invitations.createOrRenewWithinLimit(
        { organizationId: 'org-1', email, invitedByEmail: 'ann@acme.com', tokenHash, expiresAt: at('2026-12-10T00:00:00Z') }, at(when), limit);
      const first = await inviteAt('hash-1', '2026-11-26T10:00:00Z');
      expect(first).toMatchObject({ ok: true, invitation: { email: 'bob@acme.com' } });
      expect(await inviteAt('hash-2', '2026-11-26T10:20:00Z')).toMatchObject({ ok: true });
      // The third within the hour is refused until the first leaves the window; the link of the second keeps working.
      expect(await inviteAt('hash-3', '2026-11-26T10:30:00Z', 'bob@ACME.com')).toEqual({ ok: false, retryAfterMs: 30 * 60_000 });
      expect(await store.invitations.findByTokenHash('hash-3')).toBeNull();
      expect(await store.invitations.findByTokenHash('hash-2')).not.toBeNull();
      // Another address, or the same address for another organization, has its own count.
      expect(await inviteAt('hash-4', '2026-11-26T10:30:00Z', 'carol@acme.com')).toMatchObject({ ok: true });
      expect(await inviteAt('hash-5', '2026-11-26T11:00:00Z')).toMatchObject({ ok: true });
      expect(await inviteAt('hash-6', '2026-11-26T11:00:01Z')).toEqual({ ok: false, retryAfterMs: 20 * 60_000 - 1000 });
    });

    it('accepting makes an active member; accepting twice is harmless and keeps the first time', async () => {
      const { id } = await invite('hash-1');
      const accepted = await store.invitations.accept(id, at('2026-11-27T12:00:00Z'));
      expect(accepted.acceptedAt).toEqual(at('2026-11-27T12:00:00Z'));
      const again = await store.invitations.accept(id, at('2026-11-28T12:00:00Z'));
      expect(again.acceptedAt).toEqual(at('2026-11-27T12:00:00Z'));
      expect(await store.directory.getMembership('org-1', 'bob@acme.com')).toMatchObject({ status: 'active', role: 'member' });
      expect((await store.directory.listMembers('org-1')).map((m) => [m.email, m.status])).toEqual([['ann@acme.com', 'active'], ['bob@acme.com', 'active']]);
      // After acceptance a new invitation is a new row, and never demotes the member.
      const next = await invite('hash-9');
      expect(next.id).not.toBe(id);
      expect((await store.directory.getMembership('org-1', 'bob@acme.com'))?.status).toBe('active');
      expect(await store.invitations.get(id)).toMatchObject({ id, acceptedAt: at('2026-11-27T12:00:00Z') });
      await expect(store.invitations.accept(4242, at('2026-11-28T00:00:00Z'))).rejects.toThrow(/invitation 4242 does not exist/);
    });
  });

  describe('newsletter', () => {
    it('stores a pending subscription, updates its topics, confirms once, and pages confirmed subscribers', async () => {
      const { subscription: pending, change: none } = await store.newsletter.subscribe('Ann@Acme.com', ['sdk-news', 'events', 'sdk-news']);
      expect(pending).toMatchObject({ email: 'ann@acme.com', status: 'pending', topics: ['events', 'sdk-news'], confirmedAt: null });
      expect(none).toBeNull();
      expect((await store.newsletter.subscribe('ann@acme.com', ['sdk-news'])).subscription.topics).toEqual(['sdk-news']);
      expect(await store.newsletter.listConfirmed('sdk-news', 0, 10)).toEqual([]);
      const confirmed = await store.newsletter.confirm('ann@acme.com', at('2026-11-27T00:00:00Z'));
      expect(confirmed).toMatchObject({ id: pending.id, status: 'confirmed', confirmedAt: at('2026-11-27T00:00:00Z') });
      expect((await store.newsletter.confirm('ann@acme.com', at('2026-12-01T00:00:00Z')))?.confirmedAt).toEqual(at('2026-11-27T00:00:00Z'));
      expect(await store.newsletter.confirm('nobody@acme.com', at('2026-12-01T00:00:00Z'))).toBeNull();
      // Re-subscribing a confirmed address records a pending change; its topics stay until the change is applied.
      const again = await store.newsletter.subscribe('ann@acme.com', ['sdk-news', 'events']);
      expect(again.subscription).toMatchObject({ status: 'confirmed', topics: ['sdk-news'] });
      expect(again.change).toMatchObject({ subscriptionId: pending.id, email: 'ann@acme.com', topics: ['events', 'sdk-news'] });
      expect(await store.newsletter.listConfirmed('events', 0, 10)).toEqual([]);
      expect(await store.newsletter.applyTopicChange(again.change!.id)).toMatchObject({ status: 'confirmed', topics: ['events', 'sdk-news'] });
      for (const email of ['b@corp.example', 'c@corp.example', 'd@corp.example']) {
        await store.newsletter.subscribe(email, ['sdk-news']);
        await store.newsletter.confirm(email, at('2026-11-27T00:00:00Z'));
      }
      const page1 = await store.newsletter.listConfirmed('sdk-news', 0, 2);
      const page2 = await store.newsletter.listConfirmed('sdk-news', page1[1]!.id, 2);
      expect([...page1, ...page2].map((s) => s.email)).toEqual(['ann@acme.com', 'b@corp.example', 'c@corp.example', 'd@corp.example']);
      expect((await store.newsletter.listConfirmed('events', 0, 10)).map((s) => s.email)).toEqual(['ann@acme.com']);
      expect((await store.newsletter.getById(pending.id))?.email).toBe('ann@acme.com');
      expect(await store.newsletter.get('zed@corp.example')).toBeNull();
      await expect(store.newsletter.subscribe('nope', ['x'])).rejects.toMatchObject({ code: 'invalid_email' });
    });

    it('a confirmed subscriber\'s topics change only by applying a pending change; applying one drops the others', async () => {
      await store.newsletter.subscribe('ann@acme.com', ['security']);
      await store.newsletter.confirm('ann@acme.com', at('2026-11-27T00:00:00Z'));
      const first = (await store.newsletter.subscribe('ann@acme.com', ['events'])).change!;
      const second = (await store.newsletter.subscribe('ANN@acme.com', ['sdk-news', 'events'])).change!;
      expect((await store.newsletter.get('ann@acme.com'))?.topics).toEqual(['security']);
      expect(await store.newsletter.getTopicChange(first.id)).toMatchObject({ email: 'ann@acme.com', topics: ['events'] });
      // They chose these topics from their mailbox: lists they had left are joined again (not after a complaint).
      await store.lists.unsubscribe('ann@acme.com', 'newsletter:events', 'link');
      await store.lists.unsubscribe('ann@acme.com', 'newsletter:sdk-news', 'complaint');
      expect(await store.newsletter.applyTopicChange(second.id)).toMatchObject({ topics: ['events', 'sdk-news'] });
      expect(await store.lists.listUnsubscribed('ann@acme.com')).toEqual(['newsletter:sdk-news']);
      expect(await store.newsletter.getTopicChange(first.id)).toBeNull();
      expect(await store.newsletter.applyTopicChange(first.id)).toBeNull();
      expect(await store.newsletter.applyTopicChange(second.id)).toBeNull();
      expect((await store.newsletter.get('ann@acme.com'))?.topics).toEqual(['events', 'sdk-news']);
    });

    it(`keeps only the newest ${PENDING_CHANGES_KEPT} pending changes of a subscription`, async () => {
      await store.newsletter.subscribe('ann@acme.com', ['security']);
      await store.newsletter.confirm('ann@acme.com', at('2026-11-27T00:00:00Z'));
      const ids: number[] = [];
      for (let i = 0; i < PENDING_CHANGES_KEPT + 2; i += 1) ids.push((await store.newsletter.subscribe('ann@acme.com', [`t${i}`])).change!.id);
      const kept = await Promise.all(ids.map((id) => store.newsletter.getTopicChange(id)));
      expect(kept.map((c) => c !== null)).toEqual([false, false, ...Array<boolean>(PENDING_CHANGES_KEPT).fill(true)]);
    });

    it('creates one broadcast per (topic, template) and marks it done', async () => {
      const first = await store.newsletter.ensureBroadcast('sdk-news', 'november');
      expect(first).toEqual({ id: expect.any(Number), created: true });
      expect(await store.newsletter.ensureBroadcast('sdk-news', 'november')).toEqual({ id: first.id, created: false });
      expect((await store.newsletter.ensureBroadcast('events', 'november')).created).toBe(true);
      expect(await store.newsletter.getBroadcast(first.id)).toEqual({ id: first.id, topic: 'sdk-news', template: 'november', status: 'sending' });
      await store.newsletter.markBroadcastDone(first.id);
      expect((await store.newsletter.getBroadcast(first.id))?.status).toBe('done');
      expect(await store.newsletter.getBroadcast(999)).toBeNull();
    });
  });

  describe('inbound events', () => {
    const billing = (eventId: string) => ({
      source: 'billing', eventId, type: 'order.upserted', status: 'pending' as const, orderId: 'ORD-1',
      occurredAt: at('2026-11-26T10:00:00Z'), payload: JSON.stringify({ id: eventId }),
    });

    it('records once per (source, event id); the duplicate returns the first row', async () => {
      const first = await store.inboundEvents.record(billing('evt_1'));
      expect(first).toMatchObject({
        duplicate: false, conflict: false,
        row: { eventId: 'evt_1', status: 'pending', orderId: 'ORD-1', occurredAt: at('2026-11-26T10:00:00Z'), appliedAt: null, conflicts: 0, lastConflictAt: null },
      });
      // The SHA-256 of the payload is kept; the job key is random per row.
      expect(first.row.payloadSha256).toBe(createHash('sha256').update(billing('evt_1').payload).digest('hex'));
      expect(first.row.jobKey).toMatch(/^[0-9a-f]{16}$/);
      expect(await store.inboundEvents.record(billing('evt_1'))).toEqual({ duplicate: true, conflict: false, row: first.row });
      expect((await store.inboundEvents.record({ ...billing('evt_1'), source: 'ses' })).duplicate).toBe(false);
      await store.inboundEvents.record({ source: 'ses', eventId: 'm-1', type: 'Bounce', status: 'applied', email: 'Bob@Acme.com', payload: '{}' });
      expect((await store.inboundEvents.listByEmail('bob@acme.com')).map((e) => e.eventId)).toEqual(['m-1']);
    });

    it('a repeat with a different payload is a conflict: counted on the stored row, whose payload stays', async () => {
      const first = await store.inboundEvents.record(billing('evt_1'));
      const changed = await store.inboundEvents.record({ ...billing('evt_1'), payload: '{"changed":true}' });
      expect(changed).toMatchObject({ duplicate: true, conflict: true, row: { id: first.row.id, payload: first.row.payload, conflicts: 1, lastConflictAt: expect.any(Date) } });
      const [again] = await store.inboundEvents.recordMany([{ ...billing('evt_1'), payload: '{"changed":2}' }]);
      expect(again).toMatchObject({ conflict: true, row: { conflicts: 2 } });
      expect(await store.inboundEvents.record(billing('evt_1'))).toMatchObject({ conflict: false, row: { conflicts: 2 } });
    });

    it('compares repeats by content when given (the same event re-serialised is a duplicate), and by the payload of rows recorded before', async () => {
      const content = (eventId: string, product: string) => JSON.stringify({ id: eventId, product });
      const first = await store.inboundEvents.record({ ...billing('evt_1'), payload: '{ "product": "SDK", "id": "evt_1" }', content: content('evt_1', 'SDK') });
      expect(first.row.payloadSha256).toBe(createHash('sha256').update(content('evt_1', 'SDK')).digest('hex'));
      expect(first.row.payload).toBe('{ "product": "SDK", "id": "evt_1" }');
      expect(await store.inboundEvents.record({ ...billing('evt_1'), payload: '{"id":"evt_1","product":"SDK"}', content: content('evt_1', 'SDK') }))
        .toMatchObject({ duplicate: true, conflict: false, row: { id: first.row.id, conflicts: 0 } });
      const [other] = await store.inboundEvents.recordMany([{ ...billing('evt_1'), payload: '{"id":"evt_1","product":"X"}', content: content('evt_1', 'X') }]);
      expect(other).toMatchObject({ duplicate: true, conflict: true, row: { conflicts: 1 } });
      // A row whose hash is of its raw payload (recorded before content was passed) still matches a byte-identical repeat.
      const legacy = await store.inboundEvents.record(billing('evt_2'));
      expect(await store.inboundEvents.record({ ...billing('evt_2'), content: content('evt_2', 'SDK') })).toMatchObject({ duplicate: true, conflict: false, row: { id: legacy.row.id } });
    });

    it('a row recorded before payload hashes were kept is compared by its stored payload', async () => {
      await store.inboundEvents.record(billing('evt_1'));
      await ctx.current.execute('UPDATE inbound_events SET payload_sha256 = NULL');
      expect(await store.inboundEvents.record(billing('evt_1'))).toMatchObject({ duplicate: true, conflict: false });
      expect(await store.inboundEvents.record({ ...billing('evt_1'), payload: '{}' })).toMatchObject({ duplicate: true, conflict: true });
    });

    it('records a batch in one go: duplicates within the batch and against earlier rows are flagged, in input order', async () => {
      const earlier = (await store.inboundEvents.record(billing('evt_0'))).row;
      const results = await store.inboundEvents.recordMany([billing('evt_1'), billing('evt_0'), billing('evt_2'), billing('evt_1')]);
      expect(results.map((r) => [r.row.eventId, r.duplicate])).toEqual([['evt_1', false], ['evt_0', true], ['evt_2', false], ['evt_1', true]]);
      expect(results[1]!.row.id).toBe(earlier.id);
      expect(results[3]!.row.id).toBe(results[0]!.row.id);
      expect(await store.inboundEvents.recordMany([])).toEqual([]);
      expect((await store.inboundEvents.listPending(10)).map((e) => e.eventId)).toEqual(['evt_0', 'evt_1', 'evt_2']);
    });

    it('marks, lists pending and counts', async () => {
      const a = (await store.inboundEvents.record(billing('evt_a'))).row;
      const b = (await store.inboundEvents.record(billing('evt_b'))).row;
      expect((await store.inboundEvents.listPending(10)).map((e) => e.id)).toEqual([a.id, b.id]);
      await store.inboundEvents.mark(a.id, 'ignored', 'out-of-order', at('2026-11-26T10:00:05Z'));
      expect(await store.inboundEvents.get(a.id)).toMatchObject({ status: 'ignored', reason: 'out-of-order', appliedAt: at('2026-11-26T10:00:05Z') });
      expect((await store.inboundEvents.listPending(10)).map((e) => e.id)).toEqual([b.id]);
      expect((await store.inboundEvents.listByOrder('ORD-1')).map((e) => e.eventId)).toEqual(['evt_a', 'evt_b']);
      expect(await store.inboundEvents.countBySourceAndStatus()).toEqual([
        { source: 'billing', status: 'ignored', count: 1 },
        { source: 'billing', status: 'pending', count: 1 },
      ]);
      expect(await store.inboundEvents.get(777)).toBeNull();
    });
  });
});
