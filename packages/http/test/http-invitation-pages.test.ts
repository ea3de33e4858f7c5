import { createInvitationToken, sha256Hex } from '@tickler/domain';
import type { AddressInfo } from 'node:net';
import { makeHarness, portal, SECRETS, seedOrder, T0, type Harness } from './http-harness';

let h: Harness;
let token: string;
const expiresAt = new Date(T0.getTime() + 7 * 86_400_000);

beforeEach(async () => {
  h = await makeHarness();
  await seedOrder(h.store);
  await h.store.directory.ensureUser('ann@acme.com', 'Ann');
  token = createInvitationToken(SECRETS, { organizationId: 'org-1', email: 'bob@acme.com', expiresAt });
  await h.store.invitations.createOrRenew({ organizationId: 'org-1', email: 'bob@acme.com', invitedByEmail: 'ann@acme.com', tokenHash: sha256Hex(token), expiresAt });
});
afterEach(async () => h.close());

const status = async () => (await h.store.directory.getMembership('org-1', 'bob@acme.com'))?.status;

describe('invitation pages', () => {
  it('GET shows the organization and the inviter and changes nothing', async () => {
    const res = await h.app.inject({ method: 'GET', url: `/invitations/${token}` });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Join Acme');
    expect(res.body).toContain('ann@acme.com');
    expect(res.body).toContain('Accept invitation');
    expect(await status()).toBe('invited');
  });

  it('is written in the organization\'s locale, dates included, whatever the browser asks', async () => {
    await h.store.directory.applyOrderUpsert({
      orderId: 'ORD-1001', organization: { id: 'org-1', name: 'Acme', timeZone: 'Europe/Berlin', locale: 'ja' }, product: 'Barcode Reader SDK',
      licenseExpiresOn: '2027-01-31', maintenanceExpiresOn: '2027-03-31', purchaserEmail: 'ann@acme.com', purchaserName: 'Ann', occurredAt: new Date('2026-11-02T00:00:00Z'),
    });
    const res = await h.app.inject({ method: 'GET', url: `/invitations/${token}`, headers: { 'accept-language': 'de' } });
    expect(res.body).toContain('<h1>Acme に参加する</h1>');
    // 10:00 UTC is 11:00 in the organization's Berlin, to the minute.
    expect(res.body).toContain('この招待は 2026年12月3日 11:00 GMT+1 まで有効です。');
    expect(res.body).toMatch(/\d{4}年\d{1,2}月\d{1,2}日/);
    const accepted = await h.app.inject({ method: 'POST', url: `/invitations/${token}` });
    expect(accepted.body).toContain('<h1>Acme へようこそ</h1>');
  });

  it('POST accepts: bob becomes an active member; accepting twice is harmless', async () => {
    const first = await h.app.inject({ method: 'POST', url: `/invitations/${token}` });
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('Welcome to Acme');
    expect(await status()).toBe('active');
    const second = await h.app.inject({ method: 'POST', url: `/invitations/${token}` });
    expect(second.statusCode).toBe(200);
    expect(second.body).toContain('You are already a member of Acme');
    expect(await status()).toBe('active');
  });

  it('an expired invitation shows a clear page (410) and changes nothing', async () => {
    h.setNow(new Date(expiresAt.getTime() + 1000));
    for (const method of ['GET', 'POST'] as const) {
      const res = await h.app.inject({ method, url: `/invitations/${token}` });
      expect(res.statusCode).toBe(410);
      expect(res.body).toContain('This invitation has expired');
    }
    expect(await status()).toBe('invited');
  });

  it('a forged token is not valid (400) and changes nothing', async () => {
    const forged = await h.app.inject({ method: 'POST', url: '/invitations/AQBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB' });
    expect(forged.statusCode).toBe(400);
    expect(forged.body).toContain('This link is not valid');
    expect(await status()).toBe('invited');
  });
});

describe('an invitation link replaced by a newer invitation email (real HTTP)', () => {
  let base: string;
  const later = new Date(T0.getTime() + 3600_000);
  const renewed = () => createInvitationToken(SECRETS, { organizationId: 'org-1', email: 'bob@acme.com', expiresAt: new Date(later.getTime() + 7 * 86_400_000) });
  const open = (method: 'GET' | 'POST', path: string, language = 'de') => fetch(`${base}${path}`, { method, headers: { 'accept-language': language } });

  beforeEach(async () => {
    // Acme writes in Japanese: the pages about its invitations do too, whatever the browser asks.
    await h.store.directory.applyOrderUpsert({
      orderId: 'ORD-1001', organization: { id: 'org-1', name: 'Acme', timeZone: 'Europe/Berlin', locale: 'ja' }, product: 'Barcode Reader SDK',
      licenseExpiresOn: '2027-01-31', maintenanceExpiresOn: '2027-03-31', purchaserEmail: 'ann@acme.com', purchaserName: 'Ann', occurredAt: new Date('2026-11-02T00:00:00Z'),
    });
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
    // Ann invites bob again an hour later: the open invitation gets a new link, the first email's stops working.
    h.setNow(later);
    const again = await fetch(`${base}/api/organizations/org-1/invitations`, {
      method: 'POST', headers: { ...portal('ann@acme.com'), 'content-type': 'application/json' }, body: JSON.stringify({ email: 'bob@acme.com' }),
    });
    expect(again.status).toBe(202);
  });

  it('the first email\'s link says it was replaced by a newer email, in the organization\'s language, and accepts nothing', async () => {
    for (const method of ['GET', 'POST'] as const) {
      const res = await open(method, `/invitations/${token}`);
      expect(res.status).toBe(410);
      const body = await res.text();
      expect(body).toContain('<h1>この招待は新しいメールに差し替えられました</h1>');
      expect(body).toContain('受信トレイで最新の招待メールを確認してください');
      expect(body).not.toContain('Accept');
    }
    expect(await status()).toBe('invited');
    expect((await open('POST', `/invitations/${renewed()}`)).status).toBe(200);
    expect(await status()).toBe('active');
  });

  it('once bob accepted through the newer link, the first one says he is already a member', async () => {
    expect((await open('POST', `/invitations/${renewed()}`, 'en')).status).toBe(200);
    const res = await open('GET', `/invitations/${token}`, 'en');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<h1>すでに Acme のメンバーです</h1>');
  });

  it('a token with the right organization and address but a foreign signature still gets the neutral invalid page', async () => {
    const foreign = createInvitationToken(['some-other-secret-0123456789'], { organizationId: 'org-1', email: 'bob@acme.com', expiresAt });
    const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const forged of [foreign, tampered]) {
      const res = await open('POST', `/invitations/${forged}`, 'en');
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('This link is not valid');
    }
    expect(await status()).toBe('invited');
  });
});
