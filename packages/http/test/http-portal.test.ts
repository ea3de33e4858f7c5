import { addMember, makeHarness, portal, seedOrder, T0, type Harness } from './http-harness';

let h: Harness;
beforeEach(async () => {
  h = await makeHarness();
  await seedOrder(h.store); // org-1 with ann@acme.com active, contact of ORD-1001
  await addMember(h.store, 'org-1', 'bob@acme.com', 'active');
  await addMember(h.store, 'org-1', 'carol@acme.com', 'invited');
});
afterEach(async () => h.close());

const api = (method: 'GET' | 'POST' | 'DELETE', url: string, actingUser: string | null, body?: unknown, key?: string) =>
  h.app.inject({ method, url, headers: portal(actingUser, key), ...(body === undefined ? {} : { payload: body as object }) });

describe('portal authentication', () => {
  it.each([
    ['no Authorization', { 'x-acting-user': 'ann@acme.com' }, 401, 'unauthorized'],
    ['a wrong key', portal('ann@acme.com', 'wrong-key'), 401, 'unauthorized'],
    ['no X-Acting-User', portal(null), 401, 'acting_user_required'],
    ['an X-Acting-User that is not an email', portal('ann'), 400, 'invalid_acting_user'],
  ])('refuses %s and writes nothing', async (_case, headers, status, error) => {
    const res = await h.app.inject({ method: 'POST', url: '/api/orders/ORD-1001/contacts', headers, payload: { email: 'bob@acme.com' } });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ error, message: expect.any(String) });
    expect((await h.store.directory.listContacts('ORD-1001')).map((c) => c.email)).toEqual(['ann@acme.com']);
  });
});

describe('a non-ASCII acting user', () => {
  it('is the same user sent as raw UTF-8 bytes or with a punycode domain; bytes that are not UTF-8 are refused', async () => {
    await addMember(h.store, 'org-1', 'dora@bücher.de', 'active');
    // Node hands header bytes over as latin1: this is how a UTF-8 "ü" arrives.
    const rawUtf8 = Buffer.from('dora@bücher.de', 'utf8').toString('latin1');
    for (const header of [rawUtf8, 'dora@xn--bcher-kva.de']) {
      const res = await h.app.inject({ method: 'GET', url: '/api/orders/ORD-1001/contacts', headers: { ...portal(null), 'x-acting-user': header } });
      expect(res.statusCode).toBe(200);
    }
    // "ü" as the single latin1 byte 0xFC is not UTF-8.
    const res = await h.app.inject({ method: 'GET', url: '/api/orders/ORD-1001/contacts', headers: { ...portal(null), 'x-acting-user': 'dora@bücher.de' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_acting_user', message: expect.stringContaining('UTF-8') });
  });
});

describe('POST /api/organizations/:orgId/invitations', () => {
  it('an active member invites: 202, invitation valid 7 days, email queued', async () => {
    const res = await api('POST', '/api/organizations/org-1/invitations', 'ann@acme.com', { email: 'Dave@Acme.com' });
    expect(res.statusCode).toBe(202);
    const { invitationId, expiresAt } = res.json();
    expect(expiresAt).toBe(new Date(T0.getTime() + 7 * 86_400_000).toISOString());
    expect(await h.store.invitations.get(invitationId)).toMatchObject({ email: 'dave@acme.com', invitedByEmail: 'ann@acme.com', acceptedAt: null });
    expect(await h.store.directory.getMembership('org-1', 'dave@acme.com')).toMatchObject({ status: 'invited' });
    const [delivery] = await h.store.deliveries.listByEmail('dave@acme.com');
    expect(delivery).toMatchObject({ sourceType: 'invitation', sourceId: invitationId, status: 'queued' });
    expect(await h.queues.send.getJob(`delivery-${delivery!.id}`)).toBeDefined();
  });

  it('inviting again renews the link and sends the email again', async () => {
    const first = (await api('POST', '/api/organizations/org-1/invitations', 'ann@acme.com', { email: 'dave@acme.com' })).json();
    const [delivery] = await h.store.deliveries.listByEmail('dave@acme.com');
    await h.store.deliveries.markSent(delivery!.id, 'ses-1', T0);
    h.setNow(new Date(T0.getTime() + 3 * 86_400_000));
    const again = await api('POST', '/api/organizations/org-1/invitations', 'bob@acme.com', { email: 'dave@acme.com' });
    expect(again.statusCode).toBe(202);
    expect(again.json().invitationId).toBe(first.invitationId);
    expect(again.json().expiresAt).toBe(new Date(T0.getTime() + 10 * 86_400_000).toISOString());
    expect((await h.store.deliveries.get(delivery!.id))?.status).toBe('queued');
    const jobs = await h.queues.send.getJobs(['waiting']);
    expect(jobs.filter((j) => j.data.deliveryId === delivery!.id)).toHaveLength(2);
  });

  it.each([
    ['an invited (not yet active) member', 'carol@acme.com', 404, 'organization_not_found'],
    ['a stranger', 'eve@evil.test', 404, 'organization_not_found'],
  ])('refuses %s as inviter, as if the organization did not exist', async (_case, actor, status, error) => {
    const res = await api('POST', '/api/organizations/org-1/invitations', actor, { email: 'dave@acme.com' });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ error });
    expect(await h.store.directory.getMembership('org-1', 'dave@acme.com')).toBeNull();
    expect(await h.store.deliveries.listByEmail('dave@acme.com')).toEqual([]);
  });

  it('answers 404 for an unknown organization, 400 for a bad email, 409 for an active member', async () => {
    expect((await api('POST', '/api/organizations/org-404/invitations', 'ann@acme.com', { email: 'dave@acme.com' })).statusCode).toBe(404);
    const bad = await api('POST', '/api/organizations/org-1/invitations', 'ann@acme.com', { email: 'dave' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'invalid_email', field: 'email' });
    expect((await api('POST', '/api/organizations/org-1/invitations', 'ann@acme.com', { mail: 'x' })).statusCode).toBe(400);
    const member = await api('POST', '/api/organizations/org-1/invitations', 'ann@acme.com', { email: 'bob@acme.com' });
    expect(member.statusCode).toBe(409);
    expect(member.json()).toMatchObject({ error: 'already_member' });
    expect(await h.store.deliveries.countByStatusAndReason()).toEqual([]);
  });
});

describe('order contacts', () => {
  const contacts = async () => (await h.store.directory.listContacts('ORD-1001')).map((c) => c.email).sort();

  it('lists the contacts for an active member', async () => {
    const res = await api('GET', '/api/orders/ORD-1001/contacts', 'bob@acme.com');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ orderId: 'ORD-1001', contacts: [{ email: 'ann@acme.com', membershipStatus: 'active' }] });
    expect((await api('GET', '/api/orders/ORD-1001/contacts', 'eve@evil.test')).statusCode).toBe(404);
    expect((await api('GET', '/api/orders/ORD-404/contacts', 'bob@acme.com')).statusCode).toBe(404);
  });

  it('adds an active member (201), again is harmless (200)', async () => {
    const res = await api('POST', '/api/orders/ORD-1001/contacts', 'ann@acme.com', { email: 'BOB@acme.com' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ orderId: 'ORD-1001', email: 'bob@acme.com', added: true });
    expect((await api('POST', '/api/orders/ORD-1001/contacts', 'ann@acme.com', { email: 'bob@acme.com' })).json()).toMatchObject({ added: false });
    expect(await contacts()).toEqual(['ann@acme.com', 'bob@acme.com']);
  });

  it.each([
    ['an invited member', 'ann@acme.com', { email: 'carol@acme.com' }, 409, 'must_accept_invitation'],
    ['a non-member', 'ann@acme.com', { email: 'zed@acme.com' }, 409, 'must_accept_invitation'],
    ['an actor who is only invited', 'carol@acme.com', { email: 'bob@acme.com' }, 404, 'order_not_found'],
    ['an actor from outside', 'eve@evil.test', { email: 'bob@acme.com' }, 404, 'order_not_found'],
    ['a bad email', 'ann@acme.com', { email: 'bob@' }, 400, 'invalid_email'],
  ])('refuses adding %s', async (_case, actor, body, status, error) => {
    const res = await api('POST', '/api/orders/ORD-1001/contacts', actor, body);
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ error });
    if (status === 409) expect(res.json().message).toContain('must accept the organization invitation first');
    expect(await contacts()).toEqual(['ann@acme.com']);
  });

  it('answers 404 for an unknown order', async () => {
    const res = await api('POST', '/api/orders/ORD-404/contacts', 'ann@acme.com', { email: 'bob@acme.com' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'order_not_found' });
  });

  it('removes a contact (204); removing again is 404; outsiders are refused', async () => {
    await api('POST', '/api/orders/ORD-1001/contacts', 'ann@acme.com', { email: 'bob@acme.com' });
    expect((await api('DELETE', '/api/orders/ORD-1001/contacts/bob%40acme.com', 'eve@evil.test')).statusCode).toBe(404);
    expect(await contacts()).toEqual(['ann@acme.com', 'bob@acme.com']);
    expect((await api('DELETE', '/api/orders/ORD-1001/contacts/bob%40acme.com', 'ann@acme.com')).statusCode).toBe(204);
    expect(await contacts()).toEqual(['ann@acme.com']);
    const again = await api('DELETE', '/api/orders/ORD-1001/contacts/bob%40acme.com', 'ann@acme.com');
    expect(again.statusCode).toBe(404);
    expect(again.json()).toMatchObject({ error: 'not_a_contact' });
    expect((await api('DELETE', '/api/orders/ORD-1001/contacts/not-an-email', 'ann@acme.com')).statusCode).toBe(400);
  });
});

describe('GET /api/orders/:orderId/license', () => {
  it('shows the license to contacts only; removal takes access away', async () => {
    const res = await api('GET', '/api/orders/ORD-1001/license', 'ann@acme.com');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      orderId: 'ORD-1001', product: 'Barcode Reader SDK', licenseExpiresOn: '2027-01-31', maintenanceExpiresOn: '2027-03-31', status: 'active',
      organization: { id: 'org-1', name: 'Acme', timeZone: 'Europe/Berlin' },
    });
    const member = await api('GET', '/api/orders/ORD-1001/license', 'bob@acme.com');
    expect(member.statusCode).toBe(403);
    expect(member.json()).toMatchObject({ error: 'not_a_contact' });
    await api('POST', '/api/orders/ORD-1001/contacts', 'ann@acme.com', { email: 'bob@acme.com' });
    expect((await api('GET', '/api/orders/ORD-1001/license', 'bob@acme.com')).statusCode).toBe(200);
    await api('DELETE', '/api/orders/ORD-1001/contacts/bob%40acme.com', 'ann@acme.com');
    expect((await api('GET', '/api/orders/ORD-1001/license', 'bob@acme.com')).statusCode).toBe(403);
    expect((await api('GET', '/api/orders/ORD-404/license', 'ann@acme.com')).statusCode).toBe(404);
  });

  it('unsubscribing from the renewal list keeps license access (rule 5)', async () => {
    await h.store.lists.unsubscribe('ann@acme.com', 'renewal:ORD-1001', 'link');
    expect((await api('GET', '/api/orders/ORD-1001/license', 'ann@acme.com')).statusCode).toBe(200);
  });
});

describe('removing the last contact', () => {
  it('is refused with 409 and the reason unless forced with ?force=true', async () => {
    const refused = await api('DELETE', '/api/orders/ORD-1001/contacts/ann%40acme.com', 'ann@acme.com');
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toEqual({ error: 'last_contact', message: expect.stringContaining('last contact of order ORD-1001') });
    expect(refused.json().message).toContain('?force=true');
    expect((await h.store.directory.listContacts('ORD-1001')).map((c) => c.email)).toEqual(['ann@acme.com']);

    for (const query of ['force=yes', 'force=true&force=false']) {
      const bad = await api('DELETE', `/api/orders/ORD-1001/contacts/ann%40acme.com?${query}`, 'ann@acme.com');
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ error: 'invalid_query', field: 'force' });
    }
    expect((await api('DELETE', '/api/orders/ORD-1001/contacts/ann%40acme.com?force=false', 'ann@acme.com')).statusCode).toBe(409);

    const forced = await api('DELETE', '/api/orders/ORD-1001/contacts/ann%40acme.com?force=true', 'ann@acme.com');
    expect(forced.statusCode).toBe(204);
    expect(await h.store.directory.listContacts('ORD-1001')).toEqual([]);
  });

  it('is allowed while another contact still receives the reminders', async () => {
    await api('POST', '/api/orders/ORD-1001/contacts', 'ann@acme.com', { email: 'bob@acme.com' });
    expect((await api('DELETE', '/api/orders/ORD-1001/contacts/ann%40acme.com', 'bob@acme.com')).statusCode).toBe(204);
    expect((await api('DELETE', '/api/orders/ORD-1001/contacts/bob%40acme.com', 'bob@acme.com')).statusCode).toBe(409);
  });
});

describe('probing ids: an order or organization the acting user may not see is answered like one that does not exist', () => {
  const orderRoutes: Array<['GET' | 'POST' | 'DELETE', (orderId: string) => string, unknown]> = [
    ['GET', (id) => `/api/orders/${id}/contacts`, undefined],
    ['POST', (id) => `/api/orders/${id}/contacts`, { email: 'bob@acme.com' }],
    ['DELETE', (id) => `/api/orders/${id}/contacts/ann%40acme.com`, undefined],
    ['DELETE', (id) => `/api/orders/${id}/contacts/ann%40acme.com?force=true`, undefined],
    ['GET', (id) => `/api/orders/${id}/license`, undefined],
  ];

  it.each(['eve@evil.test', 'carol@acme.com'])('%s gets byte-identical answers for ORD-1001 (exists) and ORD-404 (does not)', async (actor) => {
    for (const [method, url, body] of orderRoutes) {
      const hidden = await api(method, url('ORD-1001'), actor, body);
      const missing = await api(method, url('ORD-404'), actor, body);
      expect(hidden.statusCode).toBe(404);
      expect(missing.statusCode).toBe(404);
      expect(hidden.headers['content-type']).toBe(missing.headers['content-type']);
      expect(hidden.rawPayload.equals(missing.rawPayload)).toBe(true);
      expect(hidden.json()).toMatchObject({ error: 'order_not_found' });
      expect(hidden.body).not.toContain('ORD-');
    }
    expect((await h.store.directory.listContacts('ORD-1001')).map((c) => c.email)).toEqual(['ann@acme.com']);
    // Those who may see the order still get the real answers.
    expect((await api('GET', '/api/orders/ORD-1001/contacts', 'bob@acme.com')).statusCode).toBe(200);
    expect((await api('GET', '/api/orders/ORD-1001/license', 'bob@acme.com')).json()).toMatchObject({ error: 'not_a_contact' });
  });

  it.each(['eve@evil.test', 'carol@acme.com'])('%s gets byte-identical answers for org-1 (exists) and org-404 (does not)', async (actor) => {
    const hidden = await api('POST', '/api/organizations/org-1/invitations', actor, { email: 'dave@acme.com' });
    const missing = await api('POST', '/api/organizations/org-404/invitations', actor, { email: 'dave@acme.com' });
    expect(hidden.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    expect(hidden.headers['content-type']).toBe(missing.headers['content-type']);
    expect(hidden.rawPayload.equals(missing.rawPayload)).toBe(true);
    expect(hidden.json()).toMatchObject({ error: 'organization_not_found' });
    expect(await h.store.deliveries.listByEmail('dave@acme.com')).toEqual([]);
  });
});

describe('invitation rate limit per (organization, address)', () => {
  const invite = (email = 'dave@acme.com') => api('POST', '/api/organizations/org-1/invitations', 'ann@acme.com', { email });

  it('sends at most 3 invitation emails an hour to one address; then 429 with Retry-After, and the last link keeps working', async () => {
    const answers = [];
    for (let i = 0; i < 3; i += 1) {
      h.setNow(new Date(T0.getTime() + i * 60_000));
      answers.push(await invite());
    }
    expect(answers.map((a) => a.statusCode)).toEqual([202, 202, 202]);
    const [delivery] = await h.store.deliveries.listByEmail('dave@acme.com');
    const jobsBefore = (await h.queues.send.getJobs(['waiting'])).length;

    h.setNow(new Date(T0.getTime() + 30 * 60_000));
    const refused = await invite('Dave@Acme.com');
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe(String(30 * 60));
    expect(refused.headers['content-type']).toMatch(/^application\/json/);
    expect(refused.json()).toEqual({ error: 'too_many_invitations', message: expect.stringContaining('Try again in 30 minutes') });
    // Nothing renewed, nothing queued: the link of the third email still works.
    expect((await h.store.invitations.get(delivery!.sourceId))?.expiresAt.toISOString()).toBe(answers[2]!.json().expiresAt);
    expect((await h.queues.send.getJobs(['waiting'])).length).toBe(jobsBefore);
    // Another address has its own count; the first address may be invited again once the hour has passed.
    expect((await invite('erin@acme.com')).statusCode).toBe(202);
    h.setNow(new Date(T0.getTime() + 60 * 60_000));
    expect((await invite()).statusCode).toBe(202);
  });
});
