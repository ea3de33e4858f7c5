/**
 * Newsletter sign-up abuse limits, per client network and per address, with the limiter's state in
 * the real Redis: two edge instances (each with its own connection, like two processes) share it.
 */
import { randomUUID } from 'node:crypto';
import { StoreError } from '@tickler/db';
import type { HttpConfig } from '../src';
import { makeHarness, T0, type Harness } from './http-harness';

const LIMITS: HttpConfig['rateLimits'] = {
  newsletterPerIp: { max: 3, windowMs: 10 * 60_000 },
  newsletterPerAddress: { max: 2, windowMs: 60 * 60_000 },
};

let open: Harness[] = [];
afterEach(async () => {
  // One after the other: edges sharing a prefix would otherwise obliterate the same queues at once.
  for (const h of open) await h.close();
  open = [];
});

async function edge(queuePrefix: string, config: Partial<HttpConfig> = {}, redisPort?: number): Promise<Harness> {
  const h = await makeHarness({ queuePrefix, config: { rateLimits: LIMITS, ...config }, ...(redisPort ? { redisPort } : {}) });
  open.push(h);
  return h;
}

const signUp = (h: Harness, email: string, remoteAddress = '203.0.113.7', headers: Record<string, string> = {}) => h.app.inject({
  method: 'POST', url: '/newsletter/subscriptions', remoteAddress,
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload: `email=${encodeURIComponent(email)}&topics=security`,
});

describe('newsletter sign-up rate limits', () => {
  it('a sign-up the database could not store does not count, and the form says so (503, not JSON)', async () => {
    const h = await edge(`test-limits-${randomUUID()}`);
    const subscribe = h.store.newsletter.subscribe;
    h.store.newsletter.subscribe = async () => { throw new StoreError('database or disk is full', 'SQLITE_FULL', { kind: 'unavailable' }); };
    for (let i = 0; i < 3; i += 1) {
      const failed = await signUp(h, 'quota@acme-corp.com');
      expect(failed.statusCode).toBe(503);
      expect(failed.headers['content-type']).toContain('text/html');
      expect(failed.headers['retry-after']).toBe('30');
      expect(failed.body).toContain('value="quota@acme-corp.com"');
    }
    h.store.newsletter.subscribe = subscribe;
    // Two per address and three per network are allowed: none of the failed attempts used them up.
    expect((await signUp(h, 'quota@acme-corp.com')).statusCode).toBe(200);
    expect((await signUp(h, 'quota@acme-corp.com')).statusCode).toBe(200);
    expect((await signUp(h, 'other@acme-corp.com')).statusCode).toBe(200);
    expect(await h.store.newsletter.get('quota@acme-corp.com')).not.toBeNull();
  });

  it('a refusal by the address limit takes back the hit the network limit counted', async () => {
    const h = await edge(`test-limits-${randomUUID()}`);
    expect((await signUp(h, 'same@acme.com')).statusCode).toBe(200);
    expect((await signUp(h, 'same@acme.com')).statusCode).toBe(200);
    expect((await signUp(h, 'same@acme.com')).statusCode).toBe(429);
    expect((await signUp(h, 'same@acme.com')).statusCode).toBe(429);
    // The network has used 2 of its 3, not 4: one more address still signs up.
    expect((await signUp(h, 'next@acme.com')).statusCode).toBe(200);
    expect((await signUp(h, 'last@acme.com')).statusCode).toBe(429);
  });

  it('count per client address across two edge processes sharing Redis: 429 with Retry-After on the form page', async () => {
    const prefix = `test-limits-${randomUUID()}`;
    const [a, b] = [await edge(prefix), await edge(prefix)];
    expect((await signUp(a, 'a1@acme.com')).statusCode).toBe(200);
    expect((await signUp(b, 'a2@acme.com')).statusCode).toBe(200);
    a.setNow(new Date(T0.getTime() + 4 * 60_000));
    expect((await signUp(a, 'a3@acme.com')).statusCode).toBe(200);

    b.setNow(new Date(T0.getTime() + 5 * 60_000));
    const refused = await signUp(b, 'a4@acme.com');
    expect(refused.statusCode).toBe(429);
    // The oldest of the three leaves the 10-minute window 5 minutes later.
    expect(refused.headers['retry-after']).toBe('300');
    expect(refused.headers['content-type']).toContain('text/html');
    expect(refused.body).toContain('Too many sign-ups from your network in a short time; nothing was sent. Please try again in 5 minutes.');
    expect(refused.body).toContain('value="a4@acme.com"');
    expect(refused.body).toMatch(/value="security" checked/);
    expect(await b.store.newsletter.get('a4@acme.com')).toBeNull();
    expect(await b.store.deliveries.listByEmail('a4@acme.com')).toEqual([]);

    // Another client is not affected; the first one may sign up again once its window has moved on.
    expect((await signUp(a, 'b1@acme.com', '198.51.100.9')).statusCode).toBe(200);
    a.setNow(new Date(T0.getTime() + 10 * 60_000));
    expect((await signUp(a, 'a4@acme.com')).statusCode).toBe(200);
  });

  it('count per address (any spelling) whatever the client address', async () => {
    const prefix = `test-limits-${randomUUID()}`;
    const [a, b] = [await edge(prefix), await edge(prefix)];
    expect((await signUp(a, 'jo@acme.com', '192.0.2.1')).statusCode).toBe(200);
    expect((await signUp(b, 'JO@Acme.com', '192.0.2.2')).statusCode).toBe(200);
    const refused = await signUp(a, ' jo@acme.COM', '192.0.2.3');
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('3600');
    expect(refused.body).toContain('Too many sign-ups for this address');
    // The address is not stored in Redis in the clear.
    const keys = await a.redis.keys(`${prefix}:rate-limit:*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.join(' ')).not.toContain('jo@acme.com');
  });

  it('treat one IPv6 /64 as one client, and ignore X-Forwarded-For unless a trusted proxy sent it', async () => {
    const prefix = `test-limits-${randomUUID()}`;
    const direct = await edge(prefix);
    for (const [i, ip] of ['2001:db8:1:2::1', '2001:db8:1:2:aaaa::2', '2001:0db8:0001:0002:ffff:ffff:ffff:ffff'].entries()) {
      expect((await signUp(direct, `v${i}@acme.com`, ip)).statusCode).toBe(200);
    }
    expect((await signUp(direct, 'v3@acme.com', '2001:db8:1:2::9')).statusCode).toBe(429);
    expect((await signUp(direct, 'v4@acme.com', '2001:db8:1:3::1')).statusCode).toBe(200);

    // Without trustProxy a forged X-Forwarded-For changes nothing: the peer address counts.
    for (let i = 0; i < 3; i += 1) await signUp(direct, `x${i}@acme.com`, '192.0.2.50', { 'x-forwarded-for': `198.18.0.${i}` });
    expect((await signUp(direct, 'x3@acme.com', '192.0.2.50', { 'x-forwarded-for': '198.18.0.99' })).statusCode).toBe(429);

    const proxied = await edge(`test-limits-${randomUUID()}`, { trustProxy: ['10.0.0.1'] });
    for (let i = 0; i < 4; i += 1) {
      expect((await signUp(proxied, `p${i}@acme.com`, '10.0.0.1', { 'x-forwarded-for': `198.18.0.${i}` })).statusCode).toBe(200);
    }
  });

  it('fail closed when Redis does not answer: 503 with Retry-After, nothing stored or sent', async () => {
    const down = await edge(`test-limits-${randomUUID()}`, {}, 1);
    const res = await signUp(down, 'jo@acme.com');
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('60');
    expect(res.body).toContain('Sign-up is unavailable for a moment');
    expect(await down.store.newsletter.get('jo@acme.com')).toBeNull();
  });
});
