/**
 * Admin edge hardening: the session cookie (never the token, signed, expiring, Secure on https),
 * query strings validated per parameter, and Redis being down answered at once with 503.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import pino from 'pino';
import { closeQueues, makeQueues } from '@tickler/queues';
import { makeHttpServer } from '../src';
import { makeHarness, T0, type Harness } from './http-harness';

jest.setTimeout(60_000);

const TOKEN = 'admin-token-0123456789';
const bearer = { authorization: `Bearer ${TOKEN}`, accept: 'application/json' };
let h: Harness;
afterEach(async () => h?.close());

/** Signs in like a browser opening `/admin/queues?token=…`; returns the Set-Cookie header. */
async function signIn(url = `/admin/queues?token=${TOKEN}`): Promise<string> {
  const res = await h.app.inject({ method: 'GET', url });
  expect(res.statusCode).toBe(303);
  return String(res.headers['set-cookie']);
}
const cookieOf = (setCookie: string) => setCookie.split(';')[0]!;
const withCookie = (cookie: string) => h.app.inject({ method: 'GET', url: '/admin/jobs/failed', headers: { cookie, accept: 'application/json' } });

describe('the admin session cookie', () => {
  it('is a signed session, never the token, with HttpOnly, SameSite=Strict, Path=/admin, 12 h and Secure on https', async () => {
    h = await makeHarness();
    const res = await h.app.inject({ method: 'GET', url: `/admin/deliveries?orderId=ORD-1&token=${TOKEN}` });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admin/deliveries?orderId=ORD-1'); // the token leaves the address bar
    const setCookie = String(res.headers['set-cookie']);
    const attributes = setCookie.split(';').map((a) => a.trim());
    expect(attributes).toEqual(expect.arrayContaining(['Path=/admin', 'Max-Age=43200', 'HttpOnly', 'SameSite=Strict', 'Secure']));
    const value = cookieOf(setCookie).slice('tickler_admin='.length);
    for (const form of [TOKEN, encodeURIComponent(TOKEN), Buffer.from(TOKEN).toString('base64'), Buffer.from(TOKEN).toString('base64url')]) {
      expect(value).not.toContain(form);
    }
    expect(value).toMatch(/^v1\.\d+\.[\w-]{22}\.[\w-]{43}$/);
    expect((await withCookie(cookieOf(setCookie))).statusCode).toBe(200);
  });

  it('is not Secure when PUBLIC_BASE_URL is plain http (local use)', async () => {
    h = await makeHarness({ config: { publicBaseUrl: 'http://localhost:3000' } });
    expect(await signIn()).not.toMatch(/Secure/);
  });

  it('expires after 12 hours: 401, and the browser is told to drop it', async () => {
    h = await makeHarness();
    const cookie = cookieOf(await signIn());
    h.setNow(new Date(T0.getTime() + 12 * 3_600_000 - 1000));
    expect((await withCookie(cookie)).statusCode).toBe(200);
    h.setNow(new Date(T0.getTime() + 12 * 3_600_000));
    const expired = await withCookie(cookie);
    expect(expired.statusCode).toBe(401);
    expect(expired.json()).toEqual({ error: 'unauthorized', message: 'The admin session has expired; sign in again with ADMIN_TOKEN.' });
    expect(String(expired.headers['set-cookie'])).toMatch(/^tickler_admin=; Path=\/admin; Max-Age=0/);
  });

  it('answers 401 to forged cookies: the raw token (the old format), a changed signature, a longer expiry, another token\'s session', async () => {
    h = await makeHarness();
    const real = cookieOf(await signIn()).slice('tickler_admin='.length);
    const [v, expiry, id, sig] = real.split('.') as [string, string, string, string];
    // Both a real change and a change of only the last character's unused bits (another spelling of the same MAC).
    const flipped = `${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`;
    const respelled = `${sig.slice(0, -1)}${String.fromCharCode(sig.charCodeAt(sig.length - 1) ^ 1)}`;
    const changed = `${sig.slice(0, 5)}${sig[5] === 'x' ? 'y' : 'x'}${sig.slice(6)}`;
    const other = await makeHarness({ config: { adminToken: 'another-admin-token-0123456789' } });
    let otherSession: string;
    try {
      const res = await other.app.inject({ method: 'GET', url: '/admin/queues?token=another-admin-token-0123456789' });
      otherSession = cookieOf(String(res.headers['set-cookie'])).slice('tickler_admin='.length);
    } finally {
      await other.close();
    }
    for (const value of [TOKEN, encodeURIComponent(TOKEN), [v, expiry, id, flipped].join('.'), [v, expiry, id, respelled].join('.'), [v, expiry, id, changed].join('.'), [v, String(Number(expiry) + 86_400), id, sig].join('.'), otherSession]) {
      const res = await withCookie(`tickler_admin=${value}`);
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toBe('unauthorized');
    }
  });

  it('answers 401 (never 500) to malformed cookies, and logs no error', async () => {
    h = await makeHarness();
    const lines: Array<{ level: number; msg: string }> = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => { lines.push(JSON.parse(line) as { level: number; msg: string }); } });
    const app = makeHttpServer({ ...h.deps, logger });
    try {
      for (const cookie of ['tickler_admin=%E0%A4%A', 'tickler_admin=%', 'tickler_admin=', 'tickler_admin', `tickler_admin=${'x'.repeat(4000)}`, 'other=1; tickler_admin=v1.1.2.3']) {
        const res = await app.inject({ method: 'GET', url: '/admin/jobs/failed', headers: { cookie, accept: 'application/json' } });
        expect(res.statusCode).toBe(401);
        expect(res.json()).toEqual({ error: 'unauthorized', message: expect.any(String) });
      }
    } finally {
      await app.close();
    }
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
  });

  it('does not stand in for the bearer token on the JSON API: a wrong bearer stays 401 even with a valid cookie', async () => {
    h = await makeHarness();
    const cookie = cookieOf(await signIn());
    const res = await h.app.inject({ method: 'GET', url: '/admin/jobs/failed', headers: { cookie, authorization: 'Bearer wrong-token-0123456789' } });
    expect(res.statusCode).toBe(401);
  });
});

describe('admin query strings', () => {
  beforeEach(async () => { h = await makeHarness(); });

  it.each([
    ['/admin/deliveries?orderId=a&orderId=b', 'orderId', 'may be given only once'],
    ['/admin/deliveries?email=a@acme.com&email=b@acme.com', 'email', 'may be given only once'],
    ['/admin/forecast?days=7&days=8', 'days', 'may be given only once'],
    ['/admin/forecast?days=abc', 'days', 'must be a whole number from 1 to 366'],
    ['/admin/forecast?days=0', 'days', 'must be a whole number from 1 to 366'],
    ['/admin/forecast?days=367', 'days', 'must be a whole number from 1 to 366'],
    ['/admin/jobs/failed?queue=send&queue=scan', 'queue', 'may be given only once'],
    ['/admin/jobs/failed?queue=nope', 'queue', 'must name a queue (scan, order-events, reminders, send, digests, test-sends)'],
    [`/admin/deliveries?orderId=${'x'.repeat(201)}`, 'orderId', 'is too long'],
    ['/admin/deliveries?email=ann@acme.com&orderId=ORD-1001', 'orderId', 'cannot be given together with email: ask about one address or one order'],
  ])('%s is 400 naming %s', async (url, field, problem) => {
    const res = await h.app.inject({ method: 'GET', url, headers: bearer });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'invalid_query', message: `Query parameter "${field}" ${problem}.`, field });
  });

  it('a repeated ?token= is 400 naming token, not a sign-in', async () => {
    const res = await h.app.inject({ method: 'GET', url: `/admin/queues?token=${TOKEN}&token=${TOKEN}` });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_query', field: 'token' });
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('well-formed queries still work, and unknown parameters are ignored', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/admin/jobs/failed?queue=send&utm_source=x', headers: bearer })).json()).toEqual({ jobs: [] });
    expect((await h.app.inject({ method: 'GET', url: '/admin/deliveries?orderId=NOPE', headers: bearer })).statusCode).toBe(404);
    expect((await h.app.inject({ method: 'GET', url: '/admin/deliveries?email=Ann@Acme.com', headers: bearer })).json()).toMatchObject({ email: 'ann@acme.com' });
  });

  it('reads a "+" typed into ?email= (form-decoded as a space) as "+"; a bad or missing address is 400 naming email', async () => {
    const json = { ...bearer, accept: 'application/json' };
    expect((await h.app.inject({ method: 'GET', url: '/admin/deliveries?email=ann+tag@acme.com', headers: json })).json()).toMatchObject({ email: 'ann+tag@acme.com' });
    expect((await h.app.inject({ method: 'GET', url: '/admin/deliveries?email=ann%2Btag@acme.com', headers: json })).json()).toMatchObject({ email: 'ann+tag@acme.com' });
    for (const url of ['/admin/deliveries?email=not-an-address', '/admin/deliveries']) {
      const res = await h.app.inject({ method: 'GET', url, headers: json });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: 'invalid_query', field: 'email', message: expect.stringMatching(/^[A-Z"].*\.$/) });
    }
  });
});

describe('admin routes while Redis is down', () => {
  let redisServer: ChildProcess;
  let port: number;
  let connection: Redis;

  beforeEach(async () => {
    h = await makeHarness();
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    redisServer = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    // The edge's connection as the composition root makes it: BullMQ's retry-forever settings.
    connection = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: null, retryStrategy: () => 100 });
    connection.on('error', () => undefined);
    await new Promise<void>((resolve) => connection.once('ready', () => resolve()));
  });
  afterEach(async () => {
    redisServer.kill('SIGKILL');
    connection.disconnect();
  });

  it('answers 503 redis_unavailable within the bound, naming where Redis is; SQLite-only routes keep working', async () => {
    const queues = makeQueues(connection, 'test-admin-redis-down');
    const app = makeHttpServer({ ...h.deps, queues, config: { ...h.deps.config, redisTimeoutMs: 500 } });
    try {
      expect((await app.inject({ method: 'GET', url: '/admin/jobs/failed', headers: bearer })).statusCode).toBe(200);
      await new Promise((resolve) => { redisServer.once('exit', resolve); redisServer.kill('SIGKILL'); });
      for (const [method, url] of [['GET', '/admin/jobs/failed'], ['POST', '/admin/jobs/replay'], ['GET', '/admin/queues/api/queues'], ['GET', '/admin/queues']] as const) {
        const started = Date.now();
        const res = await app.inject({ method, url, headers: bearer, ...(method === 'POST' ? { payload: {} } : {}) });
        expect({ url, status: res.statusCode }).toEqual({ url, status: 503 });
        expect(res.json()).toEqual({ error: 'redis_unavailable', message: `Redis at 127.0.0.1:${port} did not answer within 500 ms.` });
        expect(Date.now() - started).toBeLessThan(2000);
      }
      expect((await app.inject({ method: 'GET', url: '/admin/deliveries?orderId=NOPE', headers: bearer })).statusCode).toBe(404);
      // Unauthenticated requests never reach Redis.
      expect((await app.inject({ method: 'GET', url: '/admin/jobs/failed' })).statusCode).toBe(401);
    } finally {
      await Promise.race([app.close(), new Promise((resolve) => setTimeout(resolve, 1000))]);
      await Promise.race([closeQueues(queues), new Promise((resolve) => setTimeout(resolve, 1000))]);
    }
  });
});
