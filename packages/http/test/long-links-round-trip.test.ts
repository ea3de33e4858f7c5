/**
 * SPEC §4 "Every link works for addresses up to 254 characters and ids at their maximum length",
 * end to end: the mailer role sends through the SES v2 SDK to aws-ses-v2-local, the test reads the
 * link from the stored email as a mail client would, and follows it over real HTTP to the edge —
 * page, then action — with the longest legal address, order id, organization id and topic.
 */
import type { AddressInfo } from 'node:net';
import { enqueue, enqueueBulk } from '@tickler/queues';
import { MAX_EMAIL_LENGTH, MAX_ID_LENGTH, MAX_TOPIC_LENGTH, normalizeEmail, sha256Hex } from '@tickler/domain';
import { loadTemplates } from '@tickler/mailer';
import { startMailerRole, type MailerRole } from '@tickler/mailer';
import { makeSesTransport, type MailTransport } from '@tickler/mailer';
import { makeHarness, mailerConfig, portal, SECRETS, seedOrder, T0, type Harness } from './http-harness';
import { connection, header, quietLogger, startLocalSes, TEMPLATES_DIR, waitFor, type StoredEmail } from '@tickler/testkit';

const LONGEST_EMAIL = `${'l'.repeat(64)}@${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(57)}.com`;
const LONGEST_ID = `O${'x'.repeat(MAX_ID_LENGTH - 1)}`;
const LONGEST_TOPIC = `t${'0123456789'.repeat(7)}`.slice(0, MAX_TOPIC_LENGTH);
const TOPICS = [{ id: 'product-news', label: 'Product news' }, { id: LONGEST_TOPIC, label: 'Longest topic' }];
const REMINDER_DAY = new Date('2027-01-24T08:30:00Z'); // 7 days before the seeded orders' license expiry, 09:30 in Berlin

let ses: Awaited<ReturnType<typeof startLocalSes>>;
let h: Harness;
let base: string;
let role: MailerRole;
let transport: MailTransport;
let now = T0;

beforeAll(async () => { ses = await startLocalSes(); });
afterAll(() => ses.close());

beforeEach(async () => {
  await ses.clear();
  now = T0;
  h = await makeHarness({ config: { newsletterTopics: TOPICS } });
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  transport = makeSesTransport({ region: 'eu-west-1', endpoint: ses.endpoint });
  role = startMailerRole({
    connection, prefix: (h.queues.send.opts.prefix ?? '') as string, store: h.store, logger: quietLogger, transport, templates: await loadTemplates(TEMPLATES_DIR),
    config: { ...mailerConfig, publicBaseUrl: base, tokenSecrets: SECRETS, newsletterTopics: TOPICS }, concurrency: 4, maxSendRate: 50, now: () => now,
  });
});

afterEach(async () => {
  await role.close();
  await transport.close?.();
  await h.close();
});

function setNow(at: Date): void {
  now = at;
  h.setNow(at);
}

/** The newest email to `to` matching `subject`, as the inbox shows it. */
async function inbox(to: string, subject: RegExp): Promise<StoredEmail> {
  return waitFor(async () => (await ses.emails()).reverse().find((e) => e.destination.to.includes(to) && subject.test(e.subject)), `"${subject.source}" to ${to}`);
}

/** Every link of the email's HTML body under `path`; each also appears whole in the text part. */
function links(email: StoredEmail, path: string): string[] {
  const found = [...(email.body.html ?? '').matchAll(/href="([^"]+)"/g)].map((m) => (m[1] ?? '').replaceAll('&amp;', '&')).filter((u) => u.startsWith(`${base}${path}`));
  for (const url of found) expect(email.body.text).toContain(url);
  return found;
}

const post = (url: string, body = '') => fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, redirect: 'manual' });

describe('the longest legal values, mail → link → page → action', () => {
  it('the test values are the longest the system accepts', () => {
    expect(normalizeEmail(LONGEST_EMAIL)).toBe(LONGEST_EMAIL);
    expect(LONGEST_EMAIL).toHaveLength(MAX_EMAIL_LENGTH);
    expect(LONGEST_ID).toHaveLength(MAX_ID_LENGTH);
    expect(LONGEST_TOPIC).toHaveLength(MAX_TOPIC_LENGTH);
  });

  it('renewal reminder: unsubscribe page, RFC 8058 one-click POST, and the preferences link', async () => {
    setNow(REMINDER_DAY);
    await seedOrder(h.store, LONGEST_ID, LONGEST_ID, LONGEST_EMAIL);
    const [reminder] = await h.store.reminders.insertNew([{
      orderId: LONGEST_ID, kind: 'license', expiresOn: '2027-01-31', offsetDays: 7, sendAt: new Date('2027-01-24T08:00:00Z'), status: 'queued', reason: null,
    }]);
    await enqueue(h.queues, 'reminder', { reminderId: reminder!.id });
    const email = await inbox(LONGEST_EMAIL, /./);
    const [unsubscribe] = links(email, '/u/');
    expect(header(email, 'List-Unsubscribe')).toBe(`<${unsubscribe}>`);

    const page = await fetch(unsubscribe!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`Renewal reminders for order ${LONGEST_ID}`);
    const oneClick = await post(unsubscribe!, 'List-Unsubscribe=One-Click');
    expect(oneClick.status).toBe(200);
    expect(await h.store.lists.listUnsubscribed(LONGEST_EMAIL)).toEqual([`renewal:${LONGEST_ID}`]);

    const [preferences] = links(email, '/preferences/');
    const prefsPage = await fetch(preferences!);
    expect(prefsPage.status).toBe(200);
    expect(await prefsPage.text()).toContain(`For ${LONGEST_EMAIL}`);
    const rejoin = await post(preferences!, `listId=${encodeURIComponent(`renewal:${LONGEST_ID}`)}&action=rejoin`);
    expect(rejoin.status).toBe(200);
    expect(await h.store.lists.listUnsubscribed(LONGEST_EMAIL)).toEqual([]);
  });

  it('newsletter: sign-up, confirmation link, then the broadcast\'s one-click unsubscribe', async () => {
    const signUp = await post(`${base}/newsletter/subscriptions`, `email=${encodeURIComponent(LONGEST_EMAIL)}&topics=${LONGEST_TOPIC}`);
    expect(signUp.status).toBe(200);
    const [confirm] = links(await inbox(LONGEST_EMAIL, /confirm/i), '/newsletter/confirm/');
    expect((await fetch(confirm!)).status).toBe(200);
    expect((await post(confirm!)).status).toBe(200);
    expect(await h.store.newsletter.get(LONGEST_EMAIL)).toMatchObject({ status: 'confirmed', topics: [LONGEST_TOPIC] });

    const { id } = await h.store.newsletter.ensureBroadcast(LONGEST_TOPIC, 'product-news');
    const [delivery] = await h.store.deliveries.upsertMany([{
      sourceType: 'broadcast', sourceId: id, email: LONGEST_EMAIL, listId: `newsletter:${LONGEST_TOPIC}`, orderId: null, status: 'queued', reason: null,
    }]);
    await enqueueBulk(h.queues, 'send', [{ data: { deliveryId: delivery!.id } }]);
    const newsletter = await inbox(LONGEST_EMAIL, /Longest topic|what is new/i);
    const unsubscribe = header(newsletter, 'List-Unsubscribe')!.slice(1, -1);
    expect(links(newsletter, '/u/')).toContain(unsubscribe);
    expect(await (await fetch(unsubscribe)).text()).toContain('Newsletter: Longest topic');
    expect((await post(unsubscribe, 'List-Unsubscribe=One-Click')).status).toBe(200);
    expect(await h.store.lists.listUnsubscribed(LONGEST_EMAIL)).toEqual([`newsletter:${LONGEST_TOPIC}`]);
  });

  it('invitation to a 100-character organization id: invitation page, then accept', async () => {
    await seedOrder(h.store, LONGEST_ID, LONGEST_ID, 'ann@acme.com');
    const invite = await fetch(`${base}/api/organizations/${LONGEST_ID}/invitations`, {
      method: 'POST', headers: { ...portal('ann@acme.com'), 'content-type': 'application/json' }, body: JSON.stringify({ email: LONGEST_EMAIL }),
    });
    expect(invite.status).toBe(202);
    const [link] = links(await inbox(LONGEST_EMAIL, /invited you/), '/invitations/');
    const page = await fetch(link!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Join Acme');
    expect((await h.store.directory.getMembership(LONGEST_ID, LONGEST_EMAIL))?.status).toBe('invited');
    expect((await post(link!)).status).toBe(200);
    expect((await h.store.directory.getMembership(LONGEST_ID, LONGEST_EMAIL))?.status).toBe('active');
  });
});

describe('invitations made before the compact format', () => {
  it('an invitation whose stored hash is of a first-format token still gets its email, and the link opens it', async () => {
    // As the previous code created it: org-1, bob@acme.com, valid 7 days from T0, signed with SECRETS[1].
    const v1 = 'AUNONKWsqd9eZmgXcljhYWOcDpeaLAMcAqgXIvwpTWI6f3rD6WhPorVRtoVNCv1Pw7Tcg9JN1QH1';
    await seedOrder(h.store, 'ORD-1001');
    const invitation = await h.store.invitations.createOrRenew({
      organizationId: 'org-1', email: 'bob@acme.com', invitedByEmail: 'ann@acme.com', tokenHash: sha256Hex(v1), expiresAt: new Date('2026-12-03T10:00:00.000Z'),
    });
    const [delivery] = await h.store.deliveries.upsertMany([{ sourceType: 'invitation', sourceId: invitation.id, email: 'bob@acme.com', listId: null, orderId: null, status: 'queued', reason: null }]);
    await enqueueBulk(h.queues, 'send', [{ data: { deliveryId: delivery!.id } }]);
    const [link] = links(await inbox('bob@acme.com', /invited you/), '/invitations/');
    expect(link).toBe(`${base}/invitations/${v1}`);
    expect((await post(link!)).status).toBe(200);
    expect((await h.store.directory.getMembership('org-1', 'bob@acme.com'))?.status).toBe('active');
  });
});
