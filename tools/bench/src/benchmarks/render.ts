/**
 * Render time, CPU µs per email: single emails (reminders in every shipped language, newsletters),
 * and reminder digests: CPU µs per email for a digest of 1 order (sent as the
 * single-order email, the `license-reminder` template), 5 and 20 orders (the `reminder-digest`
 * template). Like the single-email figure, CPU time, so other processes do not inflate it.
 */
import { SUPPORTED_LOCALES } from '@tickler/domain';
import { renderEmail, REMINDER_DIGEST_TEMPLATE, translator, type TemplateSet } from '@tickler/mailer';

/** Sample data of template `name`'s `variant`, written in English (the figures render it in every language). */
const sampleOf = (templates: TemplateSet, name: string, variant: string) => templates.templates.get(name)!.definition.sample(variant, 'en', translator(templates, 'en'));

/** µs of CPU per email, rendering reminders (every shipped language in turn) and newsletters alternately. */
export function benchRender(templates: TemplateSet, n: number): number {
  const reminder = sampleOf(templates, 'license-reminder', 'before');
  const newsletter = sampleOf(templates, 'newsletter-product-news', 'default');
  // Reminders in every shipped language: the `before` variant formats ICU plurals per email (subject, heading).
  const locales = SUPPORTED_LOCALES;
  for (let i = 0; i < 2_000; i += 1) renderEmail(templates, 'license-reminder', reminder, locales[i % locales.length]);
  // CPU time, so that other processes on the machine do not inflate the figure.
  const started = process.cpuUsage();
  for (let i = 0; i < n; i += 1) {
    if (i % 2 === 0) renderEmail(templates, 'license-reminder', { ...reminder, orderNumber: `ORD-${i}` }, locales[(i / 2) % locales.length]);
    else renderEmail(templates, 'newsletter-product-news', { ...newsletter, recipientEmail: `reader-${i}@bench-corp.example` });
  }
  const used = process.cpuUsage(started);
  return (used.user + used.system) / n;
}

export interface DigestRenderFigure { orders: number; template: string; microsPerEmail: number }

/** The template and data of a digest of `orders` orders (1: the single-order email). */
function digestOf(templates: TemplateSet, orders: number): { name: string; data: Record<string, unknown> } {
  if (orders === 1) return { name: 'license-reminder', data: sampleOf(templates, 'license-reminder', 'before') };
  const sample = sampleOf(templates, REMINDER_DIGEST_TEMPLATE, 'default') as { orders: Array<Record<string, unknown>> };
  const items = Array.from({ length: orders }, (_, i) => ({ ...sample.orders[i % sample.orders.length], orderNumber: `ORD-${1001 + i}` }));
  return { name: REMINDER_DIGEST_TEMPLATE, data: { ...sample, orders: items, count: orders } };
}

/** µs of CPU per rendered email for digests of 1, 5 and 20 orders, `n` renders each (after a warm-up). */
export function benchDigestRender(templates: TemplateSet, n: number, sizes: number[] = [1, 5, 20]): DigestRenderFigure[] {
  return sizes.map((orders) => {
    const { name, data } = digestOf(templates, orders);
    for (let i = 0; i < 500; i += 1) renderEmail(templates, name, data);
    const started = process.cpuUsage();
    for (let i = 0; i < n; i += 1) renderEmail(templates, name, { ...data, recipientEmail: `reader-${i}@bench-corp.example` });
    const used = process.cpuUsage(started);
    return { orders, template: name, microsPerEmail: (used.user + used.system) / n };
  });
}

/** Prints one line per digest size; returns the figures. */
export function printDigestRender(figures: DigestRenderFigure[], print: (line: string) => void): DigestRenderFigure[] {
  for (const d of figures) print(`  render digest: ${String(d.orders).padStart(2)} order(s): ${d.microsPerEmail.toFixed(1)} µs CPU/email (${d.template})`);
  return figures;
}
