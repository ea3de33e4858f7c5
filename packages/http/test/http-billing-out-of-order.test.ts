/**
 * Billing events out of order, end to end: through the signed webhook, the order-event worker's
 * processor and the admin audit. A cancel delivered before its order's first upsert (a webhook
 * retry arriving late) leaves billing's latest word standing: no order, no reminder planned.
 */
import pino from 'pino';
import { makeOrderEventProcessor, makeSchedulerConfig } from '@tickler/scheduler';
import { billingRequest, makeHarness, T0, type Harness } from './http-harness';

let h: Harness;
beforeEach(async () => { h = await makeHarness(); });
afterEach(async () => h.close());

const ADMIN = { authorization: 'Bearer admin-token-0123456789' };
const seconds = (n: number) => new Date(T0.getTime() + n * 1000).toISOString();
const post = (body: unknown) => h.app.inject({ method: 'POST', url: '/webhooks/billing', ...billingRequest(body) });
const upserted = (id: string, occurredAt: string) => ({
  id, type: 'order.upserted', occurredAt,
  data: {
    orderId: 'AUD-OOO', organization: { id: 'org-ooo', name: 'Ooo Ltd', timeZone: 'Europe/London' }, product: 'Barcode Reader SDK',
    // Due now (30 and 7 days ahead): an applied upsert plans reminders at once.
    licenseExpiresOn: '2026-12-26', maintenanceExpiresOn: '2026-12-03', purchaserEmail: 'ann@ooo.example', purchaserName: 'Ann',
  },
});

/** Runs the order-event jobs waiting in Redis, oldest first, as the scheduler's worker would. */
async function runOrderEventJobs(): Promise<void> {
  const process = makeOrderEventProcessor({ store: h.store, queues: h.queues, logger: pino({ level: 'silent' }), now: () => T0, config: makeSchedulerConfig() });
  const jobs = (await h.queues['order-events'].getJobs(['waiting', 'delayed', 'prioritized'])).sort((a, b) => a.timestamp - b.timestamp);
  for (const job of jobs) await process(job.data, job);
}

it('a cancel, then its order\'s older upsert: both recorded as ignored, saying why; no order, no reminders; the audit shows them', async () => {
  expect((await post({ id: 'evt_cancel', type: 'order.cancelled', occurredAt: seconds(-1), data: { orderId: 'AUD-OOO' } })).statusCode).toBe(202);
  await runOrderEventJobs();
  expect((await post(upserted('evt_upsert', seconds(-60)))).statusCode).toBe(202);
  await runOrderEventJobs();

  expect(await h.store.directory.getOrder('AUD-OOO')).toBeNull();
  expect(await h.store.reminders.listForOrder('AUD-OOO')).toEqual([]);
  expect(await h.queues.reminders.getJobCounts('waiting', 'delayed', 'prioritized')).toEqual({ waiting: 0, delayed: 0, prioritized: 0 });

  const audit = await h.app.inject({ method: 'GET', url: '/admin/deliveries?orderId=AUD-OOO', headers: { ...ADMIN, accept: 'application/json' } });
  expect(audit.statusCode).toBe(200);
  const { order, reminders, events } = audit.json() as { order: unknown; reminders: unknown[]; events: Array<{ eventId: string; status: string; reason: string }> };
  expect(order).toBeNull();
  expect(reminders).toEqual([]);
  expect(events.map((e) => [e.eventId, e.status])).toEqual(expect.arrayContaining([['evt_cancel', 'ignored'], ['evt_upsert', 'ignored']]));
  expect(events.find((e) => e.eventId === 'evt_upsert')?.reason).toBe(
    `out-of-order: event occurred at ${seconds(-60)}, not after the order's cancellation at ${seconds(-1)} (received before the order was first seen)`);
  const page = await h.app.inject({ method: 'GET', url: '/admin/deliveries?orderId=AUD-OOO', headers: ADMIN });
  expect(page.statusCode).toBe(200);
  expect(page.body).toContain('none of its billing events created it');
  expect(page.body).toContain('evt_upsert');
});

it('an upsert newer than that cancel creates the order and plans its reminders', async () => {
  await post({ id: 'evt_cancel', type: 'order.cancelled', occurredAt: seconds(-60), data: { orderId: 'AUD-OOO' } });
  await runOrderEventJobs();
  await post(upserted('evt_upsert', seconds(-1)));
  await runOrderEventJobs();
  expect(await h.store.directory.getOrder('AUD-OOO')).toMatchObject({ status: 'active' });
  expect((await h.store.reminders.listForOrder('AUD-OOO')).map((r) => [r.kind, r.offsetDays, r.status])).toEqual(expect.arrayContaining([['license', 30, 'queued'], ['maintenance', 7, 'queued']]));
});
