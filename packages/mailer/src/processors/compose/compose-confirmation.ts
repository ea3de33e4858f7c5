/** The double opt-in email of a pending newsletter subscription. */
import { topicLabel } from '@tickler/domain';
import { renderEmail, type NewsletterConfirmationEmailData } from '../../templates';
import { confirmUrl } from '../links';
import { transactionalEmail, type Composer } from './types';

/** Topic labels as one phrase: "Product news, Security advisories and Events". */
export function joinTopics(labels: string[]): string {
  if (labels.length <= 1) return labels[0] ?? 'our newsletter';
  return `${labels.slice(0, -1).join(', ')} and ${labels[labels.length - 1]}`;
}

export const composeConfirmation: Composer = async ({ store, templates, config }, delivery) => {
  const subscription = await store.newsletter.getById(delivery.sourceId);
  if (!subscription) return { skip: 'subscription-not-found' };
  if (subscription.status === 'confirmed') return { skip: 'already-confirmed' };
  const labels = subscription.topics.map((id) => topicLabel(config.newsletterTopics, id));
  const data: NewsletterConfirmationEmailData = {
    topics: joinTopics(labels),
    confirmUrl: confirmUrl(config, delivery.email),
    supportEmail: config.supportEmail,
    recipientEmail: delivery.email,
  };
  return transactionalEmail(config, delivery, renderEmail(templates, 'newsletter-confirmation', data), { subscription: String(subscription.id) });
};
