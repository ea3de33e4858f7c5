/**
 * Redis lost entirely — FLUSHALL, or a new empty instance at the same address — while the scheduler
 * role runs. The scan's schedule went with the data, so the role restores it, and the scan that then
 * runs reconciles from the ledger: within one scan interval every queued reminder has its (delayed)
 * job again and every unfinished delivery its send job; a mailer started afterwards sends each of
 * those emails exactly once.
 */
import type { Store } from '@tickler/db';
import { makeRedisConnection, type Queues } from '@tickler/queues';
import { SCAN_SCHEDULER_ID } from '@tickler/scheduler';
import { countingTransport, makeStore, seedBroadcast, startDeployment, uniquePrefix, waitUntil, type Deployment } from './fixtures';
import { requireRedisBinaries, startRedisServer, startSingle, stopAll, tempDir } from '@tickler/testkit';

jest.setTimeout(90_000);
afterAll(stopAll);

const SCAN_EVERY_MS = 4000;
const REMINDERS = 40;
const DELIVERIES = 60;

/** Orders and queued reminders due in 1–3 hours (within the scan's look-ahead), plus queued broadcast deliveries. */
async function seedLedger(store: Store): Promise<{ reminderIds: number[]; deliveryIds: number[]; emails: string[] }> {
  const reminderIds: number[] = [];
  for (let i = 0; i < REMINDERS; i += 1) {
    const orderId = `ORD-LOST-${i}`;
    await store.directory.applyOrderUpsert({
      orderId, organization: { id: `org-lost-${i}`, name: `Lost ${i}`, timeZone: 'UTC' }, product: 'Barcode Reader SDK',
      licenseExpiresOn: '2031-01-31', maintenanceExpiresOn: null, purchaserEmail: `buyer-${i}@lost-${i}.example`, purchaserName: null,
      occurredAt: new Date(Date.now() - 60_000),
    });
    const [row] = await store.reminders.insertNew([{
      orderId, kind: 'license', expiresOn: '2031-01-31', offsetDays: 7, sendAt: new Date(Date.now() + 3_600_000 + i * 60_000), status: 'queued', reason: null,
    }]);
    reminderIds.push(row!.id);
  }
  const { ids, emails } = await seedBroadcast(store, DELIVERIES);
  return { reminderIds, deliveryIds: ids, emails };
}

/** Which of the ledger's jobs Redis holds: reminder jobs (delayed) and send jobs (waiting). */
async function jobsPresent(queues: Queues, reminderIds: number[], deliveryIds: number[]): Promise<{ reminders: number; sends: number }> {
  const delayed = new Set((await queues.reminders.getJobs(['delayed'], 0, -1)).map((j) => j?.id));
  const waiting = new Set((await queues.send.getJobs(['waiting'], 0, -1)).map((j) => j?.id));
  return {
    reminders: reminderIds.filter((id) => delayed.has(`reminder-${id}`)).length,
    sends: deliveryIds.filter((id) => waiting.has(`delivery-${id}`)).length,
  };
}

async function expectRebuiltWithinOneInterval(deployment: Deployment, ledger: { reminderIds: number[]; deliveryIds: number[] }, lostAt: number): Promise<number> {
  await waitUntil(async () => {
    const present = await jobsPresent(deployment.queues, ledger.reminderIds, ledger.deliveryIds);
    return present.reminders === REMINDERS && present.sends === DELIVERIES;
  }, 'every queued reminder and unfinished delivery to be back in Redis', 3 * SCAN_EVERY_MS);
  const tookMs = Date.now() - lostAt;
  expect(tookMs).toBeLessThanOrEqual(SCAN_EVERY_MS + 1500);
  expect(await deployment.queues.scan.getJobScheduler(SCAN_SCHEDULER_ID)).toMatchObject({ every: SCAN_EVERY_MS });
  expect(await deployment.queues.scan.getGlobalConcurrency()).toBe(1);
  return tookMs;
}

it('rebuilds every queued reminder and unfinished delivery within one scan interval after FLUSHALL and after a new empty instance', async () => {
  requireRedisBinaries();
  const redis = await startSingle();
  const { store } = await makeStore('lost');
  const ledger = await seedLedger(store);
  // Queued deliveries need no waiting period: reconciliation re-adds their jobs at the next scan.
  const prefix = uniquePrefix('lost');
  let deployment = await startDeployment({ redisUrl: redis.url, prefix, store, scheduler: { scanEveryMs: SCAN_EVERY_MS } });
  try {
    await waitUntil(async () => {
      const present = await jobsPresent(deployment.queues, ledger.reminderIds, ledger.deliveryIds);
      return present.reminders === REMINDERS && present.sends === DELIVERIES;
    }, 'the first scan to enqueue the ledger', 15_000);

    // 1. FLUSHALL: the jobs, the scan's job scheduler and its global concurrency are gone.
    const admin = makeRedisConnection(redis.url);
    const flushedAt = Date.now();
    await admin.flushall();
    admin.disconnect();
    expect(await deployment.queues.scan.getJobScheduler(SCAN_SCHEDULER_ID)).toBeFalsy();
    const afterFlush = await expectRebuiltWithinOneInterval(deployment, ledger, flushedAt);

    // 2. The instance dies and a new, empty one starts at the same address.
    await redis.node.kill('SIGKILL');
    const replacedAt = Date.now();
    await startRedisServer('replacement redis', redis.node.port, ['--port', String(redis.node.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], tempDir('redis-replacement'));
    const afterReplace = await expectRebuiltWithinOneInterval(deployment, ledger, replacedAt);
    process.stdout.write(`redis lost: rebuilt ${afterFlush} ms after FLUSHALL, ${afterReplace} ms after a new empty instance (scan every ${SCAN_EVERY_MS} ms)\n`);

    // A mailer started now sends every one of those emails, once.
    await deployment.close();
    const transport = countingTransport(1);
    deployment = await startDeployment({ redisUrl: redis.url, prefix, store, transport, mailer: { concurrency: 10, maxSendRate: 500 } });
    await waitUntil(() => transport.sent.length >= DELIVERIES, 'the mailer to send the rebuilt deliveries', 20_000);
    await new Promise((r) => setTimeout(r, 300));
    const counts = transport.counts();
    expect(counts.size).toBe(DELIVERIES);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  } finally {
    await deployment.close();
    await store.close();
  }
});
