/**
 * Amazon SNS over HTTP, pure half: check where a message says its signing certificate lives,
 * rebuild the canonical string SNS signed, verify the RSA signature (SignatureVersion 1 = SHA1,
 * 2 = SHA256), and parse the SES event inside a Notification. Fetching certificates, caching them
 * and confirming subscriptions is I/O and lives in the HTTP handler.
 */
import { verify as verifySignature, X509Certificate } from 'node:crypto';
import { z } from 'zod';

export type UrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

/** `sns.<region>.amazonaws.com` or `sns.<region>.amazonaws.com.cn`, nothing before or after. */
const SNS_HOST = /^sns\.[a-z]{2}(-[a-z]+)+-\d\.amazonaws\.com(\.cn)?$/;

/**
 * Checks that `raw` is an https URL on an SNS host of some region: no user info, no explicit port
 * other than 443, no trailing dot or look-alike host (`sns.us-east-1.amazonaws.com.evil.test`).
 */
export function checkSnsUrl(raw: unknown): UrlCheck {
  if (typeof raw !== 'string' || raw.length > 2048) return { ok: false, reason: 'the URL is missing or too long' };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'the URL cannot be parsed' };
  }
  if (url.protocol !== 'https:') return { ok: false, reason: `the URL uses ${url.protocol} instead of https:` };
  if (url.username !== '' || url.password !== '' || /@/.test(raw.slice(0, raw.indexOf(url.host) + url.host.length))) {
    return { ok: false, reason: 'the URL carries user info' };
  }
  if (url.port !== '') return { ok: false, reason: `the URL names port ${url.port}` };
  if (!SNS_HOST.test(url.hostname)) return { ok: false, reason: `${url.hostname} is not an Amazon SNS host` };
  return { ok: true, url };
}

/** {@link checkSnsUrl} plus: the path must end in `.pem` (and carry no query). */
export function checkSigningCertUrl(raw: unknown): UrlCheck {
  const check = checkSnsUrl(raw);
  if (!check.ok) return check;
  if (!check.url.pathname.endsWith('.pem') || check.url.search !== '' || check.url.hash !== '') {
    return { ok: false, reason: 'the certificate URL path does not end in .pem' };
  }
  return check;
}

const base = {
  MessageId: z.string().min(1).max(200),
  TopicArn: z.string().min(1).max(512),
  Message: z.string(),
  Timestamp: z.string().min(1),
  SignatureVersion: z.enum(['1', '2']),
  Signature: z.string().min(1),
  SigningCertURL: z.string().min(1),
};
const notification = z.object({ ...base, Type: z.literal('Notification'), Subject: z.string().optional(), UnsubscribeURL: z.string().optional() });
const confirmation = z.object({
  ...base,
  Type: z.enum(['SubscriptionConfirmation', 'UnsubscribeConfirmation']),
  Token: z.string().min(1),
  SubscribeURL: z.string().min(1),
});

export type SnsNotification = z.infer<typeof notification>;
export type SnsConfirmation = z.infer<typeof confirmation>;
export type SnsMessage = SnsNotification | SnsConfirmation;

/** Parses the JSON envelope SNS posts; the refusal names the first bad field. */
export function parseSnsMessage(json: unknown): { ok: true; message: SnsMessage } | { ok: false; field: string; message: string } {
  const type = typeof json === 'object' && json !== null ? (json as { Type?: unknown }).Type : undefined;
  const schema = type === 'Notification' ? notification : confirmation;
  const result = schema.safeParse(json);
  if (result.success) return { ok: true, message: result.data };
  const issue = result.error.issues[0];
  const field = issue?.path.map(String).join('.') || '(body)';
  return { ok: false, field, message: `${field}: ${issue?.message ?? 'invalid SNS message'}.` };
}

/**
 * The canonical string SNS signs: `Key\nValue\n` for a fixed, sorted set of keys. Notifications
 * sign Message, MessageId, Subject (only when present), Timestamp, TopicArn, Type; confirmations
 * sign Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn, Type.
 */
export function snsStringToSign(message: SnsMessage): string {
  const keys = message.Type === 'Notification'
    ? ['Message', 'MessageId', ...(message.Subject !== undefined ? ['Subject'] : []), 'Timestamp', 'TopicArn', 'Type']
    : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  const record = message as unknown as Record<string, string>;
  return keys.map((key) => `${key}\n${record[key] ?? ''}\n`).join('');
}

export type SnsSignatureCheck = { ok: true } | { ok: false; reason: string };

/**
 * Verifies an SNS message's signature with the PEM certificate it names. SignatureVersion 1 is
 * RSA-SHA1, 2 is RSA-SHA256. When `now` is given the certificate must be valid at that instant.
 */
export function verifySnsSignature(message: SnsMessage, certPem: string, now?: Date): SnsSignatureCheck {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    return { ok: false, reason: 'the signing certificate cannot be read' };
  }
  if (now && (now.getTime() < Date.parse(cert.validFrom) || now.getTime() > Date.parse(cert.validTo))) {
    return { ok: false, reason: 'the signing certificate is not valid at this time' };
  }
  const algorithm = message.SignatureVersion === '1' ? 'sha1' : 'sha256';
  const signature = Buffer.from(message.Signature, 'base64');
  let valid = false;
  try {
    valid = verifySignature(algorithm, Buffer.from(snsStringToSign(message), 'utf8'), cert.publicKey, signature);
  } catch {
    valid = false;
  }
  return valid ? { ok: true } : { ok: false, reason: 'the signature does not match the message' };
}
