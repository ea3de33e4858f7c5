/**
 * Admin browser sessions: what the `tickler_admin` cookie holds instead of the admin token itself.
 * A session is `v1.<expiry, unix seconds>.<random id>.<HMAC-SHA256>`, signed with a key derived from
 * ADMIN_TOKEN, so a stolen cookie never reveals the token, expires on its own, and every session
 * ends when the token is rotated. Nothing is stored server-side.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** How long a browser session lasts: 12 hours. */
export const ADMIN_SESSION_TTL_MS = 12 * 3_600_000;

const SHAPE = /^v1\.(\d{1,12})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

export type AdminSessionCheck = { ok: true; expiresAt: Date } | { ok: false; reason: 'malformed' | 'forged' | 'expired' };

/** The signing key: derived, so the token itself is never used as a MAC key for anything else. */
function sessionKey(adminToken: string): Buffer {
  return createHmac('sha256', adminToken).update('tickler admin session key v1').digest();
}

function mac(adminToken: string, payload: string): Buffer {
  return createHmac('sha256', sessionKey(adminToken)).update(payload).digest();
}

/**
 * A new session value valid from `now` for `ttlMs` (default 12 h).
 * @throws Error when `adminToken` is empty (a key derived from nothing would be forgeable)
 */
export function createAdminSession(adminToken: string, now: Date, ttlMs = ADMIN_SESSION_TTL_MS): string {
  if (!adminToken) throw new Error('createAdminSession: ADMIN_TOKEN is empty');
  const payload = `v1.${Math.floor((now.getTime() + ttlMs) / 1000)}.${randomBytes(16).toString('base64url')}`;
  return `${payload}.${mac(adminToken, payload).toString('base64url')}`;
}

/** Checks a cookie value at `now`: well-formed, signed with this ADMIN_TOKEN's key, not expired. */
export function verifyAdminSession(adminToken: string, value: string, now: Date): AdminSessionCheck {
  const match = SHAPE.exec(value);
  if (!match) return { ok: false, reason: 'malformed' };
  if (!adminToken) return { ok: false, reason: 'forged' };
  const payload = value.slice(0, value.lastIndexOf('.'));
  // The signature's text is compared, not its decoded bytes: base64url's last character has unused
  // bits, so several spellings decode to one MAC, and a session has exactly one spelling.
  const given = Buffer.from(match[3] as string, 'utf8');
  const expected = Buffer.from(mac(adminToken, payload).toString('base64url'), 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'forged' };
  const expiresAt = new Date(Number(match[1]) * 1000);
  return expiresAt.getTime() > now.getTime() ? { ok: true, expiresAt } : { ok: false, reason: 'expired' };
}
