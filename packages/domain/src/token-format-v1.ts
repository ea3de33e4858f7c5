/**
 * The first token format, kept so that links already sent keep working (tokens never expire):
 * `base64url(0x01 ‖ tag ‖ AES-256-CTR(JSON array of strings))`, the tag being the first 16 bytes
 * of HMAC-SHA256 over the JSON and also the IV. New tokens use the compact format (tokens.ts);
 * this one is only read — and re-created for invitations whose stored hash is of a v1 token.
 */
import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { tokenKeys, type TokenPurpose } from './token-keys';

export const V1 = 1;
const TAG_BYTES = 16;

/** A v1 token of `fields` signed with `secret`, byte for byte as the first format wrote it. */
export function sealV1(secret: string, purpose: TokenPurpose, fields: string[]): string {
  const { enc, mac } = tokenKeys('tickler-token-v1', secret, purpose);
  const plain = Buffer.from(JSON.stringify(fields), 'utf8');
  const tag = createHmac('sha256', mac).update(plain).digest().subarray(0, TAG_BYTES);
  const cipher = createCipheriv('aes-256-ctr', enc, tag);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([Buffer.from([V1]), tag, body]).toString('base64url');
}

/** The fields of a decoded v1 token (`raw[0] === V1`), or null when no secret verifies it or it has another arity. */
export function openV1(secrets: readonly string[], purpose: TokenPurpose, raw: Buffer, arity: number): string[] | null {
  if (raw.length <= 1 + TAG_BYTES || raw[0] !== V1) return null;
  const tag = raw.subarray(1, 1 + TAG_BYTES);
  const body = raw.subarray(1 + TAG_BYTES);
  for (const secret of secrets) {
    const { enc, mac } = tokenKeys('tickler-token-v1', secret, purpose);
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
