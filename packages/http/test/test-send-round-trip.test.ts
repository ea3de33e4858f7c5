/**
 * A test send end to end, as the admin asks for it and the tester reads it: the admin form queues
 * it, the real mailer role sends it through the SES v2 SDK to aws-ses-v2-local, the test reads the
 * email from the local SES's store and follows its links over real HTTP to the edge. Every link is
 * on PUBLIC_BASE_URL and works for the address the test went to; the preferences link opens that
 * address's own page; unsubscribe, invitation and confirmation links say it was a test and leave
 * the tester's real lists, memberships and subscription as they were. The footer names the real
 * recipient, and a French test names its list in French.
 */
import type { AddressInfo } from 'node:net';
import { loadTemplates, makeSesTransport, makeTemplatePreviews, startMailerRole, type MailerRole, type MailTransport } from '@tickler/mailer';
import { connection, header, quietLogger, startLocalSes, TEMPLATES_DIR, waitFor, type StoredEmail } from '@tickler/testkit';
import { makeHarness, mailerConfig, SECRETS, seedOrder, type Harness } from './http-harness';

jest.setTimeout(60_000);

const TESTER = 'ann@acme.com';
const ADMIN = { authorization: 'Bearer admin-token-0123456789', accept: 'application/json' };

let ses: Awaited<ReturnType<typeof startLocalSes>>;
let h: Harness;
let base: string;
let role: MailerRole;
let transport: MailTransport;

beforeAll(async () => { ses = await startLocalSes(); });
afterAll(() => ses.close());

beforeEach(async () => {
  await ses.clear();
  const templates = await loadTemplates(TEMPLATES_DIR);
  h = await makeHarness({ templatePreviews: makeTemplatePreviews(templates) });
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  transport = makeSesTransport({ region: 'eu-west-1', endpoint: ses.endpoint });
  role = startMailerRole({
    connection, prefix: (h.queues.send.opts.prefix ?? '') as string, store: h.store, logger: quietLogger, transport, templates,
    config: { ...mailerConfig, publicBaseUrl: base, tokenSecrets: SECRETS }, concurrency: 2, maxSendRate: 50, now: () => new Date(),
  });
  // The tester's real lists: a contact of ORD-1001 (the order the samples name too), with a pending newsletter sign-up.
  await seedOrder(h.store, 'ORD-1001', 'org-1', TESTER);
  await h.store.newsletter.subscribe(TESTER, ['product-news']);
});

afterEach(async () => {
  await role.close();
  await transport.close?.();
  await h.close();
});

/** Asks for a test send with the admin form's fields and waits for the email in the local SES. */
async function testSend(fields: Record<string, string>): Promise<StoredEmail> {
  const asked = await fetch(`${base}/admin/templates/test-send`, {
    method: 'POST', headers: { ...ADMIN, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ to: TESTER, ...fields }).toString(),
  });
  expect(asked.status).toBe(202);
  const { testSend } = (await asked.json()) as { testSend: { id: number } };
  return waitFor(async () => (await ses.emails()).find((e) => header(e, 'X-Tickler-Test') === String(testSend.id)), `test send ${testSend.id}`);
}

/** Every link (`<a href>`) of the email's HTML part; each web link appears whole in the text part too. */
function links(email: StoredEmail): string[] {
  const found = [...(email.body.html ?? '').matchAll(/<a [^>]*href="([^"]+)"/g)].map((m) => (m[1] ?? '').replaceAll('&amp;', '&'));
  for (const url of found.filter((u) => u.startsWith('http'))) expect(email.body.text).toContain(url);
  return found;
}
const linkTo = (email: StoredEmail, path: string) => links(email).filter((u) => u.startsWith(`${base}${path}`));

const post = (url: string, body = '') => fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, redirect: 'manual' });

/** Everything of the tester's that a followed link could change. */
const tester = async () => ({
  left: await h.store.lists.listUnsubscribed(TESTER),
  orders: (await h.store.directory.listOrdersForContact(TESTER)).map((o) => o.id),
  subscription: await h.store.newsletter.get(TESTER),
  membership: await h.store.directory.getMembership('org-1', TESTER),
});

/** Opens `url` and posts to it (one-click body for an unsubscribe link); both answer the test page naming `what`. */
async function followTestLink(url: string, what: RegExp, template: string): Promise<void> {
  for (const answer of [await fetch(url), await post(url, url.includes('/u/') ? 'List-Unsubscribe=One-Click' : '')]) {
    expect(answer.status).toBe(200);
    const page = await answer.text();
    expect(page).toContain(`It was a test of the template <strong>${template}</strong>.`);
    expect(page).toMatch(what);
  }
}

it('a French reminder test: French list name, the real recipient in the footer, working links that leave the tester\'s real list alone', async () => {
  const before = await tester();
  expect(before.orders).toEqual(['ORD-1001']);
  const email = await testSend({ template: 'license-reminder', locale: 'fr' });
  expect(email.subject).toMatch(/^\[TEST\] Votre licence Barcode Reader SDK/);
  const text = email.body.text!;
  expect(text).toContain('« Rappels de renouvellement pour la commande ORD-1001 »');
  expect(text).toContain(`Cet e-mail a été envoyé à ${TESTER}.`);
  expect(email.body.html).toContain(`Cet e-mail a été envoyé à ${TESTER}.`);
  expect(`${text}${email.body.html}`).not.toMatch(/SAMPLE|ann@acme\.example|tickler\.example\.com\/(u|preferences)/);
  // Every link is on this deployment's base URL, or the configured shop / support address.
  for (const link of links(email)) expect(link).toMatch(new RegExp(`^(${base.replaceAll('.', '\\.')}/|https://shop\\.example\\.com/renew\\?order=ORD-1001$|mailto:support@)`));

  const [preferences] = linkTo(email, '/preferences/');
  const page = await fetch(preferences!);
  expect(page.status).toBe(200);
  const prefs = await page.text();
  expect(prefs).toContain(TESTER);
  expect(prefs).toContain('ORD-1001');

  const [unsubscribe] = linkTo(email, '/u/');
  expect(header(email, 'List-Unsubscribe')).toBe(`<${unsubscribe}>`);
  await followTestLink(unsubscribe!, /changes nothing: ann@acme\.com stays on every list it is on/, 'license-reminder');
  expect(await tester()).toEqual(before);
});

it('a digest test: its one-click and per-order unsubscribe links change nothing', async () => {
  const before = await tester();
  const email = await testSend({ template: 'reminder-digest', locale: 'de' });
  expect(email.body.text).toContain(`Diese E-Mail wurde an ${TESTER} gesendet.`);
  const unsubscribes = linkTo(email, '/u/');
  expect(unsubscribes.length).toBeGreaterThanOrEqual(2);
  expect(unsubscribes).toContain(header(email, 'List-Unsubscribe')!.slice(1, -1));
  for (const url of new Set(unsubscribes)) await followTestLink(url, /changes nothing/, 'reminder-digest');
  expect((await fetch(linkTo(email, '/preferences/')[0]!)).status).toBe(200);
  expect(await tester()).toEqual(before);
});

it('an invitation test: its accept link lands on the test page and makes no one a member', async () => {
  const before = await tester();
  const email = await testSend({ template: 'invitation', locale: 'ja' });
  expect(email.body.text).toContain(`このメールは ${TESTER} 宛てに送信されました。`);
  // No list to leave: the footer follows its "--" after one blank line, not a run of empty ones.
  expect(email.body.text).not.toMatch(/\n[ \t]*\n[ \t]*\n/);
  expect(email.body.text).toMatch(/\n--\n\n\S/);
  const [accept] = linkTo(email, '/invitations/');
  await followTestLink(accept!, /accepts no invitation: ann@acme\.com joins no organization/, 'invitation');
  expect(await tester()).toEqual(before);
});

it('a newsletter confirmation test: its link confirms nothing, the tester\'s pending sign-up stays pending', async () => {
  const before = await tester();
  expect(before.subscription).toMatchObject({ status: 'pending' });
  const email = await testSend({ template: 'newsletter-confirmation', locale: 'fr' });
  expect(email.body.text).toContain('Product news et Events');
  const [confirm] = linkTo(email, '/newsletter/confirm/');
  await followTestLink(confirm!, /confirms nothing/, 'newsletter-confirmation');
  expect(await tester()).toEqual(before);
});
