/** Admin and ops routes on the real edge: real SQLite file, real Redis queues, fastify inject. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { UnrecoverableError, Worker } from 'bullmq';
import pino from 'pino';
import { openStore, type Store } from '@tickler/db';
import { closeQueues, enqueue, makeQueues, type Queues } from '@tickler/queues';
import { makeHttpServer, makeMemoryRateLimiter } from '@tickler/http';
import { cleanPrefix, SECRETS, uniquePrefix } from './helpers/cli';

jest.setTimeout(60_000);

const prefix = uniquePrefix('admin');
const connection = { url: 'redis://127.0.0.1:6379' };
const NOW = new Date('2026-11-27T10:00:00Z');
let dir: string;
let store: Store;
let queues: Queues;
let app: ReturnType<typeof makeHttpServer>;
let clock = NOW;
const auth = { authorization: `Bearer ${SECRETS.ADMIN_TOKEN}` };

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tickler-admin-'));
  store = await openStore({ url: `file:${path.join(dir, 't.db')}` });
  queues = makeQueues(connection, prefix);
  await store.directory.applyOrderUpsert({
    orderId: 'ORD-ADM-1', organization: { id: 'org-adm', name: 'Admin AG', timeZone: 'Europe/Zurich' }, product: 'Barcode Reader SDK',
    licenseExpiresOn: '2026-12-04', maintenanceExpiresOn: '2026-12-27', purchaserEmail: 'ann@admin-ag.example', purchaserName: 'Ann', occurredAt: new Date('2026-11-01T00:00:00Z'),
  });
  app = makeHttpServer({
    store, queues, logger: pino({ level: 'silent' }), now: () => clock, fetchText: async () => '', rateLimiter: makeMemoryRateLimiter(),
    config: {
      publicBaseUrl: 'https://tickler.example.com', tokenSecrets: [SECRETS.TOKEN_SECRETS], adminToken: SECRETS.ADMIN_TOKEN,
      portalApiKey: SECRETS.PORTAL_API_KEY, billingWebhookSecret: SECRETS.BILLING_WEBHOOK_SECRET, snsTopicArns: [], snsCertCacheDir: dir,
      newsletterTopics: [{ id: 'product-news', label: 'Product news' }], emailDomainAllowlist: [], supportEmail: 'support@example.com', bodyLimitBytes: 65536,
    },
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await closeQueues(queues);
  await store?.close();
  await cleanPrefix(prefix);
  rmSync(dir, { recursive: true, force: true });
});

describe('admin authentication', () => {
  it.each(['/admin/queues', '/admin/jobs/failed', '/admin/forecast?days=7', '/admin/deliveries?orderId=ORD-ADM-1'])('GET %s without a token is 401 JSON', async (url) => {
    const response = await app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({ error: 'unauthorized', message: expect.stringContaining('ADMIN_TOKEN') });
  });

  it('a wrong token is 401, also for replay', async () => {
    const response = await app.inject({ method: 'POST', url: '/admin/jobs/replay', headers: { authorization: 'Bearer wrong-token-0123456789' }, payload: {} });
    expect(response.statusCode).toBe(401);
    expect(response.json().error).toBe('unauthorized');
  });

  it('the dashboard answers with the token, and ?token= sets an HttpOnly session cookie for the browser', async () => {
    const viaHeader = await app.inject({ method: 'GET', url: '/admin/queues', headers: auth });
    expect(viaHeader.statusCode).toBe(200);
    expect(viaHeader.body).toMatch(/<html/i);
    const viaQuery = await app.inject({ method: 'GET', url: `/admin/queues?token=${SECRETS.ADMIN_TOKEN}` });
    expect(viaQuery.statusCode).toBe(303);
    expect(viaQuery.headers.location).toBe('/admin/queues');
    const cookie = String(viaQuery.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).not.toContain(SECRETS.ADMIN_TOKEN);
    const viaCookie = await app.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: { cookie: cookie.split(';')[0]! } });
    expect(viaCookie.statusCode).toBe(200);
    expect(JSON.stringify(viaCookie.json())).toContain('send');
  });
});

describe('failed jobs and replay', () => {
  it('lists a failed send job with its error and replays it', async () => {
    clock = new Date(); // `since` counts back from the server's clock; the job fails now
    await enqueue(queues, 'send', { deliveryId: 424242 });
    const worker = new Worker('send', async () => { throw new UnrecoverableError('SES said no'); }, { connection, prefix });
    try {
      await new Promise<void>((resolve) => worker.on('failed', () => resolve()));
    } finally {
      await worker.close();
    }
    const list = await app.inject({ method: 'GET', url: '/admin/jobs/failed?queue=send', headers: auth });
    expect(list.statusCode).toBe(200);
    expect(list.json().jobs).toEqual([expect.objectContaining({ queue: 'send', id: 'delivery-424242', failedReason: 'SES said no' })]);

    const bad = await app.inject({ method: 'POST', url: '/admin/jobs/replay', headers: auth, payload: { queue: 'nope' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ error: 'invalid_replay', message: 'queue: unknown queue', field: 'queue' });

    const replay = await app.inject({ method: 'POST', url: '/admin/jobs/replay', headers: auth, payload: { queue: 'send', since: '1h' } });
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toEqual({ replayed: 1, jobs: [{ queue: 'send', id: 'delivery-424242' }] });
    expect(await (await queues.send.getJob('delivery-424242'))?.getState()).toBe('waiting');
    const after = await app.inject({ method: 'GET', url: '/admin/jobs/failed', headers: auth });
    expect(after.json().jobs).toEqual([]);
    clock = NOW;
  });

  it('the failed-jobs page lists a failed job with a Replay button that replays it and says so; another site\'s form is refused', async () => {
    await enqueue(queues, 'order-event', { inboundEventId: 777, jobKey: '0123456789abcdef' });
    const worker = new Worker('order-events', async () => { throw new UnrecoverableError('no such event'); }, { connection, prefix });
    try {
      await new Promise<void>((resolve) => worker.on('failed', () => resolve()));
    } finally {
      await worker.close();
    }
    const html = { ...auth, accept: 'text/html' };
    const listed = await app.inject({ method: 'GET', url: '/admin/jobs/failed', headers: html });
    expect(listed.body).toContain('<a href="/admin/jobs/failed">Failed jobs</a>');
    expect(listed.body).toContain('no such event');
    expect(listed.body).toContain('<input type="hidden" name="id" value="event-777-0123456789abcdef">');
    const form = { ...html, 'content-type': 'application/x-www-form-urlencoded' };
    const forged = await app.inject({ method: 'POST', url: '/admin/jobs/failed/replay', headers: { ...form, origin: 'https://evil.example' }, payload: 'queue=order-events' });
    expect(forged.statusCode).toBe(403);
    expect(await (await queues['order-events'].getJob('event-777-0123456789abcdef'))?.getState()).toBe('failed');
    const replayed = await app.inject({ method: 'POST', url: '/admin/jobs/failed/replay', headers: form, payload: 'queue=order-events&id=event-777-0123456789abcdef' });
    expect(replayed.statusCode).toBe(303);
    expect(replayed.headers.location).toBe('/admin/jobs/failed?replayed=1');
    expect(await (await queues['order-events'].getJob('event-777-0123456789abcdef'))?.getState()).toBe('waiting');
    const back = await app.inject({ method: 'GET', url: '/admin/jobs/failed?replayed=1', headers: html });
    expect(back.body).toContain('1 job replayed.');
    await queues['order-events'].obliterate({ force: true });
  });
});

describe('forecast and audit', () => {
  it('forecast: JSON per day, HTML with an SVG chart, bad days is 400', async () => {
    const json = await app.inject({ method: 'GET', url: '/admin/forecast?days=40', headers: { ...auth, accept: 'application/json' } });
    expect(json.statusCode).toBe(200);
    const days = json.json().days as Array<{ date: string; license: number; maintenance: number }>;
    expect(days).toHaveLength(40);
    // License expires 2026-12-04: the 7-day reminder is on 2026-11-27, the 0-day on 2026-12-04.
    expect(days.find((d) => d.date === '2026-12-04')?.license).toBe(1);
    const html = await app.inject({ method: 'GET', url: '/admin/forecast?days=40', headers: { ...auth, accept: 'text/html' } });
    expect(html.headers['content-type']).toMatch(/text\/html/);
    expect(html.body).toContain('<svg');
    expect((await app.inject({ method: 'GET', url: '/admin/forecast?days=0', headers: auth })).statusCode).toBe(400);
  });

  it('audit by order: contacts, reminders and events; unknown order is 404; bad email is 400', async () => {
    await store.lists.unsubscribe('ann@admin-ag.example', 'renewal:ORD-ADM-1', 'link');
    const json = await app.inject({ method: 'GET', url: '/admin/deliveries?orderId=ORD-ADM-1', headers: { ...auth, accept: 'application/json' } });
    expect(json.statusCode).toBe(200);
    expect(json.json().contacts).toEqual([expect.objectContaining({ email: 'ann@admin-ag.example', unsubscribed: true, suppressed: null })]);
    const html = await app.inject({ method: 'GET', url: '/admin/deliveries?orderId=ORD-ADM-1', headers: auth });
    expect(html.body).toContain('ann@admin-ag.example');
    expect((await app.inject({ method: 'GET', url: '/admin/deliveries?orderId=NOPE', headers: { ...auth, accept: 'application/json' } })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/admin/deliveries?email=not-an-address', headers: auth })).statusCode).toBe(400);
  });

  it('audit by email names the suppression', async () => {
    await store.lists.suppress('ann@admin-ag.example', 'bounce', 'mailbox does not exist');
    const json = await app.inject({ method: 'GET', url: '/admin/deliveries?email=Ann@Admin-AG.example', headers: { ...auth, accept: 'application/json' } });
    expect(json.json()).toEqual(expect.objectContaining({ email: 'ann@admin-ag.example', suppression: expect.objectContaining({ reason: 'bounce' }), unsubscribedFrom: ['renewal:ORD-ADM-1'] }));
    const lift = await app.inject({ method: 'DELETE', url: '/admin/suppressions/Ann%40admin-ag.example', headers: auth });
    expect(lift.json()).toEqual({ email: 'ann@admin-ag.example', lifted: true });
    expect(await store.lists.getSuppression('ann@admin-ag.example')).toBeNull();
    expect((await app.inject({ method: 'DELETE', url: '/admin/suppressions/ann%40admin-ag.example', headers: auth })).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: '/admin/suppressions/ann%40admin-ag.example' })).statusCode).toBe(401);
  });
});

describe('ops routes', () => {
  it('healthz and readyz answer', async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', database: 'ok', redis: 'ok' });
  });

  it('metrics expose queue depth, ledger counts and inbound events', async () => {
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/text\/plain/);
    for (const name of ['tickler_queue_jobs', 'tickler_jobs_finished', 'tickler_emails', 'tickler_inbound_events', 'tickler_process_cpu_user_seconds_total']) {
      expect(response.body).toContain(`# TYPE ${name}`);
    }
    expect(response.body).toMatch(/tickler_queue_jobs\{queue="send",state="waiting"\} 1/);
  });

  it('readyz is 503 naming the database when it is down', async () => {
    const broken = await openStore({ url: `file:${path.join(dir, 'other.db')}` });
    await broken.close();
    const down = makeHttpServer({ store: broken, queues, logger: pino({ level: 'silent' }), now: () => NOW, fetchText: async () => '', rateLimiter: makeMemoryRateLimiter(),
      config: { publicBaseUrl: 'https://tickler.example.com', tokenSecrets: [SECRETS.TOKEN_SECRETS], adminToken: SECRETS.ADMIN_TOKEN, portalApiKey: SECRETS.PORTAL_API_KEY,
        billingWebhookSecret: SECRETS.BILLING_WEBHOOK_SECRET, snsTopicArns: [], snsCertCacheDir: dir, newsletterTopics: [], emailDomainAllowlist: [], supportEmail: 'support@example.com', bodyLimitBytes: 65536 } });
    try {
      const response = await down.inject({ method: 'GET', url: '/readyz' });
      expect(response.statusCode).toBe(503);
      expect(response.json().message).toMatch(/database/);
      expect(response.json().message).not.toMatch(/redis/);
    } finally {
      await down.close();
    }
  });
});
