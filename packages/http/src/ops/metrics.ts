/**
 * Prometheus metrics computed at scrape time from the sources of truth: BullMQ queue counts and the
 * SQLite ledgers (deliveries, inbound events). Scraping any HTTP edge gives the same numbers, so
 * nothing is lost when a process restarts. In-process counters (send latency, SES throttles) are
 * merged in from `extraRegistries` when the mailer runs in the same process.
 */
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Queue } from 'bullmq';
import type { Store } from '@tickler/db';
import type { Queues } from '@tickler/queues';

const JOB_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized', 'waiting-children'] as const;

export interface MetricsSources {
  store: Store;
  queues: Queues;
}

function queueGauges(registry: Registry, queues: Queues): void {
  const entries = Object.entries(queues) as Array<[string, Queue]>;
  new Gauge({
    name: 'tickler_queue_jobs',
    help: 'Jobs per queue and state (BullMQ)',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [name, queue] of entries) {
        const counts = await queue.getJobCounts(...JOB_STATES);
        for (const state of JOB_STATES) this.set({ queue: name, state }, counts[state] ?? 0);
      }
    },
  });
  new Gauge({
    name: 'tickler_jobs_finished',
    help: 'Jobs completed or failed per queue and outcome (retained by BullMQ: completed for 24 h, failed for 14 days)',
    labelNames: ['queue', 'outcome'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [name, queue] of entries) {
        const counts = await queue.getJobCounts('completed', 'failed');
        this.set({ queue: name, outcome: 'completed' }, counts.completed ?? 0);
        this.set({ queue: name, outcome: 'failed' }, counts.failed ?? 0);
      }
    },
  });
}

function ledgerGauges(registry: Registry, store: Store): void {
  new Gauge({
    name: 'tickler_emails',
    help: 'Emails in the deliveries ledger by status (queued, sent, skipped, failed, delivered, bounced, complained) and reason',
    labelNames: ['status', 'reason'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await store.deliveries.countByStatusAndReason()) this.inc({ status: row.status, reason: row.reason ?? '' }, row.count);
    },
  });
  new Gauge({
    name: 'tickler_inbound_events',
    help: 'Inbound events (billing webhooks, SES notifications) by source and outcome',
    labelNames: ['source', 'outcome'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await store.inboundEvents.countBySourceAndStatus()) this.inc({ source: row.source, outcome: row.status }, row.count);
    },
  });
}

/** A fresh registry (one per server, so tests and embedded mode never collide on global state). */
export function makeMetricsRegistry(sources: MetricsSources, extraRegistries: Registry[] = []): Registry {
  const own = new Registry();
  collectDefaultMetrics({ register: own, prefix: 'tickler_' });
  queueGauges(own, sources.queues);
  ledgerGauges(own, sources.store);
  return extraRegistries.length > 0 ? Registry.merge([own, ...extraRegistries]) : own;
}
