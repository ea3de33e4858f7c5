/** One newsletter (broadcast) to one confirmed subscriber of its topic. */
import { newsletterListId, topicLabel } from '@tickler/domain';
import { isNewsletterTemplate, newsletterListName, newsletterTemplateName, renderEmail, translator, type NewsletterEmailData } from '../../templates';
import { PermanentSendError } from '../../transport';
import { listHeaders, preferencesUrl, unsubscribeUrl } from '../links';
import { recipientLocale } from './locale';
import type { Composer } from './types';

export const composeBroadcast: Composer = async (deps, delivery) => {
  const { store, templates, config } = deps;
  const broadcast = await store.newsletter.getBroadcast(delivery.sourceId);
  if (!broadcast) return { skip: 'broadcast-not-found' };
  const listId = newsletterListId(broadcast.topic);
  if (await store.lists.isUnsubscribed(delivery.email, listId)) return { skip: 'unsubscribed' };
  const subscription = await store.newsletter.get(delivery.email);
  if (!subscription || subscription.status !== 'confirmed' || !subscription.topics.includes(broadcast.topic)) return { skip: 'not-subscribed' };

  const templateName = newsletterTemplateName(broadcast.template);
  const template = templates.templates.get(templateName);
  if (!template || !isNewsletterTemplate(templateName)) {
    throw new PermanentSendError(`Broadcast ${broadcast.id} names template "${broadcast.template}", which is not a newsletter template in ${templates.dir}`);
  }
  // The body is authored in one language; the footer (list, unsubscribe, preferences) follows the reader's.
  const locale = await recipientLocale(deps, delivery.email, null, { signUpCounts: true });
  const label = topicLabel(config.newsletterTopics, broadcast.topic, locale);
  const unsubscribe = unsubscribeUrl(config, delivery.email, listId);
  const data: NewsletterEmailData = {
    topic: broadcast.topic,
    // In the body, the topic's label as configured: the language the newsletter is written in (a
    // French label inside an English sentence read as a mistake); the footer's list name is the reader's.
    topicLabel: topicLabel(config.newsletterTopics, broadcast.topic),
    publicBaseUrl: config.publicBaseUrl.replace(/\/+$/, ''),
    supportEmail: config.supportEmail,
    recipientEmail: delivery.email,
    listName: newsletterListName(translator(templates, locale), label),
    unsubscribeUrl: unsubscribe,
    preferencesUrl: preferencesUrl(config, delivery.email),
  };
  return {
    send: {
      from: config.fromNewsletter,
      to: delivery.email,
      ...renderEmail(templates, templateName, data, locale),
      headers: listHeaders(config, unsubscribe, listId),
      tags: { delivery: String(delivery.id), source: 'broadcast', broadcast: String(broadcast.id) },
    },
  };
};
