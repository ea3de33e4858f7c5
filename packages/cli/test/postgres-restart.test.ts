/**
 * PostgreSQL restarted under load: the test owns a throw-away server and restarts it while the
 * mailer sends and billing events arrive. Roles reconnect by themselves; while the database is down
 * the billing webhook answers 503 (the sender retries) and never 202-and-lost; afterwards every
 * accepted event is applied and every due email went out exactly once.
 */
import { createHmac } from 'node:crypto';
import { latestDueDay } from '../src/start/demo-data';
import { freePort } from '../src/start/free-port';
import { runCli, SECRETS, sesStore, startCli, waitUntil } from './helpers/cli';
import { useCliSuite } from './helpers/services';
import { startPostgresServer, type PostgresServer } from './hosts/postgres-server';

jest.setTimeout(300_000);

const suite = useCliSuite('pg-restart');
let postgres: PostgresServer;

beforeAll(async () => {
  postgres = startPostgresServer({ host: '127.0.0.1', port: await freePort(0) });
  postgres.createDatabase('tickler');
});
afterAll(() => postgres?.destroy());

const buyer = (i: number) => `restart-${i}@customer-${i}.example`;

function signed(i: number): { body: string; signature: string } {
  const body = JSON.stringify({
    id: `evt_restart_${i}`, type: 'order.upserted', occurredAt: new Date().toISOString(),
    data: { orderId: `ORD-RS-${i}`, organization: { id: `org-rs-${i}`, name: `Restart ${i}`, timeZone: 'UTC' }, product: 'Barcode Reader SDK',
      licenseExpiresOn: latestDueDay('UTC', new Date()), maintenanceExpiresOn: null, purchaserEmail: buyer(i), purchaserName: null },
  });
  const t = Math.floor(Date.now() / 1000);
  return { body, signature: `t=${t},v1=${createHmac('sha256', SECRETS.BILLING_WEBHOOK_SECRET).update(`${t}.${body}`).digest('hex')}` };
}

it('rides through a PostgreSQL restart: 503 while down, nothing lost or doubled', async () => {
  const port = await freePort(0);
  const env = suite.env({
    DATABASE_URL: postgres.url('tickler'), HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1', SES_MAX_SEND_RATE: '30', REMINDER_OFFSETS_LICENSE: '0',
  });
  expect((await runCli(['db', 'migrate'], env)).code).toBe(0);
  const roles = [startCli(['scheduler'], env), startCli(['mailer'], env), startCli(['http'], env)];
  await Promise.all([roles[0]!.waitFor(/scheduler role started/), roles[1]!.waitFor(/mailer role started/), roles[2]!.waitFor(/http edge listening/)]);
  const base = `http://127.0.0.1:${port}`;

  // The sender retries until it gets 202 (or 200 for a duplicate), as a billing system would.
  const outcomes: Array<{ i: number; statuses: number[] }> = [];
  const send = async (i: number) => {
    const statuses: number[] = [];
    for (;;) {
      const { body, signature } = signed(i);
      const status = await fetch(`${base}/webhooks/billing`, { method: 'POST', headers: { 'content-type': 'application/json', 'tickler-signature': signature }, body })
        .then((r) => r.status, () => 0);
      statuses.push(status);
      if (status === 202 || status === 200) break;
      expect([0, 500, 502, 503]).toContain(status);
      await new Promise((r) => setTimeout(r, 300));
    }
    outcomes.push({ i, statuses });
  };

  const TOTAL = 120;
  const sending = (async () => {
    for (let i = 1; i <= TOTAL; i += 1) {
      await send(i);
      await new Promise((r) => setTimeout(r, 40));
    }
  })();
  await waitUntil(() => outcomes.length >= 30, 60_000);
  postgres.stop('fast');
  await waitUntil(async () => (await fetch(`${base}/readyz`)).status === 503, 20_000, () => 'for /readyz to report the database down');
  await new Promise((r) => setTimeout(r, 3000));
  postgres.start();
  await waitUntil(async () => (await fetch(`${base}/readyz`)).status === 200, 60_000, () => 'for /readyz to recover');
  await sending;

  const refusedWhileDown = outcomes.filter((o) => o.statuses.some((s) => s !== 202 && s !== 200)).length;
  const received = async () => (await sesStore(suite.ses.url)).map((e) => e.destination.to[0]!);
  const due = Array.from({ length: TOTAL }, (_, k) => buyer(k + 1));
  await waitUntil(async () => new Set(await received()).size >= TOTAL, 180_000, () => 'for every due email');
  await new Promise((r) => setTimeout(r, 2000));
  const all = await received();
  console.log(`postgres restart: ${TOTAL} events, ${refusedWhileDown} refused at least once while the database was down, ${all.length} emails, ${new Set(all).size} distinct`);
  expect(refusedWhileDown).toBeGreaterThan(0);
  expect([...new Set(all)].sort()).toEqual([...due].sort());
  expect(all.length).toBe(TOTAL);

  for (const role of roles) role.child.kill('SIGTERM');
  for (const role of roles) expect((await role.exited).code).toBe(0);
});
