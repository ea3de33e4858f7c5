/**
 * A digest's language, end to end (reminder and digest processors, the real ledger on SQLite or
 * PostgreSQL, Redis, local SES): chosen like a single reminder's — the recipient's choice, else the
 * organization's locale, else DEFAULT_LOCALE — with dates and plurals of that language.
 */
import { makeReminderProcessor } from '../src/processors/reminder-processor';
import { makeDigestProcessor } from '../src/processors/digest-processor';
import { makeSendProcessor } from '../src/processors/send-processor';
import { fakeJob, planDue, useDigestTestEnv } from './digest-helpers';
import { quietLogger } from './mailer-helpers';

const ctx = useDigestTestEnv('digest-locale', async (env) => {
  // Acme writes German: its orders' billing events name the organization's locale.
  const base = { purchaserEmail: 'ann@acme.com', purchaserName: 'Ann', occurredAt: new Date('2026-11-27T10:00:00Z') };
  const org = { id: 'org-1', name: 'Acme GmbH', timeZone: 'Europe/Berlin', locale: 'de-DE' };
  await env.store.directory.applyOrderUpsert({ ...base, orderId: 'ORD-1001', organization: org, product: 'Barcode Reader SDK', licenseExpiresOn: '2027-01-31', maintenanceExpiresOn: null });
  await env.store.directory.applyOrderUpsert({ ...base, orderId: 'ORD-1002', organization: org, product: 'Document Scanner SDK', licenseExpiresOn: null, maintenanceExpiresOn: '2027-01-31' });
});

async function sendGroup(): Promise<void> {
  const [r1] = await planDue(ctx.env.store, ['ORD-1001', 'ORD-1002']);
  await makeReminderProcessor({ store: ctx.env.store, queues: ctx.env.queues, logger: quietLogger, digest: true, digestSettleMs: 0 })({ reminderId: r1! }, fakeJob('r1'));
  const digest = makeDigestProcessor(ctx.sendDeps);
  const send = makeSendProcessor(ctx.sendDeps);
  for (const job of await ctx.env.queues.digests.getJobs(['waiting'])) await digest(job.data, fakeJob(job.id as string, job.data));
  for (const job of await ctx.env.queues.send.getJobs(['waiting'])) await send(job.data, fakeJob(job.id as string, job.data));
}
const emailsTo = async (email: string) => (await ctx.ses.emails()).filter((e) => e.destination.to.includes(email));

it('a German organization\'s digest arrives in German: subject, per-order lines with plurals, dates, links, footer', async () => {
  await sendGroup();
  const [digest, ...more] = await emailsTo('ann@acme.com');
  expect(more).toEqual([]);
  expect(digest!.subject).toBe('Verlängerungserinnerungen für Acme GmbH: 2 Verlängerungen');
  const text = digest!.body.text ?? '';
  for (const line of [
    'Guten Tag,', 'Lizenz läuft in 7 Tagen ab', 'Wartungsvertrag läuft in 7 Tagen ab', 'Auftragsnummer ORD-1001 · Ablaufdatum 31. Januar 2027',
    'Auftrag ORD-1002 verlängern: https://shop.example.com/renew?order=ORD-1002', 'Keine Erinnerungen mehr zu diesem Auftrag: https://',
    'Von all diesen Listen abmelden: https://', 'E-Mail-Einstellungen verwalten: https://',
  ]) expect(text).toContain(line);
  expect(text).not.toMatch(/License|expires|Renew/);
  expect(digest!.body.html).toContain('<html lang="de"');
  expect(digest!.body.html).toContain('Lizenz läuft in 7 Tagen ab');
  // bob's digest carried one reminder: the single-order email, in German too.
  expect((await emailsTo('bob@acme.com')).map((e) => e.subject)).toEqual(['Ihre Barcode Reader SDK-Lizenz läuft in 7 Tagen ab (Auftrag ORD-1001)']);
});

it('the recipient\'s own choice wins over the organization\'s locale', async () => {
  await ctx.env.store.lists.setLocale('ann@acme.com', 'fr', 'preferences');
  await sendGroup();
  const [digest] = await emailsTo('ann@acme.com');
  expect(digest!.subject).toBe('Rappels de renouvellement pour Acme GmbH : 2 renouvellements');
  expect(digest!.body.text).toContain('La licence expire dans 7 jours');
  expect(digest!.body.text).toContain('date d’expiration : 31 janvier 2027');
  // bob made no choice: German, from the organization.
  expect((await emailsTo('bob@acme.com'))[0]!.subject).toMatch(/^Ihre /);
});
