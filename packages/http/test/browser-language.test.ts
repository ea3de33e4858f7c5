/**
 * Languages in a real headless Chromium: the first reminder arrives in the organization's language,
 * the preferences page opened from it speaks it too (not the browser's), the recipient picks another language
 * there, the page re-renders in it, and the next reminder (through the real mailer role and the
 * local SES) arrives in that language.
 */
import { enqueue } from '@tickler/queues';
import { waitFor, type StoredEmail } from '@tickler/testkit';
import { useServedBrowser } from './browser-suite';

const NOW = new Date('2027-01-24T08:30:00Z'); // 09:30 in Berlin, 7 days before ORD-1001's license expires

// A browser set to French: it sends Accept-Language: fr-FR.
const suite = useServedBrowser(NOW, { locale: 'fr-FR' });

/** Sends a queued license reminder of ORD-1001 due `offsetDays` before expiry and returns the email Ann got. */
async function remind(offsetDays: number): Promise<StoredEmail> {
  const { h, ses } = suite;
  const [reminder] = await h.store.reminders.insertNew([{
    orderId: 'ORD-1001', kind: 'license', expiresOn: '2027-01-31', offsetDays, sendAt: new Date('2027-01-24T08:00:00Z'), status: 'queued', reason: null,
  }]);
  const before = (await ses.emails()).length;
  await enqueue(h.queues, 'reminder', { reminderId: reminder!.id });
  return waitFor(async () => {
    const emails = await ses.emails();
    return emails.length > before ? emails[emails.length - 1] : undefined;
  }, `reminder ${reminder!.id} in the inbox`);
}

function preferencesLink(email: StoredEmail): string {
  const match = /<a href="([^"]+)" class="tk-preferences"/.exec(email.body.html ?? '');
  if (!match?.[1]) throw new Error(`no preferences link in "${email.subject}"`);
  return match[1].replace(/&amp;/g, '&');
}

describe('languages in a browser', () => {
  it('switches language on the preferences page, and the next reminder arrives in it', async () => {
    const { h, page } = suite;
    const outcome = await h.store.directory.applyOrderUpsert({
      orderId: 'ORD-1001', organization: { id: 'org-1', name: 'Acme GmbH', timeZone: 'Europe/Berlin', locale: 'de-DE' }, product: 'Barcode Reader SDK',
      licenseExpiresOn: '2027-01-31', maintenanceExpiresOn: null, purchaserEmail: 'ann@acme.com', purchaserName: 'Ann', occurredAt: new Date('2026-11-01T00:00:00Z'),
    });
    expect(outcome.outcome).toBe('applied');

    const first = await remind(7);
    expect(first.subject).toBe('Ihre Barcode Reader SDK-Lizenz läuft in 7 Tagen ab (Auftrag ORD-1001)');

    await page.goto(preferencesLink(first));
    // No choice yet: the language of the address's organizations (all one here), not the browser's French.
    await page.getByRole('heading', { name: 'E-Mail-Einstellungen' }).waitFor();
    expect(await page.evaluate('document.documentElement.lang')).toBe('de');

    await page.getByLabel('Sprache unserer E-Mails und Seiten').selectOption('ja');
    await page.getByRole('button', { name: 'Sprache speichern' }).click();
    await page.getByRole('heading', { name: 'メール設定' }).waitFor();
    await page.getByText('今後は日本語でご連絡します。').waitFor();
    expect(await page.evaluate('document.documentElement.lang')).toBe('ja');
    expect(await h.store.lists.getLocale('ann@acme.com')).toEqual({ locale: 'ja', source: 'preferences' });

    const next = await remind(3);
    expect(next.destination.to).toEqual(['ann@acme.com']);
    expect(next.subject).toBe('Barcode Reader SDK のライセンスの有効期限まであと7日です（注文 ORD-1001）');
    expect(next.body.html).toContain('2027年1月31日');
    expect(next.body.text).toContain('メール設定を管理する');

    // Reloading keeps the choice; the page stays Japanese whatever the browser asks.
    await page.goto(preferencesLink(first));
    await page.getByRole('heading', { name: 'メール設定' }).waitFor();

    // Back to the organization's language: said so, in it.
    await page.getByLabel('メールとページの言語').selectOption('auto');
    await page.getByRole('button', { name: '言語を保存' }).click();
    await page.getByText('Ab jetzt schreiben wir Ihnen in der Sprache Ihrer Organisation.').waitFor();
    expect(await h.store.lists.getLocale('ann@acme.com')).toBeNull();
  });
});
