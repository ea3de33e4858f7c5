import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readAddressToken, readTestSendToken } from '@tickler/domain';
import { loadTemplates, supportedLocales, type TemplateSet } from '../templates';
import { previewTemplates } from './preview-files';
import { listPreviews, makeTemplatePreviews, renderTestEmail, testAddress, TestSendInputError } from './render-test-email';
import { LONGEST_ADDRESS, sampleNames } from './samples';
import { composeTestEmail } from './send-test-email';

const TEMPLATES = path.resolve(__dirname, '../../../../templates');
let set: TemplateSet;

beforeAll(async () => {
  set = await loadTemplates(TEMPLATES);
});

// Not the samples' placeholder host (tickler.example.com): a test send's links must all be on this one.
const config = {
  publicBaseUrl: 'https://tickler.test', tokenSecrets: ['secret-0123456789abcdef'], fromReminders: 'reminders@tickler.test',
  fromNewsletter: 'news@tickler.test', supportEmail: 'support@tickler.test',
};

describe('samples', () => {
  it('the long address is the longest allowed, and accepted as it is', () => {
    expect(LONGEST_ADDRESS).toHaveLength(254);
    expect(testAddress(LONGEST_ADDRESS)).toBe(LONGEST_ADDRESS);
  });

  it('every template renders with every one of its samples, in every locale', () => {
    const entries = listPreviews(set);
    expect(entries).toHaveLength(set.templates.size * supportedLocales().length);
    for (const { template, locale, samples } of entries) {
      for (const sample of samples) {
        const email = renderTestEmail(set, { template, locale, sample });
        expect(email.subject.length).toBeGreaterThan(0);
        if (sample === 'long') expect(email.text).toContain(LONGEST_ADDRESS);
      }
    }
    expect(sampleNames(set.templates.get('license-reminder')!)).toEqual(['default', 'long', 'on', 'after']);
    expect(sampleNames(set.templates.get('invitation')!)).toEqual(['default', 'long']);
  });

  it('escapes the long sample\'s names in the HTML part', () => {
    const email = renderTestEmail(set, { template: 'license-reminder', locale: 'en', sample: 'long' });
    expect(email.html).toContain('Müller &amp; Söhne');
    expect(email.html).toContain('株式会社東京バーコード研究所');
  });

  it('previews the digest in every locale, its long sample lengthening each order too', () => {
    expect(sampleNames(set.templates.get('reminder-digest')!)).toEqual(['default', 'long']);
    const de = renderTestEmail(set, { template: 'reminder-digest', locale: 'de', sample: 'default' });
    expect(de.subject).toBe('Verlängerungserinnerungen für Acme: 3 Verlängerungen');
    expect(de.text).toContain('Wartungsvertrag läuft heute ab');
    const zh = renderTestEmail(set, { template: 'reminder-digest', locale: 'zh-CN', sample: 'long' });
    expect(zh.text).toContain('许可证将在 14 天后到期');
    expect(zh.text.match(/ORD-2026-0000001234567/g)?.length).toBeGreaterThanOrEqual(3);
    expect(zh.html).toContain('Barcode Reader SDK Enterprise Edition with Document Scanning');
  });

  it('name lists and join topics in the email\'s language, as real emails do', () => {
    const fr = (template: string, sample = 'default') => renderTestEmail(set, { template, locale: 'fr', sample }).text;
    expect(fr('license-reminder')).toContain('« Rappels de renouvellement pour la commande ORD-1001 »');
    expect(fr('maintenance-reminder', 'after')).toContain('« Rappels de renouvellement pour la commande ORD-1001 »');
    expect(fr('license-reminder', 'long')).toContain('« Rappels de renouvellement pour la commande ORD-2026-0000001234567 »');
    expect(fr('newsletter-product-news')).toContain('« Newsletter : Product news »');
    expect(fr('newsletter-confirmation')).toContain('Product news et Events');
    expect(renderTestEmail(set, { template: 'license-reminder', locale: 'ja', sample: 'default' }).text).toContain('「注文 ORD-1001 の更新リマインダー」');
    expect(renderTestEmail(set, { template: 'license-reminder', locale: 'de', sample: 'long' }).text).toContain('„Verlängerungserinnerungen für Auftrag ORD-2026-0000001234567“');
    for (const locale of supportedLocales().filter((l) => l !== 'en')) {
      for (const template of ['license-reminder', 'newsletter-product-news']) {
        for (const sample of ['default', 'long']) expect(renderTestEmail(set, { template, locale, sample }).text).not.toMatch(/Renewal reminders|\band Events\b/);
      }
    }
  });

  it('`templates preview` writes every template × sample × locale under the sample names send-test takes, saying its links are placeholders', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'tickler-preview-'));
    try {
      const files = await previewTemplates(TEMPLATES, out);
      const expected = listPreviews(set).flatMap(({ template, locale, samples }) => samples.map((sample) => `${template}.${sample}.${locale}`));
      expect(files.map((f) => `${f.template}.${f.sample}.${f.locale}`).sort()).toEqual(expected.sort());
      expect((await readdir(out)).filter((f) => f.startsWith('license-reminder.')).sort()).toEqual(
        supportedLocales().flatMap((l) => ['after', 'default', 'long', 'on'].flatMap((s) => [`license-reminder.${s}.${l}.html`, `license-reminder.${s}.${l}.txt`])).sort(),
      );
      expect(await readFile(path.join(out, 'license-reminder.after.en.html'), 'utf8')).toContain('expired 7 days ago');
      const german = await readFile(path.join(out, 'license-reminder.default.de.txt'), 'utf8');
      expect(german).toContain('31. Januar 2027');
      expect(german).toContain('„Verlängerungserinnerungen für Auftrag ORD-1001“');
      expect(await readFile(path.join(out, 'index.html'), 'utf8')).toContain('Sample data: the links');
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});

describe('bad requests name what is wrong', () => {
  it.each([
    [{ template: 'nope', locale: 'en', sample: 'default', to: 'a@b.example' }, 'template', /^unknown template "nope" \(templates: .*invitation.*\)$/],
    [{ template: 'invitation', locale: 'pt', sample: 'default', to: 'a@b.example' }, 'locale', /^unsupported locale "pt" \(locales: en, de, fr, ja, zh-CN\)$/],
    [{ template: 'invitation', locale: 'en', sample: 'after', to: 'a@b.example' }, 'sample', /^template "invitation" has no sample "after" \(samples: default, long\)$/],
    [{ template: 'invitation', locale: 'en', sample: 'default', to: 'a@@b' }, 'to', /^address: /],
  ])('%j', (request, field, message) => {
    const problem = makeTemplatePreviews(set).problem(request);
    expect(problem).toEqual({ field, message: expect.stringMatching(message) });
    if (field !== 'to') expect(() => renderTestEmail(set, request)).toThrow(TestSendInputError);
  });
});

describe('composeTestEmail', () => {
  const row = { id: 9, template: 'newsletter-product-news', locale: 'en', sample: 'default', email: 'ops@firm.example', requestedBy: 'cli' as const,
    status: 'sending' as const, subject: null, providerMessageId: null, error: null, createdAt: new Date(), updatedAt: null };

  it('prefixes the subject, and points list mail\'s unsubscribe at the test list, in the headers and the body alike', () => {
    const email = composeTestEmail({ templates: set, config }, row);
    expect(email.subject).toMatch(/^\[TEST\] /);
    expect(email.from).toBe('news@tickler.test');
    expect(email.headers['List-Id']).toBe('<test.newsletter-product-news.tickler.test>');
    const link = email.headers['List-Unsubscribe']!.slice(1, -1);
    expect(link).toMatch(/^https:\/\/tickler\.test\/u\//);
    expect(email.text).toContain(link);
    expect(email.headers['X-Tickler-Test']).toBe('9');
  });

  it('gives transactional mail no list headers, and a digest the headers a real digest has', () => {
    const email = composeTestEmail({ templates: set, config }, { ...row, template: 'invitation' });
    expect(email.from).toBe('reminders@tickler.test');
    expect(Object.keys(email.headers)).toEqual(['X-Tickler-Test']);
    const digest = composeTestEmail({ templates: set, config }, { ...row, template: 'reminder-digest' });
    expect(digest.headers['List-Id']).toBe('<test.reminder-digest.tickler.test>');
    expect(digest.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
  });

  /** Every link of the text part (https and mailto). */
  const links = (text: string) => text.match(/(?:https?:\/\/|mailto:)[^\s<>"]+/g) ?? [];

  it('carries only real links, for the address it goes to, and names that address in the footer — every template, sample and locale', () => {
    for (const { template, locale, samples } of listPreviews(set)) {
      for (const sample of samples) {
        const email = composeTestEmail({ templates: set, config }, { ...row, template, locale, sample });
        expect(email.html).not.toMatch(/SAMPLE|tickler\.example\.com|shop\.example\.com|support@example\.com/);
        expect(email.text).not.toMatch(/SAMPLE|tickler\.example\.com|shop\.example\.com|support@example\.com/);
        const found = links(email.text);
        expect(found.length).toBeGreaterThan(0);
        for (const link of found) {
          if (link.startsWith('mailto:')) {
            expect(link).toMatch(/^mailto:support@tickler\.test\b/);
            continue;
          }
          if (link === 'https://tickler.test/newsletter') continue; // a newsletter's "read more": the public sign-up page
          const [, route, token] = /^https:\/\/tickler\.test\/(u|preferences|invitations|newsletter\/confirm)\/([A-Za-z0-9_-]+)$/.exec(link) ?? [];
          expect({ template, sample, locale, route }).toEqual({ template, sample, locale, route: expect.any(String) });
          // The preferences link is the tester's own page; every link that would act is the test token.
          if (route === 'preferences') expect(readAddressToken(config.tokenSecrets, token!)).toEqual({ email: 'ops@firm.example' });
          else expect(readTestSendToken(config.tokenSecrets, token!)).toEqual({ email: 'ops@firm.example', template });
        }
      }
    }
  });

  it('names the real recipient in the footer, in the email\'s language', () => {
    const en = composeTestEmail({ templates: set, config }, { ...row, template: 'license-reminder', sample: 'long' });
    expect(en.text).toContain('This email was sent to ops@firm.example.');
    expect(en.text).not.toContain(LONGEST_ADDRESS);
    const fr = composeTestEmail({ templates: set, config }, { ...row, template: 'invitation', locale: 'fr' });
    expect(fr.text).toContain('Cet e-mail a été envoyé à ops@firm.example.');
    expect(fr.html).toContain('Cet e-mail a été envoyé à ops@firm.example.');
  });
});
