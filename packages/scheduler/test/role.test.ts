/** The scheduler role as a process runs it: job scheduler, workers, reconciliation after Redis lost its jobs. */
import { UnrecoverableError, Worker } from 'bullmq';
import type { Store } from '@tickler/db';
import { enqueue, jobIdFor, orderEventJobData, queuePrefixFor, type QueueName } from '@tickler/queues';
import { HORIZON_KEY, makeScanProcessor, SCAN_SCHEDULER_ID, startSchedulerRole } from '../src';
import { at, connection, fakeJob, makeTestEnv, obliterateAll, quietLogger, recordBillingEvent, reminderJobs, upsert, type TestEnv } from './helpers';

const NOW = at('2027-01-23T10:00:00Z');

/** The job id of a recorded event's `order-event` job. */
async function eventJobId(store: Store, inboundEventId: number): Promise<string> {
  return jobIdFor('order-event', orderEventJobData((await store.inboundEvents.get(inboundEventId))!))!;
}

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('scheduler role', () => {
  let env: TestEnv;
  beforeEach(async () => {
    env = await makeTestEnv('role');
  });
  afterEach(async () => {
    await env.cleanup();
  });

  it('applies an event accepted while no worker ran once the role starts, and runs the scan on its schedule', async () => {
    const eventId = await recordBillingEvent(env.store, 'evt_1', upsert({ orderId: 'ORD-1', occurredAt: at('2027-01-23T09:00:00Z') }));
    await enqueue(env.queues, 'order-event', orderEventJobData((await env.store.inboundEvents.get(eventId))!));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await env.store.inboundEvents.get(eventId)).toMatchObject({ status: 'pending' });
    expect(await env.queues['order-events'].getJobState(await eventJobId(env.store, eventId))).toBe('waiting');

    const role = await startSchedulerRole({ connection, prefix: env.prefix, store: env.store, logger: quietLogger, scanEveryMs: 60_000, now: () => NOW });
    try {
      await waitFor('the event to be applied', async () => (await env.store.inboundEvents.get(eventId))?.status === 'applied');
      expect(await env.store.directory.getOrder('ORD-1')).toMatchObject({ licenseExpiresOn: '2027-01-31', status: 'active' });
      // The scan scheduler exists, only one scan runs at a time, and its first scan saved the horizon.
      expect(await env.queues.scan.getJobScheduler(SCAN_SCHEDULER_ID)).toMatchObject({ every: 60_000 });
      expect(await env.queues.scan.getGlobalConcurrency()).toBe(1);
      await waitFor('the first scan', () => env.store.state.get(HORIZON_KEY));
      expect(await env.store.state.get(HORIZON_KEY)).toBe('2027-01-24T10:00:00.000Z');
    } finally {
      await role.close();
    }
  });

  it('refuses a scan interval below one second', async () => {
    await expect(startSchedulerRole({ connection, prefix: env.prefix, store: env.store, logger: quietLogger, scanEveryMs: 10 })).rejects.toThrow(/scanEveryMs/);
  });

  it('after Redis lost every job, the next scan job restores queued reminders, deliveries and pending events', async () => {
    for (const [orderId, timeZone] of [['ORD-BER', 'Europe/Berlin'], ['ORD-AKL', 'Pacific/Auckland']] as const) {
      await env.store.directory.applyOrderUpsert(upsert({ orderId, organization: { id: `org-${orderId}`, name: orderId, timeZone } }));
    }
    await env.store.state.set(HORIZON_KEY, '2027-01-23T10:00:00.000Z');
    const scan = makeScanProcessor(env.deps(NOW));
    await scan({}, fakeJob());
    const before = await reminderJobs(env.queues);
    expect(before.size).toBe(2);
    const [reminderId] = [...before.keys()];
    const [delivery] = await env.store.deliveries.upsertMany([{ sourceType: 'reminder', sourceId: reminderId!, email: 'ann@acme.com', listId: 'renewal:ORD-BER', orderId: 'ORD-BER', status: 'queued', reason: null }]);
    const eventId = await recordBillingEvent(env.store, 'evt_9', upsert({ orderId: 'ORD-NEW', occurredAt: at('2027-01-23T09:00:00Z') }));

    await obliterateAll(env.queues);
    expect(await env.queues.reminders.count()).toBe(0);

    const later = at('2027-01-23T11:00:00Z');
    const result = await makeScanProcessor(env.deps(later))({}, fakeJob());
    expect(result).toMatchObject({ totals: { enqueued: 0 }, reconciled: { reminders: 2, deliveries: 1, events: 1 } });
    const after = await reminderJobs(env.queues);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    // Still delayed until the same send time, now an hour closer.
    for (const [id, job] of after) expect(job).toMatchObject({ state: 'delayed', delay: before.get(id)!.delay - 3_600_000 });
    expect(await env.queues.send.getJobState(`delivery-${delivery!.id}`)).toBe('waiting');
    expect(await env.queues['order-events'].getJobState(await eventJobId(env.store, eventId))).toBe('waiting');

    // Reconciling again while the jobs exist adds nothing …
    await expect(makeScanProcessor(env.deps(later))({}, fakeJob())).resolves.toMatchObject({ reconciled: { reminders: 0 } });
    expect((await reminderJobs(env.queues)).size).toBe(2);
    expect(await env.queues.send.count()).toBe(1);
    // … and a single lost job is noticed and restored, alone.
    await env.queues.reminders.remove(`reminder-${reminderId}`);
    await expect(makeScanProcessor(env.deps(later))({}, fakeJob())).resolves.toMatchObject({ reconciled: { reminders: 1 } });
    expect([...(await reminderJobs(env.queues)).keys()].sort()).toEqual([...before.keys()].sort());
  });

  it('after Redis lost every job, an unfinished reminder digest gets its digest job back (one per digest), not one send job per delivery', async () => {
    await env.store.directory.applyOrderUpsert(upsert({ orderId: 'ORD-A' }));
    await env.store.directory.applyOrderUpsert(upsert({ orderId: 'ORD-B' }));
    const sendAt = at('2027-01-24T08:00:00Z');
    const reminders = await env.store.reminders.insertNew(['ORD-A', 'ORD-B'].map((orderId) => ({
      orderId, kind: 'license' as const, expiresOn: '2027-01-31', offsetDays: 7, sendAt, status: 'queued' as const, reason: null,
    })));
    const rows = await env.store.deliveries.upsertMany(reminders.map((r) => ({
      sourceType: 'reminder' as const, sourceId: r.id, email: 'ann@acme.com', listId: `renewal:${r.orderId}` as const, orderId: r.orderId, status: 'queued' as const, reason: null,
    })));
    const { digest } = await env.store.digests.attach({ organizationId: 'org-1', sendAt, email: 'ann@acme.com' }, rows.map((d) => d.id));
    await obliterateAll(env.queues);

    const later = at('2027-01-24T09:00:00Z');
    await env.store.state.set(HORIZON_KEY, later.toISOString());
    const result = await makeScanProcessor(env.deps(later))({}, fakeJob());
    expect(result).toMatchObject({ reconciled: { deliveries: 1 } });
    expect(await env.queues.send.count()).toBe(0);
    const jobs = await env.queues.digests.getJobs(['waiting']);
    expect(jobs.map((j) => [j.id, j.data])).toEqual([[`digest-${digest.id}-${rows[0]!.id}`, { digestId: digest.id, firstDeliveryId: rows[0]!.id }]]);
  });

  it('retries the failed jobs of rows that still wait (attempts ran out while the database was away), and only those', async () => {
    for (const [orderId, timeZone] of [['ORD-BER', 'Europe/Berlin'], ['ORD-AKL', 'Pacific/Auckland']] as const) {
      await env.store.directory.applyOrderUpsert(upsert({ orderId, organization: { id: `org-${orderId}`, name: orderId, timeZone } }));
    }
    await env.store.state.set(HORIZON_KEY, '2027-01-23T10:00:00.000Z');
    await makeScanProcessor(env.deps(NOW))({}, fakeJob());
    const reminderIds = [...(await reminderJobs(env.queues)).keys()];
    expect(reminderIds).toHaveLength(2);
    const [waiting, refused] = await env.store.deliveries.upsertMany(['ann@acme.com', 'bob@acme.com'].map((email) => ({
      sourceType: 'reminder' as const, sourceId: reminderIds[0]!, email, listId: 'renewal:ORD-BER' as const, orderId: 'ORD-BER', status: 'queued' as const, reason: null,
    })));
    for (const d of [waiting!, refused!]) await enqueue(env.queues, 'send', { deliveryId: d.id });
    const eventId = await recordBillingEvent(env.store, 'evt_7', upsert({ orderId: 'ORD-NEW', occurredAt: at('2027-01-23T09:00:00Z') }));
    await enqueue(env.queues, 'order-event', orderEventJobData((await env.store.inboundEvents.get(eventId))!));
    for (const id of reminderIds) await (await env.queues.reminders.getJob(`reminder-${id}`))!.promote();

    // Every job runs out of attempts against a database that is away; one delivery was refused for good meanwhile.
    const workers = (['reminders', 'send', 'order-events'] as QueueName[]).map((q) => new Worker(q, async () => {
      throw new UnrecoverableError('connect ECONNREFUSED 127.0.0.1:5432');
    }, { connection, prefix: queuePrefixFor(q, env.prefix, connection) }));
    try {
      await waitFor('every job to fail', async () => (await env.queues.reminders.getFailedCount()) === 2
        && (await env.queues.send.getFailedCount()) === 2 && (await env.queues['order-events'].getFailedCount()) === 1);
    } finally {
      await Promise.all(workers.map((w) => w.close()));
    }
    await env.store.deliveries.markFailed(refused!.id, 'MessageRejected: address blocked', true);

    const later = at('2027-01-23T10:30:00Z');
    const result = await makeScanProcessor(env.deps(later))({}, fakeJob());
    expect(result).toMatchObject({ reconciled: { reminders: 0, deliveries: 0, events: 0, retried: 4 } });
    for (const id of reminderIds) expect(await env.queues.reminders.getJobState(`reminder-${id}`)).toBe('waiting');
    expect(await env.queues.send.getJobState(`delivery-${waiting!.id}`)).toBe('waiting');
    expect((await env.queues.send.getJob(`delivery-${waiting!.id}`))?.attemptsMade).toBe(0);
    expect(await env.queues.send.getJobState(`delivery-${refused!.id}`)).toBe('failed');
    expect(await env.queues['order-events'].getJobState(await eventJobId(env.store, eventId))).toBe('waiting');
    // Nothing is retried twice: the jobs wait now.
    await expect(makeScanProcessor(env.deps(later))({}, fakeJob())).resolves.toMatchObject({ reconciled: { retried: 0 } });
  });
});
