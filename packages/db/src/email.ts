/**
 * Every address that reaches the database is normalised the same way, so lookups match however a
 * caller spelled it. New identities (users, invitations, subscriptions) use the strict domain rule,
 * which rejects a malformed address with DomainError `invalid_email`; lookups and ledger entries use
 * `emailKey`, which never throws (a malformed address then simply matches nothing).
 */
import { DomainError, normalizeEmail } from '@tickler/domain';

export { normalizeEmail };

/** `normalizeEmail` when the address is valid, otherwise trimmed and lower-cased. */
export function emailKey(raw: string): string {
  try {
    return normalizeEmail(raw);
  } catch (error) {
    if (error instanceof DomainError) return raw.trim().toLowerCase();
    throw error;
  }
}
