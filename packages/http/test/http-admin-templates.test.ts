/**
 * `/admin/templates` and test sends from the admin: admin credentials only, every template ×
 * locale previewed (escaped, sandboxed), bad input refused naming the field before anything is
 * written, cross-site posts refused, and a queued test send is sent by the mailer's `test-send`
 * job through the real SES client to the local SES — recorded in test_sends, not in deliveries.
 */
import pino from 'pino';
import { listPreviews, loadTemplates, supportedLocales, makeSesTransport, makeTemplatePreviews, makeTestSendProcessor, unlimitedSendBudget, type TemplateSet } from '@tickler/mailer';
import { makeCatalogWorker } from '@tickler/queues';
import { header, startLocalSes, type LocalSes } from '@tickler/testkit';
import { makeHarness, type Harness } from './http-harness';

jest.setTimeout(60_000);

const TOKEN = 'admin-token-0123456789';
const TEMPLATES_DIR = `${__dirname}/../../../templates`;
const json = { authorization: `Bearer ${TOKEN}`, accept: 'application/json' };
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const formHeaders = { ...json, 'content-type': 'application/x-www-form-urlencoded' };
let set: TemplateSet;
let h: Harness;

beforeAll(async () => {
  set = await loadTemplates(TEMPLATES_DIR);
});
afterEach(async () => h?.close());

const harness = async () => (h = await makeHarness({ templatePreviews: makeTemplatePreviews(set) }));

describe('GET /admin/templates', () => {
  it('needs admin credentials', async () => {
    await harness();
    for (const headers of [{}, { authorization: 'Bearer wrong-token-0123456789' }]) {
      const res = await h.app.inject({ method: 'GET', url: '/admin/templates', headers });
      expect(res.statusCode).toBe(401);
    }
    const post = await h.app.inject({ method: 'POST', url: '/admin/templates/test-send', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ template: 'invitation', to: 'a@b.example' }) });
    expect(post.statusCode).toBe(401);
    expect(await h.store.testSends.recent(5)).toEqual([]);
  });

  it('shows every template × locale: the HTML in a sandboxed srcdoc iframe beside the text, escaped', async () => {
    await harness();
    const res = await h.app.inject({ method: 'GET', url: '/admin/templates?sample=long', headers: { authorization: `Bearer ${TOKEN}`, accept: 'text/html' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    const entries = listPreviews(set);
    expect(entries.length).toBe(set.templates.size * supportedLocales().length);
    for (const { template, locale } of entries) {
      expect(res.body).toContain(`<section class="template" data-template="${template}" data-locale="${locale}">`);
    }
    const iframes = res.body.match(/<iframe [^>]*>/g) ?? [];
    expect(iframes).toHaveLength(entries.length);
    for (const iframe of iframes) expect(iframe).toMatch(/^<iframe sandbox="" title="[^"]+" srcdoc="[^"<>]*">$/);
    // The long sample's names reach the page escaped: & as &amp; inside srcdoc, twice over.
    expect(res.body).toContain('Müller &amp;amp; Söhne');
    expect(res.body).toContain('<pre class="text"');
    expect(res.body).not.toMatch(/<script/i);
  });

  it('names an unknown sample (400 invalid_query) instead of silently showing the default one', async () => {
    await harness();
    const res = await h.app.inject({ method: 'GET', url: '/admin/templates?sample=nope', headers: { authorization: `Bearer ${TOKEN}`, accept: 'text/html' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_query', field: 'sample', message: expect.stringMatching(/^sample "nope" is not a sample \(samples: default, .*long/) });
  });

  it('answers 503 naming why when the process has no templates', async () => {
    h = await makeHarness();
    const res = await h.app.inject({ method: 'GET', url: '/admin/templates', headers: json });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ error: 'previews_unavailable' });
  });
});

describe('POST /admin/templates/test-send', () => {
  it.each([
    [{ to: 'a@firm.example' }, 'template', /template is required/],
    [{ template: 'nope', to: 'a@firm.example' }, 'template', /unknown template "nope"/],
    [{ template: 'invitation', to: 'a@firm.example', locale: 'pt' }, 'locale', /unsupported locale "pt" \(locales: en, de, fr, ja, zh-CN\)/],
    [{ template: 'invitation', to: 'a@firm.example', sample: 'on' }, 'sample', /template "invitation" has no sample "on"/],
    [{ template: 'invitation', to: 'not-an-address' }, 'to', /"not-an-address" is not a valid email address/],
  ])('refuses %j naming %s, and writes nothing', async (fields, field, message) => {
    await harness();
    const res = await h.app.inject({ method: 'POST', url: '/admin/templates/test-send', headers: formHeaders, payload: form(fields as Record<string, string>) });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_test_send', field });
    expect(res.json().message).toMatch(message);
    expect(await h.store.testSends.recent(5)).toEqual([]);
    expect(await h.queues['test-sends'].getJobCounts()).toMatchObject({ waiting: 0 });
  });

  it('refuses a post from another site even with valid credentials', async () => {
    await harness();
    for (const extra of [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }, { origin: 'null' }]) {
      const res = await h.app.inject({ method: 'POST', url: '/admin/templates/test-send', headers: { ...formHeaders, ...extra }, payload: form({ template: 'invitation', to: 'a@firm.example' }) });
      expect(res.statusCode).toBe(403);
    }
    const sameSite = await h.app.inject({
      method: 'POST', url: '/admin/templates/test-send', headers: { ...formHeaders, origin: 'https://tickler.test', 'sec-fetch-site': 'same-origin' }, payload: form({ template: 'invitation', to: 'a@firm.example' }),
    });
    expect(sameSite.statusCode).toBe(202);
  });

  describe('with the mailer', () => {
    let ses: LocalSes;
    beforeAll(async () => {
      ses = await startLocalSes();
    });
    afterAll(async () => ses?.close());

    it('queues a test-send job that the mailer sends through SES: [TEST] subject, test list, recorded apart from deliveries', async () => {
      await harness();
      const res = await h.app.inject({ method: 'POST', url: '/admin/templates/test-send', headers: formHeaders, payload: form({ template: 'license-reminder', to: 'Bob@Firm.example', sample: 'after' }) });
      expect(res.statusCode).toBe(202);
      const { testSend } = res.json() as { testSend: { id: number; status: string; email: string } };
      expect(testSend).toMatchObject({ status: 'queued', email: 'bob@firm.example' });
      expect(await h.queues['test-sends'].getJob(`test-send-${testSend.id}`)).toBeTruthy();

      const transport = makeSesTransport({ region: 'us-east-1', endpoint: ses.endpoint });
      const config = { publicBaseUrl: 'https://tickler.test', tokenSecrets: ['token-secret-new-0123456789'], fromReminders: 'reminders@tickler.test', fromNewsletter: 'news@tickler.test', supportEmail: 'support@tickler.test' };
      const worker = makeCatalogWorker('test-send', makeTestSendProcessor({ store: h.store, templates: set, config, transport, budget: unlimitedSendBudget, rateLimit: async () => undefined, logger: pino({ level: 'silent' }), now: () => new Date() }),
        { connection: { host: '127.0.0.1', port: 6379 }, prefix: h.queuePrefix, logger: pino({ level: 'silent' }), concurrency: 1 });
      try {
        let status = 'queued';
        for (let i = 0; i < 100 && status !== 'sent' && status !== 'failed'; i += 1) {
          await new Promise((r) => setTimeout(r, 100));
          status = (await h.app.inject({ method: 'GET', url: `/admin/test-sends/${testSend.id}`, headers: json })).json().status;
        }
        expect(status).toBe('sent');
      } finally {
        await worker.close();
        await transport.close?.();
      }
      const emails = (await ses.emails()).filter((e) => e.destination.to[0] === 'bob@firm.example');
      expect(emails).toHaveLength(1);
      expect(emails[0]!.subject).toMatch(/^\[TEST\] /);
      expect(header(emails[0]!, 'List-Id')).toBe('<test.license-reminder.tickler.test>');
      const row = await h.store.testSends.get(testSend.id);
      expect(row).toMatchObject({ status: 'sent', requestedBy: 'admin', sample: 'after', providerMessageId: emails[0]!.messageId, subject: emails[0]!.subject });
      expect(await h.store.deliveries.listByEmail('bob@firm.example')).toEqual([]);

      // Its one-click unsubscribe names the test list: a page saying so, and no list is left.
      const unsubscribe = header(emails[0]!, 'List-Unsubscribe')!.slice('<https://tickler.test'.length, -1);
      const opened = await h.app.inject({ method: 'GET', url: unsubscribe });
      expect(opened.statusCode).toBe(200);
      expect(opened.body).toContain('It was a test of the template <strong>license-reminder</strong>');
      const oneClick = await h.app.inject({ method: 'POST', url: unsubscribe, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
      expect(oneClick.statusCode).toBe(200);
      expect(oneClick.body).toContain('This was a test email');
      expect(await h.store.lists.listUnsubscribed('bob@firm.example')).toEqual([]);

      const page = await h.app.inject({ method: 'GET', url: `/admin/templates?testSend=${testSend.id}`, headers: { authorization: `Bearer ${TOKEN}`, accept: 'text/html' } });
      expect(page.body).toMatch(new RegExp(`Test send #${testSend.id} .*<strong class="status">sent</strong>, message id ${emails[0]!.messageId}`));
    });

    it('answers a browser form with a redirect to the page showing its status', async () => {
      await harness();
      const res = await h.app.inject({ method: 'POST', url: '/admin/templates/test-send', headers: { ...formHeaders, accept: 'text/html' }, payload: form({ template: 'invitation', to: 'c@firm.example' }) });
      expect(res.statusCode).toBe(303);
      const [row] = await h.store.testSends.recent(1);
      expect(res.headers.location).toBe(`/admin/templates?testSend=${row!.id}#test-send-status`);
    });
  });

  it('answers 503 and records the failure when Redis does not take the job', async () => {
    h = await makeHarness({ templatePreviews: makeTemplatePreviews(set), redisPort: 1, config: { enqueueTimeoutMs: 300 } });
    const res = await h.app.inject({ method: 'POST', url: '/admin/templates/test-send', headers: formHeaders, payload: form({ template: 'invitation', to: 'd@firm.example' }) });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ error: 'redis_unavailable' });
    const [row] = await h.store.testSends.recent(1);
    expect(row).toMatchObject({ status: 'failed', error: 'not enqueued: Redis did not take the job' });
  });
});
