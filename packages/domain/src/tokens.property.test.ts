/**
 * Tokens across every legal length (SPEC §4: every link works for addresses up to 254 characters
 * and ids at their maximum length): they round-trip, stay within MAX_TOKEN_LENGTH, and any change
 * to the token text fails verification.
 */
import fc from 'fast-check';
import { normalizeEmail } from './email';
import { MAX_EMAIL_LENGTH, MAX_ID_LENGTH, MAX_TOPIC_LENGTH } from './limits';
import { sealV1 } from './token-format-v1';
import {
  createAddressToken,
  createConfirmToken,
  createInvitationToken,
  createListToken,
  MAX_TOKEN_LENGTH,
  readAddressToken,
  readConfirmToken,
  readInvitationToken,
  readListToken,
} from './tokens';

const SECRETS = ['token-secret-new-0123456789', 'token-secret-old-0123456789'];
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const ATEXT = "abcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+/=?^_`{|}~-";
const LABEL = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A normalized address of exactly `length` characters (7–254): local part up to 64, labels up to 50. */
function addressOf(length: number, localLength: number, seed: string): string {
  const local = Array.from({ length: Math.min(localLength, 64, length - 6) }, (_, i) => ATEXT[(seed.charCodeAt(i % seed.length) + i) % ATEXT.length]).join('');
  const hostLength = length - local.length - 1 - 4; // "@" and ".com"
  const host = Array.from({ length: hostLength }, (_, i) => (i % 50 === 49 && i < hostLength - 1 ? '.' : LABEL[(seed.charCodeAt(i % seed.length) + i) % LABEL.length])).join('');
  return `${local}@${host}.com`;
}

const addressArb = fc.tuple(fc.integer({ min: 7, max: MAX_EMAIL_LENGTH }), fc.integer({ min: 1, max: 64 }), fc.string({ minLength: 1, maxLength: 8 }))
  .map(([length, localLength, seed]) => addressOf(length, localLength, seed));
const idArb = fc.string({ unit: fc.constantFrom(...'ABCXYZabcxyz0189._-'), minLength: 0, maxLength: MAX_ID_LENGTH - 1 }).map((s) => `O${s}`);
const topicArb = fc.string({ unit: fc.constantFrom(...'abcxyz0189-'), minLength: 0, maxLength: MAX_TOPIC_LENGTH - 1 }).map((s) => `t${s}`);
const expiresArb = fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true });

/** Every kind of token for one set of values, with its reader and what it must read back. */
function tokensFor(email: string, orderId: string, topic: string, organizationId: string, expiresAt: Date) {
  return [
    { token: createListToken(SECRETS, email, `renewal:${orderId}`), read: (t: string) => readListToken(SECRETS, t), value: { email, listId: `renewal:${orderId}` } },
    { token: createListToken(SECRETS, email, `newsletter:${topic}`), read: (t: string) => readListToken(SECRETS, t), value: { email, listId: `newsletter:${topic}` } },
    { token: createAddressToken(SECRETS, email), read: (t: string) => readAddressToken(SECRETS, t), value: { email } },
    { token: createConfirmToken(SECRETS, email), read: (t: string) => readConfirmToken(SECRETS, t), value: { email } },
    { token: createInvitationToken(SECRETS, { organizationId, email, expiresAt }), read: (t: string) => readInvitationToken(SECRETS, t), value: { organizationId, email, expiresAt } },
  ];
}

describe('tokens across legal lengths (property)', () => {
  it('the address generator covers every length with normalized addresses', () => {
    for (let length = 7; length <= MAX_EMAIL_LENGTH; length += 1) {
      const address = addressOf(length, 64, 'seed');
      expect(address).toHaveLength(length);
      expect(normalizeEmail(address)).toBe(address);
    }
  });

  it('every kind round-trips, fits MAX_TOKEN_LENGTH, and no change to its text verifies', () => {
    fc.assert(
      fc.property(addressArb, idArb, topicArb, idArb, expiresArb, fc.nat(), fc.nat(), (email, orderId, topic, orgId, expiresAt, at, pick) => {
        for (const { token, read, value } of tokensFor(email, orderId, topic, orgId, expiresAt)) {
          expect(read(token)).toEqual(value);
          expect(token.length).toBeLessThanOrEqual(MAX_TOKEN_LENGTH);
          // Any one character replaced by another URL-safe character, including only-padding-bit changes in the last one.
          const index = at % token.length;
          const replacement = BASE64URL.replace(token[index] as string, '')[pick % 63] as string;
          expect(read(`${token.slice(0, index)}${replacement}${token.slice(index + 1)}`)).toBeNull();
          expect(read(token.slice(0, index))).toBeNull();
          expect(read(`${token}${replacement}`)).toBeNull();
        }
      }),
      { numRuns: 400 },
    );
  });

  it('a change in the last character only (its unused low bits) is refused too', () => {
    // A length of 4n + 2 characters ends in 4 unused bits, 4n + 3 in 2.
    const token = ['ann@acme.com', 'bo@acme.com', 'carl@acme.com'].map((e) => createAddressToken(SECRETS, e)).find((t) => t.length % 4 !== 0) as string;
    const last = BASE64URL.indexOf(token.at(-1) as string);
    const twin = `${token.slice(0, -1)}${BASE64URL[last ^ 1]}`;
    expect(Buffer.from(twin, 'base64url').equals(Buffer.from(token, 'base64url'))).toBe(true);
    expect(readAddressToken(SECRETS, twin)).toBeNull();
  });
});

describe('token length budget', () => {
  const email = addressOf(MAX_EMAIL_LENGTH, 64, 'longest');
  const id = `O${'x'.repeat(MAX_ID_LENGTH - 1)}`;
  const topic = 't'.repeat(MAX_TOPIC_LENGTH);
  const expiresAt = new Date('2026-12-03T10:00:00Z');

  it('the longest legal values give tokens well inside MAX_TOKEN_LENGTH, in both formats', () => {
    const current = tokensFor(email, id, topic, id, expiresAt).map((t) => t.token.length);
    const first = [
      sealV1(SECRETS[0] as string, 'list', [email, `renewal:${id}`]),
      sealV1(SECRETS[0] as string, 'list', [email, `newsletter:${topic}`]),
      sealV1(SECRETS[0] as string, 'address', [email]),
      sealV1(SECRETS[0] as string, 'invitation', [id, email, String(expiresAt.getTime())]),
    ].map((t) => t.length);
    expect(Math.max(...current)).toBeLessThanOrEqual(400);
    expect(Math.max(...first)).toBeLessThanOrEqual(MAX_TOKEN_LENGTH - 200);
  });

  it('the current format stays short even for values it cannot pack (upper case and "_" mixed, non-ASCII)', () => {
    const unpackable = `${'Ä_'.repeat(30)}@${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(57)}.com`;
    const tokens = tokensFor(unpackable, `A_${'x'.repeat(MAX_ID_LENGTH - 2)}`, topic, `A_${'x'.repeat(MAX_ID_LENGTH - 2)}`, expiresAt);
    for (const { token } of tokens) expect(token.length).toBeLessThanOrEqual(MAX_TOKEN_LENGTH - 200);
  });
});
