/**
 * One spelling for a JSON value: object keys sorted (by UTF-16 code units, recursively), no
 * whitespace, numbers and strings as `JSON.stringify` writes them. Two bodies that parse to the
 * same value — one pretty-printed, one with its keys in another order — get the same text, so a
 * sender that re-serialises an event on retry can be recognised as sending the same event.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  // fromEntries defines own properties: a "__proto__" key in a body stays a key, not a prototype.
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]));
}
