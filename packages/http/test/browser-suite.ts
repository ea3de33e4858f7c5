/**
 * What the browser tests share: Debian's Chromium launched headless, and a harness served on a free
 * port with a real mailer role sending through the SES v2 SDK to the local SES, so links come from
 * real emails as a person would read them.
 */
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { loadTemplates, makeSesTransport, startMailerRole, type TemplateSet } from '@tickler/mailer';
import { connection, quietLogger, TEMPLATES_DIR } from '@tickler/testkit';
import { mailerConfig, SECRETS, type Harness } from './http-harness';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

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
