/** The email asking a confirmed subscriber to confirm a requested change of their topics. */
import { receivedTopics, topicLabel } from '@tickler/domain';
import { renderEmail, translator, type TopicChangeConfirmationEmailData } from '../../templates';
import { topicChangeUrl } from '../links';
import { joinTopics } from './compose-confirmation';
import { recipientLocale } from './locale';
import { transactionalEmail, type Composer } from './types';

export const composeTopicChange: Composer = async (deps, delivery) => {
  const { store, templates, config } = deps;
  const change = await store.newsletter.getTopicChange(delivery.sourceId);
  // Applied, or dropped because a later one was applied or newer ones replaced it: its link would change nothing.
  if (!change) return { skip: 'topic-change-gone' };
  const subscription = await store.newsletter.getById(change.subscriptionId);
  if (!subscription || subscription.status !== 'confirmed') return { skip: 'not-subscribed' };
  const locale = await recipientLocale(deps, delivery.email, null, { signUpCounts: true });
  const label = (id: string) => topicLabel(config.newsletterTopics, id, locale);
  // "Right now you receive": without the topics whose list the address left.
  const current = receivedTopics(subscription.topics, await store.lists.listUnsubscribed(delivery.email));
  const data: TopicChangeConfirmationEmailData = {
    topics: joinTopics(templates, locale, change.topics.map(label)),
    currentTopics: current.length > 0 ? joinTopics(templates, locale, current.map(label)) : translator(templates, locale)('lists.noTopic'),
    confirmUrl: topicChangeUrl(config, delivery.email, change.id),
    supportEmail: config.supportEmail,
    recipientEmail: delivery.email,
  };
  return transactionalEmail(config, delivery, renderEmail(templates, 'topic-change-confirmation', data, locale), { subscription: String(subscription.id), change: String(change.id) });
};
