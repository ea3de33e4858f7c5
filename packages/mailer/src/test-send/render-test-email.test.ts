import path from 'node:path';
import { loadTemplates, supportedLocales, type TemplateSet } from '../templates';
import { listPreviews, makeTemplatePreviews, renderTestEmail, testAddress, TestSendInputError } from './render-test-email';
import { LONGEST_ADDRESS, sampleNames } from './samples';
import { composeTestEmail } from './send-test-email';

const TEMPLATES = path.resolve(__dirname, '../../../../templates');
let set: TemplateSet;

beforeAll(async () => {
  set = await loadTemplates(TEMPLATES);
});

const config = {
  publicBaseUrl: 'https://tickler.example.com', tokenSecrets: ['secret-0123456789abcdef'], fromReminders: 'reminders@tickler.example.com',
  fromNewsletter: 'news@tickler.example.com', supportEmail: 'support@tickler.example.com',
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
  const row = { id: 9, template: 'newsletter-product-news', locale: 'en', sample: 'default', email: 'ann@acme.example', requestedBy: 'cli' as const,
    status: 'sending' as const, subject: null, providerMessageId: null, error: null, createdAt: new Date(), updatedAt: null };

  it('prefixes the subject, and points list mail\'s unsubscribe at the test list, in the headers and the body alike', () => {
    const email = composeTestEmail({ templates: set, config }, row);
    expect(email.subject).toMatch(/^\[TEST\] /);
    expect(email.from).toBe('news@tickler.example.com');
    expect(email.headers['List-Id']).toBe('<test.newsletter-product-news.tickler.example.com>');
    const link = email.headers['List-Unsubscribe']!.slice(1, -1);
    expect(link).toMatch(/^https:\/\/tickler\.example\.com\/u\//);
    expect(email.text).toContain(link);
    expect(email.headers['X-Tickler-Test']).toBe('9');
  });

  it('gives transactional mail no list headers', () => {
    const email = composeTestEmail({ templates: set, config }, { ...row, template: 'invitation' });
    expect(email.from).toBe('reminders@tickler.example.com');
    expect(Object.keys(email.headers)).toEqual(['X-Tickler-Test']);
  });
});
