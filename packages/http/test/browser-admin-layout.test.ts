/**
 * Admin pages in a real headless Chromium at a phone's 320 px and a desktop's 1280 px: the forecast
 * chart fits its container for any number of days (it was 22 px per day: 8 092 px at 366 days),
 * and wide tables scroll inside their own box — the page itself never scrolls sideways.
 */
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { makeHarness, seedOrder, type Harness } from './http-harness';
import { launchChromium } from './browser-suite';

const ADMIN = { authorization: 'Bearer admin-token-0123456789' };
// A 254-character address and a 100-character order id: the widest cells the audit tables get.
const EMAIL = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`;
const ORDER = `ORD-${'9'.repeat(96)}`;

let browser: Browser;
let h: Harness;
let base: string;
let context: BrowserContext;
let page: Page;

beforeAll(async () => { browser = await launchChromium(); });
afterAll(async () => browser.close());
beforeEach(async () => {
  h = await makeHarness();
  await seedOrder(h.store, 'ORD-1001');
  await seedOrder(h.store, ORDER, 'org-1', EMAIL);
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await context?.close();
  await h.close();
});

async function open(width: number, path: string): Promise<void> {
  context = await browser.newContext({ viewport: { width, height: 800 }, extraHTTPHeaders: ADMIN, javaScriptEnabled: true });
  page = await context.newPage();
  const answer = await page.goto(`${base}${path}`);
  expect(answer?.status()).toBe(200);
}

/** How wide the page is, and for the chart: its drawn width, its box's visible width and whether the box must scroll. */
const measure = () => page.evaluate(`(() => {
  const svg = document.querySelector('svg[aria-label="Reminders per day"]');
  const box = svg && svg.parentElement;
  return {
    page: document.documentElement.scrollWidth,
    chart: svg ? Math.round(svg.getBoundingClientRect().width) : null,
    box: box ? box.clientWidth : null,
    boxScrolls: box ? box.scrollWidth > box.clientWidth : null,
  };
})()`) as Promise<{ page: number; chart: number | null; box: number | null; boxScrolls: boolean | null }>;

describe('the forecast chart', () => {
  it.each([60, 366])('fits a 1280-px screen at %i days', async (days) => {
    await open(1280, `/admin/forecast?days=${days}`);
    await page.getByRole('heading', { name: `Forecast: ${days} days` }).waitFor();
    const m = await measure();
    expect(m.page).toBeLessThanOrEqual(1280);
    expect(m.boxScrolls).toBe(false);
    expect(m.chart).toBe(m.box);
    // Still a chart, not a line: the fixed coordinate box keeps its proportions.
    const height = await page.locator('svg[aria-label="Reminders per day"]').evaluate((svg) => svg.getBoundingClientRect().height);
    expect(height).toBeGreaterThan(150);
  });

  it.each([60, 366])('on a 320-px phone at %i days scrolls inside its own box, never the page', async (days) => {
    await open(320, `/admin/forecast?days=${days}`);
    await page.getByRole('heading', { name: `Forecast: ${days} days` }).waitFor();
    const m = await measure();
    expect(m.page).toBeLessThanOrEqual(320);
    expect(m.box).toBeLessThanOrEqual(320);
  });
});

describe('admin tables on a 320-px phone', () => {
  it.each([
    ['the audit by address', `/admin/deliveries?email=${encodeURIComponent(EMAIL)}`],
    ['the audit by order', `/admin/deliveries?orderId=${ORDER}`],
    ['the forecast table', '/admin/forecast?days=30'],
  ])('%s does not make the page scroll sideways', async (_what, path) => {
    await open(320, path);
    expect((await measure()).page).toBeLessThanOrEqual(320);
    // Every table sits in a box of its own that scrolls when the table is wider.
    const unwrapped = await page.locator('table').evaluateAll((tables) => tables.filter((t) => !t.parentElement?.classList.contains('scroll')).length);
    expect(unwrapped).toBe(0);
  });
});
