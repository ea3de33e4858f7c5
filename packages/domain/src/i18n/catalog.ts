/**
 * Message catalogs: per locale, sections (`layout`, a template's name, `pages`) of ICU
 * MessageFormat messages. This module checks them against each other — every locale has every
 * message of the reference locale and uses the same arguments in it — without formatting anything.
 */
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';

/** Section → message key → ICU message. */
export type MessageCatalog = Readonly<Record<string, Readonly<Record<string, string>>>>;

export interface CatalogIssue {
  locale: string;
  /** `section.key` */
  key: string;
  message: string;
}

function collectArguments(elements: MessageFormatElement[], into: Set<string>): void {
  for (const element of elements) {
    if (element.type === TYPE.literal || element.type === TYPE.pound) continue;
    if (element.type === TYPE.tag) {
      collectArguments(element.children, into);
      continue;
    }
    into.add(element.value);
    if (element.type === TYPE.plural || element.type === TYPE.select) {
      for (const option of Object.values(element.options)) collectArguments(option.value, into);
    }
  }
}

/** The argument names a message uses (`{product}`, `{days, plural, …}` → product, days); throws on a syntax error. */
export function messageArguments(message: string): Set<string> {
  const args = new Set<string>();
  collectArguments(parse(message, { requiresOtherClause: true }), args);
  return args;
}

/** Every `section.key` of a catalog. */
export function catalogKeys(catalog: MessageCatalog): string[] {
  return Object.entries(catalog).flatMap(([section, messages]) => Object.keys(messages).map((key) => `${section}.${key}`));
}

/** The message of `section.key` (the section is the part before the first dot), or undefined. */
export function lookupMessage(catalog: MessageCatalog, key: string): string | undefined {
  const dot = key.indexOf('.');
  if (dot <= 0) return undefined;
  const section = catalog[key.slice(0, dot)];
  const message = section?.[key.slice(dot + 1)];
  return typeof message === 'string' ? message : undefined;
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

const list = (names: Set<string>) => (names.size === 0 ? 'none' : [...names].sort().map((n) => `{${n}}`).join(', '));

/**
 * Problems between catalogs: a message of `reference` missing in another locale, a message no
 * longer in `reference` (a leftover), a syntax error, or arguments that differ from the
 * reference's. Empty when all locales agree.
 */
export function compareCatalogs(catalogs: ReadonlyMap<string, MessageCatalog>, reference: string): CatalogIssue[] {
  const base = catalogs.get(reference);
  if (!base) return [{ locale: reference, key: '(catalog)', message: 'the reference catalog is missing' }];
  const issues: CatalogIssue[] = [];
  const argsOf = (locale: string, key: string, message: string): Set<string> | null => {
    try {
      return messageArguments(message);
    } catch (err) {
      issues.push({ locale, key, message: `not valid ICU MessageFormat: ${(err as Error).message}` });
      return null;
    }
  };
  const baseArgs = new Map<string, Set<string> | null>();
  for (const key of catalogKeys(base)) baseArgs.set(key, argsOf(reference, key, lookupMessage(base, key) as string));
  for (const [locale, catalog] of catalogs) {
    if (locale === reference) continue;
    for (const [key, expected] of baseArgs) {
      const message = lookupMessage(catalog, key);
      if (message === undefined) {
        issues.push({ locale, key, message: `message missing (${reference} has it)` });
        continue;
      }
      const actual = argsOf(locale, key, message);
      if (expected && actual && !sameSet(expected, actual)) {
        issues.push({ locale, key, message: `placeholders ${list(actual)} differ from ${reference}'s ${list(expected)}` });
      }
    }
    for (const key of catalogKeys(catalog)) {
      if (!baseArgs.has(key)) issues.push({ locale, key, message: `message not in ${reference} (a leftover or a typo)` });
    }
  }
  return issues;
}
