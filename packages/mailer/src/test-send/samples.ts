/**
 * Named sample data for previews and test sends, per template — one set of names, used by
 * `templates preview` (file names), the admin page and `templates send-test --sample`:
 * - `default`: the template's own sample (schemas.ts), first variant (reminders: before expiry);
 * - `long`: the same with the longest values a recipient can have — a 254-character address, long
 *   product and order names, non-Latin organization and topic names — to see wrapping and escaping;
 * - for templates with several variants, one sample per further variant (reminders: `on` for the
 *   expiry day, `after` once expired).
 * Every sample is written as a real email in its locale writes it: dates, list names, topic lists.
 */
import { joinList, type SupportedLocale } from '@tickler/domain';
import { translator, type CompiledTemplate, type TemplateSet } from '../templates';

export const DEFAULT_SAMPLE = 'default';
export const LONG_SAMPLE = 'long';

/** Sample names and what they show, for `--help` and the admin page. */
export const SAMPLE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  [DEFAULT_SAMPLE]: 'typical values (reminders: before expiry)',
  [LONG_SAMPLE]: '254-character address, long product and order names, non-Latin names',
  on: 'reminders only: the expiry day',
  after: 'reminders only: after expiry',
};

/** The longest address allowed (254 characters: 64 before the "@", labels of at most 63). */
export const LONGEST_ADDRESS = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(53)}.example`;

/** Long values by field; topic phrases joined the way `locale` joins a list, as real emails join them. */
const longValues = (locale: SupportedLocale): Record<string, string> => ({
  recipientEmail: LONGEST_ADDRESS,
  inviterEmail: LONGEST_ADDRESS,
  product: 'Barcode Reader SDK Enterprise Edition with Document Scanning, Mobile Capture and Priority Support (Unlimited Developers, 3-Year Term)',
  organizationName: '株式会社東京バーコード研究所 · Ελληνική Εταιρεία Σάρωσης · Müller & Söhne Großhandel GmbH',
  topics: joinList(locale, ['Product news', 'Security advisories', 'Events and webinars', 'Release notes', '製品ニュース']),
  currentTopics: joinList(locale, ['Security advisories', 'Events and webinars', '製品ニュース']),
  topicLabel: 'Produktneuigkeiten und Sicherheitshinweise · 製品ニュース',
  orderNumber: 'ORD-2026-0000001234567',
});

/** `values` with every field `long` names made long, in list items too (a digest's orders). */
function lengthen(values: Record<string, unknown>, long: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => {
    if (Object.hasOwn(long, key)) return [key, long[key]];
    return [key, Array.isArray(value) ? value.map((item: unknown) => (typeof item === 'object' && item !== null ? lengthen(item as Record<string, unknown>, long) : item)) : value];
  }));
}

/** The sample names a template offers: default, long, then its further variants. */
export function sampleNames(template: CompiledTemplate): string[] {
  return [DEFAULT_SAMPLE, LONG_SAMPLE, ...template.definition.variants.slice(1)];
}

/**
 * The data of sample `name` for `template` of `set` in `locale` (dates, list names and topic lists
 * as real emails in that language write them), or null when the template has no such sample.
 */
export function sampleData(set: TemplateSet, template: CompiledTemplate, name: string, locale: SupportedLocale): Record<string, unknown> | null {
  const { definition } = template;
  const t = translator(set, locale);
  const first = definition.variants[0]!;
  if (name === DEFAULT_SAMPLE) return definition.sample(first, locale, t);
  if (name === LONG_SAMPLE) {
    const long = lengthen(definition.sample(first, locale, t), longValues(locale));
    // The list is named after the (now long) order or topic, as a real email names it.
    return definition.listName ? { ...long, listName: definition.listName(long, t) } : long;
  }
  return definition.variants.includes(name) && name !== first ? definition.sample(name, locale, t) : null;
}
