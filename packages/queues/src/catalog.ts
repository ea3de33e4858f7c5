/**
 * The one job catalog: every queue, its job name, payload schema, deterministic job id and retry
 * settings. Producers enqueue through `enqueue`/`enqueueBulk`; processors parse on entry with
 * `parseJob`. A `Processors` map must name a handler for every job, so a missing one fails to compile.
 * Redis only carries ids: payloads point at ledger rows, which are the truth.
 */
import { z } from 'zod';
import type { JobsOptions } from 'bullmq';

const id = z.number().int().positive();

const retrying = (attempts: number, delayMs: number): JobsOptions => ({
  attempts,
  backoff: { type: 'exponential', delay: delayMs, jitter: 0.5 },
  // Keep finished jobs a while so a re-add with the same id is a no-op, then let Redis forget them.
  removeOnComplete: { age: 24 * 3600, count: 100_000 },
  removeOnFail: { age: 14 * 24 * 3600 },
});

export const jobCatalog = {
  /** Plans due reminders (scheduled every SCAN_EVERY by a job scheduler). */
  scan: {
    queue: 'scan',
    schema: z.object({ now: z.string().datetime().optional(), dryRun: z.boolean().optional() }),
    jobId: null,
    options: { ...retrying(3, 5_000), removeOnComplete: { count: 50 } },
  },
  /**
   * Applies one recorded billing event (inbound_events row). The id alone could name two rows: a
   * row whose commit failed gives its id back, and its job (if one was added) stays in Redis for
   * days, so the next row with that id would get a no-op add and stay pending. The row's random
   * `jobKey` makes the job id unique; the processor skips a job whose key is not its row's.
   * (Jobs added before the key existed carry none: they name the row by id, as they did.)
   */
  'order-event': {
    queue: 'order-events',
    schema: z.object({ inboundEventId: id, jobKey: z.string().regex(/^[0-9a-f]{16}$/).optional() }),
    jobId: (d: { inboundEventId: number; jobKey?: string }) => (d.jobKey ? `event-${d.inboundEventId}-${d.jobKey}` : `event-${d.inboundEventId}`),
    options: retrying(12, 1_000),
  },
  /** Fans one due reminder out to the order's current recipients. */
  reminder: {
    queue: 'reminders',
    schema: z.object({ reminderId: id }),
    jobId: (d: { reminderId: number }) => `reminder-${d.reminderId}`,
    options: retrying(8, 5_000),
  },
  /** Sends one email for one delivery row. */
  send: {
    queue: 'send',
    // `providerMessageId`: the provider accepted the email but the ledger could not record it (the
    // database was down); the retry records it instead of sending again.
    schema: z.object({ deliveryId: id, providerMessageId: z.string().min(1).max(500).optional() }),
    jobId: (d: { deliveryId: number }) => `delivery-${d.deliveryId}`,
    options: retrying(10, 2_000),
  },
  /**
   * Sends one reminder digest: the deliveries of one organization's reminders due at the same send
   * time for one address, as one email (REMINDER_DIGEST=on). `firstDeliveryId` (the lowest unsent
   * delivery the digest carried when the job was added) is part of the job id, so a delivery
   * attached after the digest went out gets a job of its own instead of a no-op add.
   * `providerMessageId` + `deliveryIds`: the provider accepted the email but the ledger could not
   * record it; the retry records it for exactly those deliveries instead of sending again.
   */
  digest: {
    queue: 'digests',
    schema: z.object({
      digestId: id, firstDeliveryId: id,
      providerMessageId: z.string().min(1).max(500).optional(), deliveryIds: z.array(id).min(1).max(10_000).optional(),
    }),
    jobId: (d: { digestId: number; firstDeliveryId: number }) => `digest-${d.digestId}-${d.firstDeliveryId}`,
    options: retrying(10, 2_000),
  },
  /**
   * Sends one `[TEST]` email for one `test_sends` row (asked for on the admin preview page). One
   * attempt: the row is claimed once and a test is asked for again rather than retried.
   */
  'test-send': {
    queue: 'test-sends',
    schema: z.object({ testSendId: id }),
    jobId: (d: { testSendId: number }) => `test-send-${d.testSendId}`,
    options: { ...retrying(1, 1_000), removeOnComplete: { age: 24 * 3600, count: 1_000 } },
  },
} as const;

export type JobName = keyof typeof jobCatalog;
export type QueueName = (typeof jobCatalog)[JobName]['queue'];
export type JobData<N extends JobName> = z.infer<(typeof jobCatalog)[N]['schema']>;
export const QUEUE_NAMES = [...new Set(Object.values(jobCatalog).map((j) => j.queue))] as QueueName[];

/** Parses a job's payload on entry to its processor; throws a ZodError naming the bad field. */
export function parseJob<N extends JobName>(name: N, data: unknown): JobData<N> {
  return jobCatalog[name].schema.parse(data) as JobData<N>;
}

/** The `order-event` payload of a recorded event: its id and its job key (see the catalog entry). */
export function orderEventJobData(row: { id: number; jobKey: string }): JobData<'order-event'> {
  return { inboundEventId: row.id, jobKey: row.jobKey };
}

/** The deterministic job id of a payload, or undefined for jobs that have none. */
export function jobIdFor<N extends JobName>(name: N, data: JobData<N>): string | undefined {
  const make = jobCatalog[name].jobId as ((d: JobData<N>) => string) | null;
  return make ? make(data) : undefined;
}

/** Whether `name` is a catalog queue (for `--queue` options and admin query strings). */
export function isQueueName(name: unknown): name is QueueName {
  return typeof name === 'string' && (QUEUE_NAMES as string[]).includes(name);
}
