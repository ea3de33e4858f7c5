/**
 * HTML built from tagged templates: every interpolated value is escaped unless it is already `Html`.
 * Values are one-line data (names, addresses, list labels): control and bidi formatting characters
 * are dropped first, so an organization named "Acme\u202Efdp.exe" cannot disguise itself on a page.
 */
import { escapeHtml, toOneLine } from '@tickler/domain';

export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

function render(value: unknown): string {
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(toOneLine(String(value)));
}

/** `html\`<p>${name}</p>\`` escapes `name`; nested `html` fragments and arrays of them are kept. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}
