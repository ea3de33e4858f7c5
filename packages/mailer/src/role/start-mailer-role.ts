/**
 * The mailer role: the `reminders`, `send`, `digests` and `test-sends` workers of one process. Owns its Redis connections
 * and its workers; `close()` stops taking jobs, lets in-flight ones finish, then disconnects.
 */
import type { ConnectionOptions } from 'bullmq';
import type { Logger } from 'pino';
import { type Store } from '@tickler/db';
import { closeQueues, makeCatalogWorker, makeQueues, type Queues, type SupervisedWorker } from '@tickler/queues';
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
  /** Emails per second across ALL mailer processes (SES_MAX_SEND_RATE); BullMQ enforces it in Redis. */
  maxSendRate: number;
  /** How long a sent email's ledger write is retried while the database is unavailable, ms (default 20 s). */
  recordRetryMs?: number;
  /** The clock (default: the system clock). */
  now?: () => Date;
}

export interface MailerRole {
  workers: { reminders: SupervisedWorker; send: SupervisedWorker; digests: SupervisedWorker; testSends: SupervisedWorker };
  queues: Queues;
  /** Stops fetching jobs, waits for in-flight ones, closes connections. Safe to call twice. */
  close(): Promise<void>;
}

/** Starts the mailer workers. */
export function startMailerRole(options: MailerRoleOptions): MailerRole {
  const { connection, prefix, store, logger, transport, templates, config } = options;
  if (!(options.maxSendRate > 0)) throw new Error(`maxSendRate must be a positive number of emails per second (got ${options.maxSendRate})`);
  const now = options.now ?? (() => new Date());
  const queues = makeQueues(connection, prefix);
  const concurrency = options.concurrency ?? 50;

  const reminder = makeReminderProcessor({ store, queues, logger, digest: config.reminderDigest ?? true, digestSettleMs: config.digestSettleMs });
  // Single emails and digests go through the same provider: throttling or a pause holds both queues.
  const sendDeps = {
    store, templates, config, logger, transport, now,
    rateLimit: async (ms: number) => { await Promise.all([queues.send.rateLimit(ms), queues.digests.rateLimit(ms)]); },
    pauseSending: async () => { await Promise.all([queues.send.pause(), queues.digests.pause()]); },
    recordRetryMs: options.recordRetryMs,
  };
  const send = makeSendProcessor(sendDeps);
  const digest = makeDigestProcessor(sendDeps);
  const testSend = makeTestSendProcessor({ store, templates, config, logger, transport, now });

  const common = { connection, prefix, logger };
  const workers = {
    reminders: makeCatalogWorker('reminder', reminder, { ...common, concurrency: Math.min(concurrency, 10) }),
    // Global: the limiter lives in Redis, so N mailer processes together stay under SES_MAX_SEND_RATE.
    send: makeCatalogWorker('send', send, { ...common, concurrency, limiter: { max: options.maxSendRate, duration: 1000 } }),
    // Digests are few (one per person and organization and morning); their limiter is the same rate.
    digests: makeCatalogWorker('digest', digest, { ...common, concurrency: Math.min(concurrency, 10), limiter: { max: options.maxSendRate, duration: 1000 } }),
    testSends: makeCatalogWorker('test-send', testSend, { ...common, concurrency: 2 }),
  };
  logger.info({ prefix, concurrency, maxSendRate: options.maxSendRate, templates: [...templates.templates.keys()] }, 'mailer role started');

  let closing: Promise<void> | null = null;
  return {
    workers,
    queues,
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
