/**
 * Every address that reaches the database is normalised the same way, so lookups match however
 * a caller spelled it.
 */
export function normalizeEmail(raw: string): string {
  return raw.trim().toLowerCase();
}
