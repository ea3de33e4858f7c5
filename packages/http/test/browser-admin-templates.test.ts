/**
 * The admin template page in a real headless Chromium: signed in from a `?token=` link (a
 * SameSite=Strict session cookie), it shows every template × locale — the HTML preview in its
 * sandboxed frame, the text beside it — and its test-send form queues an email that the mailer role
 * sends through the SES v2 SDK to aws-ses-v2-local, where the test reads it like an inbox.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { listPreviews, loadTemplates, makeTemplatePreviews, type TemplateSet } from '@tickler/mailer';
import { startLocalSes, TEMPLATES_DIR, waitFor } from '@tickler/testkit';
import { makeHarness, type Harness } from './http-harness';
import { launchChromium, serveWithMailer, type Served } from './browser-suite';

const TOKEN = 'admin-token-0123456789';
const TO = 'tester@firm-a.example';

let browser: Browser;
let ses: Awaited<ReturnType<typeof startLocalSes>>;
let set: TemplateSet;
let h: Harness;
let base: string;
let served: Served | undefined;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
  ses = await startLocalSes();
  set = await loadTemplates(TEMPLATES_DIR);
  h = await makeHarness({ templatePreviews: makeTemplatePreviews(set) });
  h.setNow(new Date());
  served = await serveWithMailer(h, ses.endpoint, { templates: set, concurrency: 2 });
  base = served.base;
  page = await browser.newPage();
});
afterAll(async () => {
  await page?.close();
  await served?.close();
  await browser?.close();
  await ses?.close();
});

it('shows every template × locale with its HTML and text, and a test send from the form arrives', async () => {
  await page.goto(`${base}/admin/templates?token=${TOKEN}`);
  expect(new URL(page.url()).search).toBe(''); // the token left the address bar; the cookie signs in
  await page.getByRole('heading', { name: 'Email templates' }).waitFor();

  const entries = listPreviews(set);
  expect(entries.length).toBeGreaterThanOrEqual(6);
  for (const { template, locale } of entries) {
    const section = page.locator(`section[data-template="${template}"][data-locale="${locale}"]`);
    await section.getByRole('heading', { name: `${template} · ${locale}` }).waitFor();
    const subject = (await section.locator('.subject').innerText()).trim();
    expect(subject.length).toBeGreaterThan(0);
    // The HTML part, rendered by Chromium inside its sandboxed frame, and the text part beside it.
    const frameText = await section.frameLocator('iframe').locator('body').innerText();
    expect(frameText).toContain('support@example.com');
    const text = await section.locator('pre.text').innerText();
    expect(text).toContain('support@example.com');
    // Each language's own footer: the preview renders in the section's locale.
    const footer: Record<string, string> = { en: 'Questions? Write to', de: 'Fragen? Schreiben Sie an' };
    if (footer[locale]) expect(text).toContain(footer[locale]);
  }

  const reminder = page.locator('section[data-template="license-reminder"][data-locale="en"]');
  await reminder.getByLabel('address for license-reminder-en').fill(TO);
  await reminder.locator('select[name="sample"]').selectOption('long');
  await reminder.getByRole('button', { name: 'Send test' }).click();
  await page.locator('#test-send-status').waitFor();

  const email = await waitFor(async () => (await ses.emails()).find((e) => e.destination.to.includes(TO)), `the test email to ${TO}`);
  expect(email.subject).toMatch(/^\[TEST\] .*Barcode Reader SDK Enterprise Edition/);
  expect(email.body.html).toContain('株式会社東京バーコード研究所');

  // The page shows the outcome once the mailer has recorded it.
  await waitFor(async () => {
    await page.reload();
    return (await page.locator('#test-send-status .status').innerText()) === 'sent';
  }, 'the page to show the test send as sent');
  expect(await page.locator('#test-send-status').innerText()).toContain(`message id ${email.messageId}`);
  const [row] = await h.store.testSends.recent(1);
  expect(row).toMatchObject({ template: 'license-reminder', sample: 'long', email: TO, requestedBy: 'admin', status: 'sent' });
});

it('signs in from a ?token= link clicked on another site (a runbook page), landing on the page without the token', async () => {
  const runbook = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<!doctype html><a id="go" href="${base}/admin/templates?token=${TOKEN}">Open the templates</a>`);
  });
  await new Promise<void>((resolve) => runbook.listen(0, '127.0.0.1', resolve));
  const other = await browser.newContext();
  try {
    const tab = await other.newPage();
    // localhost and 127.0.0.1 are different sites: the click is a cross-site navigation.
    await tab.goto(`http://localhost:${(runbook.address() as AddressInfo).port}/`);
    await Promise.all([tab.waitForURL(`${base}/admin/templates`), tab.click('#go')]);
    await tab.waitForLoadState('domcontentloaded');
    expect(await tab.locator('h1').first().textContent()).toMatch(/templates/i);
  } finally {
    await other.close();
    await new Promise<void>((resolve) => runbook.close(() => resolve()));
  }
});
