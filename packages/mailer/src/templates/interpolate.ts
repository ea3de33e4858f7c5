/**
 * The tiny template language on top of MJML, applied in two phases:
 * - load time: `{{#flag}}…{{/flag}}` sections are kept or blanked per variant (`selectSections`),
 *   before MJML compiles; blanked text keeps its newlines so MJML's line numbers stay true;
 * - send time: `{{name}}` placeholders in the compiled HTML/text are filled with escaped values by a
 *   precompiled function (`compileInterpolation`): a join of static parts, no parsing per email.
 */

import { escapeHtml, toOneLine } from '@tickler/domain';

const SECTION = /\{\{#([a-z][a-zA-Z0-9-]*)\}\}([\s\S]*?)\{\{\/\1\}\}/g;
const PLACEHOLDER = /\{\{\s*([a-zA-Z][a-zA-Z0-9]*)\s*\}\}/g;

/** Keeps sections whose flag is on and blanks the others (newlines kept). */
export function selectSections(source: string, flags: ReadonlySet<string>): string {
  let out = source;
  // Loop so nested sections of different flags resolve too.
  for (let guard = 0; guard < 10 && out.includes('{{#'); guard += 1) {
    const next = out.replace(SECTION, (_m, flag: string, body: string) => (flags.has(flag) ? body : body.replace(/[^\n]/g, '')));
    if (next === out) break;
    out = next;
  }
  return out;
}

/** Section tags left after `selectSections` (unclosed or mismatched), with their 1-based line. */
export function findUnbalancedSections(source: string): Array<{ line: number; tag: string }> {
  const out: Array<{ line: number; tag: string }> = [];
  for (const m of source.matchAll(/\{\{[#/][^}]*\}\}/g)) out.push({ line: lineAt(source, m.index), tag: m[0] });
  return out;
}

/** Every placeholder name used in `source`, with the line of its first use. */
export function findPlaceholders(source: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of source.matchAll(PLACEHOLDER)) {
    const name = m[1] as string;
    if (!out.has(name)) out.set(name, lineAt(source, m.index));
  }
  return out;
}

function lineAt(source: string, index: number): number {
  let line = 1;
  for (let i = source.indexOf('\n'); i !== -1 && i < index; i = source.indexOf('\n', i + 1)) line += 1;
  return line;
}

/**
 * A value in the HTML part: one clean line (the domain's `toOneLine`), then HTML-escaped. Every
 * template value is a one-line field (names, dates, links); multi-line content lives in the
 * templates themselves, which are trusted.
 */
export function escapeHtmlLine(value: string): string {
  return escapeHtml(toOneLine(value));
}

export type Escape = (value: string) => string;
export type Interpolation = (values: Readonly<Record<string, unknown>>) => string;

/**
 * Precompiles `source` into static parts and placeholder names. The returned function throws when a
 * value is missing (a template/schema mismatch is a bug, not something to send).
 */
export function compileInterpolation(source: string, escape: Escape): Interpolation {
  const statics: string[] = [];
  const names: string[] = [];
  let last = 0;
  for (const m of source.matchAll(PLACEHOLDER)) {
    statics.push(source.slice(last, m.index));
    names.push(m[1] as string);
    last = m.index + m[0].length;
  }
  statics.push(source.slice(last));
  const count = names.length;
  return (values) => {
    let out = statics[0] as string;
    for (let i = 0; i < count; i += 1) {
      const name = names[i] as string;
      const value = values[name];
      if (value === undefined || value === null) throw new Error(`Template value "${name}" is missing.`);
      out += escape(typeof value === 'string' ? value : String(value)) + (statics[i + 1] as string);
    }
    return out;
  };
}

/** Resolves `{{> relative/path}}` includes in text templates through `read` (one level deep). */
export function resolveTextIncludes(source: string, read: (path: string) => string): string {
  return source.replace(/\{\{>\s*([^}\s]+)\s*\}\}/g, (_m, path: string) => read(path).replace(/\n$/, ''));
}
