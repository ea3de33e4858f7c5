/** Fixtures of the digest tests: one organization with two orders whose reminders are due at the same 09:00. */
import type { Job } from 'bullmq';
import { type Store } from '@tickler/db';
import type { SendDeps } from '../src/processors/send-processor';
import { unlimitedSendBudget } from '../src/budget';
import { makeSesTransport } from '../src/transport';
import { config, makeMailerEnv, quietLogger, seedOrder, startLocalSes, type MailerTestEnv } from './mailer-helpers';

/** 09:00 in Berlin on 24 January 2027: the send time of every reminder below. */
export const SEND_AT = new Date('2027-01-24T08:00:00Z');
export const NOW = new Date('2027-01-24T08:30:00Z');

/**
 * org-1 (Acme GmbH, Berlin): ORD-1001 (license expires 31 Jan) and ORD-1002 (maintenance expires 31 Jan);
 * ann@acme.com is a contact of both, bob@acme.com of ORD-1001 only. org-2 has ORD-2001 with ann too.
 */
export async function seedTwoOrders(store: Store): Promise<void> {
  await seedOrder(store, ['ann@acme.com', 'bob@acme.com']);
  await addSecondOrder(store);
  const base = { purchaserEmail: 'ann@acme.com', purchaserName: 'Ann', occurredAt: new Date('2026-11-26T10:00:00Z') };
  await store.directory.applyOrderUpsert({ ...base, orderId: 'ORD-2001', organization: { id: 'org-2', name: 'Other Ltd', timeZone: 'Europe/Berlin' }, product: 'Label SDK', licenseExpiresOn: '2027-01-31', maintenanceExpiresOn: null });
  for (const orderId of ['ORD-1002', 'ORD-2001']) {
    if (!(await store.directory.isContact(orderId, 'ann@acme.com'))) await store.directory.addContact(orderId, 'ann@acme.com', 'ann@acme.com');
  }
}

/**
 * ORD-1002 of org-1 (maintenance expires 31 Jan, purchaser ann@acme.com) with `contacts` (members of
 * org-1 already, see `seedOrder`) added as its contacts: each of them is then due two reminders at once.
 */
export async function addSecondOrder(store: Store, contacts: string[] = []): Promise<void> {
  const org = { id: 'org-1', name: 'Acme GmbH', timeZone: 'Europe/Berlin' };
  await store.directory.applyOrderUpsert({
    orderId: 'ORD-1002', organization: org, product: 'Document Scanner SDK', licenseExpiresOn: null, maintenanceExpiresOn: '2027-01-31',
    purchaserEmail: 'ann@acme.com', purchaserName: 'Ann', occurredAt: new Date('2026-11-26T10:00:00Z'),
  });
  for (const email of contacts) await store.directory.addContact('ORD-1002', email, 'ann@acme.com');
}

/** Queued reminders due at SEND_AT (7 days before expiry) for the given orders; returns their ids. */
export async function planDue(store: Store, orderIds: string[]): Promise<number[]> {
  const rows = await store.reminders.insertNew(orderIds.map((orderId) => ({
    orderId, kind: orderId === 'ORD-1002' ? 'maintenance' as const : 'license' as const, expiresOn: '2027-01-31', offsetDays: 7, sendAt: SEND_AT, status: 'queued' as const, reason: null,
  })));
  return rows.map((r) => r.id);
}

/** A job object for calling a processor directly. */
export const fakeJob = (id: string, data: unknown = {}): Job => {
  const job = { id, data, attemptsMade: 0, opts: { attempts: 10 }, updateData: async (next: unknown) => { job.data = next; } };
  return job as unknown as Job;
};

export { config };

/** The send and digest processors' dependencies on `env`, sending through the local SES at `endpoint` at NOW. */
export function digestSendDeps(env: MailerTestEnv, endpoint: string): SendDeps {
  return {
    store: env.store, templates: env.templates, config, logger: quietLogger, transport: makeSesTransport({ region: 'eu-west-1', endpoint }),
    budget: unlimitedSendBudget, now: () => NOW, rateLimit: async () => undefined, pauseSending: async () => undefined,
  };
}

/**
 * Hooks of a digest test file: the local SES once per file; per test an emptied inbox, a fresh
 * mailer environment named `name` with `seedTwoOrders` (then `seed`, if given) and the processors'
 * dependencies (`digestSendDeps`), closed and cleaned up after the test.
 */
export function useDigestTestEnv(name: string, seed?: (env: MailerTestEnv) => Promise<void>): {
  ses: Awaited<ReturnType<typeof startLocalSes>>; env: MailerTestEnv; sendDeps: SendDeps;
} {
  const ctx = {} as ReturnType<typeof useDigestTestEnv>;
  beforeAll(async () => { ctx.ses = await startLocalSes(); });
  afterAll(() => ctx.ses.close());
  beforeEach(async () => {
    await ctx.ses.clear();
    ctx.env = await makeMailerEnv(name);
    await seedTwoOrders(ctx.env.store);
    await seed?.(ctx.env);
    ctx.sendDeps = digestSendDeps(ctx.env, ctx.ses.endpoint);
  });
  afterEach(async () => {
    await ctx.sendDeps.transport.close?.();
    await ctx.env.cleanup();
  });
  return ctx;
}
