/**
 * @tickler/testkit: fixtures the integration tests of several packages share — the Redis they use,
 * private Redis topologies to fail over (one node, Sentinel, Cluster), a silent logger, the
 * repository's templates, polling, and the local SES emulator read over HTTP like a user would.
 * Test-only (and the benchmarks): no runtime package depends on it.
 */
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import sesLocal from 'aws-ses-v2-local';

/** The Redis every integration test uses (each under its own queue prefix). */
export const connection = { host: '127.0.0.1', port: 6379 };
export const quietLogger = pino({ level: 'silent' });
/** The repository's `templates/` folder. */
export const TEMPLATES_DIR = path.resolve(__dirname, '../../../templates');

/**
 * The mailer settings the integration tests of the mailer and the HTTP edge share (a `MailerConfig`
 * without its token secrets, which each suite sets itself): sender addresses, links, the newsletter
 * topic, a short throttle back-off, and reminder digests that wait 200 ms (15 s in production) for
 * the rest of their group, so a second reminder due at the same 09:00 takes the digest path.
 */
export const TEST_MAILER_SETTINGS = {
  publicBaseUrl: 'https://tickler.example.com',
  fromReminders: 'Tickler Reminders <reminders@tickler.example.com>',
  fromNewsletter: 'Tickler News <news@tickler.example.com>',
  supportEmail: 'support@tickler.example.com',
  renewUrlTemplate: 'https://shop.example.com/renew?order={orderId}',
  newsletterTopics: [{ id: 'product-news', label: 'Product news', labels: { de: 'Produktneuigkeiten' } }],
  throttleDelayMs: 300,
  digestSettleMs: 200,
};

/** Polls `check` until it returns a truthy value (or throws after `timeoutMs`). */
export async function waitFor<T>(check: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One email as the local SES keeps it (`GET /store`). */
export interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
  headers?: Array<{ name: string; value: string }>;
}

export interface LocalSes {
  endpoint: string;
  emails: () => Promise<StoredEmail[]>;
  clear: () => Promise<void>;
  close: () => Promise<void>;
}

/** aws-ses-v2-local in this process on a free port; its store is read over HTTP like a user would. */
export async function startLocalSes(): Promise<LocalSes> {
  const server = await sesLocal({ host: '127.0.0.1', port: 0 });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    emails: async () => ((await (await fetch(`${endpoint}/store`)).json()) as { emails: StoredEmail[] }).emails,
    clear: async () => {
      await fetch(`${endpoint}/clear-store`, { method: 'POST' });
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** A header of a stored email, by case-insensitive name. */
export function header(email: StoredEmail, name: string): string | undefined {
  return email.headers?.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;
}

export { createStoreDatabase, createTestDatabase, TEST_POSTGRES_URL, TEST_STORE, urlForDatabase, withAdmin, withClient, type TestDatabase } from './postgres';
export {
  requireRedisBinaries, tempDir, freePorts, startRedisServer, startSingle, startSentinel, startCluster, stopAll,
  type RedisProcess, type SentinelSetup, type ClusterSetup,
} from './redis-topology';
export { keyPlacement, keySlot, masterOf, killMasterOf, redisServerMajor, firstSendAfterGap, type KeyPlacement } from './redis-failover';
