/**
 * Formatting one message of a catalog with ICU MessageFormat (`intl-messageformat`): plurals,
 * selects, numbers by locale. Each message is parsed once per locale and kept.
 */
import { IntlMessageFormat } from 'intl-messageformat';
import { lookupMessage, type MessageCatalog } from './catalog';

export type MessageValues = Readonly<Record<string, string | number | Date>>;
/** Formats `key` (`section.key`) with `values`; plain text (escape it for HTML). */
export type Translate = (key: string, values?: MessageValues) => string;

/** Thrown for a key no catalog has: a bug in the caller (`tickler templates check` finds these). */
export class MissingMessageError extends Error {
  constructor(readonly locale: string, readonly key: string) {
    super(`No message "${key}" in the "${locale}" catalog.`);
    this.name = 'MissingMessageError';
  }
}

/**
 * A translator for `locale` over `catalog`, falling back to `fallback` (the reference catalog) for
 * a message the locale lacks, so one missing translation degrades to English rather than failing.
 */
export function createTranslator(locale: string, catalog: MessageCatalog, fallback?: MessageCatalog): Translate {
  const compiled = new Map<string, IntlMessageFormat>();
  return (key, values) => {
    let format = compiled.get(key);
    if (!format) {
      const message = lookupMessage(catalog, key) ?? (fallback ? lookupMessage(fallback, key) : undefined);
      if (message === undefined) throw new MissingMessageError(locale, key);
      format = new IntlMessageFormat(message, locale);
      compiled.set(key, format);
    }
    const out = format.format(values as Record<string, string | number | Date> | undefined);
    return typeof out === 'string' ? out : String(out);
  };
}

/** "A, B and C" in the locale's words (`Intl.ListFormat`); formatters are kept per locale. */
export function joinList(locale: string, items: readonly string[]): string {
  let format = listFormats.get(locale);
  if (!format) {
    format = new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' });
    listFormats.set(locale, format);
  }
  return format.format(items);
}
const listFormats = new Map<string, Intl.ListFormat>();
