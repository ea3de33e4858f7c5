import { mkdtemp, cp, writeFile, rm, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { checkTemplates } from './check-templates';
import { loadTemplates, type TemplateSet } from './load-templates';
import { renderEmail, TemplateDataError, translator } from './render-email';

const TEMPLATES = path.resolve(__dirname, '../../../../templates');
let set: TemplateSet;

beforeAll(async () => {
  set = await loadTemplates(TEMPLATES);
});

/** The sample of template `name`'s `variant`, in English. */
const sampleOf = (name: string, variant: string) => set.templates.get(name)!.definition.sample(variant, 'en', translator(set, 'en'));
const cases = () => [...set.templates.values()].flatMap((t) => [...t.variants.keys()].map((variant) => [t.name, variant] as const));

describe('renderEmail', () => {
  it('loads every template of the repository', () => {
    expect([...set.templates.keys()]).toEqual(
      expect.arrayContaining(['license-reminder', 'maintenance-reminder', 'invitation', 'newsletter-confirmation', 'newsletter-product-news']),
    );
    expect(set.templates.get('license-reminder')?.variants.size).toBe(3);
  });

  it('renders every template and variant with subject, HTML and text and no placeholder left', () => {
    for (const [name, variant] of cases()) {
      const data = sampleOf(name, variant);
      const email = renderEmail(set, name, data);
      expect(email.subject.length).toBeGreaterThan(5);
      expect(email.html).toContain('<!doctype html>');
      for (const part of [email.subject, email.html, email.text]) expect(part).not.toMatch(/\{\{|\}\}/);
      expect(email.text).toContain(String(data.supportEmail));
      expect(email.html).toContain(`mailto:${String(data.supportEmail)}`);
    }
  });

  it('keeps the plain-text part to at most one blank line in a row, also after the footer\'s "--", in every locale', () => {
    for (const [name, variant] of cases()) {
      for (const locale of ['en', 'de', 'fr', 'ja', 'zh-CN'] as const) {
        const data = set.templates.get(name)!.definition.sample(variant, locale, translator(set, locale));
        const { text } = renderEmail(set, name, data, locale);
        expect({ name, variant, locale, runs: text.match(/\n[ \t]*\n[ \t]*\n/g) ?? [] }).toEqual({ name, variant, locale, runs: [] });
        expect(text).toMatch(/\n--\n\n?\S/);
      }
    }
  });

  it('fills every value as one clean line: no CR/LF, control or bidi override from data in subject, text or HTML', () => {
    const sample = sampleOf('license-reminder', 'before');
    const email = renderEmail(set, 'license-reminder', {
      ...sample, organizationName: 'Evil\u202Eexe.pdf', product: 'SDK\r\nBcc: eve@evil.test', orderNumber: 'ORD-1\u2028\u0000',
    });
    expect(email.subject).toBe('Your SDK Bcc: eve@evil.test license expires in 14 days (order ORD-1)');
    expect(email.text.split('\n').filter((l) => l.startsWith('Bcc:'))).toEqual([]);
    expect(email.text).toContain('SDK Bcc: eve@evil.test');
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    for (const part of [email.subject, email.html, email.text]) expect(part).not.toMatch(/[\u0000\u202E\u2028\r]/);
  });

  it('gives reminders a subject and preheader per variant with order, product, expiry and days left', () => {
    const sample = (variant: string) => sampleOf('license-reminder', variant);
    const before = renderEmail(set, 'license-reminder', { ...sample('before'), daysLeft: 7, days: 7 });
    const on = renderEmail(set, 'license-reminder', sample('on'));
    const after = renderEmail(set, 'license-reminder', sample('after'));
    expect(before.subject).toBe('Your Barcode Reader SDK license expires in 7 days (order ORD-1001)');
    expect(on.subject).toBe('Your Barcode Reader SDK license expires today (order ORD-1001)');
    expect(after.subject).toBe('Your Barcode Reader SDK license expired 7 days ago (order ORD-1001)');
    expect(before.html).toContain('Renew before 31 January 2027');
    expect(on.html).toContain('Renew today');
    expect(after.html).toContain('Renew now');
    for (const email of [before, on, after]) {
      expect(email.html).toContain('ORD-1001');
      expect(email.html).toContain('31 January 2027');
      expect(email.html).toContain('href="https://shop.example.com/renew?order=ORD-1001"');
      expect(email.text).toContain('Renew license: https://shop.example.com/renew?order=ORD-1001');
    }
    expect(before.text).toMatch(/Days left: +7/);
    const maintenance = renderEmail(set, 'maintenance-reminder', sampleOf('maintenance-reminder', 'before'));
    expect(maintenance.subject).toBe('Your Barcode Reader SDK maintenance expires in 14 days (order ORD-1001)');
  });

  it('puts the unsubscribe and preferences links in the footer of list mail only', () => {
    for (const name of ['license-reminder', 'maintenance-reminder', 'newsletter-product-news']) {
      const data = sampleOf(name, name.endsWith('reminder') ? 'before' : 'default');
      const email = renderEmail(set, name, data);
      expect(email.html).toMatch(/<a href="https:\/\/tickler\.example\.com\/u\/SAMPLE-LIST-TOKEN"[^>]*>Unsubscribe from this list<\/a>/);
      expect(email.html).toContain('href="https://tickler.example.com/preferences/SAMPLE-ADDRESS-TOKEN"');
      expect(email.text).toContain('Unsubscribe from this list: https://tickler.example.com/u/SAMPLE-LIST-TOKEN');
    }
    for (const name of ['invitation', 'newsletter-confirmation']) {
      const email = renderEmail(set, name, sampleOf(name, 'default'));
      expect(email.html).not.toContain('Unsubscribe');
      expect(email.text).not.toContain('Unsubscribe');
    }
  });

  it('escapes HTML in values: a <script> product name is text, not markup', () => {
    const data = { ...sampleOf('license-reminder', 'before'), product: '<script>alert("x")</script> & Co' };
    const email = renderEmail(set, 'license-reminder', data);
    expect(email.html).not.toContain('<script>alert');
    expect(email.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co');
    expect(email.subject).toBe('Your <script>alert("x")</script> & Co license expires in 14 days (order ORD-1001)');
    expect(email.text).toContain('Product: <script>alert("x")</script> & Co');
  });

  it('keeps subjects on one line whatever the data holds', () => {
    const data = { ...sampleOf('license-reminder', 'on'), product: 'Evil\r\nBcc: x@y.z' };
    expect(renderEmail(set, 'license-reminder', data).subject).toBe('Your Evil Bcc: x@y.z license expires today (order ORD-1001)');
  });

  it('refuses data that does not match the schema, naming the field', () => {
    const data = { ...sampleOf('license-reminder', 'before'), unsubscribeUrl: 'javascript:alert(1)' };
    expect(() => renderEmail(set, 'license-reminder', data)).toThrow(TemplateDataError);
    expect(() => renderEmail(set, 'license-reminder', data)).toThrow(/unsubscribeUrl/);
    expect(() => renderEmail(set, 'nope', {})).toThrow(/no such template/);
  });
});

describe('checkTemplates', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tickler-templates-'));
    await cp(TEMPLATES, dir, { recursive: true });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('finds no problem in the repository templates', async () => {
    expect(await checkTemplates(TEMPLATES)).toEqual([]);
  });

  it('reports every MJML error with its file and line, including errors inside a layout', async () => {
    const file = path.join(dir, 'invitation.mjml');
    const source = (await readFile(file, 'utf8')).replace('<mj-button href="{{acceptUrl}}"', '<mj-buton href="{{acceptUrl}}"').replace('</mj-button>', '</mj-buton>');
    await writeFile(file, source);
    const footer = path.join(dir, 'layout/footer.mjml');
    await writeFile(footer, (await readFile(footer, 'utf8')).replace('<mj-divider ', '<mj-divider colour="red" '));
    const issues = await checkTemplates(dir);
    const line = source.split('\n').findIndex((l) => l.includes('<mj-buton')) + 1;
    expect(issues).toEqual(expect.arrayContaining([
      expect.objectContaining({ file, line, message: expect.stringContaining('mj-buton') }),
      expect.objectContaining({ file: footer, line: 3, message: expect.stringContaining('colour') }),
    ]));
  });

  it('reports a placeholder that the data schema does not know, and a missing text part', async () => {
    const file = path.join(dir, 'newsletter-confirmation.mjml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('{{confirmUrl}}', '{{recipientMail}}'));
    await rm(path.join(dir, 'invitation.txt'));
    const issues = await checkTemplates(dir);
    expect(issues).toEqual(expect.arrayContaining([
      expect.objectContaining({ file, message: expect.stringContaining('{{recipientMail}}'), line: expect.any(Number) }),
      expect.objectContaining({ file: path.join(dir, 'invitation.txt'), message: expect.stringContaining('plain-text part') }),
    ]));
    await expect(loadTemplates(dir)).rejects.toThrow(/recipientMail/);
  });

  it('fails when a locale lacks a message or its placeholders differ, one issue per problem, naming the catalog', async () => {
    const catalog = async (locale: string, edit: (c: Record<string, Record<string, string>>) => void) => {
      const file = path.join(dir, 'messages', `${locale}.json`);
      const parsed = JSON.parse(await readFile(file, 'utf8')) as Record<string, Record<string, string>>;
      edit(parsed);
      await writeFile(file, JSON.stringify(parsed));
      return file;
    };
    const ja = await catalog('ja', (c) => { delete c['invitation']!['button']; });
    const de = await catalog('de', (c) => { c['license-reminder']!['subjectOn'] = 'Ihre {produkt}-Lizenz läuft heute ab (Auftrag {orderNumber})'; });
    const fr = await catalog('fr', (c) => { c['layout']!['sentTo'] = 'Envoyé à {recipientEmail'; });
    const issues = await checkTemplates(dir);
    expect(issues.map((i) => `${path.basename(i.file)} ${i.message}`).sort()).toEqual([
      expect.stringMatching(/^de\.json license-reminder\.subjectOn: placeholders \{orderNumber\}, \{produkt\} differ from en's \{orderNumber\}, \{product\}$/),
      expect.stringMatching(/^fr\.json layout\.sentTo: not valid ICU MessageFormat/),
      'ja.json invitation.button: message missing (en has it)',
    ]);
    expect(issues.map((i) => i.file).sort()).toEqual([de, fr, ja]);
    await expect(loadTemplates(dir)).rejects.toThrow(/invitation\.button/);
  });

  it('fails when a template names a message en lacks, or a message uses an argument the data schema lacks', async () => {
    const file = path.join(dir, 'invitation.mjml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('{{t:heading}}', '{{t:headline}}'));
    const en = path.join(dir, 'messages', 'en.json');
    await writeFile(en, (await readFile(en, 'utf8')).replace('"Accept invitation"', '"Accept, {firstName}"'));
    const messages = (await checkTemplates(dir)).map((i) => i.message);
    expect(messages).toEqual(expect.arrayContaining([
      'message invitation.headline is not in messages/en.json',
      "message invitation.button uses {firstName}, which is not in the template's data schema",
    ]));
  });

  it('renders each locale with its plural rules, dates left to the caller, and the html lang set', () => {
    const sample = { ...sampleOf('license-reminder', 'before'), daysLeft: 1, days: 1 };
    expect(renderEmail(set, 'license-reminder', sample, 'de-AT').subject).toBe('Ihre Barcode Reader SDK-Lizenz läuft in 1 Tag ab (Auftrag ORD-1001)');
    expect(renderEmail(set, 'license-reminder', { ...sample, days: 3 }, 'de').subject).toBe('Ihre Barcode Reader SDK-Lizenz läuft in 3 Tagen ab (Auftrag ORD-1001)');
    expect(renderEmail(set, 'license-reminder', sample, 'fr').subject).toBe('Votre licence Barcode Reader SDK expire dans 1 jour (commande ORD-1001)');
    expect(renderEmail(set, 'license-reminder', sample, 'ja-JP').subject).toBe('Barcode Reader SDK のライセンスの有効期限まであと1日です（注文 ORD-1001）');
    const zh = renderEmail(set, 'license-reminder', sample, 'zh-Hans-CN');
    expect(zh.subject).toBe('您的 Barcode Reader SDK 许可证将在 1 天后到期（订单 ORD-1001）');
    expect(zh.html).toContain('<html lang="zh-CN"');
    // The body's wrapper says so too (screen readers, Han glyph variants): every lang in the email is the email's.
    expect(zh.html.match(/\slang="[^"]*"/g)).toEqual([' lang="zh-CN"', ' lang="zh-CN"']);
    expect(zh.text).toContain('退订此列表');
    // Not shipped: the set's default locale.
    expect(renderEmail(set, 'license-reminder', sample, 'pt-BR').subject).toBe('Your Barcode Reader SDK license expires in 1 day (order ORD-1001)');
  });
});
