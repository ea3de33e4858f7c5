/**
 * The mailer role: the `reminders`, `send`, `digests` and `test-sends` workers of one process. Owns its Redis connections
 * and its workers; `close()` stops taking jobs, lets in-flight ones finish, then disconnects.
 */
import type { ConnectionOptions } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import { isStoreUnavailable, type Store } from '@tickler/db';
import { closeQueues, makeCatalogWorker, makeQueues, type Queues, type SupervisedWorker } from '@tickler/queues';
import { makeRedisSendBudget, sendBudgetKey, type SendBudget } from '../budget';
import type { MailerConfig } from '../config';
import { makeDigestProcessor } from '../processors/digest-processor';
import { makeReminderProcessor } from '../processors/reminder-processor';
import { makeSendProcessor } from '../processors/send-processor';
import { makeTestSendProcessor } from '../test-send';
import type { TemplateSet } from '../templates';
import type { MailTransport } from '../transport';

export interface MailerRoleOptions {
  connection: ConnectionOptions;
  /** Queue key prefix (QUEUE_PREFIX). */
  prefix: string;
  store: Store;
  logger: Logger;
  transport: MailTransport;
  templates: TemplateSet;
  config: MailerConfig;
  /** Send jobs processed at once by this process (default 50): sends wait on the network, not the CPU. */
  concurrency?: number;
  /**
   * Emails per second across ALL mailer processes (SES_MAX_SEND_RATE): single emails, digests and
   * test sends together, through one budget in Redis (see ../budget). Every mailer sharing a
   * QUEUE_PREFIX must be given the same rate.
   */
  maxSendRate: number;
  /** How long a job may wait for its slot of the budget before it is handed back, ms (default 2 000). */
  budgetHorizonMs?: number;
  /** How long a sent email's ledger write is retried while the database is unavailable, ms (default 10 min). */
  recordRetryMs?: number;
  /** The lease of a delivery's claim, ms (default 60 s); tests shorten it. */
  claimLeaseMs?: number;
  /** The clock (default: the system clock). */
  now?: () => Date;
}

export interface MailerRole {
  workers: { reminders: SupervisedWorker; send: SupervisedWorker; digests: SupervisedWorker; testSends: SupervisedWorker };
  queues: Queues;
  /** The SES budget this process takes its tokens from (shared with every mailer under the prefix). */
  budget: SendBudget;
  /** Stops fetching jobs, waits for in-flight ones, closes connections. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * What every sending processor shares: the SES budget of all mailers under the prefix (its key in
 * the send queue's slot, on the send queue's own connection), and holding back or pausing the
 * queues that send — they all go through the same provider and budget, so throttling, a booked-up
 * budget or a pause holds them all.
 */
function sendingControls(queues: Queues, options: MailerRoleOptions) {
  // An ioredis node or Cluster; BullMQ types it as its own client interface.
  const redis = queues.send.backend.client as unknown as Promise<Redis | Cluster>;
  const budget: SendBudget = makeRedisSendBudget(redis, sendBudgetKey(options.prefix, options.connection), {
    ratePerSecond: options.maxSendRate, horizonMs: options.budgetHorizonMs,
  });
  const sending = [queues.send, queues.digests, queues['test-sends']];
  return {
    budget,
    rateLimit: async (ms: number) => { await Promise.all(sending.map((q) => q.rateLimit(ms))); },
    pauseSending: async () => { await Promise.all([queues.send.pause(), queues.digests.pause()]); },
  };
}

/** Starts the mailer workers. */
export function startMailerRole(options: MailerRoleOptions): MailerRole {
  const { connection, prefix, store, logger, transport, templates, config } = options;
  if (!(options.maxSendRate > 0)) throw new Error(`maxSendRate must be a positive number of emails per second (got ${options.maxSendRate})`);
  const now = options.now ?? (() => new Date());
  const queues = makeQueues(connection, prefix);
  const concurrency = options.concurrency ?? 50;

  const reminder = makeReminderProcessor({ store, queues, logger, digest: config.reminderDigest ?? true, digestSettleMs: config.digestSettleMs, now });
  const { budget, rateLimit, pauseSending } = sendingControls(queues, options);
  const sendDeps = { store, templates, config, logger, transport, budget, now, rateLimit, pauseSending, recordRetryMs: options.recordRetryMs, claimLeaseMs: options.claimLeaseMs };
  const send = makeSendProcessor(sendDeps);
  const digest = makeDigestProcessor(sendDeps);
  const testSend = makeTestSendProcessor({ store, templates, config, logger, transport, budget, rateLimit, now });

  // A database outage defers jobs without spending their attempts (see the worker factory).
  const common = { connection, prefix, logger, outage: { is: isStoreUnavailable } };
  // The budget is the rule. BullMQ's per-queue limiter (global in Redis) stays as a coarse guard on
  // fetching: without it a worker at a low rate would take `concurrency` jobs at once, only to hand
  // most of them back when the budget refuses them (each refusal a claim, a render and a write).
  const guard = { max: options.maxSendRate, duration: 1000 };
  const workers = {
    reminders: makeCatalogWorker('reminder', reminder, { ...common, concurrency: Math.min(concurrency, 10) }),
    send: makeCatalogWorker('send', send, { ...common, concurrency, limiter: guard }),
    digests: makeCatalogWorker('digest', digest, { ...common, concurrency: Math.min(concurrency, 10), limiter: guard }),
    testSends: makeCatalogWorker('test-send', testSend, { ...common, concurrency: 2 }),
  };
  logger.info({ prefix, concurrency, maxSendRate: options.maxSendRate, templates: [...templates.templates.keys()] }, 'mailer role started');

  let closing: Promise<void> | null = null;
  return {
    workers,
    queues,
    budget,
    close() {
      closing ??= (async () => {
        await Promise.all([workers.reminders.close(), workers.send.close(), workers.digests.close(), workers.testSends.close()]);
        await closeQueues(queues);
        logger.info('mailer role stopped');
      })();
      return closing;
    },
  };
}
