/**
 * Test harness for the HTTP edge: a real SQLite file in a temp folder, real Redis queues under a
 * unique prefix, a fixed clock, and a recording `fetchText`. `close()` obliterates the queues and
 * removes the folder.
 */
import type { MailerConfig } from '@tickler/mailer';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStoreDatabase, TEST_MAILER_SETTINGS } from '@tickler/testkit';
import { openStore, type Store } from '@tickler/db';
import { closeQueues, makeQueues, type Queues } from '@tickler/queues';
import { createBillingSignatureHeader, sha256Hex } from '@tickler/domain';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import pino from 'pino';
import { makeHttpServer, makeRedisRateLimiter, type HttpConfig, type HttpDeps } from '../src';

export const T0 = new Date('2026-11-26T10:00:00Z');
export const SECRETS = ['token-secret-new-0123456789', 'token-secret-old-0123456789'];
export const PORTAL_KEY = 'portal-key-0123456789abcdef';
export const BILLING_SECRET = 'billing-secret-0123456789';
export const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:tickler-ses-events';

export interface Harness {
  app: FastifyInstance;
  store: Store;
  queues: Queues;
  /** The rate limiter's own connection (an edge process has one); its keys are `<queuePrefix>:rate-limit:*`. */
  redis: Redis;
  queuePrefix: string;
  deps: HttpDeps;
  dir: string;
  /** URLs passed to fetchText, in order. */
  fetched: string[];
  /** Answers of fetchText by URL (anything else throws). */
  responses: Map<string, string>;
  setNow(now: Date): void;
  close(): Promise<void>;
}

export function testConfig(dir: string, over: Partial<HttpConfig> = {}): HttpConfig {
  return {
    publicBaseUrl: 'https://tickler.test', tokenSecrets: SECRETS, adminToken: 'admin-token-0123456789', portalApiKey: PORTAL_KEY,
    billingWebhookSecret: BILLING_SECRET, snsTopicArns: [TOPIC_ARN], snsCertCacheDir: join(dir, 'sns-certs'),
    newsletterTopics: [{ id: 'product-news', label: 'Product news' }, { id: 'security', label: 'Security advisories', labels: { fr: 'Avis de sécurité' } }],
    emailDomainAllowlist: [], supportEmail: 'support@tickler.test', bodyLimitBytes: 64 * 1024, enqueueTimeoutMs: 1000, ...over,
  };
}

/**
 * `queuePrefix` lets two harnesses act as two edge processes of one deployment (same Redis keys, a
 * connection each); by default each harness has its own.
 */
export async function makeHarness(
  opts: { config?: Partial<HttpConfig>; redisPort?: number; queuePrefix?: string; templatePreviews?: HttpDeps['templatePreviews'] } = {},
): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'tickler-http-'));
  const database = await createStoreDatabase('http');
  const store = await openStore({ url: database.url });
  const queuePrefix = opts.queuePrefix ?? `test-http-${randomUUID()}`;
  const connection = { host: '127.0.0.1', port: opts.redisPort ?? 6379, maxRetriesPerRequest: 1 };
  const queues = makeQueues(connection, queuePrefix);
  const redis = new Redis({ ...connection, lazyConnect: true });
  redis.on('error', () => undefined);
  let now = T0;
  const fetched: string[] = [];
  const responses = new Map<string, string>();
  const deps: HttpDeps = {
    store, queues, config: testConfig(dir, opts.config), logger: pino({ level: 'silent' }), now: () => now,
    rateLimiter: makeRedisRateLimiter(redis, `${queuePrefix}:rate-limit`, { timeoutMs: 1000 }),
    templatePreviews: opts.templatePreviews,
    fetchText: async (url) => {
      fetched.push(url);
      const body = responses.get(url);
      if (body === undefined) throw new Error(`no test response for ${url}`);
      return body;
    },
  };
  const app = makeHttpServer(deps);
  await app.ready();
  return {
    app, store, queues, redis, queuePrefix, deps, dir, fetched, responses,
    setNow: (next) => { now = next; },
    async close() {
      await app.close();
      try {
        if (!opts.redisPort) {
          await Promise.all(Object.values(queues).map((q) => q.obliterate({ force: true })));
          await deleteKeys(redis, `${queuePrefix}:rate-limit:*`);
        }
      } finally {
        redis.disconnect();
        await closeQueues(queues);
        await store.close();
        await database.drop();
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Deletes every key matching `pattern` (SCAN, never KEYS). */
export async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** An order of organization org-1 (Acme, Berlin) bought by ann@acme.com, who is its first member and contact. */
export async function seedOrder(store: Store, orderId = 'ORD-1001', organizationId = 'org-1', purchaserEmail = 'ann@acme.com'): Promise<void> {
  const outcome = await store.directory.applyOrderUpsert({
    orderId, organization: { id: organizationId, name: 'Acme', timeZone: 'Europe/Berlin' }, product: 'Barcode Reader SDK',
    licenseExpiresOn: '2027-01-31', maintenanceExpiresOn: '2027-03-31', purchaserEmail, purchaserName: 'Ann', occurredAt: new Date('2026-11-01T00:00:00Z'),
  });
  if (outcome.outcome !== 'applied') throw new Error(`seed order not applied: ${outcome.reason}`);
}

/** Makes `email` a member of the organization: invited only, or active (accepted). */
export async function addMember(store: Store, organizationId: string, email: string, status: 'invited' | 'active', invitedBy = 'ann@acme.com'): Promise<void> {
  const invitation = await store.invitations.createOrRenew({
    organizationId, email, invitedByEmail: invitedBy, tokenHash: sha256Hex(randomBytes(16).toString('hex')), expiresAt: new Date(T0.getTime() + 86_400_000),
  });
  if (status === 'active') await store.invitations.accept(invitation.id, T0);
}

/** Headers of a portal call by `actingUser`. */
export function portal(actingUser: string | null, key = PORTAL_KEY): Record<string, string> {
  return { authorization: `Bearer ${key}`, ...(actingUser === null ? {} : { 'x-acting-user': actingUser }) };
}

/** A signed billing request as a billing system sends it. */
export function billingRequest(body: unknown, opts: { at?: Date; secret?: string } = {}): { headers: Record<string, string>; payload: string } {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  const t = Math.floor((opts.at ?? T0).getTime() / 1000);
  return { payload, headers: { 'content-type': 'application/json', 'tickler-signature': createBillingSignatureHeader(opts.secret ?? BILLING_SECRET, t, payload) } };
}

/** Mailer settings for round-trip tests (mail → link → page → action) that run the real mailer role. */
export const mailerConfig: MailerConfig = { ...TEST_MAILER_SETTINGS, tokenSecrets: SECRETS };
