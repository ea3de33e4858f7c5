/**
 * What the browser tests share: Debian's Chromium launched headless, and a harness served on a free
 * port with a real mailer role sending through the SES v2 SDK to the local SES, so links come from
 * real emails as a person would read them.
 */
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { loadTemplates, makeSesTransport, startMailerRole, type TemplateSet } from '@tickler/mailer';
import { connection, quietLogger, startLocalSes, TEMPLATES_DIR, type LocalSes } from '@tickler/testkit';
import { mailerConfig, makeHarness, SECRETS, type Harness } from './http-harness';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Debian's Chromium (/usr/bin/chromium), headless, through playwright-core. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

export interface Served { base: string; close: () => Promise<void> }

/** Listens with `h` on a free port and starts a mailer role on its queues; `close` stops the role, the transport and the harness. */
export async function serveWithMailer(h: Harness, sesEndpoint: string, options: { now?: Date; templates?: TemplateSet; concurrency?: number } = {}): Promise<Served> {
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  const transport = makeSesTransport({ region: 'eu-west-1', endpoint: sesEndpoint });
  const { now } = options;
  const role = startMailerRole({
    connection, prefix: h.queuePrefix, store: h.store, logger: quietLogger, transport, templates: options.templates ?? await loadTemplates(TEMPLATES_DIR),
    config: { ...mailerConfig, publicBaseUrl: base, tokenSecrets: SECRETS }, concurrency: options.concurrency ?? 4, maxSendRate: 50,
    ...(now ? { now: () => now } : {}),
  });
  return {
    base,
    close: async () => {
      await role.close();
      await transport.close?.();
      await h.close();
    },
  };
}

/** What each test of a `useServedBrowser` file reads: set by its hooks, so read it inside hooks and tests only. */
export interface ServedBrowser {
  browser: Browser;
  ses: LocalSes;
  /** A fresh harness per test, its clock at the suite's `now`. */
  h: Harness;
  served: Served;
  /** A page in a new browser context per test. */
  page: Page;
}

/**
 * Registers the hooks of a recipient journey file: Chromium and the local SES once per file; before
 * each test an emptied inbox, a new harness at `now` served with a mailer role (its clock at `now`
 * too), and a page in a new browser context made with `contextOptions` (e.g. `{ locale: 'fr-FR' }`);
 * after each test the context and the served harness are closed.
 */
export function useServedBrowser(now: Date, contextOptions: BrowserContextOptions = {}): ServedBrowser {
  const suite = {} as ServedBrowser;
  beforeAll(async () => {
    suite.browser = await launchChromium();
    suite.ses = await startLocalSes();
  });
  afterAll(async () => {
    await suite.browser.close();
    await suite.ses.close();
  });
  beforeEach(async () => {
    await suite.ses.clear();
    suite.h = await makeHarness();
    suite.h.setNow(now);
    suite.served = await serveWithMailer(suite.h, suite.ses.endpoint, { now });
    suite.page = await (await suite.browser.newContext(contextOptions)).newPage();
  });
  afterEach(async () => {
    await suite.page.context().close();
    await suite.served.close();
  });
  return suite;
}
