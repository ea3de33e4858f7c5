/** The double opt-in email of a pending newsletter subscription. */
import { joinList, topicLabel, type SupportedLocale } from '@tickler/domain';
import { renderEmail, translator, type NewsletterConfirmationEmailData, type TemplateSet } from '../../templates';
import { confirmUrl } from '../links';
import { recipientLocale } from './locale';
import { transactionalEmail, type Composer } from './types';

/** Topic labels as one phrase in the email's language: "Product news, Security advisories and Events". */
export function joinTopics(templates: TemplateSet, locale: SupportedLocale, labels: string[]): string {
  if (labels.length === 0) return translator(templates, locale)('lists.ourNewsletter');
  return joinList(locale, labels);
}

export const composeConfirmation: Composer = async (deps, delivery) => {
  const { store, templates, config } = deps;
  const subscription = await store.newsletter.getById(delivery.sourceId);
  if (!subscription) return { skip: 'subscription-not-found' };
  if (subscription.status === 'confirmed') return { skip: 'already-confirmed' };
  const locale = await recipientLocale(deps, delivery.email, null, { signUpCounts: true });
  const labels = subscription.topics.map((id) => topicLabel(config.newsletterTopics, id, locale));
  const data: NewsletterConfirmationEmailData = {
    topics: joinTopics(templates, locale, labels),
    confirmUrl: confirmUrl(config, delivery.email),
    supportEmail: config.supportEmail,
    recipientEmail: delivery.email,
  };
  return transactionalEmail(config, delivery, renderEmail(templates, 'newsletter-confirmation', data, locale), { subscription: String(subscription.id) });
};
