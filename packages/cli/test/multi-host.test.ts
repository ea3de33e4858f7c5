/**
 * Roles on different hosts sharing one PostgreSQL and one Redis (SPEC: PostgreSQL is the store for
 * more than one machine). Five network namespaces stand in for five machines: one scheduler, two
 * mailers, two HTTP edges; PostgreSQL, Redis and the local SES run on the bridge, started by the test.
 *
 * 500 orders arrive as billing events sent to both edges alternately. Through edge 1 the portal
 * removes the contacts of 50 orders; through edge 2 the purchasers of 50 others unsubscribe (RFC 8058
 * one-click). Then the mailers start; one is cut off the network mid-run and comes back, and edge 2
 * is cut off and asked for /readyz from inside its host. Every due email arrives exactly once (an
 * email may be doubled only inside the documented window of a mailer that lost its network), none
 * goes to a removed contact or an unsubscribed person, and /readyz tells the truth throughout.
 */
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import sesServer from 'aws-ses-v2-local';
import { createListToken } from '@tickler/domain';
import { latestDueDay } from '../src/start/demo-data';
import { freePort } from '../src/start/free-port';
import { NODE_ARGS, ROOT, runCli, SECRETS, sesStore, waitUntil } from './helpers/cli';
import { makeTestNetwork, namespacesUnavailable, type TestNetwork, type TestHost } from './hosts/network';
import { startPostgresServer, type PostgresServer } from './hosts/postgres-server';
import { startRedisServer, type RedisServer } from './hosts/redis-server';

jest.setTimeout(420_000);

const ORDERS = 500;
const REMOVED = 50; // orders 1..50: contact removed through edge 1
const UNSUBSCRIBED = 50; // orders 51..100: purchaser unsubscribed through edge 2
const HTTP_PORT = 3000;

const why = namespacesUnavailable();
const describeHosts = why ? describe.skip : describe;
if (why) it.skip(`multi-host test skipped: ${why}`, () => undefined);

const buyer = (i: number) => `buyer-${i}@customer-${i}.example`;
const orderId = (i: number) => `ORD-MH-${i}`;

describeHosts('roles on five hosts with one PostgreSQL and one Redis', () => {
  let network: TestNetwork;
  let postgres: PostgresServer;
  let redis: RedisServer;
  let ses: { url: string; close(): Promise<void> };
  const children: Array<ReturnType<TestHost['spawn']>> = [];

  beforeAll(async () => {
    network = makeTestNetwork(['sched', 'mail1', 'mail2', 'http1', 'http2']);
    postgres = startPostgresServer({ host: network.hostIp, port: await freePort(0, network.hostIp) });
    postgres.createDatabase('tickler');
    redis = await startRedisServer({ host: network.hostIp, port: await freePort(0, network.hostIp) });
    const server = await sesServer({ host: network.hostIp, port: 0 });
    ses = {
      url: `http://${network.hostIp}:${(server.address() as AddressInfo).port}`,
      close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
    };
  });

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await ses?.close();
    await redis?.stop();
    postgres?.destroy();
    network?.destroy();
  });

  function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', TEMPLATES_DIR: path.join(ROOT, 'templates'), ...SECRETS,
      DATABASE_URL: postgres.url('tickler'), REDIS_URL: redis.url, QUEUE_PREFIX: 'tickler-mh', PUBLIC_BASE_URL: 'https://tickler.example.com',
      SES_ENDPOINT: ses.url, SES_FROM_REMINDERS: 'reminders@tickler.example', SES_FROM_NEWSLETTER: 'news@tickler.example',
      SES_MAX_SEND_RATE: '40', HTTP_HOST: '0.0.0.0', HTTP_PORT: String(HTTP_PORT), REMINDER_OFFSETS_LICENSE: '0', ...extra,
    };
  }

  function startRole(host: TestHost, role: string, extra: Record<string, string> = {}): { output: () => string; started: Promise<void> } {
    const child = host.spawn(process.execPath, [...NODE_ARGS, role], env(extra), ROOT);
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
    const started = waitUntil(() => /role started|http edge listening/.test(out), 90_000, () => `for ${role} on ${host.name}:\n${out.slice(-2000)}`);
    return { output: () => out, started };
  }

  const edge = (name: 'http1' | 'http2') => `http://${network.hosts[name]!.ip}:${HTTP_PORT}`;

  async function readyInside(host: TestHost): Promise<number> {
    const probe = host.spawn(process.execPath, ['-e', `fetch('http://127.0.0.1:${HTTP_PORT}/readyz').then((r) => console.log(r.status), () => console.log(0))`], env(), ROOT);
    let out = '';
    probe.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
    await new Promise((resolve) => probe.on('exit', resolve));
    return Number(out.trim());
  }

  async function billing(target: string, i: number): Promise<number> {
    const body = JSON.stringify({
      id: `evt_mh_${i}`, type: 'order.upserted', occurredAt: new Date().toISOString(),
      data: { orderId: orderId(i), organization: { id: `org-mh-${i}`, name: `Host Test ${i}`, timeZone: 'UTC' }, product: 'Barcode Reader SDK',
        licenseExpiresOn: latestDueDay('UTC', new Date()), maintenanceExpiresOn: null, purchaserEmail: buyer(i), purchaserName: null },
    });
    const t = Math.floor(Date.now() / 1000);
    const signature = `t=${t},v1=${createHmac('sha256', SECRETS.BILLING_WEBHOOK_SECRET).update(`${t}.${body}`).digest('hex')}`;
    const response = await fetch(`${target}/webhooks/billing`, { method: 'POST', headers: { 'content-type': 'application/json', 'tickler-signature': signature }, body });
    return response.status;
  }

  it('delivers every due email once, honours every unsubscribe and contact change, and /readyz tells the truth', async () => {
    const migrated = await runCli(['db', 'migrate'], env() as Record<string, string>);
    expect({ code: migrated.code, stderr: migrated.stderr }).toEqual({ code: 0, stderr: '' });
    const { sched, mail1, mail2, http1, http2 } = network.hosts as Record<string, TestHost>;
    const roles = [startRole(sched!, 'scheduler'), startRole(http1!, 'http'), startRole(http2!, 'http')];
    await Promise.all(roles.map((r) => r.started));
    expect((await fetch(`${edge('http1')}/readyz`)).status).toBe(200);
    expect((await fetch(`${edge('http2')}/readyz`)).status).toBe(200);

    // Billing events to both edges alternately, a few at a time.
    for (let i = 1; i <= ORDERS; i += 10) {
      const statuses = await Promise.all(Array.from({ length: Math.min(10, ORDERS - i + 1) }, (_, k) => billing(edge((i + k) % 2 ? 'http1' : 'http2'), i + k)));
      expect(statuses.every((s) => s === 202)).toBe(true);
    }
    // Every order is applied (the portal sees its contacts) before contacts change.
    const portal = (email: string) => ({ authorization: `Bearer ${SECRETS.PORTAL_API_KEY}`, 'x-acting-user': email });
    await waitUntil(async () => (await fetch(`${edge('http1')}/api/orders/${orderId(ORDERS)}/contacts`, { headers: portal(buyer(ORDERS)) })).status === 200, 90_000);
    for (let i = 1; i <= ORDERS; i += 25) {
      await waitUntil(async () => (await fetch(`${edge('http2')}/api/orders/${orderId(i)}/contacts`, { headers: portal(buyer(i)) })).status === 200, 60_000);
    }

    // Contacts change through edge 1 while edge 2 serves one-click unsubscribes.
    const removals = Array.from({ length: REMOVED }, (_, k) => k + 1).map(async (i) =>
      (await fetch(`${edge('http1')}/api/orders/${orderId(i)}/contacts/${encodeURIComponent(buyer(i))}?force=true`, { method: 'DELETE', headers: portal(buyer(i)) })).status);
    const unsubscribes = Array.from({ length: UNSUBSCRIBED }, (_, k) => REMOVED + k + 1).map(async (i) => {
      const token = createListToken([SECRETS.TOKEN_SECRETS], buyer(i), `renewal:${orderId(i)}`);
      return (await fetch(`${edge('http2')}/u/${token}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' })).status;
    });
    expect((await Promise.all(removals)).every((s) => s >= 200 && s < 300)).toBe(true);
    expect((await Promise.all(unsubscribes)).every((s) => s === 200)).toBe(true);

    // Now the mailers; one loses its network mid-run.
    const mailers = [startRole(mail1!, 'mailer', { MAILER_CONCURRENCY: '2' }), startRole(mail2!, 'mailer', { MAILER_CONCURRENCY: '4' })];
    await Promise.all(mailers.map((m) => m.started));
    const received = async () => (await sesStore(ses.url)).map((e) => e.destination.to[0]!);
    await waitUntil(async () => (await received()).length >= 80, 120_000, () => 'for the first 80 emails');
    mail1!.cut();
    http2!.cut();
    const readyWhileCut = await readyInside(http2!);
    expect((await fetch(`${edge('http1')}/readyz`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 4000));
    mail1!.restore();
    http2!.restore();
    await waitUntil(async () => (await readyInside(http2!)) === 200, 30_000, () => 'for edge 2 to be ready again');
    expect(readyWhileCut).toBe(503);

    const due = Array.from({ length: ORDERS - REMOVED - UNSUBSCRIBED }, (_, k) => buyer(REMOVED + UNSUBSCRIBED + k + 1));
    await waitUntil(async () => new Set(await received()).size >= due.length, 240_000, () => 'for every due email');
    await new Promise((r) => setTimeout(r, 3000));
    const all = await received();
    const counts = new Map<string, number>();
    for (const to of all) counts.set(to, (counts.get(to) ?? 0) + 1);
    const doubled = [...counts].filter(([, n]) => n > 1);
    console.log(`multi-host: ${due.length} due, ${all.length} received, ${counts.size} distinct, ${doubled.length} doubled; mailer outputs:\n${mailers.map((m) => m.output().split('\n').filter((l) => /error|warn/i.test(l)).slice(0, 5).join('\n')).join('\n')}`);
    expect([...counts.keys()].sort()).toEqual([...due].sort());
    // Only the mailer that lost its network can double an email, and it had at most 2 sends in flight.
    expect(doubled.length).toBeLessThanOrEqual(2);
  });
});
