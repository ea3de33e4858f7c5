/**
 * Integration helpers for the mailer: a migrated SQLite file per test, queues under a unique prefix
 * (obliterated afterwards), the repository templates, the local SES emulator (aws-ses-v2-local,
 * in-process on a free port) and a recording SES v2 stub that can answer errors.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { connection, createStoreDatabase, quietLogger, startLocalSes, TEMPLATES_DIR, TEST_MAILER_SETTINGS } from '@tickler/testkit';
import { openStore, type NewReminder, type Store } from '@tickler/db';
import { closeQueues, makeQueues, type Queues } from '@tickler/queues';
import { createInvitationToken, sha256Hex } from '@tickler/domain';
import type { MailerConfig } from '../src/config';
import { loadTemplates, type TemplateSet } from '../src/templates';
import { startMailerRole, type MailerRole } from '../src/role/start-mailer-role';
import { makeSesTransport, type MailTransport } from '../src/transport';

export { connection, header, quietLogger, startLocalSes, TEMPLATES_DIR, waitFor, type StoredEmail } from '@tickler/testkit';

export const config: MailerConfig = { ...TEST_MAILER_SETTINGS, tokenSecrets: ['test-secret-new', 'test-secret-old'] };

export interface MailerTestEnv {
  store: Store;
  queues: Queues;
  prefix: string;
  templates: TemplateSet;
  cleanup: () => Promise<void>;
}

let templatesPromise: Promise<TemplateSet> | null = null;

export async function makeMailerEnv(name: string): Promise<MailerTestEnv> {
  const database = await createStoreDatabase(`mailer-${name}`);
  const store = await openStore({ url: database.url });
  const prefix = `test-mailer-${name}-${randomUUID().slice(0, 8)}`;
  const queues = makeQueues(connection, prefix);
  templatesPromise ??= loadTemplates(TEMPLATES_DIR);
  return {
    store, queues, prefix, templates: await templatesPromise,
    cleanup: async () => {
      for (const queue of Object.values(queues)) await queue.obliterate({ force: true });
      await closeQueues(queues);
      await store.close();
      await database.drop();
    },
  };
}

/** Organization org-1 (Berlin) with order ORD-1001 and the given active members as its contacts (first = purchaser). */
export async function seedOrder(store: Store, contacts: string[], expiresOn = '2027-01-31'): Promise<void> {
  const [purchaser, ...others] = contacts;
  await store.directory.applyOrderUpsert({
    orderId: 'ORD-1001', organization: { id: 'org-1', name: 'Acme GmbH', timeZone: 'Europe/Berlin' }, product: 'Barcode Reader SDK',
    licenseExpiresOn: expiresOn, maintenanceExpiresOn: null, purchaserEmail: purchaser as string, purchaserName: 'Ann',
    occurredAt: new Date('2026-11-26T10:00:00Z'),
  });
  for (const email of others) {
    const expiresAt = new Date('2027-06-01T00:00:00Z');
    const tokenHash = sha256Hex(createInvitationToken(config.tokenSecrets, { organizationId: 'org-1', email, expiresAt }));
    const invitation = await store.invitations.createOrRenew({ organizationId: 'org-1', email, invitedByEmail: purchaser as string, tokenHash, expiresAt });
    await store.invitations.accept(invitation.id, new Date('2026-11-26T11:00:00Z'));
    await store.directory.addContact('ORD-1001', email, purchaser as string);
  }
}

/** Plans one queued license reminder of ORD-1001 and returns its id. */
export async function planReminder(store: Store, offsetDays: number, expiresOn = '2027-01-31'): Promise<number> {
  const row: NewReminder = {
    orderId: 'ORD-1001', kind: 'license', expiresOn, offsetDays, sendAt: new Date('2027-01-24T08:00:00Z'), status: 'queued', reason: null,
  };
  const [inserted] = await store.reminders.insertNew([row]);
  if (!inserted) throw new Error('reminder already planned');
  return inserted.id;
}

// ------------------------------------------------------------------------------------------- SES

export interface StubReply { status: number; errorType?: string; message?: string }

/**
 * A tiny SES v2 `SendEmail` endpoint that records every request and answers from a script: the
 * next scripted replies first (e.g. 429 TooManyRequestsException), then 200 with a MessageId.
 */
export async function startSesStub(): Promise<{ endpoint: string; requests: Array<Record<string, unknown>>; script: (...replies: StubReply[]) => void; close: () => Promise<void> }> {
  const requests: Array<Record<string, unknown>> = [];
  const replies: StubReply[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>);
      const reply = replies.shift();
      if (reply && reply.status !== 200) {
        res.writeHead(reply.status, { 'content-type': 'application/json', 'x-amzn-ErrorType': reply.errorType ?? 'InternalFailure' });
        res.end(JSON.stringify({ message: reply.message ?? reply.errorType }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ MessageId: `stub-${requests.length}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    script: (...r) => replies.push(...r),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/**
 * Jest hooks for a suite that runs a real mailer role against the local SES: one emulator per
 * suite, and per test a fresh store, queue prefix, SES transport and role (closed afterwards).
 * Read the returned object's fields inside tests (they change per test).
 */
export function useMailerAgainstLocalSes(name: string, now: Date): {
  ses: Awaited<ReturnType<typeof startLocalSes>>; env: MailerTestEnv; role: MailerRole; transport: MailTransport;
} {
  const ctx = {} as ReturnType<typeof useMailerAgainstLocalSes>;
  beforeAll(async () => { ctx.ses = await startLocalSes(); });
  afterAll(() => ctx.ses.close());
  beforeEach(async () => {
    await ctx.ses.clear();
    ctx.env = await makeMailerEnv(name);
    ctx.transport = makeSesTransport({ region: 'eu-west-1', endpoint: ctx.ses.endpoint });
    ctx.role = startMailerRole({
      connection, prefix: ctx.env.prefix, store: ctx.env.store, logger: quietLogger, transport: ctx.transport, templates: ctx.env.templates, config,
      concurrency: 4, maxSendRate: 50, now: () => now,
    });
  });
  afterEach(async () => {
    await ctx.role.close();
    await ctx.transport.close?.();
    await ctx.env.cleanup();
  });
  return ctx;
}
