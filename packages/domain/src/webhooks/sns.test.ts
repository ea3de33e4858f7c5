import { sign } from 'node:crypto';
import { checkSigningCertUrl, checkSnsUrl, parseSnsMessage, snsStringToSign, verifySnsSignature, type SnsMessage } from './sns';
import { parseSesEvent } from './ses-event';

/** A self-signed test certificate and its key (openssl, valid for 100 years); not an AWS key. */
const CERT = `-----BEGIN CERTIFICATE-----
MIIDLzCCAhegAwIBAgIUFykDlwqbsXU+0fcnTvEmouyO8SkwDQYJKoZIhvcNAQEL
BQAwJjEkMCIGA1UEAwwbc25zLnVzLWVhc3QtMS5hbWF6b25hd3MuY29tMCAXDTI2
MTEyNzAwMTExOFoYDzIxMjYxMTAzMDAxMTE4WjAmMSQwIgYDVQQDDBtzbnMudXMt
ZWFzdC0xLmFtYXpvbmF3cy5jb20wggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEK
AoIBAQDBXhs82J+O8AulbimkyTGBV3gwweObOzgDDYHA26l2i4S8U8u8lO9/5K4s
0WKHgc9E2yXG7zv50RA8Sq/3/7Os+fd9Kp4+at/wRXLKC4HnS8pejQ61Rt3z4Gw3
zlSPgef8ZTjD+Eu739lSJC5qnvC8132AaRJ2gvW+vP0giWYs+0r2KMhhZsdzsqCB
8SglWK2pi3X/nB/0pmJp21oQgrZsT0NqH8/egPVQEfmvrT2i00Vfes9egzyKP5iO
zhblLv24JKguiKSglDdE4k+9oEGMkpdj6dx3BKEXgPg7j+bxoB345jaw/AZSTfdC
LQSi0d45NSx5wKWL9NEPzipzggfDAgMBAAGjUzBRMB0GA1UdDgQWBBSYw9e681Vp
N03osA2whczcf8EYETAfBgNVHSMEGDAWgBSYw9e681VpN03osA2whczcf8EYETAP
BgNVHRMBAf8EBTADAQH/MA0GCSqGSIb3DQEBCwUAA4IBAQCZS3Ug+kyGMUnlchBq
qFdYTcbTJB9I7W0nDI8jKyZBHccgNiQ7wn+G2jr0c3+B8vpaqUGcjU8Pes4vuAA8
3sJJjzxjImRjh842do67qZFG3WJlKDj+nnwxq75XNIs23tnVC4CXbMKGFM99/Lxs
TCxcZd4bViGuXkOnpHbSgN4866wQsMWw1lBFCTWtSDJ0WSdi/tcg19Nql88X6ZkS
a4ODX732c0H72Ou8KAMuewEWPWVCUEadUWppaVuwpsiT4wZwQerpeMl9CsnBRo92
iUcqRU+BzEOjxjmBQEkf1Qqtulw94I2AIB451Pa++AdDUrXE0UfZELRSFK9x8g9E
l1je
-----END CERTIFICATE-----`;
const KEY = `-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDBXhs82J+O8Aul
bimkyTGBV3gwweObOzgDDYHA26l2i4S8U8u8lO9/5K4s0WKHgc9E2yXG7zv50RA8
Sq/3/7Os+fd9Kp4+at/wRXLKC4HnS8pejQ61Rt3z4Gw3zlSPgef8ZTjD+Eu739lS
JC5qnvC8132AaRJ2gvW+vP0giWYs+0r2KMhhZsdzsqCB8SglWK2pi3X/nB/0pmJp
21oQgrZsT0NqH8/egPVQEfmvrT2i00Vfes9egzyKP5iOzhblLv24JKguiKSglDdE
4k+9oEGMkpdj6dx3BKEXgPg7j+bxoB345jaw/AZSTfdCLQSi0d45NSx5wKWL9NEP
zipzggfDAgMBAAECggEAKOzQaffVCU0PwfMHWEuGsT/Afd1DXVLSv36n1BgJjT/p
F2zKxX5mFBTjsjOcnV5hbkrNe4WdlXlkbMZH6P6S2gzLjw+qjz5SaAliypVV6IyX
Z5yGHOLDTf7VGJiQOBE/9qC7u2o9KSWu2p4yvrkl7WnUM43JbRC5jyVzk2PRHrqv
+kVootKPIIPM0YwWtpqeNl9Woo/NTtBf/2kOGfQyA5JRxMma1a1i3eDyKWTKSk3h
6nIq2Q4AeWC8KKzlkyUkYoUgCnZ5YLf7w3B/AGX0FG0m0CPTIundT6OOWWYAzhul
R/l5Ew0fTvwq7IUCx3shkivtnFwnoSDgDXtAoHt9EQKBgQD4Yn8481fPP1A4Eyo6
czRBLpXFFlQ6x1/bKnXIo73fF6mCkEawgyP/m3Co2IXGPpkvHdQ7dz9d+u2URhnN
+YStcopjsZXB1bp7y4tL46m9AP8Z9QNvQ1aCRhVgP62hsVdboF/BCp1Tj4gH6K2Z
OCFtKjOSPFhQdaShl4+zYXH3UwKBgQDHS8uKUC7htHIbs/G7v8s+4kTJNgO/SvpO
hDqjX6QSg/kM1+c/poN++su1n/FP0bURPU17rNpvuy2hErV62or+EF1lpxWkbwqi
Ct02f3G3AeCrnXQ0LSMoYOAZpCdnkZ0IhjDlBllW2uMPluwFXwt8fJ56HHLcqbTM
HxDr/znP0QKBgQDwI0I+zD2L9/lVjWnZQsI1dpWEC1d50IIjQUTIq04JnzXaLiS5
yMAIAr8D7vo+tQyimeMzbtHLyariHHgcRG16x292fR19XmZCA4Lz5vKW8Zyw+snM
Sz0bDCjkegwjdHIx+rY4y0tZmz3374POy469nPxpGICFoYd+VyquUbq+UwKBgAd7
3CfUfP4yxXou1qwDNsGkw4p+wcNEMIQUSRNrewDK/eYykVd9jECPcGjgmbIyoMcF
80vqoMVDVSJQTopPfJqvyKIRlSl4lgChwc7TGFUT9/jZz8xJyaExihjMZkJoYGo6
h8mB5Ibzb0VdmH1XJVpGX7kcKmAI62Yi4ILMMcKRAoGBAOkuMDsYhzufzgVceTCj
SXe6KR6FooTY+0YHUKbcb+nl0XVtCwZ9QAv+8ROFN+wA8UXmyCio45hWBKIL6bsQ
is5SFUJwOZZpjnBVvkB2lFVwkYm7prljNtbZ09ePqwtJPF4RXGd1ukK7GwBUODLe
qNHlZ/ySW6cUzf5II4qgLL9+
-----END PRIVATE KEY-----`;

const notification = (): SnsMessage => ({
  Type: 'Notification', MessageId: 'm-1', TopicArn: 'arn:aws:sns:us-east-1:123456789012:ses-events',
  Message: '{"notificationType":"Delivery"}', Timestamp: '2026-11-26T10:00:00.000Z',
  SignatureVersion: '1', Signature: '', SigningCertURL: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem',
});

function signed(message: SnsMessage, key = KEY): SnsMessage {
  const algorithm = message.SignatureVersion === '1' ? 'sha1' : 'sha256';
  return { ...message, Signature: sign(algorithm, Buffer.from(snsStringToSign(message)), key).toString('base64') };
}

describe('checkSigningCertUrl', () => {
  it.each([
    'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem',
    'https://sns.eu-central-1.amazonaws.com/x/y.pem',
    'https://sns.cn-north-1.amazonaws.com.cn/a.pem',
    'https://sns.us-gov-west-1.amazonaws.com/a.pem',
  ])('accepts %s', (url) => {
    expect(checkSigningCertUrl(url).ok).toBe(true);
  });

  it.each([
    'http://sns.us-east-1.amazonaws.com/a.pem',
    'https://sns.us-east-1.amazonaws.com.evil.test/a.pem',
    'https://s3.amazonaws.com/a.pem',
    'https://evil.test/sns.us-east-1.amazonaws.com/a.pem',
    'https://user:pw@sns.us-east-1.amazonaws.com/a.pem',
    'https://sns.us-east-1.amazonaws.com@evil.test/a.pem',
    'https://sns.us-east-1.amazonaws.com:8443/a.pem',
    'https://sns.us-east-1.amazonaws.com/a.pem.txt',
    'https://sns.us-east-1.amazonaws.com/a.pem?x=1',
    'https://sns.us-east-1.amazonaws.com./a.pem',
    'https://xsns.us-east-1.amazonaws.com/a.pem',
    'not a url',
    42,
  ])('refuses %p', (url) => {
    expect(checkSigningCertUrl(url)).toMatchObject({ ok: false });
  });

  it('SubscribeURL check needs the host but not .pem', () => {
    expect(checkSnsUrl('https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=x').ok).toBe(true);
    expect(checkSnsUrl('https://evil.test/?Action=ConfirmSubscription').ok).toBe(false);
  });
});

describe('snsStringToSign', () => {
  it('builds the Notification string, with Subject only when present', () => {
    const m = notification();
    expect(snsStringToSign(m)).toBe(`Message\n${m.Message}\nMessageId\nm-1\nTimestamp\n${m.Timestamp}\nTopicArn\n${m.TopicArn}\nType\nNotification\n`);
    expect(snsStringToSign({ ...m, Subject: 'Hi' } as SnsMessage)).toContain('MessageId\nm-1\nSubject\nHi\nTimestamp\n');
  });

  it('builds the SubscriptionConfirmation string', () => {
    const m: SnsMessage = { ...notification(), Type: 'SubscriptionConfirmation', Token: 'tok', SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription' };
    expect(snsStringToSign(m)).toBe(`Message\n${m.Message}\nMessageId\nm-1\nSubscribeURL\n${m.SubscribeURL}\nTimestamp\n${m.Timestamp}\nToken\ntok\nTopicArn\n${m.TopicArn}\nType\nSubscriptionConfirmation\n`);
  });
});

describe('verifySnsSignature', () => {
  it.each(['1', '2'] as const)('accepts a real RSA signature, version %s', (version) => {
    expect(verifySnsSignature(signed({ ...notification(), SignatureVersion: version }), CERT)).toEqual({ ok: true });
  });

  it('refuses a tampered message, a signature of the other version, garbage and an unreadable cert', () => {
    const good = signed(notification());
    expect(verifySnsSignature({ ...good, Message: '{"notificationType":"Bounce"}' }, CERT).ok).toBe(false);
    expect(verifySnsSignature({ ...good, SignatureVersion: '2' }, CERT).ok).toBe(false);
    expect(verifySnsSignature({ ...good, Signature: 'AAAA' }, CERT).ok).toBe(false);
    expect(verifySnsSignature(good, 'not a cert')).toEqual({ ok: false, reason: 'the signing certificate cannot be read' });
  });

  it('refuses when the certificate is not valid at now', () => {
    expect(verifySnsSignature(signed(notification()), CERT, new Date('1999-01-01T00:00:00Z')).ok).toBe(false);
  });
});

describe('parseSnsMessage', () => {
  it('names a missing field', () => {
    const { Signature: _omit, ...rest } = notification();
    expect(parseSnsMessage(rest)).toMatchObject({ ok: false, field: 'Signature' });
    expect(parseSnsMessage({ ...signed(notification()), Type: 'SubscriptionConfirmation' })).toMatchObject({ ok: false, field: 'Token' });
  });
});

describe('parseSesEvent', () => {
  const mail = { messageId: '0100-abc', destination: ['a@x.com'] };
  it('reads a permanent bounce with its recipients', () => {
    const json = JSON.stringify({ notificationType: 'Bounce', mail, bounce: { bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [{ emailAddress: 'A@X.com' }, { emailAddress: '"B" <b@x.com>' }] } });
    expect(parseSesEvent(json)).toEqual({ ok: true, event: { type: 'bounce', messageId: '0100-abc', bounceType: 'permanent', subType: 'General', recipients: ['a@x.com', 'b@x.com'] } });
  });

  it('reads transient bounces, complaints (eventType shape) and deliveries', () => {
    const transient = parseSesEvent(JSON.stringify({ eventType: 'Bounce', mail, bounce: { bounceType: 'Transient', bouncedRecipients: [{ emailAddress: 'a@x.com' }] } }));
    expect(transient).toMatchObject({ ok: true, event: { type: 'bounce', bounceType: 'transient' } });
    const complaint = parseSesEvent(JSON.stringify({ eventType: 'Complaint', mail, complaint: { complainedRecipients: [{ emailAddress: 'a@x.com' }] } }));
    expect(complaint).toEqual({ ok: true, event: { type: 'complaint', messageId: '0100-abc', feedbackType: null, recipients: ['a@x.com'] } });
    const delivery = parseSesEvent(JSON.stringify({ notificationType: 'Delivery', mail, delivery: { recipients: ['a@x.com'] } }));
    expect(delivery).toEqual({ ok: true, event: { type: 'delivery', messageId: '0100-abc', recipients: ['a@x.com'] } });
    expect(parseSesEvent(JSON.stringify({ eventType: 'Open', mail }))).toEqual({ ok: true, event: { type: 'other', messageId: '0100-abc', eventType: 'Open' } });
  });

  it('names what is missing', () => {
    expect(parseSesEvent('nope')).toMatchObject({ ok: false, field: 'Message' });
    expect(parseSesEvent('{}')).toMatchObject({ ok: false, field: 'notificationType' });
    expect(parseSesEvent(JSON.stringify({ notificationType: 'Bounce', mail, bounce: { bounceType: 'Permanent' } }))).toMatchObject({ ok: false, field: 'bounce.bouncedRecipients' });
    expect(parseSesEvent(JSON.stringify({ notificationType: 'Delivery', delivery: {} }))).toMatchObject({ ok: false, field: 'mail' });
  });
});
