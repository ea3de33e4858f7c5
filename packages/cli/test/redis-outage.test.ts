/**
 * `tickler http` while its Redis is down, for real: the edge runs as its own process on a private
 * redis-server that the test shuts down. /metrics still answers within its bound (process and ledger
 * metrics, `tickler_redis_up 0`, no stale queue gauges), and SIGTERM still ends in exit 0. Before
 * that, the response counter counts a forged billing webhook as 401 and an unsubscribe page under
 * its route pattern, never its token.
 */
import { createHmac } from 'node:crypto';
import { createListToken } from '@tickler/domain';
import { requireRedisBinaries, startSingle, stopAll } from '@tickler/testkit';
import { freePort } from '../src/start/free-port';
import { runCli, SECRETS, startCli } from './helpers/cli';
import { useCliSuite } from './helpers/services';

jest.setTimeout(120_000);

const suite = useCliSuite('redis-outage');
afterAll(stopAll);

/** The sum of the samples of `metric` whose labels include every one of `labels`, e.g. `{route: '/u/:token'}`; null when there is none. */
function sample(text: string, metric: string, labels: Record<string, string> = {}): number | null {
  let sum: number | null = null;
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== metric) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/([a-z_]+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum = (sum ?? 0) + Number(m[3]);
  }
  return sum;
}

async function scrape(base: string): Promise<{ status: number; text: string; ms: number }> {
  const started = Date.now();
  const response = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(20_000) });
  return { status: response.status, text: await response.text(), ms: Date.now() - started };
}

it('answers /metrics within its bound and exits 0 on SIGTERM while Redis is down; counts answers by route pattern', async () => {
  requireRedisBinaries();
  const redis = await startSingle();
  const port = await freePort(0);
  const base = `http://127.0.0.1:${port}`;
  const env = suite.env({ REDIS_URL: redis.url, HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1' });
  expect((await runCli(['db', 'migrate'], env)).code).toBe(0);
  const edge = startCli(['http'], env);
  await edge.waitFor(/http edge listening/);

  // A billing system whose secret no longer matches (rotated on one side only), and a recipient's unsubscribe page.
  const body = JSON.stringify({ id: 'evt_forged', type: 'order.cancelled', occurredAt: new Date().toISOString(), data: { orderId: 'ORD-1' } });
  const t = Math.floor(Date.now() / 1000);
  const forged = `t=${t},v1=${createHmac('sha256', 'not-the-billing-secret').update(`${t}.${body}`).digest('hex')}`;
  const refused = await fetch(`${base}/webhooks/billing`, { method: 'POST', headers: { 'content-type': 'application/json', 'tickler-signature': forged }, body });
  expect(refused.status).toBe(401);
  const token = createListToken([SECRETS.TOKEN_SECRETS], 'ann@outage.example', 'renewal:ORD-1');
  expect((await fetch(`${base}/u/${token}`)).status).toBe(200);
  expect((await fetch(`${base}/no-such-page/${token}`)).status).toBe(404);
  // A damaged link the router refuses before any route or hook runs (a malformed %-escape).
  expect((await fetch(`${base}/u/${token.slice(0, 8)}%zz`)).status).toBe(400);

  const up = await scrape(base);
  expect(up.status).toBe(200);
  expect(sample(up.text, 'tickler_redis_up')).toBe(1);
  expect(sample(up.text, 'tickler_queue_jobs', { queue: 'order-events', state: 'waiting' })).toBe(0);
  expect(sample(up.text, 'tickler_http_responses_total', { method: 'POST', route: '/webhooks/billing', status: '401' })).toBe(1);
  expect(sample(up.text, 'tickler_http_responses_total', { method: 'GET', route: '/u/:token', status: '200' })).toBe(1);
  expect(sample(up.text, 'tickler_http_responses_total', { method: 'GET', route: '(none)', status: '404' })).toBe(1);
  expect(sample(up.text, 'tickler_http_responses_total', { method: 'GET', route: '(none)', status: '400' })).toBe(1);
  expect(up.text).not.toContain(token.slice(0, 16));
  expect(up.text).not.toContain('ann@outage.example');

  await redis.stop();
  // Twice: the second scrape meets the first one's read of Redis still pending.
  for (let i = 0; i < 2; i += 1) {
    const down = await scrape(base);
    expect(down.status).toBe(200);
    expect(down.ms).toBeLessThan(5000);
    expect(sample(down.text, 'tickler_redis_up')).toBe(0);
    // Absent, not stale: a gauge that still showed the last counts would look like a quiet queue.
    expect(down.text).not.toMatch(/^tickler_queue_jobs\{/m);
    expect(down.text).not.toMatch(/^tickler_jobs_finished\{/m);
    expect(sample(down.text, 'tickler_database_up')).toBe(1);
    expect(down.text).toContain('# TYPE tickler_emails gauge');
    expect(sample(down.text, 'tickler_process_cpu_user_seconds_total')).toEqual(expect.any(Number));
  }

  const stopping = Date.now();
  edge.child.kill('SIGTERM');
  const exit = await Promise.race([edge.exited, new Promise<null>((resolve) => setTimeout(() => resolve(null), 20_000))]);
  expect({ exit, output: exit ? '' : edge.output().slice(-2000) }).toEqual({ exit: { code: 0, signal: null }, output: '' });
  expect(Date.now() - stopping).toBeLessThan(10_000);
});
