/** Test helpers: a migrated SQLite file per test, BullMQ queues under a unique prefix, a quiet logger. */
import { createStoreDatabase } from '@tickler/testkit';
import { randomUUID } from 'node:crypto';
import { type OrderUpsert, type Store, openStore } from '@tickler/db';
import { closeQueues, makeQueues, type Queues } from '@tickler/queues';
import type { Job } from 'bullmq';
import pino from 'pino';
import { makeSchedulerConfig, type SchedulerDeps } from '../src';

export const connection = { host: '127.0.0.1', port: 6379 };
export const at = (iso: string) => new Date(iso);
export const quietLogger = pino({ level: 'silent' });

export interface TestEnv {
  store: Store;
  queues: Queues;
  prefix: string;
  url: string;
  deps: (now: Date) => SchedulerDeps;
  cleanup: () => Promise<void>;
}

/** A fresh database (TEST_STORE: SQLite file or PostgreSQL database) and queues under `test-<name>-<random>`; `cleanup` obliterates and deletes them. */
export async function makeTestEnv(name: string): Promise<TestEnv> {
  const database = await createStoreDatabase(`scheduler-${name}`);
  const url = database.url;
  const store = await openStore({ url });
  const prefix = `test-${name}-${randomUUID().slice(0, 8)}`;
  const queues = makeQueues(connection, prefix);
  return {
    store, queues, prefix, url,
    deps: (now) => ({ store, queues, logger: quietLogger, now: () => now, config: makeSchedulerConfig() }),
    cleanup: async () => {
      await obliterateAll(queues);
      await closeQueues(queues);
      await store.close();
      await database.drop();
    },
  };
}

export async function obliterateAll(queues: Queues): Promise<void> {
  for (const queue of Object.values(queues)) await queue.obliterate({ force: true });
}

/** A stand-in for the BullMQ job handed to processors called directly. */
export const fakeJob = (id = 'test-job', attemptsMade = 0) => ({ id, attemptsMade }) as unknown as Job;

/** Reminder jobs currently in Redis: reminderId → { state, delay }. */
export async function reminderJobs(queues: Queues): Promise<Map<number, { state: string; delay: number; id: string }>> {
  const jobs = await queues.reminders.getJobs(['delayed', 'waiting', 'prioritized', 'active']);
  const result = new Map<number, { state: string; delay: number; id: string }>();
  for (const job of jobs) {
    result.set((job.data as { reminderId: number }).reminderId, { state: await job.getState(), delay: job.opts.delay ?? 0, id: String(job.id) });
  }
  return result;
}

/** An `order.upserted` event with sensible defaults (Berlin, license and maintenance 2027-01-31). */
export function upsert(overrides: Partial<OrderUpsert> = {}): OrderUpsert {
  return {
    orderId: 'ORD-1001',
    organization: { id: 'org-1', name: 'Acme GmbH', timeZone: 'Europe/Berlin' },
    product: 'Barcode Reader SDK',
    licenseExpiresOn: '2027-01-31',
    maintenanceExpiresOn: null,
    purchaserEmail: 'ann@acme.com',
    purchaserName: 'Ann',
    occurredAt: at('2026-11-26T10:00:00Z'),
    ...overrides,
  };
}

/** The same event as the billing system would POST it (the stored webhook payload). */
export function billingBody(id: string, event: OrderUpsert | { orderId: string; occurredAt: Date; cancel: true }): string {
  if ('cancel' in event) return JSON.stringify({ id, type: 'order.cancelled', occurredAt: event.occurredAt.toISOString(), data: { orderId: event.orderId } });
  const { occurredAt, ...data } = event;
  return JSON.stringify({ id, type: 'order.upserted', occurredAt: occurredAt.toISOString(), data });
}

/** Records a billing event as the HTTP edge does (pending), returning its row id. */
export async function recordBillingEvent(store: Store, id: string, event: Parameters<typeof billingBody>[1]): Promise<number> {
  const payload = billingBody(id, event);
  const type = 'cancel' in event ? 'order.cancelled' : 'order.upserted';
  const { row } = await store.inboundEvents.record({ source: 'billing', eventId: id, type, status: 'pending', orderId: event.orderId, occurredAt: event.occurredAt, payload });
  return row.id;
}
