/**
 * Rendering for previews and test sends. `resolveTestRequest` is the ONE place a request becomes a
 * template and sample data: the admin preview page, `tickler templates preview`, `tickler templates
 * send-test` and the `test-send` job all come through it, in the locale asked for (one of
 * `supportedLocales()`). Previews render the sample as it is (`renderTestEmail`: placeholder links
 * and addresses); a test send makes them real first (test-values.ts).
 */
import { isDomainError, normalizeEmail } from '@tickler/domain';
import { isSupportedLocale, renderEmail, supportedLocales, type CompiledTemplate, type RenderedEmail, type TemplateSet } from '../templates';
import { sampleData, sampleNames } from './samples';

/** What to render: a template, a locale (see `supportedLocales()`), a named sample (see samples.ts). */
export interface TestEmailRequest {
  template: string;
  locale: string;
  sample: string;
}

/** One template in one locale, with the samples it can be rendered with. */
export interface PreviewEntry {
  template: string;
  locale: string;
  samples: string[];
}

/** A bad template, locale, sample or address: the message is one line naming it. */
export class TestSendInputError extends Error {
  override readonly name = 'TestSendInputError';
  constructor(readonly field: 'template' | 'locale' | 'sample' | 'to', message: string) {
    super(message);
  }
}

/** Every template × locale, templates by name, locales default first. */
export function listPreviews(set: TemplateSet): PreviewEntry[] {
  return [...set.templates.values()].flatMap((template) =>
    supportedLocales().map((locale) => ({ template: template.name, locale, samples: sampleNames(template) })));
}

/** The compiled template and sample data a request names. @throws TestSendInputError naming the bad part */
export function resolveTestRequest(set: TemplateSet, request: TestEmailRequest): { template: CompiledTemplate; data: Record<string, unknown> } {
  const template = set.templates.get(request.template);
  if (!template) throw new TestSendInputError('template', `unknown template "${request.template}" (templates: ${[...set.templates.keys()].join(', ')})`);
  if (!isSupportedLocale(request.locale)) throw new TestSendInputError('locale', `unsupported locale "${request.locale}" (locales: ${supportedLocales().join(', ')})`);
  const data = sampleData(set, template, request.sample, request.locale);
  if (!data) throw new TestSendInputError('sample', `template "${template.name}" has no sample "${request.sample}" (samples: ${sampleNames(template).join(', ')})`);
  return { template, data };
}

/**
 * Renders `request` with its sample data as it is, for a preview. The subject is the template's
 * own, without the `[TEST] ` prefix.
 * @throws TestSendInputError for an unknown template, locale or sample
 */
export function renderTestEmail(set: TemplateSet, request: TestEmailRequest): RenderedEmail {
  const { template, data } = resolveTestRequest(set, request);
  return renderEmail(set, template.name, data, request.locale);
}

/** The normalized address a test goes to. @throws TestSendInputError naming the address and what is wrong */
export function testAddress(to: string): string {
  try {
    return normalizeEmail(to);
  } catch (error) {
    if (isDomainError(error)) throw new TestSendInputError('to', `address: ${error.message}`);
    throw error;
  }
}

/** What the admin preview page is given (the HTTP edge renders nothing itself). */
export interface TemplatePreviews {
  list(): PreviewEntry[];
  /** @throws TestSendInputError */
  render(request: TestEmailRequest): RenderedEmail;
  /** Null when a test send of `request` to `to` can be asked for, else the bad field and a one-line reason. */
  problem(request: TestEmailRequest & { to: string }): { field: TestSendInputError['field']; message: string } | null;
}

export function makeTemplatePreviews(set: TemplateSet): TemplatePreviews {
  return {
    list: () => listPreviews(set),
    render: (request) => renderTestEmail(set, request),
    problem(request) {
      try {
        resolveTestRequest(set, request);
        testAddress(request.to);
        return null;
      } catch (error) {
        if (error instanceof TestSendInputError) return { field: error.field, message: error.message };
        throw error;
      }
    },
  };
}
