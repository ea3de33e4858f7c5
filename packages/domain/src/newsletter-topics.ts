import type { SupportedLocale } from './i18n';
import { newsletterListId, type ListId } from './types';

/**
 * Newsletter topics as configured (`NEWSLETTER_TOPICS`): the id travels in links and list ids
 * (`newsletter:<id>`), the label is what people read.
 */

export interface NewsletterTopic {
  id: string;
  label: string;
  /** The label in other shipped languages (`id:Label|de=…|fr=…`); `label` where one is missing. */
  labels?: Partial<Record<SupportedLocale, string>>;
}

/** The label of topic `id` in `locale`, else its label; the id itself when the configuration has no such topic (any more). */
export function topicLabel(topics: readonly NewsletterTopic[] | undefined, id: string, locale?: SupportedLocale): string {
  const topic = topics?.find((t) => t.id === id);
  if (!topic) return id;
  return (locale && topic.labels?.[locale]) || topic.label;
}

/** The list label of a newsletter topic, e.g. "Newsletter: Product news" (`label` from {@link topicLabel}). */
export function newsletterListLabel(label: string): string {
  return `Newsletter: ${label}`;
}

/**
 * The topics of a subscription whose newsletter the address still receives: a topic whose list it
 * left (one-click unsubscribe, the preferences page) is subscribed but not received.
 */
export function receivedTopics(topics: readonly string[], leftLists: readonly ListId[]): string[] {
  const left = new Set(leftLists);
  return topics.filter((topic) => !left.has(newsletterListId(topic)));
}
