/**
 * Sentinel failover on real processes: a master, one replica and three sentinels. The roles
 * (scheduler, mailer, HTTP edge, each with its own connection) run on
 * `redis-sentinel://…/<master>` while 2,000 emails are in flight and billing events keep arriving;
 * the master is SIGKILLed. The sentinels promote the replica, the roles reconnect to it by
 * themselves, every email is sent exactly once, every billing event is applied (or was refused with
 * 5xx and is applied when the sender retries), and `/readyz` says Redis is down during the switch
 * and ready after it.
 */
import { enqueueBulk, makeRedisConnection } from '@tickler/queues';
import {
  baseUrlOf, countingTransport, deliveryStatuses, makeStore, sampleReadiness, seedBroadcast, startDeployment, uniquePrefix, waitUntil,
} from './fixtures';
import { firstSendAfterGap, requireRedisBinaries, startSentinel, stopAll } from '@tickler/testkit';
import { describeEvents, expectEveryEventApplied, expectReadyzDownDuring, expectScansOneAtATime, sendEvents } from './failover-helpers';

jest.setTimeout(90_000);
afterAll(stopAll);

const EMAILS = 2000;

it('rides through a Sentinel failover: every email once, every billing event applied or refused, /readyz down then up', async () => {
  requireRedisBinaries();
  const sentinel = await startSentinel();
  const { store } = await makeStore('sentinel');
  const { ids, emails } = await seedBroadcast(store, EMAILS);
  const transport = countingTransport(3);
  const prefix = uniquePrefix('sentinel');
  const deployment = await startDeployment({
    redisUrl: sentinel.url, prefix, store, transport, http: true,
    mailer: { concurrency: 16, maxSendRate: 200 },
    // Reconciliation (every scan) re-adds deliveries once they are this old (default 10 min).
    // Two schedulers, as with a hot standby: their scans must never overlap, failover or not.
    scheduler: { scanEveryMs: 2000, config: { staleSendingMs: 5000 }, count: 2 },
  });
  try {
    for (let from = 0; from < ids.length; from += 500) {
      await enqueueBulk(deployment.queues, 'send', ids.slice(from, from + 500).map((deliveryId) => ({ data: { deliveryId } })));
    }
    const base = baseUrlOf(deployment.http!);
    const readiness = sampleReadiness(base);
    const billing = sendEvents(base, 'SEN');

    await waitUntil(() => transport.sent.length >= 400, 'the first 400 emails', 30_000);
    const killedAt = Date.now();
    await sentinel.master.kill('SIGKILL');
    await waitUntil(async () => (await sentinel.currentMasterPort()) === sentinel.replica.port, 'the sentinels to promote the replica', 30_000);
    const promotedAt = Date.now();

    await waitUntil(async () => transport.counts().size === EMAILS, `all ${EMAILS} emails (sent so far: ${transport.sent.length})`, 60_000);
    const resumedAt = firstSendAfterGap(transport.sent, killedAt);
    await waitUntil(() => readiness.samples.some((s) => s.at > promotedAt && s.status === 200), '/readyz to be ready again', 15_000);
    const events = await billing.stop();
    readiness.stop();

    // Every email exactly once, and the ledger agrees.
    const counts = transport.counts();
    expect([...counts.keys()].sort()).toEqual([...emails].sort());
    expect([...counts.values()].filter((n) => n > 1)).toEqual([]);
    expect(await deliveryStatuses(store)).toEqual({ sent: EMAILS });

    // Billing events: answered 2xx (then applied) or 5xx/no answer (then retried by the sender and applied); none lost.
    await expectEveryEventApplied(events, store);
    // /readyz: down (naming redis) during the switch, ready after it.
    expectReadyzDownDuring(readiness.samples, [{ killedAt, promotedAt }]);
    // The scan ran all along, one at a time across both schedulers.
    await expectScansOneAtATime(deployment.queues, 5);

    // The old master is gone for good: the data lives on the promoted replica.
    const admin = makeRedisConnection(`redis://127.0.0.1:${sentinel.replica.port}`);
    expect(await admin.call('ROLE')).toEqual(expect.arrayContaining(['master']));
    admin.disconnect();

    process.stdout.write(`sentinel failover: promoted ${promotedAt - killedAt} ms after SIGKILL, sends resumed ${resumedAt === null ? 'without a pause' : `${resumedAt - killedAt} ms`} after it; `
      + `${describeEvents(events.sent)}\n`);
  } finally {
    await deployment.close();
    await store.close();
  }
});
