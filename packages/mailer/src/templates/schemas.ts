/**
 * The data each email template receives, as zod schemas, plus what the loader needs to know about
 * a template: its variants (compiled separately: reminders differ before / on / after expiry) and
 * its section flags (`{{#list}}` in the shared footer is kept only for list mail). Every
 * `{{placeholder}}` a template uses must be a key of its schema; `checkTemplates` enforces that.
 */
import { z } from 'zod';
import { joinList, REMINDER_KINDS, reminderKind, reminderVariant as reminderVariantOf, type ReminderKind, type SupportedLocale, type Translate } from '@tickler/domain';
import { displayDate, displayInstant } from './dates';

/** Links in emails: web or mail links only (never `javascript:`). */
const link = z.url({ protocol: /^(https?|mailto)$/ });
const text = z.string().min(1);

const footerFields = { supportEmail: text, recipientEmail: text };
/** Fields of list mail (reminders, newsletters): the footer's unsubscribe and preferences links. */
const listFooterFields = { ...footerFields, listName: text, unsubscribeUrl: link, preferencesUrl: link };

export const REMINDER_VARIANTS = ['before', 'on', 'after'] as const;
export type ReminderVariant = (typeof REMINDER_VARIANTS)[number];

export const reminderEmailSchema = z.object({
  variant: z.enum(REMINDER_VARIANTS),
  orderNumber: text,
  product: text,
  organizationName: text,
  /** Expiry date as shown to the reader, e.g. "31 January 2027". */
  expiresOn: text,
  /** Whole days from the send day to the expiry day (negative once expired). */
  daysLeft: z.number().int(),
  /** |daysLeft|: the messages say "in 14 days" / "7 days ago" with the locale's plural rules. */
  days: z.number().int().nonnegative(),
  renewUrl: link,
  ...listFooterFields,
});

/** One order of a reminder digest: what a single reminder email says about it, plus its own unsubscribe link. */
export const reminderDigestItemSchema = z.object({
  variant: z.enum(REMINDER_VARIANTS),
  kind: z.enum(REMINDER_KINDS as unknown as [ReminderKind, ...ReminderKind[]]),
  orderNumber: text,
  product: text,
  expiresOn: text,
  daysLeft: z.number().int(),
  /** |daysLeft|, for the plural messages ("in 14 days", "7 days ago"). */
  days: z.number().int().nonnegative(),
  renewUrl: link,
  /** Leaves this order's renewal list only ("stop reminders for this order"). */
  unsubscribeUrl: link,
});

/** Several reminders of one organization due together for one person (REMINDER_DIGEST=on). */
export const reminderDigestEmailSchema = z.object({
  organizationName: text,
  /** How many renewals (reminders: an order's license and maintenance count apart) the email names; at least two — one is a single reminder email. */
  count: z.number().int().min(2),
  orders: z.array(reminderDigestItemSchema).min(2).max(1_000),
  /** Leaves every list the email names (the one-click link of the digest). */
  unsubscribeUrl: link,
  preferencesUrl: link,
  ...footerFields,
});

export const invitationEmailSchema = z.object({
  organizationName: text,
  inviterEmail: text,
  acceptUrl: link,
  /** Last day the invitation can be accepted, as shown to the reader. */
  expiresOn: text,
  ...footerFields,
});

export const newsletterConfirmationEmailSchema = z.object({
  /** The chosen topics as one readable phrase, e.g. "Product news and Events". */
  topics: text,
  confirmUrl: link,
  ...footerFields,
});

export const topicChangeConfirmationEmailSchema = z.object({
  /** The requested topics as one readable phrase. */
  topics: text,
  /** The topics the subscriber receives now, as one readable phrase. */
  currentTopics: text,
  confirmUrl: link,
  ...footerFields,
});

export const newsletterEmailSchema = z.object({
  topic: text,
  topicLabel: text,
  publicBaseUrl: link,
  ...listFooterFields,
});

export type ReminderEmailData = z.infer<typeof reminderEmailSchema>;
export type ReminderDigestEmailData = z.infer<typeof reminderDigestEmailSchema>;
export type ReminderDigestItem = z.infer<typeof reminderDigestItemSchema>;
export type InvitationEmailData = z.infer<typeof invitationEmailSchema>;
export type NewsletterConfirmationEmailData = z.infer<typeof newsletterConfirmationEmailSchema>;
export type NewsletterEmailData = z.infer<typeof newsletterEmailSchema>;
export type TopicChangeConfirmationEmailData = z.infer<typeof topicChangeConfirmationEmailSchema>;

export interface TemplateDefinition {
  schema: z.ZodObject;
  /** Compiled separately; the variant name is also a section flag (`{{#before}}…{{/before}}`). */
  variants: readonly string[];
  /** Section flags that are on for every variant, e.g. `list`. */
  flags: readonly string[];
  /** Which variant a data object selects. */
  variantOf: (data: Record<string, unknown>) => string;
  /**
   * Sample data for previews, test sends and tests, written as a real email in `locale` writes it:
   * dates in that language, list names by `t` (the set's messages in `locale`, see `translator`).
   */
  sample: (variant: string, locale: SupportedLocale, t: Translate) => Record<string, unknown>;
  /** List mail: the footer's list name, from the email's own values, as real emails name it (samples made longer are named again by it). */
  listName?: (data: Record<string, unknown>, t: Translate) => string;
}

/** The footer's name of an order's renewal list, e.g. "Renewal reminders for order ORD-1001", in the language of `t`. */
export function renewalListName(t: Translate, orderNumber: string): string {
  return t('lists.renewal', { orderNumber });
}

/** The footer's name of a newsletter topic's list, e.g. "Newsletter: Product news" (`topicLabel` as configured), in the language of `t`. */
export function newsletterListName(t: Translate, topicLabel: string): string {
  return t('lists.newsletter', { topic: topicLabel });
}

export const DEFAULT_VARIANT = 'default';
const single = () => DEFAULT_VARIANT;
// Placeholders that say what they are: previews are never sent; a test send replaces every link and address (test-send/test-values.ts).
const SAMPLE_BASE = 'https://tickler.example.com';
const sampleFooter = { supportEmail: 'support@example.com', recipientEmail: 'ann@acme.example' };
const sampleListFooter = (listName: string) => ({
  ...sampleFooter, listName,
  unsubscribeUrl: `${SAMPLE_BASE}/u/SAMPLE-LIST-TOKEN`, preferencesUrl: `${SAMPLE_BASE}/preferences/SAMPLE-ADDRESS-TOKEN`,
});

const sampleDays: Record<ReminderVariant, number> = { before: 14, on: 0, after: -7 };

/** Every reminder kind's template takes the same data (the kind table names the template). */
const REMINDER_DEFINITION: TemplateDefinition = {
  schema: reminderEmailSchema,
  variants: REMINDER_VARIANTS,
  flags: ['list'],
  variantOf: (data) => String(data.variant),
  sample: (variant, locale, t) => {
    const daysLeft = sampleDays[variant as ReminderVariant] ?? 14;
    return {
      variant: variant as ReminderVariant, orderNumber: 'ORD-1001', product: 'Barcode Reader SDK', organizationName: 'Acme',
      expiresOn: displayDate('2027-01-31', locale), daysLeft, days: Math.abs(daysLeft),
      renewUrl: 'https://shop.example.com/renew?order=ORD-1001', ...sampleListFooter(renewalListName(t, 'ORD-1001')),
    } satisfies ReminderEmailData;
  },
  listName: (data, t) => renewalListName(t, String(data.orderNumber)),
};

/** The template of a reminder digest. */
export const REMINDER_DIGEST_TEMPLATE = 'reminder-digest';

const sampleDigestItem = (locale: SupportedLocale, orderNumber: string, kind: ReminderKind, product: string, daysLeft: number): ReminderDigestItem => ({
  variant: reminderVariantOf(daysLeft), kind, orderNumber, product, expiresOn: displayDate('2027-01-31', locale), daysLeft, days: Math.abs(daysLeft),
  renewUrl: `https://shop.example.com/renew?order=${orderNumber}`, unsubscribeUrl: `${SAMPLE_BASE}/u/SAMPLE-LIST-TOKEN-${orderNumber}`,
});

const DEFINITIONS: Record<string, TemplateDefinition> = {
  ...Object.fromEntries(REMINDER_KINDS.map((kind) => [reminderKind(kind).template, REMINDER_DEFINITION])),
  [REMINDER_DIGEST_TEMPLATE]: {
    schema: reminderDigestEmailSchema, variants: [DEFAULT_VARIANT], flags: [], variantOf: single,
    // Before, on and after expiry, license and maintenance: every per-order wording in one preview.
    sample: (_variant, locale) => {
      const orders = [
        sampleDigestItem(locale, 'ORD-1001', 'license', 'Barcode Reader SDK', 14),
        sampleDigestItem(locale, 'ORD-1002', 'maintenance', 'Document Scanner SDK', 0),
        sampleDigestItem(locale, 'ORD-1003', 'license', 'Label Printer SDK', -1),
      ];
      return {
        organizationName: 'Acme', count: orders.length, orders, ...sampleFooter,
        unsubscribeUrl: `${SAMPLE_BASE}/u/SAMPLE-DIGEST-TOKEN`, preferencesUrl: `${SAMPLE_BASE}/preferences/SAMPLE-ADDRESS-TOKEN`,
      } satisfies ReminderDigestEmailData;
    },
  },
  invitation: {
    schema: invitationEmailSchema, variants: [DEFAULT_VARIANT], flags: [], variantOf: single,
    sample: (_variant, locale) => ({
      organizationName: 'Acme', inviterEmail: 'ann@acme.example', acceptUrl: `${SAMPLE_BASE}/invitations/SAMPLE-INVITATION-TOKEN`,
      expiresOn: displayInstant(new Date('2026-12-11T10:00:00Z'), locale), ...sampleFooter,
    } satisfies InvitationEmailData),
  },
  'newsletter-confirmation': {
    schema: newsletterConfirmationEmailSchema, variants: [DEFAULT_VARIANT], flags: [], variantOf: single,
    sample: (_variant, locale) => ({ topics: joinList(locale, ['Product news', 'Events']), confirmUrl: `${SAMPLE_BASE}/newsletter/confirm/SAMPLE-CONFIRM-TOKEN`, ...sampleFooter } satisfies NewsletterConfirmationEmailData),
  },
  // Not `newsletter-…`: that prefix names broadcast templates.
  'topic-change-confirmation': {
    schema: topicChangeConfirmationEmailSchema, variants: [DEFAULT_VARIANT], flags: [], variantOf: single,
    sample: (_variant, locale) => ({
      topics: joinList(locale, ['Product news', 'Events']), currentTopics: 'Security advisories', confirmUrl: `${SAMPLE_BASE}/newsletter/confirm/SAMPLE-TOPIC-CHANGE-TOKEN`, ...sampleFooter,
    } satisfies TopicChangeConfirmationEmailData),
  },
};

/** Every newsletter other than the confirmation is a broadcast template named `newsletter-<name>`. */
const NEWSLETTER_DEFINITION: TemplateDefinition = {
  schema: newsletterEmailSchema, variants: [DEFAULT_VARIANT], flags: ['list'], variantOf: single,
  sample: (_variant, _locale, t) => ({
    topic: 'product-news', topicLabel: 'Product news', publicBaseUrl: SAMPLE_BASE, ...sampleListFooter(newsletterListName(t, 'Product news')),
  } satisfies NewsletterEmailData),
  listName: (data, t) => newsletterListName(t, String(data.topicLabel)),
};

/** The definition of a template by file name (without `.mjml`), or null when no schema describes it. */
export function templateDefinition(name: string): TemplateDefinition | null {
  if (Object.hasOwn(DEFINITIONS, name)) return DEFINITIONS[name] ?? null;
  return /^newsletter-[a-z0-9-]+$/.test(name) ? NEWSLETTER_DEFINITION : null;
}

/**
 * True when the template file `name` (without `.mjml`) is a broadcast template: the one rule
 * `newsletter send --template` checks before enqueueing and the mailer applies to every broadcast.
 */
export function isNewsletterTemplate(name: string): boolean {
  return templateDefinition(name) === NEWSLETTER_DEFINITION;
}

/** The template a reminder of `kind` uses. */
export function reminderTemplateName(kind: ReminderKind): string {
  return reminderKind(kind).template;
}

/** The template a broadcast uses: `newsletter send --template product-news` → `newsletter-product-news`. */
export function newsletterTemplateName(template: string): string {
  return template.startsWith('newsletter-') ? template : `newsletter-${template}`;
}
