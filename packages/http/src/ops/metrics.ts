/**
 * Prometheus metrics computed at scrape time from the sources of truth: BullMQ queue counts and the
 * ledgers (deliveries, inbound events). Scraping any HTTP edge gives the same numbers, so nothing is
 * lost when a process restarts. In-process counters (send latency, SES throttles) are merged in from
 * `extraRegistries` when the mailer runs in the same process.
 *
 * A scrape never waits on a source that is down: the edge's Redis connection retries forever, so a
 * job count would wait for Redis to come back, and Prometheus would lose even the process metrics for
 * the whole outage. Each source is read once per scrape with a deadline; what did not answer in time
 * is left out (no sample, rather than a stale one that looks current), and `tickler_redis_up` /
 * `tickler_database_up` say 0, which is what an alert should watch.
 */
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Queue } from 'bullmq';
import type { Store } from '@tickler/db';
import type { Queues } from '@tickler/queues';
import { withinMs } from '../within-ms';

const JOB_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized', 'waiting-children'] as const;

/** How long a scrape waits for Redis and for the database, ms (the same bound as /readyz). */
export const DEFAULT_SCRAPE_TIMEOUT_MS = 2000;

export interface MetricsSources {
  store: Store;
  queues: Queues;
  /** How long a scrape waits for each source, ms (default 2000). */
  timeoutMs?: number;
}

/**
 * `read` at most once at a time: the gauges of one scrape share one read, and while a source does
 * not answer, later scrapes wait on the same read instead of piling more commands on a connection
 * that is down (they would all run at once when it comes back). Null when it did not answer within
 * `timeoutMs` or failed.
 */
function sharedRead<T>(read: () => Promise<T>, timeoutMs: number): () => Promise<T | null> {
  let pending: Promise<T> | null = null;
  return async () => {
    pending ??= read().finally(() => { pending = null; });
    try {
      return await withinMs(pending, timeoutMs);
    } catch {
      return null;
    }
  };
}

type QueueCounts = Array<[string, Record<string, number>]>;

function queueGauges(registry: Registry, queues: Queues, timeoutMs: number): void {
  const entries = Object.entries(queues) as Array<[string, Queue]>;
  // Every queue, not one: on a Redis Cluster each queue lives on the master serving its slot.
  const counts = sharedRead<QueueCounts>(
    () => Promise.all(entries.map(async ([name, queue]) => [name, await queue.getJobCounts(...JOB_STATES)] as [string, Record<string, number>])),
    timeoutMs,
  );
  new Gauge({
    name: 'tickler_redis_up',
    help: `1 when every queue's job counts were read from Redis within ${timeoutMs} ms for this scrape, else 0 (the queue gauges are then absent)`,
    registers: [registry],
    async collect() {
      this.set((await counts()) === null ? 0 : 1);
    },
  });
  new Gauge({
    name: 'tickler_queue_jobs',
    help: 'Jobs per queue and state (BullMQ); absent while Redis does not answer',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [name, byState] of (await counts()) ?? []) {
        for (const state of JOB_STATES) this.set({ queue: name, state }, byState[state] ?? 0);
      }
    },
  });
  new Gauge({
    name: 'tickler_jobs_finished',
    help: 'Jobs completed or failed per queue and outcome (retained by BullMQ: completed for 24 h, failed for 14 days); absent while Redis does not answer',
    labelNames: ['queue', 'outcome'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [name, byState] of (await counts()) ?? []) {
        this.set({ queue: name, outcome: 'completed' }, byState.completed ?? 0);
        this.set({ queue: name, outcome: 'failed' }, byState.failed ?? 0);
      }
    },
  });
}

function ledgerGauges(registry: Registry, store: Store, timeoutMs: number): void {
  const ledgers = sharedRead(
    async () => ({ emails: await store.deliveries.countByStatusAndReason(), events: await store.inboundEvents.countBySourceAndStatus() }),
    timeoutMs,
  );
  new Gauge({
    name: 'tickler_database_up',
    help: `1 when the ledgers were read from the database within ${timeoutMs} ms for this scrape, else 0 (the ledger gauges are then absent)`,
    registers: [registry],
    async collect() {
      this.set((await ledgers()) === null ? 0 : 1);
    },
  });
  new Gauge({
    name: 'tickler_emails',
    help: 'Emails in the deliveries ledger by status (queued, sent, skipped, failed, delivered, bounced, complained) and reason; absent while the database does not answer',
    labelNames: ['status', 'reason'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of (await ledgers())?.emails ?? []) this.inc({ status: row.status, reason: row.reason ?? '' }, row.count);
    },
  });
  new Gauge({
    name: 'tickler_inbound_events',
    help: 'Inbound events (billing webhooks, SES notifications) by source and outcome; absent while the database does not answer',
    labelNames: ['source', 'outcome'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of (await ledgers())?.events ?? []) this.inc({ source: row.source, outcome: row.status }, row.count);
    },
  });
}

/** A fresh registry (one per server, so tests and embedded mode never collide on global state). */
export function makeMetricsRegistry(sources: MetricsSources, extraRegistries: Registry[] = []): Registry {
  const own = new Registry();
  const timeoutMs = sources.timeoutMs ?? DEFAULT_SCRAPE_TIMEOUT_MS;
  collectDefaultMetrics({ register: own, prefix: 'tickler_' });
  queueGauges(own, sources.queues, timeoutMs);
  ledgerGauges(own, sources.store, timeoutMs);
  return extraRegistries.length > 0 ? Registry.merge([own, ...extraRegistries]) : own;
}
