/**
 * Renders one email from a loaded `TemplateSet`: validates the data against the template's schema,
 * picks the variant, and fills the precompiled subject, HTML and text (no MJML here; a few µs).
 */
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
 * Renders template `name` with `data` (see `schemas.ts` for each template's fields). Values are
 * HTML-escaped in the HTML part and made single-line in the subject.
 * @throws TemplateDataError when the template is unknown or the data does not match its schema.
 */
export function renderEmail(set: TemplateSet, name: string, data: Record<string, unknown>): RenderedEmail {
  const template = set.templates.get(name);
  if (!template) throw new TemplateDataError(name, `no such template in ${set.dir} (have: ${[...set.templates.keys()].join(', ')})`);
  const parsed = template.definition.schema.safeParse(data);
  if (!parsed.success) {
    throw new TemplateDataError(name, parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  }
  const values = parsed.data as Record<string, unknown>;
  const variantName = template.definition.variantOf(values);
  const variant = template.variants.get(variantName);
  if (!variant) throw new TemplateDataError(name, `unknown variant "${variantName}"`);
  return { subject: variant.subject(values), html: variant.html(values), text: variant.text(values) };
}
