import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether a presented secret (API key, admin token) equals the configured one, in constant time:
 * both are hashed first, so neither their content nor their lengths show in the timing.
 */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}
