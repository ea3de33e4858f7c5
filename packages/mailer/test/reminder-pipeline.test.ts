/**
 * End to end through the real mailer role: BullMQ on Redis, SQLite ledger, the real SES v2 SDK
 * against aws-ses-v2-local; what we assert is what arrived in the emulator's inbox.
 */
import type { Job } from 'bullmq';
import { enqueue } from '@tickler/queues';
import { readListToken, renewalListId } from '@tickler/domain';
// The package's own modules, not its index: the index also loads the HTTP edge, which these tests do not need.
import { unlimitedSendBudget } from '../src/budget';
import { makeReminderProcessor } from '../src/processors/reminder-processor';
import { makeSendProcessor } from '../src/processors/send-processor';
import {
  config, header, planReminder, quietLogger, seedOrder, waitFor, type StoredEmail, useMailerAgainstLocalSes,
} from './mailer-helpers';

const NOW = new Date('2027-01-24T08:30:00Z'); // 09:30 in Berlin, 7 days before the license expires
const CONTACTS = ['ann@acme.com', 'bob@acme.com', 'carol@acme.com', 'dave@acme.com'];

const ctx = useMailerAgainstLocalSes('pipeline', NOW);

beforeEach(async () => {
  await seedOrder(ctx.env.store, CONTACTS);
});

async function runReminder(reminderId: number): Promise<void> {
  await enqueue(ctx.env.queues, 'reminder', { reminderId });
  await waitFor(async () => {
    const reminder = await ctx.env.store.reminders.get(reminderId);
    if (!reminder || reminder.status === 'queued') return false;
    const rows = (await ctx.env.store.deliveries.listByOrder('ORD-1001')).filter((d) => d.sourceId === reminderId);
    return rows.every((d) => d.status !== 'queued' && d.status !== 'sending');
  }, `reminder ${reminderId} to be sent`);
}

const inbox = async (reminderSubject?: RegExp): Promise<StoredEmail[]> =>
  (await ctx.ses.emails()).filter((e) => !reminderSubject || reminderSubject.test(e.subject));

describe('reminder → send → SES', () => {
  it('sends the exact emails to every contact, with one-click unsubscribe headers and footer link', async () => {
    const reminderId = await planReminder(ctx.env.store, 7);
    await runReminder(reminderId);

    const emails = await inbox();
    expect(emails.map((e) => e.destination.to).flat().sort()).toEqual(CONTACTS);
    for (const email of emails) {
      const to = email.destination.to[0] as string;
      expect(email.from).toBe(config.fromReminders);
      expect(email.subject).toBe('Your Barcode Reader SDK license expires in 7 days (order ORD-1001)');
      const listUnsubscribe = header(email, 'List-Unsubscribe');
      expect(listUnsubscribe).toMatch(/^<https:\/\/tickler\.example\.com\/u\/[A-Za-z0-9_-]+>$/);
      const url = (listUnsubscribe as string).slice(1, -1);
      expect(readListToken(config.tokenSecrets, url.split('/u/')[1] as string)).toEqual({ email: to, listId: renewalListId('ORD-1001') });
      expect(url).not.toContain(to.split('@')[0]);
      expect(header(email, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
      expect(header(email, 'List-Id')).toBe('<renewal.ord-1001.tickler.example.com>');
      expect(email.body.html).toContain(`<a href="${url}" class="tk-unsubscribe"`);
      expect(email.body.html).toContain('Unsubscribe from this list');
      expect(email.body.text).toContain(`Unsubscribe from this list: ${url}`);
      expect(email.body.html).toContain('31 January 2027');
    }
    const rows = await ctx.env.store.deliveries.listByOrder('ORD-1001');
    expect(rows.map((r) => [r.email, r.status])).toEqual(CONTACTS.map((e) => [e, 'sent']));
    expect(new Set(rows.map((r) => r.providerMessageId))).toEqual(new Set(emails.map((e) => e.messageId)));
    expect((await ctx.env.store.reminders.get(reminderId))?.status).toBe('sent');
  });

  it('writes each email in the recipient\'s chosen language, else the organization\'s locale (de-AT → de), dates and plurals included', async () => {
    await ctx.env.store.directory.applyOrderUpsert({
      orderId: 'ORD-1001', organization: { id: 'org-1', name: 'Acme GmbH', timeZone: 'Europe/Berlin', locale: 'de-AT' }, product: 'Barcode Reader SDK',
      licenseExpiresOn: '2027-01-31', maintenanceExpiresOn: null, purchaserEmail: 'ann@acme.com', purchaserName: 'Ann', occurredAt: new Date('2026-11-27T10:00:00Z'),
    });
    await ctx.env.store.lists.setLocale('bob@acme.com', 'ja-JP', 'preferences');
    await ctx.env.store.lists.setLocale('carol@acme.com', 'fr', 'sign-up'); // a browser's language at a newsletter sign-up is no choice
    await ctx.env.store.lists.setLocale('dave@acme.com', 'pt-BR', 'preferences'); // not shipped: the organization's locale
    await runReminder(await planReminder(ctx.env.store, 7));

    const byRecipient = new Map((await inbox()).map((e) => [e.destination.to[0], e]));
    for (const to of ['ann@acme.com', 'carol@acme.com', 'dave@acme.com']) {
      const email = byRecipient.get(to)!;
      expect(email.subject).toBe('Ihre Barcode Reader SDK-Lizenz läuft in 7 Tagen ab (Auftrag ORD-1001)');
      expect(email.body.html).toContain('31. Januar 2027');
      expect(email.body.text).toContain('Verlängerungserinnerungen für Auftrag ORD-1001');
      expect(email.body.html).toContain('<html lang="de"');
    }
    const bob = byRecipient.get('bob@acme.com')!;
    expect(bob.subject).toBe('Barcode Reader SDK のライセンスの有効期限まであと7日です（注文 ORD-1001）');
    expect(bob.body.html).toContain('2027年1月31日');
    expect(bob.body.text).toContain('このリストの配信を停止する');
  });

  it('after removing one contact and an unsubscribe by another, the next reminder reaches only the rest', async () => {
    await runReminder(await planReminder(ctx.env.store, 7));
    expect(await inbox()).toHaveLength(4);
    await ctx.ses.clear();

    await ctx.env.store.directory.removeContact('ORD-1001', 'bob@acme.com');
    await ctx.env.store.lists.unsubscribe('carol@acme.com', renewalListId('ORD-1001'), 'one-click');
    const next = await planReminder(ctx.env.store, 1);
    await runReminder(next);

    expect((await inbox()).map((e) => e.destination.to).flat().sort()).toEqual(['ann@acme.com', 'dave@acme.com']);
    const rows = (await ctx.env.store.deliveries.listByOrder('ORD-1001')).filter((d) => d.sourceId === next);
    expect(rows.map((r) => [r.email, r.status, r.reason]).sort()).toEqual([
      ['ann@acme.com', 'sent', null],
      ['carol@acme.com', 'skipped', 'unsubscribed'],
      ['dave@acme.com', 'sent', null],
    ]);
  });

  it('drops a queued reminder when the order is renewed before it runs', async () => {
    const reminderId = await planReminder(ctx.env.store, 7);
    await ctx.role.workers.reminders.pause();
    await enqueue(ctx.env.queues, 'reminder', { reminderId });
    await ctx.env.store.directory.applyOrderUpsert({
      orderId: 'ORD-1001', organization: { id: 'org-1', name: 'Acme GmbH', timeZone: 'Europe/Berlin' }, product: 'Barcode Reader SDK',
      licenseExpiresOn: '2028-01-31', maintenanceExpiresOn: null, purchaserEmail: 'ann@acme.com', purchaserName: 'Ann',
      occurredAt: new Date('2027-01-20T10:00:00Z'),
    });
    ctx.role.workers.reminders.resume();
    await waitFor(async () => (await ctx.env.queues.reminders.getJobCounts('completed')).completed === 1, 'the reminder job to complete');

    expect(await ctx.env.store.reminders.get(reminderId)).toMatchObject({ status: 'cancelled', reason: expect.stringMatching(/expiry|renew/) });
    expect(await ctx.env.store.deliveries.listByOrder('ORD-1001')).toEqual([]);
    expect(await inbox()).toEqual([]);
  });

  it('cancels the reminder with the reason when the processor finds the order changed', async () => {
    const reminderId = await planReminder(ctx.env.store, 7, '2027-01-30'); // planned for an expiry the order no longer has
    const process = makeReminderProcessor({ store: ctx.env.store, queues: ctx.env.queues, logger: quietLogger });
    await expect(process({ reminderId }, { id: 'direct' } as Job)).resolves.toEqual({ status: 'cancelled', reason: 'expiry-changed' });
    expect(await ctx.env.store.reminders.get(reminderId)).toMatchObject({ status: 'cancelled', reason: 'expiry-changed' });
    expect(await ctx.env.store.deliveries.listByOrder('ORD-1001')).toEqual([]);
  });

  it('never sends a second email when the reminder is re-processed or a send job is retried or replayed', async () => {
    const reminderId = await planReminder(ctx.env.store, 7);
    await runReminder(reminderId);
    expect(await inbox()).toHaveLength(4);
    const [first] = await ctx.env.store.deliveries.listByOrder('ORD-1001');

    // The reminder job again (e.g. after a crash before its completion was recorded).
    await ctx.env.store.reminders.setStatus(reminderId, 'queued', null);
    const reminder = makeReminderProcessor({ store: ctx.env.store, queues: ctx.env.queues, logger: quietLogger });
    await expect(reminder({ reminderId }, { id: 'again' } as Job)).resolves.toMatchObject({ status: 'sent', recipients: 4 });
    // A replayed send job under a new id, handled by the running worker.
    await ctx.env.queues.send.add('send', { deliveryId: first!.id }, { jobId: 'replay-1' });
    await waitFor(async () => (await ctx.env.queues.send.getJob('replay-1'))?.finishedOn, 'the replayed job to finish');
    // The processor called directly, as a retry would.
    const send = makeSendProcessor({
      store: ctx.env.store, templates: ctx.env.templates, config, logger: quietLogger, transport: ctx.transport, now: () => NOW,
      budget: unlimitedSendBudget, rateLimit: async () => undefined, pauseSending: async () => undefined,
    });
    await expect(send({ deliveryId: first!.id }, { id: 'retry', attemptsMade: 1, opts: {} } as unknown as Job)).resolves.toEqual({ status: 'already-handled', previous: 'sent' });

    await new Promise((r) => setTimeout(r, 300));
    expect(await inbox()).toHaveLength(4);
    expect((await ctx.env.queues.send.getJob('replay-1'))?.returnvalue).toEqual({ status: 'already-handled', previous: 'sent' });
  });

  it('does not send to an address suppressed after the fan-out', async () => {
    await ctx.role.workers.send.pause();
    const reminderId = await planReminder(ctx.env.store, 7);
    await enqueue(ctx.env.queues, 'reminder', { reminderId });
    await waitFor(async () => (await ctx.env.store.reminders.get(reminderId))?.status === 'sent', 'the fan-out');
    await ctx.env.store.lists.suppress('dave@acme.com', 'bounce', 'hard bounce');
    ctx.role.workers.send.resume();
    await waitFor(async () => (await ctx.env.store.deliveries.listByOrder('ORD-1001')).every((d) => d.status === 'sent' || d.status === 'skipped'), 'sends');
    expect((await inbox()).map((e) => e.destination.to[0]).sort()).toEqual(['ann@acme.com', 'bob@acme.com', 'carol@acme.com']);
    const dave = (await ctx.env.store.deliveries.listByEmail('dave@acme.com'))[0];
    expect(dave).toMatchObject({ status: 'skipped', reason: 'suppressed' });
  });

  it('after the mailer was down sends only the latest due reminder of a cycle; the earlier one is recorded superseded', async () => {
    // Both were queued before the outage: 14 days before expiry (17 January) and 7 days (24 January, due at NOW).
    const [fourteen] = await ctx.env.store.reminders.insertNew([{
      orderId: 'ORD-1001', kind: 'license', expiresOn: '2027-01-31', offsetDays: 14, sendAt: new Date('2027-01-17T08:00:00Z'), status: 'queued', reason: null,
    }]);
    const seven = await planReminder(ctx.env.store, 7);
    await enqueue(ctx.env.queues, 'reminder', { reminderId: fourteen!.id });
    await runReminder(seven);
    await waitFor(async () => (await ctx.env.store.reminders.get(fourteen!.id))?.status !== 'queued', 'the 14-day reminder to be settled');

    expect(await ctx.env.store.reminders.get(fourteen!.id)).toMatchObject({ status: 'skipped', reason: 'superseded' });
    const emails = await inbox();
    expect(emails.map((e) => e.destination.to[0]).sort()).toEqual(CONTACTS);
    expect(new Set(emails.map((e) => e.subject))).toEqual(new Set(['Your Barcode Reader SDK license expires in 7 days (order ORD-1001)']));
    expect((await ctx.env.store.deliveries.listByOrder('ORD-1001')).filter((d) => d.sourceId === fourteen!.id)).toEqual([]);
  });
});
