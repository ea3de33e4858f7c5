/**
 * `tickler templates send-test` against the local SES, on the store TEST_STORE names: the email
 * arrives with "[TEST] " before its subject and test-list headers, a `test_sends` row records it,
 * and the reminders ledger (reminders, deliveries) of the same address is left exactly as it was.
 * Its footer names the address it went to, its list name is in its language, and its links are on
 * PUBLIC_BASE_URL, signed for that address.
 * Bad input is refused in one line naming it, before anything is written or sent.
 */
import { openStore, type Store } from '@tickler/db';
import { readAddressToken, readTestSendToken } from '@tickler/domain';
import { LONGEST_ADDRESS } from '@tickler/mailer';
import { createStoreDatabase } from '@tickler/testkit';
import { runCli, SECRETS, sesStore } from './helpers/cli';
import { loadDueOrders, useCliSuite } from './helpers/services';

jest.setTimeout(120_000);

const suite = useCliSuite('send-test');
const CONTACT = 'ann@firm-a.example';
let database: Awaited<ReturnType<typeof createStoreDatabase>>;
let orderId: string;

beforeAll(async () => {
  database = await createStoreDatabase('send-test');
  [orderId] = (await loadDueOrders(database.url, [CONTACT])) as [string];
  await withStore(async (store) => {
    const [reminder] = await store.reminders.insertNew([{
      orderId, kind: 'license', expiresOn: '2027-01-31', offsetDays: 7, sendAt: new Date('2027-01-24T09:00:00Z'), status: 'queued', reason: null,
    }]);
    await store.deliveries.upsertMany([{ sourceType: 'reminder', sourceId: reminder!.id, email: CONTACT, listId: `renewal:${orderId}`, orderId, status: 'queued', reason: null }]);
  });
});
afterAll(() => database?.drop());

async function withStore<T>(run: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore({ url: database.url });
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

/** Everything of the reminders ledger the test send could touch. */
const ledger = () => withStore(async (store) => ({
  reminders: await store.reminders.listForOrder(orderId),
  deliveries: await store.deliveries.listByEmail(CONTACT),
  byStatus: await store.deliveries.countByStatusAndReason(),
}));

const env = () => suite.env({ DATABASE_URL: database.url });

it('sends a [TEST] email through SES, records it in test_sends and leaves the ledger alone', async () => {
  const before = await ledger();
  expect(before.reminders).toHaveLength(1);
  expect(before.deliveries).toHaveLength(1);

  const result = await runCli(['templates', 'send-test', '--template', 'license-reminder', '--to', CONTACT, '--sample', 'long'], env());
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const messageId = /message id (\S+)/.exec(result.stdout)?.[1];
  expect(result.stdout).toMatch(/^test send #1: license-reminder \(locale en, sample long\) to ann@firm-a\.example …\nsent "\[TEST\] /);

  const emails = (await sesStore(suite.ses.url)).filter((e) => e.destination.to[0] === CONTACT);
  expect(emails).toHaveLength(1);
  const [email] = emails;
  expect(email!.messageId).toBe(messageId);
  expect(email!.subject).toMatch(/^\[TEST\] .*Barcode Reader SDK Enterprise Edition/);
  const headers = Object.fromEntries((email!.headers ?? []).map((h) => [h.name.toLowerCase(), h.value]));
  expect(headers['list-id']).toBe('<test.license-reminder.tickler.example.com>');
  expect(headers['list-unsubscribe']).toMatch(/^<https:\/\/tickler\.example\.com\/u\/[^>]+>$/);
  expect(headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');

  const rows = await withStore((store) => store.testSends.recent(10));
  expect(rows).toEqual([expect.objectContaining({
    template: 'license-reminder', locale: 'en', sample: 'long', email: CONTACT, requestedBy: 'cli', status: 'sent', providerMessageId: messageId,
    subject: email!.subject,
  })]);
  expect(await ledger()).toEqual(before);
});

it.each([
  [['--template', 'no-such-template', '--to', CONTACT], /^tickler: unknown template "no-such-template" \(templates: .*license-reminder.*\)\n$/],
  [['--template', 'invitation', '--to', CONTACT, '--locale', 'xx'], /^tickler: unsupported locale "xx" \(locales: en, de, fr, ja, zh-CN\)\n$/],
  [['--template', 'invitation', '--to', CONTACT, '--sample', 'huge'], /^tickler: template "invitation" has no sample "huge" \(samples: default, long\)\n$/],
  [['--template', 'invitation', '--to', 'not-an-address'], /^tickler: address: "not-an-address" is not a valid email address: it has no "@"\.\n$/],
  [['--template', 'invitation', '--to', `x${LONGEST_ADDRESS}`], /^tickler: address: .* longer than 64 characters\.\n$/],
])('refuses %j in one line, exit 1, nothing recorded or sent', async (args, message) => {
  const sent = (await sesStore(suite.ses.url)).length;
  const result = await runCli(['templates', 'send-test', ...args], env());
  expect(result.stderr).toMatch(message);
  expect(result.code).toBe(1);
  expect(await withStore((store) => store.testSends.recent(10))).toHaveLength(1);
  expect(await sesStore(suite.ses.url)).toHaveLength(sent);
});

it('names a refused send on the row and in one line', async () => {
  // An SES endpoint nothing listens on: the SDK's connection error, recorded as the failure.
  const result = await runCli(['templates', 'send-test', '--template', 'invitation', '--to', CONTACT], suite.env({ DATABASE_URL: database.url, SES_ENDPOINT: 'http://127.0.0.1:9' }));
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/^tickler: test send #\d+ to ann@firm-a\.example failed: .+\n$/);
  const [latest] = await withStore((store) => store.testSends.recent(1));
  expect(latest).toMatchObject({ template: 'invitation', status: 'failed', providerMessageId: null });
  expect(latest!.error).toBeTruthy();
});

it('names the address it went to in the footer and the list in its language, its links on PUBLIC_BASE_URL for that address', async () => {
  const result = await runCli(['templates', 'send-test', '--template', 'maintenance-reminder', '--to', CONTACT, '--locale', 'fr'],
    suite.env({ DATABASE_URL: database.url, PUBLIC_BASE_URL: 'https://links.firm-a.example' }));
  expect(result.code).toBe(0);
  const messageId = /message id (\S+)/.exec(result.stdout)?.[1];
  const email = (await sesStore(suite.ses.url)).find((e) => e.messageId === messageId)!;
  const text = email.body!.text!;
  expect(text).toContain(`Cet e-mail a été envoyé à ${CONTACT}.`);
  expect(text).toContain('« Rappels de renouvellement pour la commande ORD-1001 »');
  const secrets = [SECRETS.TOKEN_SECRETS];
  const preferences = /https:\/\/links\.firm-a\.example\/preferences\/([\w-]+)/.exec(text)?.[1];
  expect(readAddressToken(secrets, preferences!)).toEqual({ email: CONTACT });
  const unsubscribe = /https:\/\/links\.firm-a\.example\/u\/([\w-]+)/.exec(text)?.[1];
  expect(readTestSendToken(secrets, unsubscribe!)).toEqual({ email: CONTACT, template: 'maintenance-reminder' });
  expect(text).not.toMatch(/SAMPLE|tickler\.example\.com/);
});
