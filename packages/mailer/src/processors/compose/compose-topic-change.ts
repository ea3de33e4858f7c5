/** The email asking a confirmed subscriber to confirm a requested change of their topics. */
import { topicLabel } from '@tickler/domain';
import { renderEmail, type TopicChangeConfirmationEmailData } from '../../templates';
import { topicChangeUrl } from '../links';
import { joinTopics } from './compose-confirmation';
import { transactionalEmail, type Composer } from './types';

export const composeTopicChange: Composer = async ({ store, templates, config }, delivery) => {
  const change = await store.newsletter.getTopicChange(delivery.sourceId);
  // Applied, or dropped because a later one was applied or newer ones replaced it: its link would change nothing.
  if (!change) return { skip: 'topic-change-gone' };
  const subscription = await store.newsletter.getById(change.subscriptionId);
  if (!subscription || subscription.status !== 'confirmed') return { skip: 'not-subscribed' };
  const label = (id: string) => topicLabel(config.newsletterTopics, id);
  const data: TopicChangeConfirmationEmailData = {
    topics: joinTopics(change.topics.map(label)),
    currentTopics: subscription.topics.length > 0 ? joinTopics(subscription.topics.map(label)) : 'no topic',
    confirmUrl: topicChangeUrl(config, delivery.email, change.id),
    supportEmail: config.supportEmail,
    recipientEmail: delivery.email,
  };
  return transactionalEmail(config, delivery, renderEmail(templates, 'topic-change-confirmation', data), { subscription: String(subscription.id), change: String(change.id) });
};
