/** One newsletter (broadcast) to one confirmed subscriber of its topic. */
import { newsletterListId, newsletterListLabel, topicLabel } from '@tickler/domain';
import { newsletterEmailSchema, newsletterTemplateName, renderEmail, type NewsletterEmailData } from '../../templates';
import { PermanentSendError } from '../../transport';
import { listHeaders, preferencesUrl, unsubscribeUrl } from '../links';
import type { Composer } from './types';

export const composeBroadcast: Composer = async ({ store, templates, config }, delivery) => {
  const broadcast = await store.newsletter.getBroadcast(delivery.sourceId);
  if (!broadcast) return { skip: 'broadcast-not-found' };
  const listId = newsletterListId(broadcast.topic);
  if (await store.lists.isUnsubscribed(delivery.email, listId)) return { skip: 'unsubscribed' };
  const subscription = await store.newsletter.get(delivery.email);
  if (!subscription || subscription.status !== 'confirmed' || !subscription.topics.includes(broadcast.topic)) return { skip: 'not-subscribed' };

  const templateName = newsletterTemplateName(broadcast.template);
  const template = templates.templates.get(templateName);
  if (!template || template.definition.schema !== newsletterEmailSchema) {
    throw new PermanentSendError(`Broadcast ${broadcast.id} names template "${broadcast.template}", which is not a newsletter template in ${templates.dir}`);
  }
  const label = topicLabel(config.newsletterTopics, broadcast.topic);
  const unsubscribe = unsubscribeUrl(config, delivery.email, listId);
  const data: NewsletterEmailData = {
    topic: broadcast.topic,
    topicLabel: label,
    publicBaseUrl: config.publicBaseUrl.replace(/\/+$/, ''),
    supportEmail: config.supportEmail,
    recipientEmail: delivery.email,
    listName: newsletterListLabel(label),
    unsubscribeUrl: unsubscribe,
    preferencesUrl: preferencesUrl(config, delivery.email),
  };
  return {
    send: {
      from: config.fromNewsletter,
      to: delivery.email,
      ...renderEmail(templates, templateName, data),
      headers: listHeaders(config, unsubscribe, listId),
      tags: { delivery: String(delivery.id), source: 'broadcast', broadcast: String(broadcast.id) },
    },
  };
};
