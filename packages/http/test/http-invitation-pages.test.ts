import { createInvitationToken, sha256Hex } from '@tickler/domain';
import { makeHarness, SECRETS, seedOrder, T0, type Harness } from './http-harness';

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

  it('a forged token, or a genuine one replaced by a newer invitation, is not valid (400)', async () => {
    const forged = await h.app.inject({ method: 'POST', url: '/invitations/AQBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB' });
    expect(forged.statusCode).toBe(400);
    const later = new Date(expiresAt.getTime() + 3600_000);
    const renewed = createInvitationToken(SECRETS, { organizationId: 'org-1', email: 'bob@acme.com', expiresAt: later });
    await h.store.invitations.createOrRenew({ organizationId: 'org-1', email: 'bob@acme.com', invitedByEmail: 'ann@acme.com', tokenHash: sha256Hex(renewed), expiresAt: later });
    const stale = await h.app.inject({ method: 'POST', url: `/invitations/${token}` });
    expect(stale.statusCode).toBe(400);
    expect(stale.body).toContain('This link is not valid');
    expect(await status()).toBe('invited');
    expect((await h.app.inject({ method: 'POST', url: `/invitations/${renewed}` })).statusCode).toBe(200);
    expect(await status()).toBe('active');
  });
});
