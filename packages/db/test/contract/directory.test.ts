/** The directory (organizations, users, memberships, orders, contacts) and order events, on every store. */
import type { NewReminder, Store } from '../../src/repositories/types';
import { at, orderEvent } from '../helpers';
import { STORE_KINDS, useTestStore } from '../stores';

describe.each(STORE_KINDS)('%s store', (kind) => {
  const ctx = useTestStore(kind);
  let store: Store;
  beforeEach(() => { store = ctx.current.store; });

  const planned = (over: Partial<NewReminder>): NewReminder => ({
    orderId: 'ORD-1001', kind: 'license', expiresOn: '2027-01-31', offsetDays: 30, sendAt: at('2027-01-01T08:00:00Z'),
    status: 'queued', reason: null, ...over,
  });

  describe('applyOrderUpsert', () => {
    it('lists an organization\'s active orders with their zone, not its cancelled ones nor another organization\'s', async () => {
      await store.directory.applyOrderUpsert(orderEvent());
      await store.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-2', occurredAt: at('2026-11-27T10:00:00Z') }));
      await store.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-3', occurredAt: at('2026-11-27T10:00:00Z') }));
      await store.directory.applyOrderCancel('ORD-3', at('2026-11-28T10:00:00Z'));
      await store.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-9', organization: { id: 'org-9', name: 'Other', timeZone: 'Asia/Tokyo' } }));
      const orders = await store.directory.listActiveOrdersOfOrganization('org-1');
      expect(orders.map((o) => [o.id, o.timeZone, o.status])).toEqual([['ORD-1001', 'Europe/Berlin', 'active'], ['ORD-2', 'Europe/Berlin', 'active']]);
      expect(await store.directory.listActiveOrdersOfOrganization('org-unknown')).toEqual([]);
    });

    it('on first sight creates the organization, the purchaser as active owner and first contact', async () => {
      const result = await store.directory.applyOrderUpsert(orderEvent());
      expect(result).toEqual({
        outcome: 'applied',
        order: {
          id: 'ORD-1001', organizationId: 'org-1', product: 'Barcode Reader SDK', licenseExpiresOn: '2027-01-31',
          maintenanceExpiresOn: '2027-01-31', status: 'active', timeZone: 'Europe/Berlin', organizationName: 'Acme GmbH', organizationLocale: null,
        },
        changedKinds: ['license', 'maintenance'],
        cancelledReminderIds: [],
        retimed: 0,
        notApplied: null,
      });
      expect(await store.directory.getOrganization('org-1')).toEqual({ id: 'org-1', name: 'Acme GmbH', timeZone: 'Europe/Berlin', locale: null });
      expect(await store.directory.getMembership('org-1', 'ANN@acme.com')).toMatchObject({ email: 'ann@acme.com', status: 'active', role: 'owner' });
      expect((await store.directory.listContacts('ORD-1001')).map((c) => [c.email, c.membershipStatus])).toEqual([['ann@acme.com', 'active']]);
      expect(await store.directory.getUserByEmail('ann@acme.com')).toMatchObject({ name: 'Ann' });
    });

    it('updates the organization name and time zone; a new order of a known org adds a non-member purchaser as contact only if active', async () => {
      await store.directory.applyOrderUpsert(orderEvent());
      await store.directory.applyOrderUpsert(orderEvent({
        orderId: 'ORD-2', organization: { id: 'org-1', name: 'Acme AG', timeZone: 'Europe/Zurich' }, purchaserEmail: 'bob@acme.com',
        occurredAt: at('2026-11-27T10:00:00Z'),
      }));
      expect(await store.directory.getOrganization('org-1')).toEqual({ id: 'org-1', name: 'Acme AG', timeZone: 'Europe/Zurich', locale: null });
      expect(await store.directory.listContacts('ORD-2')).toEqual([]);
      expect(await store.directory.getMembership('org-1', 'bob@acme.com')).toBeNull();
      await store.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-3', occurredAt: at('2026-11-28T10:00:00Z') }));
      expect((await store.directory.listContacts('ORD-3')).map((c) => c.email)).toEqual(['ann@acme.com']);
      expect((await store.directory.listMembers('org-1')).map((m) => m.email)).toEqual(['ann@acme.com']);
    });

    it('stores the organization\'s locale as the newest event says (any well-formed tag; null when not given)', async () => {
      await store.directory.applyOrderUpsert(orderEvent({ organization: { id: 'org-1', name: 'Acme GmbH', timeZone: 'Europe/Berlin', locale: 'de-AT' } }));
      expect(await store.directory.getOrganization('org-1')).toMatchObject({ locale: 'de-AT' });
      expect(await store.directory.getOrder('ORD-1001')).toMatchObject({ organizationLocale: 'de-AT' });
      const late = await store.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-2', occurredAt: at('2026-11-25T10:00:00Z') }));
      expect(late).toMatchObject({ notApplied: expect.stringContaining('locale de-AT (not none)') });
      await store.directory.applyOrderUpsert(orderEvent({
        organization: { id: 'org-1', name: 'Acme GmbH', timeZone: 'Europe/Berlin', locale: 'ja' }, occurredAt: at('2026-11-27T10:00:00Z'),
      }));
      expect(await store.directory.getOrder('ORD-2')).toMatchObject({ organizationLocale: 'ja' });
      await store.directory.applyOrderUpsert(orderEvent({ occurredAt: at('2026-11-28T10:00:00Z') }));
      expect(await store.directory.getOrganization('org-1')).toMatchObject({ locale: null });
    });

    it('keeps the organization as the newest event of any of its orders says, even when an older one arrives later', async () => {
      await store.directory.applyOrderUpsert(orderEvent({
        orderId: 'ORD-2', organization: { id: 'org-1', name: 'Acme Inc.', timeZone: 'America/New_York' }, occurredAt: at('2026-11-27T10:00:00Z'),
      }));
      // ORD-1's first event, sent before ORD-2's but delivered after it: the order is applied, the organization is not rolled back.
      const late = await store.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-1', occurredAt: at('2026-11-27T09:00:00Z') }));
      // … and the outcome says which part was left out, so the event is not recorded as fully applied.
      expect(late).toMatchObject({
        outcome: 'applied',
        notApplied: 'organization-out-of-order: organization org-1 keeps its name "Acme Inc." (not "Acme GmbH") and time zone America/New_York '
          + '(not Europe/Berlin): this event occurred at 2026-11-27T09:00:00.000Z, before its newest applied event at 2026-11-27T10:00:00.000Z; '
          + 'the order itself was applied',
      });
      expect(await store.directory.getOrder('ORD-1')).toMatchObject({ organizationId: 'org-1', timeZone: 'America/New_York' });
      expect(await store.directory.getOrganization('org-1')).toEqual({ id: 'org-1', name: 'Acme Inc.', timeZone: 'America/New_York', locale: null });
      // A newer event changes it again, all of it applied.
      expect(await store.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-1', occurredAt: at('2026-11-27T11:00:00Z') })))
        .toMatchObject({ outcome: 'applied', notApplied: null });
      expect(await store.directory.getOrganization('org-1')).toEqual({ id: 'org-1', name: 'Acme GmbH', timeZone: 'Europe/Berlin', locale: null });
    });

    it('an order moved to another organization keeps only contacts who are active members there', async () => {
      await store.directory.applyOrderUpsert(orderEvent()); // org-1: ann (owner, contact)
      await store.directory.applyOrderUpsert(orderEvent({
        orderId: 'ORD-9', organization: { id: 'org-2', name: 'Beta Ltd', timeZone: 'Europe/London' }, purchaserEmail: 'zoe@beta.com', occurredAt: at('2026-11-26T11:00:00Z'),
      })); // org-2: zoe (owner)
      const join = async (organizationId: string, email: string, invitedByEmail: string) => {
        await store.invitations.createOrRenew({ organizationId, email, invitedByEmail, tokenHash: `h-${organizationId}-${email}`, expiresAt: at('2027-01-01T00:00:00Z') });
        await store.invitations.accept((await store.invitations.findByTokenHash(`h-${organizationId}-${email}`))!.id, at('2026-11-26T12:00:00Z'));
      };
      await join('org-2', 'ann@acme.com', 'zoe@beta.com');
      await join('org-1', 'bob@acme.com', 'ann@acme.com');
      await store.directory.addContact('ORD-1001', 'bob@acme.com', 'ann@acme.com');
      expect((await store.directory.listContacts('ORD-1001')).map((c) => c.email)).toEqual(['ann@acme.com', 'bob@acme.com']);

      await store.directory.applyOrderUpsert(orderEvent({
        organization: { id: 'org-2', name: 'Beta Ltd', timeZone: 'Europe/London' }, purchaserEmail: 'zoe@beta.com', occurredAt: at('2026-11-27T10:00:00Z'),
      }));
      expect(await store.directory.getOrder('ORD-1001')).toMatchObject({ organizationId: 'org-2' });
      // ann is a member of org-2 too and stays; bob is not and goes; zoe, the purchaser and a member, is added.
      expect((await store.directory.listContacts('ORD-1001')).map((c) => c.email).sort()).toEqual(['ann@acme.com', 'zoe@beta.com']);
    });

    it('ignores (and says why) an event older than the last one applied, changing nothing', async () => {
      await store.directory.applyOrderUpsert(orderEvent({ occurredAt: at('2026-11-26T10:00:00Z') }));
      const stale = await store.directory.applyOrderUpsert(orderEvent({ licenseExpiresOn: '2030-01-01', occurredAt: at('2026-11-26T09:59:59Z') }));
      expect(stale).toEqual({ outcome: 'ignored', reason: expect.stringMatching(/^out-of-order: .*2026-11-26T09:59:59.000Z.*2026-11-26T10:00:00.000Z/) });
      expect((await store.directory.getOrder('ORD-1001'))?.licenseExpiresOn).toBe('2027-01-31');
      const staleCancel = await store.directory.applyOrderCancel('ORD-1001', at('2026-11-01T00:00:00Z'));
      expect(staleCancel.outcome).toBe('ignored');
      expect((await store.directory.getOrder('ORD-1001'))?.status).toBe('active');
    });

    it('keeps a purchaser\'s known name, fills a missing one, and takes a later event\'s product', async () => {
      await store.directory.ensureUser('ann@acme.com', 'Ann Known');
      await store.directory.ensureUser('bob@acme.com', null);
      await store.directory.applyOrderUpsert(orderEvent({ purchaserEmail: 'ann@acme.com', purchaserName: 'Ann Event' }));
      await store.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-2', purchaserEmail: 'bob@acme.com', purchaserName: null }));
      await store.directory.applyOrderUpsert(orderEvent({ orderId: 'ORD-2', purchaserEmail: 'bob@acme.com', purchaserName: 'Bob', product: 'Barcode Reader SDK Pro', occurredAt: at('2026-11-27T10:00:00Z') }));
      expect((await store.directory.getUserByEmail('ann@acme.com'))?.name).toBe('Ann Known');
      expect((await store.directory.getUserByEmail('bob@acme.com'))?.name).toBe('Bob');
      expect(await store.directory.getOrder('ORD-2')).toMatchObject({ product: 'Barcode Reader SDK Pro', licenseExpiresOn: '2027-01-31' });
    });

    it('on an expiry change cancels only the pending reminders of the old cycle of that kind', async () => {
      await store.directory.applyOrderUpsert(orderEvent());
      const rows = await store.reminders.insertNew([
        planned({ offsetDays: 60, status: 'skipped', reason: 'superseded' }),
        planned({ offsetDays: 30 }),
        planned({ offsetDays: 14 }),
        planned({ kind: 'maintenance', offsetDays: 30 }),
      ]);
      const [skipped, queued30, queued14, maintenance] = rows.map((r) => r.id);
      await store.reminders.setStatus(queued14!, 'sent', null);
      const renewed = await store.directory.applyOrderUpsert(orderEvent({ licenseExpiresOn: '2028-01-31', occurredAt: at('2026-12-01T00:00:00Z') }));
      expect(renewed).toMatchObject({ outcome: 'applied', changedKinds: ['license'], cancelledReminderIds: [queued30] });
      const byId = new Map((await store.reminders.listForOrder('ORD-1001')).map((r) => [r.id, r]));
      expect(byId.get(queued30!)).toMatchObject({ status: 'cancelled', reason: 'expiry-changed' });
      expect(byId.get(queued14!)?.status).toBe('sent');
      expect(byId.get(skipped!)?.status).toBe('skipped');
      expect(byId.get(maintenance!)?.status).toBe('queued');
      // A new cycle is a new identity: the same offset can be planned again.
      expect(await store.reminders.insertNew([planned({ expiresOn: '2028-01-31', offsetDays: 30 })])).toHaveLength(1);
    });

    it('a repeated identical event is applied again harmlessly and reports no change', async () => {
      await store.directory.applyOrderUpsert(orderEvent());
      const again = await store.directory.applyOrderUpsert(orderEvent());
      expect(again).toMatchObject({ outcome: 'applied', changedKinds: [], cancelledReminderIds: [] });
      expect(await store.directory.listContacts('ORD-1001')).toHaveLength(1);
    });

    it('rolls back everything when the purchaser address is invalid', async () => {
      await expect(store.directory.applyOrderUpsert(orderEvent({ purchaserEmail: 'not-an-address' }))).rejects.toThrow(/not-an-address/);
      expect(await store.directory.getOrganization('org-1')).toBeNull();
      expect(await store.directory.getOrder('ORD-1001')).toBeNull();
    });
  });

  describe('applyOrderCancel', () => {
    it('cancels the order and its pending reminders; unknown orders are ignored', async () => {
      await store.directory.applyOrderUpsert(orderEvent());
      const [a, b] = await store.reminders.insertNew([planned({ offsetDays: 30 }), planned({ kind: 'maintenance', offsetDays: 7 })]);
      await store.reminders.setStatus(b!.id, 'sent', null);
      const result = await store.directory.applyOrderCancel('ORD-1001', at('2026-12-01T00:00:00Z'));
      expect(result).toMatchObject({ outcome: 'applied', order: { status: 'cancelled' }, cancelledReminderIds: [a!.id] });
      expect(await store.reminders.get(a!.id)).toMatchObject({ status: 'cancelled', reason: 'order-cancelled' });
      expect((await store.reminders.get(b!.id))?.status).toBe('sent');
      expect(await store.directory.applyOrderCancel('nope', at('2026-12-01T00:00:00Z'))).toEqual({ outcome: 'ignored', reason: expect.stringMatching(/^order-not-found/) });
      // A later upsert reactivates it and asks for planning of both kinds again.
      const back = await store.directory.applyOrderUpsert(orderEvent({ occurredAt: at('2026-12-02T00:00:00Z') }));
      expect(back).toMatchObject({ outcome: 'applied', order: { status: 'active' }, changedKinds: ['license', 'maintenance'] });
    });
  });

  describe('contacts', () => {
    beforeEach(async () => {
      await store.directory.applyOrderUpsert(orderEvent());
    });

    it('adds only active members, once; removes; lists orders of a contact', async () => {
      const bob = await store.directory.ensureUser('Bob@Acme.com', 'Bob');
      expect(bob).toMatchObject({ email: 'bob@acme.com', name: 'Bob' });
      await expect(store.directory.addContact('ORD-1001', 'bob@acme.com', 'ann@acme.com')).rejects.toThrow(/not an active member of organization org-1/);
      await expect(store.directory.addContact('ORD-X', 'bob@acme.com', 'ann@acme.com')).rejects.toThrow(/order ORD-X.*does not exist/);
      await store.invitations.createOrRenew({ organizationId: 'org-1', email: 'bob@acme.com', invitedByEmail: 'ann@acme.com', tokenHash: 'h1', expiresAt: at('2027-01-01T00:00:00Z') });
      const invited = await store.directory.getMembership('org-1', 'bob@acme.com');
      expect(invited?.status).toBe('invited');
      await expect(store.directory.addContact('ORD-1001', 'bob@acme.com', 'ann@acme.com')).rejects.toThrow(/not an active member/);
      const invitation = await store.invitations.findByTokenHash('h1');
      await store.invitations.accept(invitation!.id, at('2026-11-27T00:00:00Z'));
      expect(await store.directory.addContact('ORD-1001', ' BOB@acme.com ', 'ann@acme.com')).toBe(true);
      expect(await store.directory.addContact('ORD-1001', 'bob@acme.com', 'ann@acme.com')).toBe(false);
      expect(await store.directory.isContact('ORD-1001', 'Bob@Acme.com')).toBe(true);
      expect((await store.directory.listOrdersForContact('bob@acme.com')).map((o) => o.id)).toEqual(['ORD-1001']);
      expect(await store.directory.removeContact('ORD-1001', 'bob@acme.com')).toBe('removed');
      expect(await store.directory.removeContact('ORD-1001', 'bob@acme.com')).toBe('not-a-contact');
      expect(await store.directory.isContact('ORD-1001', 'bob@acme.com')).toBe(false);
      expect(await store.directory.listOrdersForContact('bob@acme.com')).toEqual([]);
    });

    it('refuses to remove the last contact who receives the reminders, unless forced', async () => {
      // ORD-1001's only contact is its purchaser ann, an active member of org-1.
      expect(await store.directory.removeContact('ORD-1001', 'ann@acme.com')).toBe('last-recipient');
      expect((await store.directory.listContacts('ORD-1001')).map((c) => c.email)).toEqual(['ann@acme.com']);
      // A contact whose membership is not active receives nothing, so it does not count as a recipient.
      await store.invitations.createOrRenew({ organizationId: 'org-1', email: 'bob@acme.com', invitedByEmail: 'ann@acme.com', tokenHash: 'h1', expiresAt: at('2027-01-01T00:00:00Z') });
      await store.invitations.accept((await store.invitations.findByTokenHash('h1'))!.id, at('2026-11-27T00:00:00Z'));
      await store.directory.addContact('ORD-1001', 'bob@acme.com', 'ann@acme.com');
      expect(await store.directory.removeContact('ORD-1001', 'ann@acme.com')).toBe('removed');
      expect(await store.directory.removeContact('ORD-1001', 'bob@acme.com')).toBe('last-recipient');
      expect(await store.directory.removeContact('ORD-1001', 'bob@acme.com', { force: true })).toBe('removed');
      expect(await store.directory.listContacts('ORD-1001')).toEqual([]);
    });

    it('ensureUser keeps an existing name and fills a missing one', async () => {
      await store.directory.ensureUser('carol@acme.com');
      expect((await store.directory.ensureUser('carol@acme.com', 'Carol')).name).toBe('Carol');
      expect((await store.directory.ensureUser('carol@acme.com', 'Other')).name).toBe('Carol');
      await expect(store.directory.ensureUser('no at sign')).rejects.toMatchObject({ code: 'invalid_email' });
    });
  });
});
