/**
 * The system as operators run it: `tickler scheduler`, two `tickler mailer` and `tickler http` as
 * separate processes on real Redis, a SQLite file and the local SES. Reminders are loaded (directly
 * and through the signed billing webhook), one mailer is stopped with SIGTERM and the other killed
 * with SIGKILL mid-run; a replacement mailer finishes. Every due email must arrive; an email may be
 * doubled only by the killed process (SES accepted it, the ledger write died with the process).
 */
import { createHmac } from 'node:crypto';
import { openStore } from '@tickler/db';
import { freePort } from '../src/start/free-port';
import { latestDueDay } from '../src/start/demo-data';
import { runCli, SECRETS, sesStore, startCli, waitUntil } from './helpers/cli';
import { loadDueOrders, useCliSuite } from './helpers/services';

jest.setTimeout(300_000);

const ORDERS = 120;
const suite = useCliSuite('system');

function signedBilling(secret: string, payload: unknown): { body: string; signature: string } {
  const body = JSON.stringify(payload);
  const t = Math.floor(Date.now() / 1000);
  return { body, signature: `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}` };
}

async function orderExists(dbUrl: string, orderId: string): Promise<boolean> {
  const store = await openStore({ url: dbUrl });
  try {
    return (await store.directory.getOrder(orderId)) !== null;
  } finally {
    await store.close();
  }
}

it('delivers every due reminder across SIGTERM and SIGKILL of mailers', async () => {
  const port = await freePort(0);
  const env = suite.env({ SES_MAX_SEND_RATE: '8', MAILER_CONCURRENCY: '1', HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1' });
  const emails = Array.from({ length: ORDERS }, (_, i) => `buyer-${i + 1}@customer-${i + 1}.example`);
  expect((await runCli(['db', 'migrate'], env)).code).toBe(0);
  await loadDueOrders(env.DATABASE_URL, emails);

  const scheduler = startCli(['scheduler'], env);
  const mailerA = startCli(['mailer'], env);
  const mailerB = startCli(['mailer'], env);
  const httpEdge = startCli(['http'], env);
  await Promise.all([scheduler.waitFor(/scheduler role started/), mailerA.waitFor(/mailer role started/), mailerB.waitFor(/mailer role started/), httpEdge.waitFor(/http edge listening/)]);
  expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);

  // One more order arrives through the billing webhook: http records it, the scheduler applies it.
  const webhook = signedBilling(SECRETS.BILLING_WEBHOOK_SECRET, {
    id: 'evt_system_1', type: 'order.upserted', occurredAt: new Date().toISOString(),
    data: { orderId: 'ORD-WEB-1', organization: { id: 'org-web', name: 'Web GmbH', timeZone: 'UTC' }, product: 'Barcode Reader SDK',
      licenseExpiresOn: latestDueDay('UTC', new Date()), maintenanceExpiresOn: null, purchaserEmail: 'web-buyer@web-gmbh.example', purchaserName: 'Web' },
  });
  const posted = await fetch(`http://127.0.0.1:${port}/webhooks/billing`, { method: 'POST', headers: { 'content-type': 'application/json', 'tickler-signature': webhook.signature }, body: webhook.body });
  expect(posted.status).toBe(202);
  await waitUntil(() => orderExists(env.DATABASE_URL, 'ORD-WEB-1'), 30_000);
  const expected = [...emails, 'web-buyer@web-gmbh.example'];

  expect((await runCli(['scan'], env)).code).toBe(0);

  const received = async () => (await sesStore(suite.ses.url)).map((e) => e.destination.to[0]!);
  await waitUntil(async () => (await received()).length >= 20, 60_000);
  mailerA.child.kill('SIGTERM');
  expect((await mailerA.exited).code).toBe(0);
  const afterTerm = (await received()).length;
  await waitUntil(async () => (await received()).length >= afterTerm + 15, 60_000);
  mailerB.child.kill('SIGKILL');
  await mailerB.exited;
  const afterKill = (await received()).length;

  const metricsPort = await freePort(0);
  const mailerC = startCli(['mailer'], { ...env, MAILER_CONCURRENCY: '10', SES_MAX_SEND_RATE: '50', METRICS_PORT: String(metricsPort) });
  // The killed worker's job is recovered once its lock expires (BullMQ stalled-job check, ~30 s).
  await waitUntil(async () => new Set(await received()).size >= expected.length, 180_000, () => 'for every due email');
  await new Promise((r) => setTimeout(r, 2000));

  const all = await received();
  const counts = new Map<string, number>();
  for (const to of all) counts.set(to, (counts.get(to) ?? 0) + 1);
  const doubled = [...counts].filter(([, n]) => n > 1);
  console.log(`system test: ${expected.length} due, ${all.length} received (${afterTerm} before SIGTERM, ${afterKill} before SIGKILL), ${new Set(all).size} distinct, ${doubled.length} doubled`);
  expect([...counts.keys()].sort()).toEqual([...expected].sort());
  expect(doubled.length).toBeLessThanOrEqual(1); // only the SIGKILLed mailer can double, and it had one send in flight
  expect(doubled.every(([, n]) => n === 2)).toBe(true);

  const mailerMetrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  expect(mailerMetrics).toMatch(/tickler_ses_send_duration_seconds_count\{outcome="accepted"\} [1-9]/);
  const edgeMetrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  expect(edgeMetrics).toMatch(/tickler_emails\{status="sent",reason=""\} [1-9]/);

  for (const proc of [scheduler, mailerC, httpEdge]) proc.child.kill('SIGTERM');
  for (const proc of [scheduler, mailerC, httpEdge]) expect((await proc.exited).code).toBe(0);
});
