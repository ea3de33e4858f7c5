import { createCipheriv, createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { DomainError } from './errors';
import { MalformedPayload, PayloadReader, PayloadWriter } from './token-codec';
import { openV1, sealV1, V1 } from './token-format-v1';
import { tokenKeys, type TokenPurpose } from './token-keys';
import { TEST_LIST_PREFIX, testListId } from './types';

/**
 * Signed, opaque link tokens (SPEC §4). A token is `base64url(0x02 ‖ tag ‖ ciphertext)`:
 * - the payload is a compact binary (token-codec.ts: varints, addresses packed at 6 bits a
 *   character), so a token is about as long as the values it carries plus 23 characters;
 * - it is encrypted (AES-256-CTR) so links never show an address;
 * - the tag is HMAC-SHA256 over `0x02 ‖ payload`, truncated to 128 bits, and doubles as the
 *   synthetic IV: tokens are deterministic, so the same (email, list) always yields the same link
 *   and an invitation's link can be rebuilt from the invitation.
 * Keys are derived per secret, purpose and format, so a token of one kind never verifies as another.
 * Rotation: sign with `secrets[0]`, verify against all. Tokens never expire, so readers also accept
 * the first, longer format (token-format-v1.ts) of links already sent. Invitations carry their own
 * `expiresAt` for the caller to check.
 */

const V2 = 2;
const V2_HEADER = Buffer.from([V2]);
const TAG_BYTES = 16;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Longest token a reader considers, in characters. The longest a legal value produces (254-char
 * address, 100-char ids) is 526 characters, a first-format invitation (the current format: under
 * 400); the rest is margin. Route parameters must admit this many characters.
 */
export const MAX_TOKEN_LENGTH = 768;

/** How one kind of token lays out its value, now and in the first format. */
interface TokenKind<T> {
  purpose: TokenPurpose;
  write(payload: PayloadWriter, value: T): void;
  read(payload: PayloadReader): T | null;
  v1Arity: number;
  fromV1(fields: string[]): T | null;
}

function assertSecrets(secrets: readonly string[]): void {
  if (!Array.isArray(secrets) || secrets.length === 0 || secrets.some((s) => typeof s !== 'string' || s === '')) {
    throw new DomainError('invalid_secrets', 'Token secrets must be a non-empty list of non-empty strings (TOKEN_SECRETS=new,old).', 'TOKEN_SECRETS');
  }
}

function tagOf(mac: Buffer, plain: Buffer): Buffer {
  return createHmac('sha256', mac).update(V2_HEADER).update(plain).digest().subarray(0, TAG_BYTES);
}

/** AES-256-CTR both ways (encrypting and decrypting are the same operation). */
function ctr(enc: Buffer, iv: Buffer, data: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-ctr', enc, iv);
  return Buffer.concat([cipher.update(data), cipher.final()]);
}

function seal<T>(secret: string, kind: TokenKind<T>, value: T): string {
  const { enc, mac } = tokenKeys('tickler-token-v2', secret, kind.purpose);
  const writer = new PayloadWriter();
  kind.write(writer, value);
  const plain = writer.toBuffer();
  const tag = tagOf(mac, plain);
  return Buffer.concat([V2_HEADER, tag, ctr(enc, tag, plain)]).toString('base64url');
}

function decode<T>(kind: TokenKind<T>, plain: Buffer): T | null {
  try {
    const reader = new PayloadReader(plain);
    const value = kind.read(reader);
    reader.end();
    return value;
  } catch (error) {
    // A valid tag over content we cannot read cannot happen with our own tokens; treat as forged.
    if (error instanceof MalformedPayload) return null;
    throw error;
  }
}

function open<T>(secrets: readonly string[], kind: TokenKind<T>, token: string): T | null {
  assertSecrets(secrets);
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !BASE64URL.test(token)) return null;
  const raw = Buffer.from(token, 'base64url');
  // One spelling per token: another string decoding to the same bytes (different unused low bits
  // in the last character) is refused rather than treated as the same link.
  if (raw.toString('base64url') !== token) return null;
  if (raw[0] === V1) {
    const fields = openV1(secrets, kind.purpose, raw, kind.v1Arity);
    return fields ? kind.fromV1(fields) : null;
  }
  if (raw[0] !== V2 || raw.length < 1 + TAG_BYTES) return null;
  const tag = raw.subarray(1, 1 + TAG_BYTES);
  const body = raw.subarray(1 + TAG_BYTES);
  for (const secret of secrets) {
    const { enc, mac } = tokenKeys('tickler-token-v2', secret, kind.purpose);
    const plain = ctr(enc, tag, body);
    if (timingSafeEqual(tagOf(mac, plain), tag)) return decode(kind, plain);
  }
  return null;
}

function requireText(value: string, name: string): string {
  if (typeof value !== 'string' || value === '') throw new DomainError('invalid_token_input', `${name} must be a non-empty string.`, name);
  return value;
}

/** A list id's kind as one number; 0 carries the whole id (list ids this system does not issue). */
const LIST_PREFIXES = ['', 'renewal:', 'newsletter:'] as const;

const LIST: TokenKind<{ email: string; listId: string }> = {
  purpose: 'list',
  write(payload, { email, listId }) {
    const kind = LIST_PREFIXES.findIndex((prefix, i) => i > 0 && listId.startsWith(prefix));
    const prefix = LIST_PREFIXES[Math.max(kind, 0)] as string;
    payload.text(email).uint(Math.max(kind, 0)).text(listId.slice(prefix.length));
  },
  read(payload) {
    const email = payload.text();
    const prefix = LIST_PREFIXES[payload.uint()];
    if (prefix === undefined) throw new MalformedPayload('unknown list kind');
    return { email, listId: prefix + payload.text() };
  },
  v1Arity: 2,
  fromV1: ([email, listId]) => ({ email: email as string, listId: listId as string }),
};

/** An address only; the address and confirm purposes share the layout, not the keys. */
const addressKind = (purpose: 'address' | 'confirm'): TokenKind<{ email: string }> => ({
  purpose,
  write: (payload, { email }) => void payload.text(email),
  read: (payload) => ({ email: payload.text() }),
  v1Arity: 1,
  fromV1: ([email]) => ({ email: email as string }),
});
const ADDRESS = addressKind('address');
const CONFIRM = addressKind('confirm');

/** What an invitation link names. */
export interface InvitationClaim { organizationId: string; email: string; expiresAt: Date }

/** A Date from epoch milliseconds, or null when out of the Date range. */
const dateOf = (ms: number): Date | null => (Number.isNaN(new Date(ms).getTime()) ? null : new Date(ms));

const INVITATION: TokenKind<InvitationClaim> = {
  purpose: 'invitation',
  write: (payload, { organizationId, email, expiresAt }) => void payload.text(organizationId).text(email).uint(expiresAt.getTime()),
  read(payload) {
    const organizationId = payload.text();
    const email = payload.text();
    const expiresAt = dateOf(payload.uint());
    return expiresAt ? { organizationId, email, expiresAt } : null;
  },
  v1Arity: 3,
  fromV1([organizationId, email, ms]) {
    const expiresAt = dateOf(Number(ms));
    return expiresAt ? { organizationId: organizationId as string, email: email as string, expiresAt } : null;
  },
};

/** Token for an unsubscribe link naming (email, list), e.g. list `renewal:ORD-1`. */
export function createListToken(secrets: readonly string[], email: string, listId: string): string {
  assertSecrets(secrets);
  return seal(secrets[0] as string, LIST, { email: requireText(email, 'email'), listId: requireText(listId, 'listId') });
}

/** Reads a list token; null when forged, tampered, of another kind, or signed by an unknown secret. */
export function readListToken(secrets: readonly string[], token: string): { email: string; listId: string } | null {
  return open(secrets, LIST, token);
}

/**
 * Token of a test email's acting links (unsubscribe, invitation accept, newsletter confirm): a list
 * token for the address the test went to, naming the list `test:<template>`. No one is on that list,
 * and every page that would act answers it with "this was a test" and changes nothing, so a test
 * can carry working links without touching the tester's real lists, memberships or subscription.
 */
export function createTestSendToken(secrets: readonly string[], email: string, template: string): string {
  return createListToken(secrets, email, testListId(requireText(template, 'template')));
}

/** Reads a test email's token (see {@link createTestSendToken}); null for any other token, forged or real. */
export function readTestSendToken(secrets: readonly string[], token: string): { email: string; template: string } | null {
  const claim = readListToken(secrets, token);
  return claim?.listId.startsWith(TEST_LIST_PREFIX) ? { email: claim.email, template: claim.listId.slice(TEST_LIST_PREFIX.length) } : null;
}

/** Token for a preferences link naming an address. */
export function createAddressToken(secrets: readonly string[], email: string): string {
  assertSecrets(secrets);
  return seal(secrets[0] as string, ADDRESS, { email: requireText(email, 'email') });
}

/** Reads an address (preferences) token; null when not valid. */
export function readAddressToken(secrets: readonly string[], token: string): { email: string } | null {
  return open(secrets, ADDRESS, token);
}

function invitationInput(invitation: InvitationClaim): InvitationClaim {
  const { expiresAt } = invitation;
  // Carried as unsigned milliseconds: an invitation never expires before 1970.
  if (!(expiresAt instanceof Date) || Number.isNaN(expiresAt.getTime()) || expiresAt.getTime() < 0) {
    throw new DomainError('invalid_token_input', 'expiresAt must be a valid Date from 1970 on.', 'expiresAt');
  }
  return { organizationId: requireText(invitation.organizationId, 'organizationId'), email: requireText(invitation.email, 'email'), expiresAt };
}

/** Token for an invitation link; `expiresAt` (from 1970 on) is carried (ms precision) for the caller to check against now. */
export function createInvitationToken(secrets: readonly string[], invitation: InvitationClaim): string {
  assertSecrets(secrets);
  return seal(secrets[0] as string, INVITATION, invitationInput(invitation));
}

/**
 * Every token that opens this invitation, newest first: the current format under each secret, then
 * the first format. An invitation stores only its token's hash, so whoever rebuilds its link (the
 * invitation email) picks the candidate with that hash — also for invitations created before a
 * format change or a rotation of `TOKEN_SECRETS`.
 */
export function invitationTokenCandidates(secrets: readonly string[], invitation: InvitationClaim): string[] {
  assertSecrets(secrets);
  const value = invitationInput(invitation);
  const v1Fields = [value.organizationId, value.email, String(value.expiresAt.getTime())];
  return [...secrets.map((secret) => seal(secret, INVITATION, value)), ...secrets.map((secret) => sealV1(secret, 'invitation', v1Fields))];
}

/** Reads an invitation token; null when not valid. Does NOT check expiry: compare `expiresAt` with now. */
export function readInvitationToken(secrets: readonly string[], token: string): InvitationClaim | null {
  return open(secrets, INVITATION, token);
}

/** Token for a newsletter double-opt-in confirmation link. */
export function createConfirmToken(secrets: readonly string[], email: string): string {
  assertSecrets(secrets);
  return seal(secrets[0] as string, CONFIRM, { email: requireText(email, 'email') });
}

/** Reads a newsletter confirmation token; null when not valid. */
export function readConfirmToken(secrets: readonly string[], token: string): { email: string } | null {
  return open(secrets, CONFIRM, token);
}

/** Lower-case hex SHA-256 of `text` (UTF-8), e.g. for `invitations.tokenHash`. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A confirmed subscriber's requested topic change: the address and the pending change's row id. */
const TOPIC_CHANGE: TokenKind<{ email: string; changeId: number }> = {
  purpose: 'topic-change',
  write: (payload, { email, changeId }) => void payload.text(email).uint(changeId),
  read(payload) {
    const email = payload.text();
    const changeId = payload.uint();
    return Number.isSafeInteger(changeId) && changeId > 0 ? { email, changeId } : null;
  },
  v1Arity: 2,
  // Topic-change links were first issued in the current format: no first-format token exists.
  fromV1: () => null,
};

/**
 * Token for confirming one requested change of a confirmed subscriber's newsletter topics: names the
 * address and the pending change (`changeId`, the database row holding the new topic set), so
 * confirming applies exactly the set that email described.
 */
export function createTopicChangeToken(secrets: readonly string[], email: string, changeId: number): string {
  assertSecrets(secrets);
  if (!Number.isSafeInteger(changeId) || changeId <= 0) throw new DomainError('invalid_token_input', 'changeId must be a positive integer.', 'changeId');
  return seal(secrets[0] as string, TOPIC_CHANGE, { email: requireText(email, 'email'), changeId });
}

/** Reads a topic-change token; null when not valid. */
export function readTopicChangeToken(secrets: readonly string[], token: string): { email: string; changeId: number } | null {
  return open(secrets, TOPIC_CHANGE, token);
}

/**
 * A reminder digest's one-click unsubscribe: the address and the digest's id. The lists it leaves
 * are the ones that digest carried, read from the ledger — a token naming twenty orders' lists
 * would outgrow a URL, this one is as short as a list token.
 */
const DIGEST: TokenKind<{ email: string; digestId: number }> = {
  purpose: 'digest',
  write: (payload, { email, digestId }) => void payload.text(email).uint(digestId),
  read(payload) {
    const email = payload.text();
    const digestId = payload.uint();
    return Number.isSafeInteger(digestId) && digestId > 0 ? { email, digestId } : null;
  },
  v1Arity: 2,
  // Digest links were first issued in the current format: no first-format token exists.
  fromV1: () => null,
};

/** Token for the unsubscribe link of a reminder digest sent to `email`: leaves every list that digest named. */
export function createDigestToken(secrets: readonly string[], email: string, digestId: number): string {
  assertSecrets(secrets);
  if (!Number.isSafeInteger(digestId) || digestId <= 0) throw new DomainError('invalid_token_input', 'digestId must be a positive integer.', 'digestId');
  return seal(secrets[0] as string, DIGEST, { email: requireText(email, 'email'), digestId });
}

/** Reads a digest unsubscribe token; null when not valid. */
export function readDigestToken(secrets: readonly string[], token: string): { email: string; digestId: number } | null {
  return open(secrets, DIGEST, token);
}
