import { execFileSync } from 'node:child_process';
import { sign } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Hex, snsStringToSign, type SnsMessage } from '@tickler/domain';
import { makeHarness, seedOrder, TOPIC_ARN, type Harness } from './http-harness';

/** A private CA and an SNS-like signing certificate made with the openssl CLI, plus an unrelated key. */
const pki = mkdtempSync(join(tmpdir(), 'tickler-sns-pki-'));
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: pki, stdio: 'pipe' });
openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Tickler Test SNS CA');
openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'sns.key', '-out', 'sns.csr', '-subj', '/CN=sns.amazonaws.com');
openssl('x509', '-req', '-in', 'sns.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'sns.pem', '-days', '2');
openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'other.key');
const CERT = readFileSync(join(pki, 'sns.pem'), 'utf8');
const KEY = readFileSync(join(pki, 'sns.key'), 'utf8');
const OTHER_KEY = readFileSync(join(pki, 'other.key'), 'utf8');
afterAll(() => rmSync(pki, { recursive: true, force: true }));

const CERT_URL = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem';
let h: Harness;
let counter = 0;

beforeEach(async () => {
  h = await makeHarness();
  h.setNow(new Date()); // the certificate was issued just now
  mkdirSync(h.deps.config.snsCertCacheDir, { recursive: true });
  writeFileSync(join(h.deps.config.snsCertCacheDir, `${sha256Hex(CERT_URL)}.pem`), CERT);
});
afterEach(async () => h.close());

function signed(message: Omit<SnsMessage, 'Signature'> & { Signature?: string }, key = KEY): SnsMessage {
  const full = { ...message, Signature: '' } as SnsMessage;
  return { ...full, Signature: sign(full.SignatureVersion === '1' ? 'sha1' : 'sha256', Buffer.from(snsStringToSign(full)), key).toString('base64') };
}

function notification(event: object, over: Partial<SnsMessage> = {}): SnsMessage {
  counter += 1;
  return signed({
    Type: 'Notification', MessageId: `sns-${counter}`, TopicArn: TOPIC_ARN, Message: JSON.stringify(event),
    Timestamp: new Date().toISOString(), SignatureVersion: '2', SigningCertURL: CERT_URL, UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe', ...over,
  } as SnsMessage);
}

const bounce = (messageId: string, email: string, bounceType = 'Permanent') => ({
  notificationType: 'Bounce', mail: { messageId, destination: [email] },
  bounce: { bounceType, bounceSubType: 'General', bouncedRecipients: [{ emailAddress: email }] },
});
const complaint = (messageId: string, email: string) => ({
  notificationType: 'Complaint', mail: { messageId, destination: [email] }, complaint: { complainedRecipients: [{ emailAddress: email }], complaintFeedbackType: 'abuse' },
});

/** SNS posts JSON with Content-Type text/plain. */
const post = (message: unknown) => h.app.inject({
  method: 'POST', url: '/webhooks/ses', headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': 'Notification' },
  payload: typeof message === 'string' ? message : JSON.stringify(message),
});

async function sentDelivery(email: string, providerMessageId: string, orderId = 'ORD-1001') {
  const [row] = await h.store.deliveries.upsertMany([{ sourceType: 'reminder', sourceId: ++counter, email, listId: `renewal:${orderId}`, orderId, status: 'queued', reason: null }]);
  await h.store.deliveries.markSent(row!.id, providerMessageId, new Date());
  return row!.id;
}

describe('POST /webhooks/ses notifications', () => {
  beforeEach(async () => seedOrder(h.store));

  it.each(['1', '2'] as const)('a permanent bounce signed with SignatureVersion %s suppresses the address and marks the delivery bounced', async (version) => {
    const id = await sentDelivery('ann@acme.com', 'ses-1');
    const res = await post(notification(bounce('ses-1', 'Ann@Acme.com'), { SignatureVersion: version }));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'applied' });
    expect(await h.store.lists.getSuppression('ann@acme.com')).toMatchObject({ reason: 'bounce' });
    expect((await h.store.deliveries.get(id))?.status).toBe('bounced');
    expect(h.fetched).toEqual([]); // the cached certificate was used
  });

  it('a bounce as large as SNS delivers (SES mail headers, ~200 KB) is applied, not refused with a 4xx SNS would not retry', async () => {
    await sentDelivery('big@acme.com', 'ses-big');
    const headers = Array.from({ length: 2000 }, (_, i) => ({ name: `X-Header-${i}`, value: `"quoted" value ${'v'.repeat(60)}` }));
    const body = JSON.stringify(notification({ ...bounce('ses-big', 'big@acme.com'), mail: { messageId: 'ses-big', destination: ['big@acme.com'], headers } }));
    expect(body.length).toBeGreaterThan(200 * 1024);
    const res = await post(body);
    expect(res.statusCode).toBe(200);
    expect(await h.store.lists.getSuppression('big@acme.com')).toMatchObject({ reason: 'bounce' });
    const huge = await post(`{"Type":"Notification","pad":"${'x'.repeat(1100 * 1024)}"}`);
    expect(huge.statusCode).toBe(413);
    expect(huge.json()).toEqual({ error: 'payload_too_large', message: 'The request body is larger than this endpoint accepts (at most 1024 KiB).' });
  });

  it('a transient bounce is recorded only', async () => {
    const id = await sentDelivery('ann@acme.com', 'ses-2');
    expect((await post(notification(bounce('ses-2', 'ann@acme.com', 'Transient')))).statusCode).toBe(200);
    expect(await h.store.lists.getSuppression('ann@acme.com')).toBeNull();
    expect((await h.store.deliveries.get(id))?.status).toBe('sent');
    expect(await h.store.inboundEvents.listByEmail('ann@acme.com')).toMatchObject([{ source: 'ses', type: 'bounce.transient', status: 'ignored' }]);
  });

  it('a complaint suppresses, leaves the delivery list (only that one) and marks the delivery complained', async () => {
    await seedOrder(h.store, 'ORD-2002');
    const id = await sentDelivery('ann@acme.com', 'ses-3');
    expect((await post(notification(complaint('ses-3', 'ann@acme.com')))).statusCode).toBe(200);
    expect(await h.store.lists.getSuppression('ann@acme.com')).toMatchObject({ reason: 'complaint' });
    expect(await h.store.lists.listUnsubscribed('ann@acme.com')).toEqual(['renewal:ORD-1001']);
    expect((await h.store.deliveries.get(id))?.status).toBe('complained');
  });

  it('a complaint about a reminder digest leaves every list it named and marks each of its deliveries', async () => {
    await seedOrder(h.store, 'ORD-2002');
    await seedOrder(h.store, 'ORD-3003');
    const rows = await h.store.deliveries.upsertMany(['ORD-1001', 'ORD-2002'].map((orderId) => ({
      sourceType: 'reminder' as const, sourceId: ++counter, email: 'ann@acme.com', listId: `renewal:${orderId}` as const, orderId, status: 'queued' as const, reason: null,
    })));
    const { digest } = await h.store.digests.attach({ organizationId: 'org-1', sendAt: new Date('2027-01-24T08:00:00Z'), email: 'ann@acme.com' }, rows.map((d) => d.id));
    await h.store.digests.markSent(rows.map((d) => d.id), 'ses-digest', new Date());
    expect((await post(notification(complaint('ses-digest', 'ann@acme.com')))).statusCode).toBe(200);
    expect((await h.store.lists.listUnsubscribed('ann@acme.com')).sort()).toEqual(['renewal:ORD-1001', 'renewal:ORD-2002']);
    expect((await h.store.digests.get(digest.id))?.deliveries.map((d) => d.status)).toEqual(['complained', 'complained']);
  });

  it('a delivery event marks the delivery delivered', async () => {
    const id = await sentDelivery('ann@acme.com', 'ses-4');
    const res = await post(notification({ eventType: 'Delivery', mail: { messageId: 'ses-4' }, delivery: { recipients: ['ann@acme.com'] } }));
    expect(res.statusCode).toBe(200);
    expect((await h.store.deliveries.get(id))?.status).toBe('delivered');
  });

  it('a replayed message is processed once', async () => {
    const message = notification(bounce('ses-5', 'bob@acme.com'));
    expect((await post(message)).json()).toEqual({ status: 'applied' });
    await h.store.lists.unsuppress('bob@acme.com'); // an operator lifts it; a replay must not suppress again
    const replay = await post(message);
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toEqual({ status: 'duplicate' });
    expect(await h.store.lists.getSuppression('bob@acme.com')).toBeNull();
    expect(await h.store.inboundEvents.countBySourceAndStatus()).toEqual([{ source: 'ses', status: 'applied', count: 1 }]);
  });

  it('fetches an uncached certificate once, stores it as <sha256 of URL>.pem, then uses the file', async () => {
    const url = 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-other.pem';
    h.responses.set(url, CERT);
    expect((await post(notification(bounce('ses-6', 'c@acme.com'), { SigningCertURL: url }))).statusCode).toBe(200);
    expect((await post(notification(bounce('ses-7', 'd@acme.com'), { SigningCertURL: url }))).statusCode).toBe(200);
    expect(h.fetched).toEqual([url]);
    expect(readFileSync(join(h.deps.config.snsCertCacheDir, `${sha256Hex(url)}.pem`), 'utf8')).toBe(CERT);
  });
});

describe('POST /webhooks/ses refusals', () => {
  const refusedWithNothingWritten = async (res: { statusCode: number; json: () => unknown }, status: number, error: string) => {
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ error, message: expect.any(String) });
    expect(await h.store.inboundEvents.countBySourceAndStatus()).toEqual([]);
    expect(await h.store.lists.getSuppression('eve@acme.com')).toBeNull();
  };

  it('refuses a tampered Message (403)', async () => {
    const message = notification(bounce('ses-9', 'someone@acme.com'));
    await refusedWithNothingWritten(await post({ ...message, Message: JSON.stringify(bounce('ses-9', 'eve@acme.com')) }), 403, 'invalid_signature');
  });

  it('refuses a message signed with another key (403)', async () => {
    const message = signed({ ...notification(bounce('ses-9', 'eve@acme.com')) }, OTHER_KEY);
    await refusedWithNothingWritten(await post(message), 403, 'invalid_signature');
  });

  it('refuses a message from a topic not configured (403)', async () => {
    const message = notification(bounce('ses-9', 'eve@acme.com'), { TopicArn: 'arn:aws:sns:us-east-1:999999999999:other' });
    await refusedWithNothingWritten(await post(message), 403, 'topic_not_allowed');
  });

  it.each([
    'http://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem',
    'https://sns.us-east-1.amazonaws.com.evil.test/SimpleNotificationService-test.pem',
    'https://s3.amazonaws.com/SimpleNotificationService-test.pem',
    'https://user:secret@sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem',
    'https://sns.us-east-1.amazonaws.com@evil.test/SimpleNotificationService-test.pem',
    'https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-test.pem',
    'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.txt',
  ])('refuses SigningCertURL %s without fetching it (403)', async (url) => {
    h.responses.set(url, CERT);
    await refusedWithNothingWritten(await post(notification(bounce('ses-9', 'eve@acme.com'), { SigningCertURL: url })), 403, 'untrusted_signing_cert');
    expect(h.fetched).toEqual([]);
  });

  it('answers 503 (SNS retries) when an uncached certificate cannot be fetched, caches nothing, and does not fetch it again for 5 minutes', async () => {
    const url = 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-unreachable.pem';
    await refusedWithNothingWritten(await post(notification(bounce('ses-9', 'eve@acme.com'), { SigningCertURL: url })), 503, 'signing_cert_unavailable');
    h.responses.set(url, 'not a certificate');
    for (let i = 0; i < 5; i += 1) {
      await refusedWithNothingWritten(await post(notification(bounce('ses-9', 'eve@acme.com'), { SigningCertURL: url })), 503, 'signing_cert_unavailable');
    }
    expect(h.fetched).toEqual([url]);
    h.setNow(new Date(h.deps.now().getTime() + 5 * 60_000));
    await refusedWithNothingWritten(await post(notification(bounce('ses-9', 'eve@acme.com'), { SigningCertURL: url })), 503, 'signing_cert_unavailable');
    expect(h.fetched).toEqual([url, url]);
    expect(existsSync(join(h.deps.config.snsCertCacheDir, `${sha256Hex(url)}.pem`))).toBe(false);
  });

  it('refuses bodies that are not SNS messages (400)', async () => {
    await refusedWithNothingWritten(await post('not json'), 400, 'invalid_json');
    const { Signature: _drop, ...unsigned } = notification(bounce('ses-9', 'eve@acme.com'));
    await refusedWithNothingWritten(await post(unsigned), 400, 'invalid_sns_message');
  });

  it('refuses a signed notification whose Message is not an SES event (400)', async () => {
    await refusedWithNothingWritten(await post(notification({ hello: 'world' })), 400, 'invalid_ses_event');
  });
});

describe('POST /webhooks/ses subscription confirmation', () => {
  const confirmation = (subscribeUrl: string) => signed({
    Type: 'SubscriptionConfirmation', MessageId: `sub-${++counter}`, Token: 'token-123', TopicArn: TOPIC_ARN,
    Message: 'You have chosen to subscribe to the topic.', SubscribeURL: subscribeUrl, Timestamp: new Date().toISOString(),
    SignatureVersion: '1', SigningCertURL: CERT_URL,
  } as SnsMessage);

  it('fetches SubscribeURL on an SNS host', async () => {
    const url = `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(TOPIC_ARN)}&Token=token-123`;
    h.responses.set(url, '<ConfirmSubscriptionResponse/>');
    const res = await post(confirmation(url));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'subscribed' });
    expect(h.fetched).toEqual([url]);
  });

  it('answers 503 when confirming fails, and notes an UnsubscribeConfirmation without fetching', async () => {
    const url = 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=unreachable';
    expect((await post(confirmation(url))).statusCode).toBe(503);
    const ended = signed({ ...confirmation('https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=t2'), Type: 'UnsubscribeConfirmation' });
    const res = await post(ended);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'noted' });
    expect(h.fetched).toEqual([url]);
  });

  it('never fetches a SubscribeURL on a foreign host (400)', async () => {
    const url = 'https://sns.us-east-1.amazonaws.com.evil.test/?Action=ConfirmSubscription';
    h.responses.set(url, 'ok');
    const res = await post(confirmation(url));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'untrusted_subscribe_url' });
    expect(h.fetched).toEqual([]);
  });
});
