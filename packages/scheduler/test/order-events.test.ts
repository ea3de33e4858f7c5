/** Applying recorded billing events: directory changes, reminder cycles planned and cancelled, jobs removed. */
import { enqueue, jobIdFor, orderEventJobData } from '@tickler/queues';
import { makeOrderEventProcessor, reconcile } from '../src';
import { at, fakeJob, makeTestEnv, recordBillingEvent, reminderJobs, upsert, type TestEnv } from './helpers';

const HOUR = 3_600_000;
const NOW = at('2027-01-23T10:00:00Z');

async function cycle(env: TestEnv, orderId: string) {
  return (await env.store.reminders.listForOrder(orderId)).map((r) => ({ kind: r.kind, expiresOn: r.expiresOn, offsetDays: r.offsetDays, status: r.status, reason: r.reason, id: r.id }));
}

describe('order-event processor', () => {
  let env: TestEnv;
  let apply: (eventRowId: number, attemptsMade?: number) => Promise<unknown>;
  beforeEach(async () => {
    env = await makeTestEnv('order-events');
    const processor = makeOrderEventProcessor(env.deps(NOW));
    apply = (inboundEventId, attemptsMade = 0) => processor({ inboundEventId }, fakeJob(`event-${inboundEventId}`, attemptsMade));
  });
  afterEach(async () => {
    await env.cleanup();
  });

  const created = upsert({
    orderId: 'ORD-1', organization: { id: 'org-new', name: 'New Co', timeZone: 'Europe/Berlin' },
    licenseExpiresOn: '2027-01-31', maintenanceExpiresOn: '2027-03-31', purchaserEmail: 'Ann@NewCo.example', occurredAt: at('2027-01-23T09:00:00Z'),
  });

  it('a new organization gets its purchaser as active member and contact, and the cycle is planned at once', async () => {
    const id = await recordBillingEvent(env.store, 'evt_1', created);
    await expect(apply(id)).resolves.toMatchObject({ outcome: 'applied', orderId: 'ORD-1', planned: { enqueued: 2, skipped: 2 } });

    expect(await env.store.directory.getMembership('org-new', 'ann@newco.example')).toMatchObject({ status: 'active' });
    expect((await env.store.directory.listContacts('ORD-1')).map((c) => c.email)).toEqual(['ann@newco.example']);
    expect(await env.store.inboundEvents.get(id)).toMatchObject({ status: 'applied', reason: null });

    // 14 days before (2027-01-17) is the latest due: sent now; 60 and 30 are recorded as skipped;
    // 7 days before (2027-01-24 09:00 Berlin) is within the look-ahead: delayed 22 h.
    const rows = await cycle(env, 'ORD-1');
    expect(rows.map(({ offsetDays, status, reason }) => [offsetDays, status, reason])).toEqual([
      [60, 'skipped', 'superseded'], [30, 'skipped', 'superseded'], [14, 'queued', null], [7, 'queued', null],
    ]);
    const jobs = await reminderJobs(env.queues);
    expect(jobs.size).toBe(2);
    expect(jobs.get(rows[2]!.id)).toMatchObject({ state: 'waiting' });
    expect(jobs.get(rows[3]!.id)).toMatchObject({ state: 'delayed', delay: 22 * HOUR });

    // Applying the same event again does nothing.
    await expect(apply(id)).resolves.toEqual({ outcome: 'already-done', status: 'applied' });
    expect(await cycle(env, 'ORD-1')).toEqual(rows);
  });

  it('a changed expiry cancels the old cycle (and removes its jobs) and plans the new one; an older event is ignored', async () => {
    await apply(await recordBillingEvent(env.store, 'evt_1', created));
    const changed = await recordBillingEvent(env.store, 'evt_2', { ...created, licenseExpiresOn: '2027-02-20', occurredAt: at('2027-01-23T09:30:00Z') });
    await expect(apply(changed)).resolves.toMatchObject({ outcome: 'applied', cancelled: 2, planned: { enqueued: 1, skipped: 1 } });

    const rows = await cycle(env, 'ORD-1');
    expect(rows.filter((r) => r.expiresOn === '2027-01-31').map((r) => [r.offsetDays, r.status, r.reason])).toEqual([
      [60, 'skipped', 'superseded'], [30, 'skipped', 'superseded'], [14, 'cancelled', 'expiry-changed'], [7, 'cancelled', 'expiry-changed'],
    ]);
    // New cycle: 30 days before 2027-02-20 (2027-01-21) is due now; 60 days before is skipped.
    const fresh = rows.filter((r) => r.expiresOn === '2027-02-20');
    expect(fresh.map((r) => [r.offsetDays, r.status])).toEqual([[60, 'skipped'], [30, 'queued']]);
    expect([...(await reminderJobs(env.queues)).keys()]).toEqual([fresh[1]!.id]);

    const stale = await recordBillingEvent(env.store, 'evt_0', { ...created, licenseExpiresOn: '2026-12-31', occurredAt: at('2027-01-23T08:00:00Z') });
    const result = await apply(stale);
    expect(result).toMatchObject({ outcome: 'ignored' });
    expect(await env.store.inboundEvents.get(stale)).toMatchObject({ status: 'ignored', reason: expect.stringMatching(/^out-of-order/) });
    expect((await env.store.directory.getOrder('ORD-1'))?.licenseExpiresOn).toBe('2027-02-20');
  });

  it('an expiry moved back to its first date plans that cycle again: its reminders cancelled meanwhile are not lost', async () => {
    await apply(await recordBillingEvent(env.store, 'evt_1', created)); // 2027-01-31: 14 days before due now, 7 days before in 22 h
    await apply(await recordBillingEvent(env.store, 'evt_2', { ...created, licenseExpiresOn: '2027-04-30', occurredAt: at('2027-01-23T09:10:00Z') }));
    const back = await recordBillingEvent(env.store, 'evt_3', { ...created, licenseExpiresOn: '2027-01-31', occurredAt: at('2027-01-23T09:20:00Z') });
    await expect(apply(back)).resolves.toMatchObject({ outcome: 'applied', planned: { enqueued: 2 } });

    const rows = (await cycle(env, 'ORD-1')).filter((r) => r.kind === 'license' && r.expiresOn === '2027-01-31');
    expect(rows.map((r) => [r.offsetDays, r.status, r.reason])).toEqual([
      [60, 'skipped', 'superseded'], [30, 'skipped', 'superseded'], [14, 'queued', null], [7, 'queued', null],
    ]);
    const jobs = await reminderJobs(env.queues);
    expect(jobs.get(rows[2]!.id)).toMatchObject({ state: 'waiting' });
    expect(jobs.get(rows[3]!.id)).toMatchObject({ state: 'delayed', delay: 22 * HOUR });
  });

  it('a renewal a year ahead cancels the old cycle and plans nothing yet', async () => {
    await apply(await recordBillingEvent(env.store, 'evt_1', created));
    const renewed = await recordBillingEvent(env.store, 'evt_2', { ...created, licenseExpiresOn: '2028-01-31', occurredAt: at('2027-01-23T09:30:00Z') });
    await expect(apply(renewed)).resolves.toMatchObject({ outcome: 'applied', cancelled: 2, planned: { enqueued: 0, skipped: 0 } });
    expect((await reminderJobs(env.queues)).size).toBe(0);
    expect((await cycle(env, 'ORD-1')).filter((r) => r.status === 'queued')).toEqual([]);
  });

  it('a cancellation cancels queued reminders and removes their jobs', async () => {
    await apply(await recordBillingEvent(env.store, 'evt_1', created));
    const cancel = await recordBillingEvent(env.store, 'evt_2', { orderId: 'ORD-1', occurredAt: at('2027-01-23T09:45:00Z'), cancel: true });
    await expect(apply(cancel)).resolves.toMatchObject({ outcome: 'applied', cancelled: 2, planned: { enqueued: 0 } });
    expect((await env.store.directory.getOrder('ORD-1'))?.status).toBe('cancelled');
    expect((await cycle(env, 'ORD-1')).filter((r) => r.offsetDays <= 14).map((r) => [r.status, r.reason])).toEqual([
      ['cancelled', 'order-cancelled'], ['cancelled', 'order-cancelled'],
    ]);
    expect((await reminderJobs(env.queues)).size).toBe(0);
  });

  it('a cancel delivered before the order\'s first upsert (webhook retries out of order): the late, older upsert is ignored and plans nothing', async () => {
    const cancel = await recordBillingEvent(env.store, 'evt_2', { orderId: 'ORD-1', occurredAt: at('2027-01-23T09:59:59Z'), cancel: true });
    await expect(apply(cancel)).resolves.toMatchObject({ outcome: 'ignored' });
    const late = await recordBillingEvent(env.store, 'evt_1', { ...created, occurredAt: at('2027-01-23T09:59:00Z') });
    await expect(apply(late)).resolves.toMatchObject({ outcome: 'ignored' });
    expect(await env.store.inboundEvents.listByOrder('ORD-1')).toEqual(expect.arrayContaining([
      expect.objectContaining({ eventId: 'evt_2', status: 'ignored', reason: expect.stringMatching(/^order-not-found: .*remembered as cancelled at 2027-01-23T09:59:59.000Z/) }),
      expect.objectContaining({ eventId: 'evt_1', status: 'ignored', reason: expect.stringMatching(/^out-of-order: .*not after the order's cancellation at 2027-01-23T09:59:59.000Z/) }),
    ]));
    expect(await env.store.directory.getOrder('ORD-1')).toBeNull();
    expect(await cycle(env, 'ORD-1')).toEqual([]);
    expect((await reminderJobs(env.queues)).size).toBe(0);

    // Billing's newer word (a later upsert) creates the order and plans its cycle as usual.
    const newer = await recordBillingEvent(env.store, 'evt_3', { ...created, occurredAt: at('2027-01-23T10:00:00Z') });
    await expect(apply(newer)).resolves.toMatchObject({ outcome: 'applied', planned: { enqueued: 2 } });
    expect((await env.store.directory.getOrder('ORD-1'))?.status).toBe('active');
  });

  it('an order reactivated with the same expiry gets its cycle planned again (new jobs, not the cancelled ones)', async () => {
    await apply(await recordBillingEvent(env.store, 'evt_1', created));
    const before = await cycle(env, 'ORD-1');
    await apply(await recordBillingEvent(env.store, 'evt_2', { orderId: 'ORD-1', occurredAt: at('2027-01-23T09:45:00Z'), cancel: true }));
    const reactivated = await recordBillingEvent(env.store, 'evt_3', { ...created, occurredAt: at('2027-01-23T09:50:00Z') });
    await expect(apply(reactivated)).resolves.toMatchObject({ outcome: 'applied', planned: { enqueued: 2 } });

    expect((await env.store.directory.getOrder('ORD-1'))?.status).toBe('active');
    const rows = await cycle(env, 'ORD-1');
    expect(rows.map(({ offsetDays, status, reason }) => [offsetDays, status, reason])).toEqual([
      [60, 'skipped', 'superseded'], [30, 'skipped', 'superseded'], [14, 'queued', null], [7, 'queued', null],
    ]);
    // Fresh ledger rows, hence fresh job ids: finished jobs of the cancelled rows cannot swallow them.
    const queued = rows.filter((r) => r.status === 'queued');
    expect(queued.every((r) => !before.some((b) => b.id === r.id))).toBe(true);
    const jobs = await reminderJobs(env.queues);
    expect([...jobs.keys()].sort()).toEqual(queued.map((r) => r.id).sort());
    // The maintenance cycle (not yet due) was never cancelled or re-planned: still nothing for it.
    expect(rows.some((r) => r.kind === 'maintenance')).toBe(false);
  });

  it('an organization moving to another time zone moves its open reminders and their jobs to 09:00 there', async () => {
    /** How far ahead Redis holds the job (BullMQ times delays from the real clock), ms. */
    const dueIn = async (reminderId: number) => {
      const client = await env.queues.reminders.backend.client;
      const score = await client.zscore(env.queues.reminders.keys.delayed!, `reminder-${reminderId}`);
      return score === null ? null : Math.floor(Number(score) / 0x1000) - Date.now();
    };
    const near = (ms: number | null, expected: number) => ms !== null && Math.abs(ms - expected) < 10_000;
    await apply(await recordBillingEvent(env.store, 'evt_1', created));
    const [due14, ahead7] = (await cycle(env, 'ORD-1')).filter((r) => r.status === 'queued');
    expect(near(await dueIn(ahead7!.id), 22 * HOUR)).toBe(true); // 09:00 Berlin on 01-24

    // West: 09:00 New York on 01-24 is 14:00Z, 28 h ahead. The due 14-day reminder stays due.
    const west = await recordBillingEvent(env.store, 'evt_2', { ...created, organization: { ...created.organization, timeZone: 'America/New_York' }, occurredAt: at('2027-01-23T09:30:00Z') });
    await expect(apply(west)).resolves.toMatchObject({ outcome: 'applied', cancelled: 0, retimed: 1 });
    expect((await env.store.reminders.get(ahead7!.id))?.sendAt).toEqual(at('2027-01-24T14:00:00Z'));
    expect((await env.store.reminders.get(due14!.id))?.sendAt).toEqual(at('2027-01-17T14:00:00Z'));
    expect(near(await dueIn(ahead7!.id), 28 * HOUR)).toBe(true);
    expect((await reminderJobs(env.queues)).get(due14!.id)?.state).toBe('waiting');

    // East: 09:00 Tokyo on 01-24 is 00:00Z, 14 h ahead.
    const east = await recordBillingEvent(env.store, 'evt_3', { ...created, organization: { ...created.organization, timeZone: 'Asia/Tokyo' }, occurredAt: at('2027-01-23T09:40:00Z') });
    await expect(apply(east)).resolves.toMatchObject({ outcome: 'applied', retimed: 1 });
    expect((await env.store.reminders.get(ahead7!.id))?.sendAt).toEqual(at('2027-01-24T00:00:00Z'));
    expect(near(await dueIn(ahead7!.id), 14 * HOUR)).toBe(true);
  });

  it('a time zone that brings a reminder not planned yet inside the look-ahead plans it at once: no scan would (it is before their horizon)', async () => {
    const ny = upsert({ orderId: 'ORD-5', organization: { id: 'org-5', name: 'Five Inc.', timeZone: 'America/New_York' }, licenseExpiresOn: '2027-01-31', occurredAt: at('2027-01-23T09:00:00Z') });
    await apply(await recordBillingEvent(env.store, 'evt_1', ny));
    // 7 days before is 09:00 New York on 01-24 = 14:00Z, 28 h ahead: beyond the 24-h look-ahead, not planned yet.
    expect((await cycle(env, 'ORD-5')).map((r) => r.offsetDays)).not.toContain(7);

    const tokyo = await recordBillingEvent(env.store, 'evt_2', { ...ny, organization: { ...ny.organization, timeZone: 'Asia/Tokyo' }, occurredAt: at('2027-01-23T09:30:00Z') });
    await apply(tokyo);
    const [seven] = (await env.store.reminders.listForOrder('ORD-5')).filter((r) => r.offsetDays === 7);
    expect(seven).toMatchObject({ status: 'queued', sendAt: at('2027-01-24T00:00:00Z') }); // 09:00 Tokyo, 14 h ahead
    expect((await reminderJobs(env.queues)).get(seven!.id)).toMatchObject({ state: 'delayed', delay: 14 * HOUR });
  });

  it('a due reminder whose 09:00 is still ahead in the new time zone goes back to waiting for it', async () => {
    const tokyo = upsert({ orderId: 'ORD-2', organization: { id: 'org-2', name: 'Far East KK', timeZone: 'Asia/Tokyo' }, licenseExpiresOn: '2027-01-30', occurredAt: at('2027-01-23T09:00:00Z') });
    await apply(await recordBillingEvent(env.store, 'evt_1', tokyo));
    const [due] = (await cycle(env, 'ORD-2')).filter((r) => r.status === 'queued'); // 7 days before: 09:00 Tokyo on 01-23 = 00:00Z
    expect(due).toMatchObject({ offsetDays: 7 });
    expect((await reminderJobs(env.queues)).get(due!.id)?.state).toBe('waiting');

    const moved = await recordBillingEvent(env.store, 'evt_2', { ...tokyo, organization: { ...tokyo.organization, timeZone: 'America/Los_Angeles' }, occurredAt: at('2027-01-23T09:30:00Z') });
    await expect(apply(moved)).resolves.toMatchObject({ outcome: 'applied', retimed: 1 });
    expect((await env.store.reminders.get(due!.id))?.sendAt).toEqual(at('2027-01-23T17:00:00Z')); // 09:00 Los Angeles
    const job = (await reminderJobs(env.queues)).get(due!.id);
    expect(job).toMatchObject({ state: 'delayed', id: `reminder-${due!.id}`, delay: 7 * HOUR });
  });

  it('an order moved to an organization in another time zone takes its reminders along to 09:00 there', async () => {
    await apply(await recordBillingEvent(env.store, 'evt_1', created)); // org-new, Berlin
    await apply(await recordBillingEvent(env.store, 'evt_2', upsert({ orderId: 'ORD-9', organization: { id: 'org-ny', name: 'NY Inc.', timeZone: 'America/New_York' }, licenseExpiresOn: '2028-01-01', occurredAt: at('2027-01-23T09:10:00Z') })));
    const ahead7 = (await cycle(env, 'ORD-1')).find((r) => r.offsetDays === 7)!;
    expect((await env.store.reminders.get(ahead7.id))?.sendAt).toEqual(at('2027-01-24T08:00:00Z'));

    const moved = await recordBillingEvent(env.store, 'evt_3', { ...created, organization: { id: 'org-ny', name: 'NY Inc.', timeZone: 'America/New_York' }, occurredAt: at('2027-01-23T09:30:00Z') });
    await expect(apply(moved)).resolves.toMatchObject({ outcome: 'applied', retimed: 1 });
    expect((await env.store.reminders.get(ahead7.id))?.sendAt).toEqual(at('2027-01-24T14:00:00Z'));
    expect((await reminderJobs(env.queues)).get(ahead7.id)).toMatchObject({ state: 'delayed' });
  });

  it('a retry after a crash between applying and planning still plans the cycle', async () => {
    const id = await recordBillingEvent(env.store, 'evt_1', created);
    // Simulate the crash: the order was applied, planning and marking never happened.
    await env.store.directory.applyOrderUpsert(created);
    await expect(apply(id, 1)).resolves.toMatchObject({ outcome: 'applied', planned: { enqueued: 2 } });
    expect((await reminderJobs(env.queues)).size).toBe(2);
  });

  it('a failure while planning after the event was applied leaves it pending, so the retry plans the cycle', async () => {
    const id = await recordBillingEvent(env.store, 'evt_1', created);
    const failingPlans = { ...env.store, reminders: { ...env.store.reminders, insertNew: () => Promise.reject(new Error('connection lost')) } };
    const crashing = makeOrderEventProcessor({ ...env.deps(NOW), store: failingPlans });
    await expect(crashing({ inboundEventId: id }, fakeJob(`event-${id}`, 0))).rejects.toThrow('connection lost');
    expect(await env.store.inboundEvents.get(id)).toMatchObject({ status: 'pending', appliedAt: null });
    await expect(apply(id, 1)).resolves.toMatchObject({ outcome: 'applied', planned: { enqueued: 2 } });
    expect(await env.store.inboundEvents.get(id)).toMatchObject({ status: 'applied', appliedAt: NOW });
  });

  it('an organization change older than the organization\'s newest event is not applied, and the event says so (partial, not applied)', async () => {
    // ORD-2's event renames the organization; ORD-1's older event (sent before, delivered after) still carries the old name and zone.
    await apply(await recordBillingEvent(env.store, 'evt_1', { ...created, orderId: 'ORD-2', organization: { id: 'org-new', name: 'New Co Inc.', timeZone: 'America/New_York' }, occurredAt: at('2027-01-23T09:30:00Z') }));
    const late = await recordBillingEvent(env.store, 'evt_0', created);
    await expect(apply(late)).resolves.toMatchObject({ outcome: 'partial', orderId: 'ORD-1', notApplied: expect.stringMatching(/^organization-out-of-order: /) });
    expect(await env.store.inboundEvents.get(late)).toMatchObject({
      status: 'partial',
      reason: expect.stringMatching(/organization org-new keeps its name "New Co Inc\." \(not "New Co"\) and time zone America\/New_York \(not Europe\/Berlin\).*the order itself was applied$/),
    });
    // What the status claims holds: the order was applied, the organization was not changed.
    expect(await env.store.directory.getOrder('ORD-1')).toMatchObject({ licenseExpiresOn: '2027-01-31', timeZone: 'America/New_York' });
    expect(await env.store.directory.getOrganization('org-new')).toEqual({ id: 'org-new', name: 'New Co Inc.', timeZone: 'America/New_York', locale: null });
  });

  it('a job left in Redis for a row that was never stored neither blocks nor applies the row that gets its id next', async () => {
    const first = await recordBillingEvent(env.store, 'evt_1', created);
    // The old edge answered 202 for a row whose commit failed and added its job; that id is handed
    // out again. Stand-ins for what it left: its job (with the lost row's key) and one without a key.
    const lostId = first + 1;
    const lostJob = { inboundEventId: lostId, jobKey: '0123456789abcdef' };
    await enqueue(env.queues, 'order-event', lostJob);
    await enqueue(env.queues, 'order-event', { inboundEventId: lostId });
    const next = await recordBillingEvent(env.store, 'evt_2', { ...created, orderId: 'ORD-2', occurredAt: at('2027-01-23T09:10:00Z') });
    expect(next).toBe(lostId);
    const row = (await env.store.inboundEvents.get(next))!;

    // The next real event's job is added (the producers use the row's key), not swallowed as a duplicate id.
    await reconcile(env.deps(NOW), NOW);
    const job = await env.queues['order-events'].getJob(jobIdFor('order-event', orderEventJobData(row))!);
    expect(job?.data).toEqual({ inboundEventId: lostId, jobKey: row.jobKey });
    expect(await job?.getState()).toBe('waiting');
    expect(await env.queues['order-events'].count()).toBe(4);

    // Run, the lost row's job leaves the row alone; the row's own job applies it.
    const processor = makeOrderEventProcessor(env.deps(NOW));
    await expect(processor(lostJob, fakeJob(jobIdFor('order-event', lostJob)))).resolves.toMatchObject({ outcome: 'not-this-row' });
    expect(await env.store.inboundEvents.get(next)).toMatchObject({ status: 'pending' });
    await expect(processor(job!.data as typeof lostJob, fakeJob(job!.id))).resolves.toMatchObject({ outcome: 'applied', orderId: 'ORD-2' });
    expect(await env.store.inboundEvents.get(next)).toMatchObject({ status: 'applied' });
  });

  it('a stored payload that is not a billing event is recorded as rejected, naming the field', async () => {
    const { row } = await env.store.inboundEvents.record({ source: 'billing', eventId: 'evt_bad', type: 'order.upserted', status: 'pending', payload: JSON.stringify({ id: 'evt_bad', type: 'order.upserted', occurredAt: '2027-01-23T09:00:00Z', data: { orderId: 'ORD-9' } }) });
    await expect(apply(row.id)).resolves.toMatchObject({ outcome: 'rejected', reason: expect.stringContaining('data.organization') });
    expect(await env.store.inboundEvents.get(row.id)).toMatchObject({ status: 'rejected' });
    expect(await env.store.directory.getOrder('ORD-9')).toBeNull();
  });
});
