/**
 * URLs that carry tokens (SPEC §4): the router admits the longest legal token, links already sent
 * in the first token format keep working, and whatever is refused — forged, over-long, malformed,
 * damaged — is answered in the project's own format without repeating the token.
 */
import fc from 'fast-check';
import { createAddressToken, createListToken, MAX_EMAIL_LENGTH, MAX_ID_LENGTH, MAX_TOKEN_LENGTH } from '@tickler/domain';
import { addMember, makeHarness, portal, SECRETS, seedOrder, type Harness } from './http-harness';

let h: Harness;
beforeEach(async () => {
  h = await makeHarness();
  await seedOrder(h.store, 'ORD-1001');
});
afterEach(async () => h.close());

const form = (payload: string) => ({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload });
const LONGEST_EMAIL = `${'l'.repeat(64)}@${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(57)}.com`;
const LONGEST_ID = `O${'x'.repeat(MAX_ID_LENGTH - 1)}`;

/**
 * First-format tokens as the previous code wrote them into emails, signed with SECRETS[1]
 * ('token-secret-old-0123456789'); the same literals are checked in domain/src/tokens-legacy.test.ts.
 */
const V1 = {
  renewal: 'AfEvSE6P86xh1jwKhIXsmzxttbZ2LtagvvnUBo5wik2_qT0RO3Lr7erGTMA13YXUr5-wtQ', // ann@acme.com, renewal:ORD-1001
  address: 'AZF6J-bZciPqY8n8JvURxrkdeAcYyNFt-BVuL_29YQKS', // ann@acme.com
  longRenewal: 'AT6-nEaIoUzo84omvXkGOdO8GxC6Is2ptz5ErNSYrhJnhVm_lkqDAI5TfbZLmFA0f50YtlA24PqXIMdfN9nG4CakdwBVRAkuc4vOhwB3', // firstname.lastname@example-company.com, renewal:ORD-1001
};

/** Asserts an answer shows nothing of `token` (nor any 12-character piece of it). */
function expectNoEcho(body: string, headers: Record<string, unknown>, token: string): void {
  const text = `${body}\n${JSON.stringify(headers)}`;
  for (let i = 0; i + 12 <= token.length; i += 6) expect(text).not.toContain(token.slice(i, i + 12));
}

describe('the longest legal token gets through the router', () => {
  it('a 254-character address and a 100-character order id: page, then RFC 8058 one-click', async () => {
    await seedOrder(h.store, LONGEST_ID, LONGEST_ID, LONGEST_EMAIL);
    const token = createListToken(SECRETS, LONGEST_EMAIL, `renewal:${LONGEST_ID}`);
    expect(LONGEST_EMAIL).toHaveLength(MAX_EMAIL_LENGTH);
    expect(token.length).toBeGreaterThan(100); // fastify's default maxParamLength
    const page = await h.app.inject({ method: 'GET', url: `/u/${token}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`Renewal reminders for order ${LONGEST_ID}`);
    const done = await h.app.inject({ method: 'POST', url: `/u/${token}`, ...form('List-Unsubscribe=One-Click') });
    expect(done.statusCode).toBe(200);
    expect(await h.store.lists.listUnsubscribed(LONGEST_EMAIL)).toEqual([`renewal:${LONGEST_ID}`]);
  });

  it('portal routes take a 254-character address and 100-character ids in the path', async () => {
    await seedOrder(h.store, LONGEST_ID, LONGEST_ID);
    await addMember(h.store, LONGEST_ID, LONGEST_EMAIL, 'active');
    const add = await h.app.inject({ method: 'POST', url: `/api/orders/${LONGEST_ID}/contacts`, headers: portal('ann@acme.com'), payload: { email: LONGEST_EMAIL } });
    expect(add.statusCode).toBeLessThan(300);
    const remove = await h.app.inject({ method: 'DELETE', url: `/api/orders/${LONGEST_ID}/contacts/${encodeURIComponent(LONGEST_EMAIL)}`, headers: portal('ann@acme.com') });
    expect(remove.statusCode).toBeLessThan(300);
  });
});

describe('links already sent (first token format)', () => {
  it('open and act, including one of 104 characters that the old route limit refused', async () => {
    for (const token of [V1.renewal, V1.longRenewal]) {
      const page = await h.app.inject({ method: 'GET', url: `/u/${token}` });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Renewal reminders for order ORD-1001');
    }
    expect((await h.app.inject({ method: 'POST', url: `/u/${V1.renewal}`, ...form('List-Unsubscribe=One-Click') })).statusCode).toBe(200);
    expect(await h.store.lists.listUnsubscribed('ann@acme.com')).toEqual(['renewal:ORD-1001']);
    const prefs = await h.app.inject({ method: 'GET', url: `/preferences/${V1.address}` });
    expect(prefs.statusCode).toBe(200);
    expect(prefs.body).toContain('For ann@acme.com');
  });
});

describe('refused token URLs: own format, no echo', () => {
  const pages = ['/u/', '/preferences/', '/invitations/', '/newsletter/confirm/'];
  const overLong = (length: number) => createAddressToken(SECRETS, 'ann@acme.com').repeat(Math.ceil(length / 36)).slice(0, length);

  it.each(pages)('%s with a token over the limit gets the "not valid" page (400), GET and POST', async (prefix) => {
    for (const length of [MAX_TOKEN_LENGTH + 1, 5000]) {
      const token = overLong(length);
      for (const method of ['GET', 'POST'] as const) {
        const res = await h.app.inject({ method, url: `${prefix}${token}`, ...(method === 'POST' ? form('List-Unsubscribe=One-Click') : {}) });
        expect(res.statusCode).toBe(400);
        expect(res.headers['content-type']).toContain('text/html');
        expect(res.body).toContain('This link is not valid');
        expectNoEcho(res.body, res.headers, token);
      }
    }
    expect(await h.store.lists.listUnsubscribed('ann@acme.com')).toEqual([]);
  });

  it.each(pages)('%s with a malformed %%-escape or a damaged path (trailing "/", extra segment) gets the "not valid" page', async (prefix) => {
    const token = createAddressToken(SECRETS, 'ann@acme.com');
    for (const [url, status] of [[`${prefix}${token}%E0%A4%A`, 400], [`${prefix}${token}/`, 404], [`${prefix}${token}/x`, 404]] as const) {
      const res = await h.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(status);
      expect(res.body).toContain('This link is not valid');
      expectNoEcho(res.body, res.headers, token);
    }
  });

  it('API paths answer the SPEC error JSON: 414 for an over-long segment, 400 for a malformed escape', async () => {
    const id = 'X'.repeat(2000);
    const long = await h.app.inject({ method: 'GET', url: `/api/orders/${id}/license`, headers: portal('ann@acme.com') });
    expect(long.statusCode).toBe(414);
    expect(long.json()).toEqual({ error: 'uri_too_long', message: expect.any(String) });
    expectNoEcho(long.body, long.headers, id);
    const bad = await h.app.inject({ method: 'GET', url: '/api/orders/ORD-1001%E0%A4%A/license', headers: portal('ann@acme.com') });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ error: 'bad_url', message: expect.any(String) });
    expect(bad.body).not.toContain('ORD-1001');
  });

  it('no answer to any token-like path segment repeats it (property)', async () => {
    const chars = 'ABCXYZabcxyz0189-_%.~';
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...pages), fc.string({ unit: fc.constantFrom(...chars), minLength: 12, maxLength: 3000 }), fc.constantFrom('GET', 'POST'), async (prefix, token, method) => {
        const res = await h.app.inject({ method: method as 'GET' | 'POST', url: `${prefix}${token}` });
        expect(res.statusCode).toBeGreaterThanOrEqual(400);
        expectNoEcho(res.body, res.headers, token);
      }),
      { numRuns: 150 },
    );
  });
});
