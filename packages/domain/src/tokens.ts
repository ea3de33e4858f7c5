import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { DomainError } from './errors';

/**
 * Signed, opaque link tokens. A token is `base64url(version ‖ tag ‖ ciphertext)`: the payload is
 * encrypted (AES-256-CTR) so links never show an address, and authenticated by an HMAC-SHA256 tag
 * (first 16 bytes) that also serves as the synthetic IV — tokens are deterministic, so the same
 * (email, list) always yields the same link. Keys are derived per secret and per purpose, so a token
 * of one kind never verifies as another. Rotation: sign with `secrets[0]`, verify against all.
 * Tokens never expire (invitations carry their own `expiresAt` for the caller to check).
 */

type Purpose = 'list' | 'address' | 'invitation' | 'confirm' | 'topic-change';

const VERSION = 1;
const TAG_BYTES = 16;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

const keyCache = new Map<string, { enc: Buffer; mac: Buffer }>();

function keysFor(secret: string, purpose: Purpose): { enc: Buffer; mac: Buffer } {
  const cacheKey = `${purpose}\u0000${secret}`;
  let keys = keyCache.get(cacheKey);
  if (!keys) {
    const derive = (use: string) => Buffer.from(hkdfSync('sha256', secret, 'tickler-token-v1', `${purpose}:${use}`, 32));
    keys = { enc: derive('enc'), mac: derive('mac') };
    keyCache.set(cacheKey, keys);
  }
  return keys;
}

function assertSecrets(secrets: readonly string[]): void {
  if (!Array.isArray(secrets) || secrets.length === 0 || secrets.some((s) => typeof s !== 'string' || s === '')) {
    throw new DomainError('invalid_secrets', 'Token secrets must be a non-empty list of non-empty strings (TOKEN_SECRETS=new,old).', 'TOKEN_SECRETS');
  }
}

function seal(secrets: readonly string[], purpose: Purpose, fields: string[]): string {
  assertSecrets(secrets);
  const { enc, mac } = keysFor(secrets[0] as string, purpose);
  const plain = Buffer.from(JSON.stringify(fields), 'utf8');
  const tag = createHmac('sha256', mac).update(plain).digest().subarray(0, TAG_BYTES);
  const cipher = createCipheriv('aes-256-ctr', enc, tag);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), tag, body]).toString('base64url');
}

function open(secrets: readonly string[], purpose: Purpose, token: string, arity: number): string[] | null {
  assertSecrets(secrets);
  if (typeof token !== 'string' || token.length > 4096 || !BASE64URL.test(token)) return null;
  const raw = Buffer.from(token, 'base64url');
  if (raw.length <= 1 + TAG_BYTES || raw[0] !== VERSION) return null;
  const tag = raw.subarray(1, 1 + TAG_BYTES);
  const body = raw.subarray(1 + TAG_BYTES);
  for (const secret of secrets) {
    const { enc, mac } = keysFor(secret, purpose);
    const decipher = createDecipheriv('aes-256-ctr', enc, tag);
    const plain = Buffer.concat([decipher.update(body), decipher.final()]);
    const expected = createHmac('sha256', mac).update(plain).digest().subarray(0, TAG_BYTES);
    if (timingSafeEqual(expected, tag)) return parseFields(plain, arity);
  }
  return null;
}

function parseFields(plain: Buffer, arity: number): string[] | null {
  try {
    const fields: unknown = JSON.parse(plain.toString('utf8'));
    if (Array.isArray(fields) && fields.length === arity && fields.every((f) => typeof f === 'string')) return fields as string[];
  } catch {
    // A valid tag over unparsable content cannot happen with our own tokens; treat as forged.
  }
  return null;
}

function requireText(value: string, name: string): string {
  if (typeof value !== 'string' || value === '') throw new DomainError('invalid_token_input', `${name} must be a non-empty string.`, name);
  return value;
}

/** Token for an unsubscribe link naming (email, list), e.g. list `renewal:ORD-1`. */
export function createListToken(secrets: readonly string[], email: string, listId: string): string {
  return seal(secrets, 'list', [requireText(email, 'email'), requireText(listId, 'listId')]);
}

/** Reads a list token; null when forged, tampered, of another kind, or signed by an unknown secret. */
export function readListToken(secrets: readonly string[], token: string): { email: string; listId: string } | null {
  const fields = open(secrets, 'list', token, 2);
  return fields ? { email: fields[0] as string, listId: fields[1] as string } : null;
}

/** Token for a preferences link naming an address. */
export function createAddressToken(secrets: readonly string[], email: string): string {
  return seal(secrets, 'address', [requireText(email, 'email')]);
}

/** Reads an address (preferences) token; null when not valid. */
export function readAddressToken(secrets: readonly string[], token: string): { email: string } | null {
  const fields = open(secrets, 'address', token, 1);
  return fields ? { email: fields[0] as string } : null;
}

/** Token for an invitation link; `expiresAt` is carried (ms precision) for the caller to check against now. */
export function createInvitationToken(secrets: readonly string[], invitation: { organizationId: string; email: string; expiresAt: Date }): string {
  const expiresAt = invitation.expiresAt;
  if (!(expiresAt instanceof Date) || Number.isNaN(expiresAt.getTime())) {
    throw new DomainError('invalid_token_input', 'expiresAt must be a valid Date.', 'expiresAt');
  }
  return seal(secrets, 'invitation', [requireText(invitation.organizationId, 'organizationId'), requireText(invitation.email, 'email'), String(expiresAt.getTime())]);
}

/** Reads an invitation token; null when not valid. Does NOT check expiry: compare `expiresAt` with now. */
export function readInvitationToken(secrets: readonly string[], token: string): { organizationId: string; email: string; expiresAt: Date } | null {
  const fields = open(secrets, 'invitation', token, 3);
  if (!fields) return null;
  const expiresAt = new Date(Number(fields[2]));
  return Number.isNaN(expiresAt.getTime()) ? null : { organizationId: fields[0] as string, email: fields[1] as string, expiresAt };
}

/** Token for a newsletter double-opt-in confirmation link. */
export function createConfirmToken(secrets: readonly string[], email: string): string {
  return seal(secrets, 'confirm', [requireText(email, 'email')]);
}

/** Reads a newsletter confirmation token; null when not valid. */
export function readConfirmToken(secrets: readonly string[], token: string): { email: string } | null {
  const fields = open(secrets, 'confirm', token, 1);
  return fields ? { email: fields[0] as string } : null;
}

/**
 * Token for confirming one requested change of a confirmed subscriber's newsletter topics: names the
 * address and the pending change (`changeId`, the database row holding the new topic set), so
 * confirming applies exactly the set that email described.
 */
export function createTopicChangeToken(secrets: readonly string[], email: string, changeId: number): string {
  if (!Number.isSafeInteger(changeId) || changeId <= 0) throw new DomainError('invalid_token_input', 'changeId must be a positive integer.', 'changeId');
  return seal(secrets, 'topic-change', [requireText(email, 'email'), String(changeId)]);
}

/** Reads a topic-change token; null when not valid. */
export function readTopicChangeToken(secrets: readonly string[], token: string): { email: string; changeId: number } | null {
  const fields = open(secrets, 'topic-change', token, 2);
  if (!fields) return null;
  const changeId = Number(fields[1]);
  return Number.isSafeInteger(changeId) && changeId > 0 ? { email: fields[0] as string, changeId } : null;
}

/** Lower-case hex SHA-256 of `text` (UTF-8), e.g. for `invitations.tokenHash`. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
