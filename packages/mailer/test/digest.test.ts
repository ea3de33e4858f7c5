/**
 * Reminder digests end to end: the reminder and digest processors against the real ledger (SQLite,
 * or PostgreSQL with TEST_STORE=postgres), Redis and the local SES; what we assert is what arrived.
 */
import { UnrecoverableError } from 'bullmq';
import { closeQueues, deliveryReopenerOf, enqueue, makeCatalogWorker, makeQueues, replayFailedJobs } from '@tickler/queues';
import { readDigestToken, readListToken } from '@tickler/domain';
import { makeReminderProcessor } from '../src/processors/reminder-processor';
import { makeDigestProcessor } from '../src/processors/digest-processor';
import { makeSendProcessor } from '../src/processors/send-processor';
import { startMailerRole } from '../src/role/start-mailer-role';
import { makeSesTransport, PermanentSendError } from '../src/transport';
import { NOW, SEND_AT, fakeJob, planDue, useDigestTestEnv } from './digest-helpers';
import { config, connection, header, quietLogger, waitFor } from './mailer-helpers';

const ctx = useDigestTestEnv('digest');

const reminderProcessor = (digest = true, digestSettleMs = 0) => makeReminderProcessor({ store: ctx.env.store, queues: ctx.env.queues, logger: quietLogger, digest, digestSettleMs });
/** Runs every waiting job of the digests and send queues through the processors (no workers), oldest first. */
async function drainSends(): Promise<void> {
  const digest = makeDigestProcessor(ctx.sendDeps);
  const send = makeSendProcessor(ctx.sendDeps);
  for (const job of await ctx.env.queues.digests.getJobs(['waiting'])) await digest(job.data, fakeJob(job.id as string, job.data));
  for (const job of await ctx.env.queues.send.getJobs(['waiting'])) await send(job.data, fakeJob(job.id as string, job.data));
}
/** The digest job of `email`'s digest (ann's and bob's digests are both in the queue). */
async function digestJobOf(email: string, states: Array<'waiting' | 'delayed'> = ['waiting']) {
  const digestId = (await ctx.env.store.deliveries.listByEmail(email))[0]?.digestId;
  return (await ctx.env.queues.digests.getJobs(states)).find((j) => (j.data as { digestId: number }).digestId === digestId);
}
const annEmails = async () => (await ctx.ses.emails()).filter((e) => e.destination.to.includes('ann@acme.com'));

describe('reminders of one organization due at the same 09:00', () => {
  it('two orders → one email to the contact of both, naming both; the contact of one gets the single email', async () => {
    const [r1, r2] = await planDue(ctx.env.store, ['ORD-1001', 'ORD-1002']);
    expect(await reminderProcessor()({ reminderId: r1! }, fakeJob('r1'))).toEqual({ status: 'sent', recipients: 2, skipped: 0 });
    // The group's other job finds its reminder handled by the first.
    expect(await reminderProcessor()({ reminderId: r2! }, fakeJob('r2'))).toEqual({ status: 'already-handled', previous: 'sent' });
    await drainSends();

    const [digest, ...more] = await annEmails();
    expect(more).toEqual([]);
    expect(digest!.subject).toBe('Renewal reminders for Acme GmbH: 2 renewals');
    for (const text of ['ORD-1001', 'ORD-1002', 'Barcode Reader SDK', 'Document Scanner SDK', 'License expires in 7 days', 'Maintenance plan expires in 7 days', '31 January 2027']) {
      expect(digest!.body.text).toContain(text);
    }
    expect(digest!.body.html).toContain('href="https://shop.example.com/renew?order=ORD-1002"');
    expect(header(digest!, 'List-Id')).toBe('<renewal-digest.org-1.tickler.example.com>');
    expect(header(digest!, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    const oneClick = header(digest!, 'List-Unsubscribe')!.slice(1, -1);
    const rows = await ctx.env.store.deliveries.listByEmail('ann@acme.com');
    expect(readDigestToken(config.tokenSecrets, oneClick.split('/u/')[1]!)).toEqual({ email: 'ann@acme.com', digestId: rows[0]!.digestId });
    // Per order, a "stop reminders for this order" link naming that order's list.
    const perOrder = [...(digest!.body.html ?? '').matchAll(/href="https:\/\/tickler\.example\.com\/u\/([\w-]+)" class="tk-unsubscribe-order"/g)].map((m) => readListToken(config.tokenSecrets, m[1]!));
    expect(perOrder).toEqual([{ email: 'ann@acme.com', listId: 'renewal:ORD-1001' }, { email: 'ann@acme.com', listId: 'renewal:ORD-1002' }]);
    // The ledger: one row per (reminder, recipient), both in one digest, one provider message.
    expect(rows.map((r) => [r.sourceId, r.status, r.providerMessageId])).toEqual([[r1, 'sent', digest!.messageId], [r2, 'sent', digest!.messageId]]);
    expect(rows[0]!.digestId).not.toBeNull();
    expect(rows[1]!.digestId).toBe(rows[0]!.digestId);

    const bob = (await ctx.ses.emails()).filter((e) => e.destination.to.includes('bob@acme.com'));
    // bob is on one of the group's orders: his digest carries one reminder, sent as the single-order email.
    expect(bob.map((e) => e.subject)).toEqual(['Your Barcode Reader SDK license expires in 7 days (order ORD-1001)']);
    expect(header(bob[0]!, 'List-Id')).toBe('<renewal.ord-1001.tickler.example.com>');
    expect((await ctx.env.store.reminders.get(r2!))?.status).toBe('sent');
  });

  it('after an outage, reminders of one organization planned for different days go out as one email per person', async () => {
    // ORD-1001's reminder was due two days ago, ORD-1002's today; the mailers were down.
    const [r1] = await ctx.env.store.reminders.insertNew([{
      orderId: 'ORD-1001', kind: 'license', expiresOn: '2027-01-31', offsetDays: 9, sendAt: new Date(SEND_AT.getTime() - 2 * 86_400_000), status: 'queued', reason: null,
    }]);
    const [r2] = await planDue(ctx.env.store, ['ORD-1002']);
    const late = makeReminderProcessor({ store: ctx.env.store, queues: ctx.env.queues, logger: quietLogger, digest: true, digestSettleMs: 0, now: () => NOW });
    expect(await late({ reminderId: r1!.id }, fakeJob('r1'))).toMatchObject({ status: 'sent' });
    expect(await late({ reminderId: r2! }, fakeJob('r2'))).toEqual({ status: 'already-handled', previous: 'sent' });
    await drainSends();

    const [digest, ...more] = await annEmails();
    expect(more).toEqual([]);
    expect(digest!.subject).toBe('Renewal reminders for Acme GmbH: 2 renewals');
    expect(digest!.body.text).toContain('ORD-1001');
    expect(digest!.body.text).toContain('ORD-1002');
    const rows = await ctx.env.store.deliveries.listByEmail('ann@acme.com');
    expect(rows.map((r) => [r.sourceId, r.status])).toEqual([[r1!.id, 'sent'], [r2, 'sent']]);
    expect(rows[1]!.digestId).toBe(rows[0]!.digestId);
  });

  it('one order → today\'s single email; another organization\'s reminder at the same time is not grouped with it', async () => {
    const [r1] = await planDue(ctx.env.store, ['ORD-1001', 'ORD-2001']);
    await reminderProcessor()({ reminderId: r1! }, fakeJob('r1'));
    await drainSends();
    expect((await annEmails()).map((e) => e.subject)).toEqual(['Your Barcode Reader SDK license expires in 7 days (order ORD-1001)']);
    expect(await ctx.env.queues.digests.getJobCounts('waiting')).toEqual({ waiting: 0 });
  });

  it('an order renewed after the fan-out drops out: the one left goes as the single email', async () => {
    const [r1, r2] = await planDue(ctx.env.store, ['ORD-1001', 'ORD-1002']);
    await reminderProcessor()({ reminderId: r1! }, fakeJob('r1'));
    await ctx.env.store.directory.applyOrderUpsert({
      orderId: 'ORD-1002', organization: { id: 'org-1', name: 'Acme GmbH', timeZone: 'Europe/Berlin' }, product: 'Document Scanner SDK',
      licenseExpiresOn: null, maintenanceExpiresOn: '2028-01-31', purchaserEmail: 'ann@acme.com', purchaserName: 'Ann', occurredAt: new Date('2027-01-24T08:10:00Z'),
    });
    await drainSends();
    expect((await annEmails()).map((e) => e.subject)).toEqual(['Your Barcode Reader SDK license expires in 7 days (order ORD-1001)']);
    const rows = await ctx.env.store.deliveries.listByEmail('ann@acme.com');
    expect(rows.map((r) => [r.sourceId, r.status])).toEqual([[r1, 'sent'], [r2, 'skipped']]);
    expect(rows[1]!.reason).toMatch(/expiry/);
  });

  it('an empty digest is not sent: both orders cancelled after the fan-out', async () => {
    const [r1] = await planDue(ctx.env.store, ['ORD-1001', 'ORD-1002']);
    await reminderProcessor()({ reminderId: r1! }, fakeJob('r1'));
    for (const orderId of ['ORD-1001', 'ORD-1002']) await ctx.env.store.directory.applyOrderCancel(orderId, new Date('2027-01-24T08:10:00Z'));
    const job = await digestJobOf('ann@acme.com');
    expect(await makeDigestProcessor(ctx.sendDeps)(job!.data, fakeJob('d'))).toEqual({ status: 'skipped', reason: 'empty-digest' });
    expect(await annEmails()).toEqual([]);
    expect((await ctx.env.store.deliveries.listByEmail('ann@acme.com')).map((r) => r.status)).toEqual(['skipped', 'skipped']);
  });

  it('a retried, replayed or re-grouped digest sends nothing twice; a message id kept in the job is recorded, not re-sent', async () => {
    const [r1] = await planDue(ctx.env.store, ['ORD-1001', 'ORD-1002']);
    await reminderProcessor()({ reminderId: r1! }, fakeJob('r1'));
    const job = await digestJobOf('ann@acme.com');
    const digest = makeDigestProcessor(ctx.sendDeps);
    expect(await digest(job!.data, fakeJob('d1'))).toMatchObject({ status: 'sent', reminders: 2 });
    expect(await digest(job!.data, fakeJob('d1-retry'))).toEqual({ status: 'already-handled', previous: 'sent' });
    // The whole group again (a reminder job re-run after a crash): nothing new is enqueued or sent.
    await ctx.env.store.reminders.setStatus(r1!, 'queued', null);
    await reminderProcessor()({ reminderId: r1! }, fakeJob('r1-again'));
    await drainSends();
    expect(await annEmails()).toHaveLength(1);

    // The database was away after the provider accepted: the retry records the id it carries.
    const rows = await ctx.env.store.deliveries.listByEmail('ann@acme.com');
    await ctx.env.store.deliveries.requeue(rows[0]!.id);
    const carried = { ...job!.data, providerMessageId: 'ses-accepted-earlier', deliveryIds: [rows[0]!.id] };
    expect(await digest(carried, fakeJob('d1-record'))).toMatchObject({ status: 'sent', messageId: 'ses-accepted-earlier' });
    expect(await annEmails()).toHaveLength(1);
    expect((await ctx.env.store.deliveries.get(rows[0]!.id))?.providerMessageId).toBe('ses-accepted-earlier');
  });

  it('a digest the provider refused, replayed by an operator, reopens its deliveries and goes out once', async () => {
    const [r1] = await planDue(ctx.env.store, ['ORD-1001', 'ORD-1002']);
    await reminderProcessor()({ reminderId: r1! }, fakeJob('r1'));
    const job = await digestJobOf('ann@acme.com');
    const refusing = { ...ctx.sendDeps, transport: { send: async () => { throw new PermanentSendError('MessageRejected: refused'); } } };
    await expect(makeDigestProcessor(refusing)(job!.data, fakeJob('d1'))).rejects.toThrow('refused');
    expect((await ctx.env.store.deliveries.listByEmail('ann@acme.com')).map((r) => r.status)).toEqual(['failed', 'failed']);
    // The job in Redis fails for good too (as the worker would have left it).
    const worker = makeCatalogWorker('digest', async () => { throw new UnrecoverableError('refused'); }, { connection, prefix: ctx.env.prefix, concurrency: 1, logger: quietLogger });
    // (bob's digest job is in the queue too: it fails the same way, and his delivery stays queued.)
    await waitFor(async () => (await ctx.env.queues.digests.getJobCounts('failed')).failed === 2, 'the digest jobs to fail');
    await worker.close();

    expect((await replayFailedJobs(ctx.env.queues, { queue: 'digests' }, deliveryReopenerOf(ctx.env.store))).replayed).toBe(2);
    expect((await ctx.env.store.deliveries.listByEmail('ann@acme.com')).map((r) => r.status)).toEqual(['queued', 'queued']);
    await drainSends();
    expect((await annEmails()).map((e) => e.subject)).toEqual(['Renewal reminders for Acme GmbH: 2 renewals']);
    expect((await replayFailedJobs(ctx.env.queues, { queue: 'digests' }, deliveryReopenerOf(ctx.env.store))).replayed).toBe(0);
    await drainSends();
    expect(await annEmails()).toHaveLength(1);
  });

  it('reminders of the group fanned out after its email went get an email of their own, whose unsubscribe link names only them', async () => {
    const [r1] = await planDue(ctx.env.store, ['ORD-1001', 'ORD-1002']);
    await reminderProcessor()({ reminderId: r1! }, fakeJob('r1'));
    await drainSends();
    // Later the same day two more orders of the organization become due at the same 09:00 (renewed, or planned late).
    const later: number[] = [];
    for (const orderId of ['ORD-1003', 'ORD-1004']) {
      await ctx.env.store.directory.applyOrderUpsert({
        orderId, organization: { id: 'org-1', name: 'Acme GmbH', timeZone: 'Europe/Berlin' }, product: 'Label SDK', licenseExpiresOn: '2027-01-31',
        maintenanceExpiresOn: null, purchaserEmail: 'ann@acme.com', purchaserName: 'Ann', occurredAt: new Date('2026-11-26T10:00:00Z'),
      });
      const [r] = await ctx.env.store.reminders.insertNew([{ orderId, kind: 'license', expiresOn: '2027-01-31', offsetDays: 7, sendAt: SEND_AT, status: 'queued', reason: null }]);
      later.push(r!.id);
    }
    await reminderProcessor()({ reminderId: later[0]! }, fakeJob('r3'));
    await drainSends();
    const [morning, afternoon, ...more] = await annEmails();
    expect(more).toEqual([]);
    expect([morning!.subject, afternoon!.subject]).toEqual(['Renewal reminders for Acme GmbH: 2 renewals', 'Renewal reminders for Acme GmbH: 2 renewals']);
    const digestOf = (email: typeof morning) => readDigestToken(config.tokenSecrets, header(email!, 'List-Unsubscribe')!.slice(1, -1).split('/u/')[1]!)!.digestId;
    expect(digestOf(afternoon)).not.toBe(digestOf(morning));
    // Each email's one-click link names exactly the lists that email carried.
    const listsOf = async (digestId: number) => (await ctx.env.store.digests.get(digestId))!.deliveries.map((d) => d.listId);
    expect(await listsOf(digestOf(morning))).toEqual(['renewal:ORD-1001', 'renewal:ORD-1002']);
    expect(await listsOf(digestOf(afternoon))).toEqual(['renewal:ORD-1003', 'renewal:ORD-1004']);
  });

  it('rows attached while the digest job waits go out in that one email', async () => {
    const [r1, r2] = await planDue(ctx.env.store, ['ORD-1001', 'ORD-1002']);
    await reminderProcessor(true, 60_000)({ reminderId: r1! }, fakeJob('r1'));
    const delayed = await digestJobOf('ann@acme.com', ['delayed']);
    expect(delayed?.opts.delay).toBe(60_000);
    // A third reminder of the group (ORD-1003, planned by a later slice) fans out while it waits.
    await ctx.env.store.directory.applyOrderUpsert({
      orderId: 'ORD-1003', organization: { id: 'org-1', name: 'Acme GmbH', timeZone: 'Europe/Berlin' }, product: 'Label SDK', licenseExpiresOn: '2027-01-31',
      maintenanceExpiresOn: null, purchaserEmail: 'ann@acme.com', purchaserName: 'Ann', occurredAt: new Date('2026-11-26T10:00:00Z'),
    });
    if (!(await ctx.env.store.directory.isContact('ORD-1003', 'ann@acme.com'))) await ctx.env.store.directory.addContact('ORD-1003', 'ann@acme.com', 'ann@acme.com');
    const [r3] = await ctx.env.store.reminders.insertNew([{ orderId: 'ORD-1003', kind: 'license', expiresOn: '2027-01-31', offsetDays: 7, sendAt: SEND_AT, status: 'queued', reason: null }]);
    await reminderProcessor(true, 60_000)({ reminderId: r3!.id }, fakeJob('r3'));
    expect((await ctx.env.queues.digests.getJobs(['delayed', 'waiting'])).map((j) => j.id).sort()).toEqual([delayed!.id, (await digestJobOf('bob@acme.com', ['delayed']))!.id].sort());
    await delayed!.promote();
    await drainSends();
    const [digest, ...more] = await annEmails();
    expect(more).toEqual([]);
    expect(digest!.subject).toBe('Renewal reminders for Acme GmbH: 3 renewals');
    expect((await ctx.env.store.deliveries.listByEmail('ann@acme.com')).map((r) => [r.sourceId, r.status])).toEqual([[r1, 'sent'], [r2, 'sent'], [r3!.id, 'sent']]);
  });

  it('digest off: one email per reminder, as before', async () => {
    const [r1, r2] = await planDue(ctx.env.store, ['ORD-1001', 'ORD-1002']);
    await reminderProcessor(false)({ reminderId: r1! }, fakeJob('r1'));
    await reminderProcessor(false)({ reminderId: r2! }, fakeJob('r2'));
    await drainSends();
    expect((await annEmails()).map((e) => e.subject).sort()).toEqual([
      'Your Barcode Reader SDK license expires in 7 days (order ORD-1001)', 'Your Document Scanner SDK maintenance expires in 7 days (order ORD-1002)',
    ]);
    expect((await ctx.env.store.deliveries.listByEmail('ann@acme.com')).map((r) => r.digestId)).toEqual([null, null]);
  });
});

describe('two mailer processes', () => {
  it('both take the group\'s reminder jobs at once; the person still gets exactly one digest', async () => {
    const transports = [1, 2].map(() => makeSesTransport({ region: 'eu-west-1', endpoint: ctx.ses.endpoint }));
    const roles = transports.map((transport) => startMailerRole({
      connection, prefix: ctx.env.prefix, store: ctx.env.store, logger: quietLogger, transport, templates: ctx.env.templates, config: { ...config, digestSettleMs: 500 }, concurrency: 4, maxSendRate: 50, now: () => NOW,
    }));
    try {
      const ids = await planDue(ctx.env.store, ['ORD-1001', 'ORD-1002']);
      const producer = makeQueues(connection, ctx.env.prefix);
      await Promise.all(ids.map((reminderId) => enqueue(producer, 'reminder', { reminderId })));
      await closeQueues(producer);
      await waitFor(async () => (await ctx.env.store.deliveries.listByEmail('ann@acme.com')).filter((d) => d.status === 'sent').length === 2, 'the digest to be sent');
      await waitFor(async () => (await ctx.env.store.deliveries.listByEmail('bob@acme.com'))[0]?.status === 'sent', 'bob\'s email');
      expect((await annEmails()).map((e) => e.subject)).toEqual(['Renewal reminders for Acme GmbH: 2 renewals']);
      expect(await ctx.ses.emails()).toHaveLength(2);
      expect(SEND_AT.getTime()).toBeLessThan(NOW.getTime());
    } finally {
      await Promise.all(roles.map((r) => r.close()));
      await Promise.all(transports.map((t) => t.close?.()));
    }
  });
});
