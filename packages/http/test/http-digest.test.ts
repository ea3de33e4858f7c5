/**
 * A reminder digest on the recipient's and the admin's side: the digest's one-click link leaves
 * every list of that email and its page names each order; the audit shows which reminders went in
 * which email. Runs on SQLite, or PostgreSQL with TEST_STORE=postgres.
 */
import { createDigestToken } from '@tickler/domain';
import type { Store } from '@tickler/db';
import type { AddressInfo } from 'node:net';
import { makeHarness, SECRETS, seedOrder, type Harness } from './http-harness';

const ADMIN = { authorization: 'Bearer admin-token-0123456789' };
let h: Harness;
let digestId: number;
let rows: Array<{ id: number; orderId: string | null }>;

/** Two orders of org-1 (ann is a contact of both), one reminder each due at the same 09:00, sent together as one digest. */
async function sendDigest(store: Store): Promise<void> {
  const sendAt = new Date('2027-01-24T08:00:00Z');
  const reminders = await store.reminders.insertNew(['ORD-1001', 'ORD-2002'].map((orderId) => ({
    orderId, kind: 'license' as const, expiresOn: '2027-01-31', offsetDays: 7, sendAt, status: 'queued' as const, reason: null,
  })));
  rows = await store.deliveries.upsertMany(reminders.map((r) => ({
    sourceType: 'reminder' as const, sourceId: r.id, email: 'ann@acme.com', listId: `renewal:${r.orderId}` as const, orderId: r.orderId, status: 'queued' as const, reason: null,
  })));
  const attached = await store.digests.attach({ organizationId: 'org-1', sendAt, email: 'ann@acme.com' }, rows.map((d) => d.id));
  digestId = attached.digest.id;
  await store.digests.claimForSending(digestId);
  await store.digests.markSent(rows.map((d) => d.id), 'ses-digest-message-1', new Date('2027-01-24T08:00:05Z'));
}

beforeEach(async () => {
  h = await makeHarness();
  await seedOrder(h.store, 'ORD-1001');
  await seedOrder(h.store, 'ORD-2002');
  await seedOrder(h.store, 'ORD-3003');
  await sendDigest(h.store);
});
afterEach(async () => h.close());

describe('the digest unsubscribe pages in the reader\'s language', () => {
  const url = () => `/u/${createDigestToken(SECRETS, 'ann@acme.com', digestId)}`;
  const get = (acceptLanguage = 'en') => h.app.inject({ method: 'GET', url: url(), headers: { 'accept-language': acceptLanguage } });

  it('a German organization: German pages, even for an English browser', async () => {
    await h.store.directory.applyOrderUpsert({
      orderId: 'ORD-1001', organization: { id: 'org-1', name: 'Acme', timeZone: 'Europe/Berlin', locale: 'de' }, product: 'Barcode Reader SDK',
      licenseExpiresOn: '2027-01-31', maintenanceExpiresOn: '2027-03-31', purchaserEmail: 'ann@acme.com', purchaserName: 'Ann', occurredAt: new Date('2026-11-02T00:00:00Z'),
    });
    const res = await get('en-US');
    expect(res.body).toContain('<html lang="de">');
    expect(res.body).toContain('Von allen 2 Listen dieser E-Mail abmelden?');
    expect(res.body).toContain('Verlängerungserinnerungen für Auftrag ORD-2002 (Barcode Reader SDK)');
    expect(res.body).not.toContain('Unsubscribe from all');
    const done = await h.app.inject({ method: 'POST', url: url(), headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    expect(done.body).toContain('ann@acme.com erhält keine Verlängerungserinnerungen mehr zu diesen Aufträgen:');
  });

  it('the recipient\'s choice first; with neither choice nor organization locale, the browser\'s', async () => {
    expect((await get('fr-FR,fr;q=0.9')).body).toContain('Se désabonner des 2 listes de cet e-mail ?');
    await h.store.lists.setLocale('ann@acme.com', 'ja', 'preferences');
    const res = await get('fr-FR');
    expect(res.body).toContain('<html lang="ja">');
    expect(res.body).toContain('このメールの2件のリストすべてから登録解除しますか？');
    expect(res.body).toContain('注文 ORD-1001（Barcode Reader SDK）の更新リマインダー');
  });
});

describe('the unsubscribe link of a digest', () => {
  it('GET names every order of the email and changes nothing', async () => {
    const res = await h.app.inject({ method: 'GET', url: `/u/${createDigestToken(SECRETS, 'ann@acme.com', digestId)}` });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Unsubscribe from all 2 lists of this email?');
    expect(res.body).toContain('Renewal reminders for order ORD-1001 (Barcode Reader SDK)');
    expect(res.body).toContain('Renewal reminders for order ORD-2002 (Barcode Reader SDK)');
    expect(res.body).not.toContain('ORD-3003');
    expect(await h.store.lists.listUnsubscribed('ann@acme.com')).toEqual([]);
  });

  it('one-click POST leaves every list of that email (and no other), says so, and a repeat is harmless', async () => {
    const url = `/u/${createDigestToken(SECRETS, 'ann@acme.com', digestId)}`;
    const post = () => h.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    const res = await post();
    expect(res.statusCode).toBe(200);
    expect(res.headers.location).toBeUndefined();
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.body).toContain('You are unsubscribed');
    expect(res.body).toContain('ORD-1001');
    expect(res.body).toContain('ORD-2002');
    expect((await h.store.lists.listUnsubscribed('ann@acme.com')).sort()).toEqual(['renewal:ORD-1001', 'renewal:ORD-2002']);
    expect((await post()).statusCode).toBe(200);
    expect((await h.store.lists.listUnsubscribed('ann@acme.com')).sort()).toEqual(['renewal:ORD-1001', 'renewal:ORD-2002']);
  });

  it('GET marks the lists already left and, once all are left, shows the unsubscribed state instead of the question (real HTTP)', async () => {
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}/u/${createDigestToken(SECRETS, 'ann@acme.com', digestId)}`;
    await h.store.lists.unsubscribe('ann@acme.com', 'renewal:ORD-1001', 'preferences');
    const partly = await (await fetch(url)).text();
    expect(partly).toContain('Unsubscribe from all 2 lists of this email?');
    expect(partly).toContain('<li><strong>Renewal reminders for order ORD-1001 (Barcode Reader SDK)</strong> <span class="muted">(You left this list)</span></li>');
    expect(partly).toContain('<li><strong>Renewal reminders for order ORD-2002 (Barcode Reader SDK)</strong></li>');

    await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    const res = await fetch(url);
    expect(res.status).toBe(200);
    const done = await res.text();
    expect(done).toContain('<h1>You are unsubscribed</h1>');
    expect(done).toContain('ann@acme.com will no longer get renewal reminders about these orders:');
    expect(done).toContain('ORD-2002');
    expect(done).not.toContain('Unsubscribe from all');
    expect(done).not.toContain('<button');
    expect(done).toContain('Changed your mind? Rejoin from your email preferences.');
  });

  it('GET says the license access stays only while the address is a contact of every order of the email (real HTTP)', async () => {
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}/u/${createDigestToken(SECRETS, 'ann@acme.com', digestId)}`;
    expect(await (await fetch(url)).text()).toContain('Your access to the licenses is not affected');
    await h.store.directory.removeContact('ORD-2002', 'ann@acme.com', { force: true });
    const body = await (await fetch(url)).text();
    expect(body).toContain('Unsubscribe from all 2 lists of this email?');
    expect(body).not.toContain('access to the licenses');
    expect(body).toContain('Other lists stay as they are. To stop one order only');
  });

  it('a digest token naming another address, a missing digest, or a forged token changes nothing', async () => {
    for (const token of [createDigestToken(SECRETS, 'bob@acme.com', digestId), createDigestToken(SECRETS, 'ann@acme.com', digestId + 100), createDigestToken(['another-secret-0123456789'], 'ann@acme.com', digestId)]) {
      const res = await h.app.inject({ method: 'POST', url: `/u/${token}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('This link is not valid');
    }
    expect(await h.store.lists.listUnsubscribed('ann@acme.com')).toEqual([]);
    expect(await h.store.lists.listUnsubscribed('bob@acme.com')).toEqual([]);
  });
});

describe('the audit of a digest', () => {
  it('by address: each reminder\'s row names the digest, the shared message and the other reminder in it', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/admin/deliveries?email=ann@acme.com', headers: { ...ADMIN, accept: 'application/json' } });
    expect(res.statusCode).toBe(200);
    const deliveries = (res.json() as { deliveries: Array<{ id: number; digestId: number; providerMessageId: string; explanation: string }> }).deliveries;
    expect(deliveries.map((d) => [d.digestId, d.providerMessageId])).toEqual([[digestId, 'ses-digest-message-1'], [digestId, 'ses-digest-message-1']]);
    expect(deliveries[0]!.explanation).toContain(`in reminder digest ${digestId} with 1 other reminder(s): #${rows[1]!.id} (order ORD-2002)`);
    const page = await h.app.inject({ method: 'GET', url: '/admin/deliveries?email=ann@acme.com', headers: ADMIN });
    expect(page.body).toContain(`digest ${digestId}`);
    expect(page.body).toContain('sent in');
  });

  it('by order: the row names the other order that went in the same email', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/admin/deliveries?orderId=ORD-1001', headers: { ...ADMIN, accept: 'application/json' } });
    const deliveries = (res.json() as { deliveries: Array<{ explanation: string }> }).deliveries;
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]!.explanation).toContain(`in reminder digest ${digestId} with 1 other reminder(s): #${rows[1]!.id} (order ORD-2002)`);
  });
});

describe('at the longest values', () => {
  it('the digest link works for a 254-character address and 100-character order and organization ids', async () => {
    const email = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`;
    const orgId = `org-${'o'.repeat(96)}`;
    const orderIds = [`A-${'x'.repeat(98)}`, `B-${'y'.repeat(98)}`];
    for (const orderId of orderIds) await seedOrder(h.store, orderId, orgId, email);
    const sendAt = new Date('2027-01-24T08:00:00Z');
    const reminders = await h.store.reminders.insertNew(orderIds.map((orderId) => ({
      orderId, kind: 'license' as const, expiresOn: '2027-01-31', offsetDays: 7, sendAt, status: 'queued' as const, reason: null,
    })));
    const deliveries = await h.store.deliveries.upsertMany(reminders.map((r) => ({
      sourceType: 'reminder' as const, sourceId: r.id, email, listId: `renewal:${r.orderId}` as const, orderId: r.orderId, status: 'queued' as const, reason: null,
    })));
    const { digest } = await h.store.digests.attach({ organizationId: orgId, sendAt, email }, deliveries.map((d) => d.id));
    const url = `/u/${createDigestToken(SECRETS, email, digest.id)}`;
    const page = await h.app.inject({ method: 'GET', url });
    expect(page.statusCode).toBe(200);
    for (const orderId of orderIds) expect(page.body).toContain(orderId);
    const res = await h.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    expect(res.statusCode).toBe(200);
    expect((await h.store.lists.listUnsubscribed(email)).sort()).toEqual(orderIds.map((id) => `renewal:${id}`).sort());
  });
});
