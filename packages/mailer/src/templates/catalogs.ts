/**
 * The message catalogs of a templates folder: `messages/<locale>.json`, one per shipped locale,
 * each `{ "<section>": { "<key>": "<ICU message>" } }`. `en` is the reference: every other locale
 * must have each of its messages, with the same placeholders (`compareCatalogs`).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { compareCatalogs, SUPPORTED_LOCALES, type MessageCatalog, type SupportedLocale } from '@tickler/domain';
import type { TemplateIssue } from './compile-mjml';

/** The locale every template's messages are written in first, and checked against. */
export const REFERENCE_LOCALE: SupportedLocale = 'en';

export function catalogFile(dir: string, locale: string): string {
  return path.join(dir, 'messages', `${locale}.json`);
}

function shapeProblem(parsed: unknown): string | null {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'must be a JSON object of sections';
  for (const [section, messages] of Object.entries(parsed)) {
    if (typeof messages !== 'object' || messages === null || Array.isArray(messages)) return `section "${section}" must be an object of messages`;
    for (const [key, message] of Object.entries(messages as object)) {
      if (typeof message !== 'string') return `message "${section}.${key}" must be a string`;
    }
  }
  return null;
}

/** Reads and cross-checks every shipped locale's catalog of `dir`; problems come back as issues. */
export async function loadCatalogs(dir: string): Promise<{ catalogs: Map<SupportedLocale, MessageCatalog>; issues: TemplateIssue[] }> {
  const catalogs = new Map<SupportedLocale, MessageCatalog>();
  const issues: TemplateIssue[] = [];
  for (const locale of SUPPORTED_LOCALES) {
    const file = catalogFile(dir, locale);
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      issues.push({ file, line: null, message: `cannot read the ${locale} message catalog: ${(err as Error).message}` });
      continue;
    }
    const problem = shapeProblem(parsed);
    if (problem) issues.push({ file, line: null, message: problem });
    else catalogs.set(locale, parsed as MessageCatalog);
  }
  if (!catalogs.has(REFERENCE_LOCALE)) return { catalogs, issues };
  for (const issue of compareCatalogs(catalogs, REFERENCE_LOCALE)) {
    issues.push({ file: catalogFile(dir, issue.locale), line: null, message: `${issue.key}: ${issue.message}` });
  }
  return { catalogs, issues };
}
