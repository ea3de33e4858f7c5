/** HTML escaping for pages and emails: one definition, so every place escapes the same characters. */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const NEEDS_ESCAPE = /[&<>"']/;

/** Escapes `text` for HTML content and (double- or single-quoted) attribute values. */
export function escapeHtml(text: string): string {
  // Most values (dates, ids, names) have nothing to escape: skip the replace for them.
  return NEEDS_ESCAPE.test(text) ? text.replace(/[&<>"']/g, (c) => ENTITIES[c] as string) : text;
}
