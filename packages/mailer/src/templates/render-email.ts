/**
 * Renders one email from a loaded `TemplateSet`: validates the data against the template's schema,
 * picks the variant, and fills the precompiled subject, HTML and text (no MJML here; a few µs).
 */
import { createTranslator, matchLocale, type SupportedLocale, type Translate } from '@tickler/domain';
import { REFERENCE_LOCALE } from './catalogs';
import type { TemplateSet } from './load-templates';

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/** Bad template data (a bug in the caller, never a reason to retry). */
export class TemplateDataError extends Error {
  constructor(readonly template: string, detail: string) {
    super(`Data for email template "${template}" is invalid: ${detail}`);
    this.name = 'TemplateDataError';
  }
}

/**
 * The shipped locale for a BCP 47 tag (`de-AT` → `de`), else the set's default locale. Callers
 * that hold a fallback chain resolve it first (`resolveLocale` in the domain).
 */
export function emailLocale(set: TemplateSet, locale: string | null | undefined): SupportedLocale {
  return matchLocale(locale) ?? set.defaultLocale;
}

/**
 * Renders template `name` with `data` (see `schemas.ts` for each template's fields) in `locale`
 * (any BCP 47 tag; matched to a shipped locale, else the set's `defaultLocale`). Values are
 * HTML-escaped in the HTML part and made single-line in the subject.
 * @throws TemplateDataError when the template is unknown or the data does not match its schema.
 */
export function renderEmail(set: TemplateSet, name: string, data: Record<string, unknown>, locale?: string | null): RenderedEmail {
  const template = set.templates.get(name);
  if (!template) throw new TemplateDataError(name, `no such template in ${set.dir} (have: ${[...set.templates.keys()].join(', ')})`);
  const parsed = template.definition.schema.safeParse(data);
  if (!parsed.success) {
    throw new TemplateDataError(name, parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  }
  const values = parsed.data as Record<string, unknown>;
  const variantName = template.definition.variantOf(values);
  const variant = template.variants.get(variantName)?.get(emailLocale(set, locale));
  if (!variant) throw new TemplateDataError(name, `unknown variant "${variantName}"`);
  const filled = variant.slots.fill(values);
  return { subject: variant.subject(filled), html: variant.html(filled), text: variant.text(filled) };
}

const translators = new WeakMap<TemplateSet, Map<SupportedLocale, Translate>>();

/**
 * Formats single messages of the set's catalogs in `locale` (list names, "no topic"): for values
 * composed before rendering. One translator per (set, locale), its messages parsed once.
 */
export function translator(set: TemplateSet, locale: SupportedLocale): Translate {
  let bySet = translators.get(set);
  if (!bySet) {
    bySet = new Map();
    translators.set(set, bySet);
  }
  let t = bySet.get(locale);
  if (!t) {
    t = createTranslator(locale, set.catalogs.get(locale) ?? {}, set.catalogs.get(REFERENCE_LOCALE));
    bySet.set(locale, t);
  }
  return t;
}
