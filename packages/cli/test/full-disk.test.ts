/**
 * `tickler http` on a full disk, for real. The edge runs as its own process and the test takes away
 * its right to grow any file: RLIMIT_FSIZE 0, set from outside with util-linux `prlimit --pid`.
 * That is how a full disk or quota looks to a process (a write fails with EFBIG/ENOSPC): SQLite
 * appends every commit to the WAL, so each commit fails, while reads still work. Only the edge
 * process is limited; the test's own files (jest's cache, logs) are not.
 */
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { openStore } from '@tickler/db';
import { closeQueues, jobIdFor, makeQueues, orderEventJobData } from '@tickler/queues';
import { freePort } from '../src/start/free-port';
import { runCli, SECRETS, startCli } from './helpers/cli';
import { useCliSuite } from './helpers/services';

jest.setTimeout(120_000);

const suite = useCliSuite('full-disk');

/** Sets a process's RLIMIT_FSIZE soft limit; `restore` puts back what it was. */
function limitFileSize(pid: number, softBytes: number): { restore(): void } {
  const [soft, hard] = execFileSync('prlimit', ['--pid', String(pid), '--fsize', '--raw', '--noheadings', '--output=SOFT,HARD'], { encoding: 'utf8' })
    .trim().split(/\s+/);
  execFileSync('prlimit', ['--pid', String(pid), `--fsize=${softBytes}:${hard}`]);
  return { restore: () => execFileSync('prlimit', ['--pid', String(pid), `--fsize=${soft}:${hard}`]) };
}

function billingEvent(id: string, orderId: string): string {
  return JSON.stringify({
    id, type: 'order.upserted', occurredAt: new Date(Date.now() - 60_000).toISOString(),
    data: { orderId, organization: { id: 'org-disk', name: 'Disk AG', timeZone: 'UTC' }, product: 'Barcode Reader SDK',
      licenseExpiresOn: '2031-01-31', maintenanceExpiresOn: null, purchaserEmail: 'ann@disk-ag.example', purchaserName: 'Ann' },
  });
}

async function post(port: number, body: string): Promise<{ status: number; json: unknown; retryAfter: string | null }> {
  const t = Math.floor(Date.now() / 1000);
  const signature = `t=${t},v1=${createHmac('sha256', SECRETS.BILLING_WEBHOOK_SECRET).update(`${t}.${body}`).digest('hex')}`;
  const response = await fetch(`http://127.0.0.1:${port}/webhooks/billing`, { method: 'POST', headers: { 'content-type': 'application/json', 'tickler-signature': signature }, body });
  return { status: response.status, json: await response.json(), retryAfter: response.headers.get('retry-after') };
}

it('answers 503 (never 202) for an event it cannot store, /readyz names the unwritable database, and the retry is accepted with a job of its own', async () => {
  const port = await freePort(0);
  const env = suite.env({ HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1' });
  expect((await runCli(['db', 'migrate'], env)).code).toBe(0);
  const edge = startCli(['http'], env);
  await edge.waitFor(/http edge listening/);
  const readyz = async () => {
    const response = await fetch(`http://127.0.0.1:${port}/readyz`);
    return { status: response.status, json: (await response.json()) as { message?: string } };
  };
  // Every code path below runs once before the disk fills, so nothing is left to load from disk then.
  expect((await post(port, billingEvent('evt_disk_1', 'ORD-DISK-1'))).status).toBe(202);
  expect((await readyz()).status).toBe(200);

  const full = limitFileSize(edge.child.pid!, 0);
  try {
    const lost = await post(port, billingEvent('evt_disk_2', 'ORD-DISK-2'));
    expect(lost).toEqual({
      status: 503, retryAfter: '30',
      json: { error: 'database_unavailable', message: 'The database cannot take this request right now, and nothing was stored; please retry later.' },
    });
    const notReady = await readyz();
    expect(notReady.status).toBe(503);
    expect(notReady.json.message).toMatch(/^not ready: database: readable but not writable \(.+\)$/);
  } finally {
    full.restore();
  }
  expect(await readyz()).toEqual({ status: 200, json: { status: 'ready', database: 'ok', redis: 'ok' } });

  const store = await openStore({ url: env.DATABASE_URL });
  const queues = makeQueues({ host: '127.0.0.1', port: 6379 }, env.QUEUE_PREFIX);
  try {
    // Nothing of the refused event was kept, and no job was added for it.
    expect(await store.inboundEvents.listByOrder('ORD-DISK-2')).toEqual([]);
    expect(await queues['order-events'].getJobCountByTypes('waiting', 'active', 'completed', 'failed', 'delayed')).toBe(1);
    // The sender's retry is accepted. Its row gets the id the lost write had held (SQLite hands it
    // out again), and its job is its own, not one left behind for the lost row.
    expect((await post(port, billingEvent('evt_disk_2', 'ORD-DISK-2'))).status).toBe(202);
    const [row] = await store.inboundEvents.listByOrder('ORD-DISK-2');
    expect(row).toMatchObject({ id: 2, status: 'pending' });
    const job = await queues['order-events'].getJob(jobIdFor('order-event', orderEventJobData(row!))!);
    expect(job?.data).toEqual({ inboundEventId: 2, jobKey: row!.jobKey });
    expect(await job?.getState()).toBe('waiting');
  } finally {
    await closeQueues(queues);
    await store.close();
    edge.child.kill('SIGTERM');
    await edge.exited;
  }
});
