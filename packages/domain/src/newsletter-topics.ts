/**
 * Newsletter topics as configured (`NEWSLETTER_TOPICS`): the id travels in links and list ids
 * (`newsletter:<id>`), the label is what people read.
 */

export interface NewsletterTopic {
  id: string;
  label: string;
}

/** The label of topic `id`; the id itself when the configuration has no such topic (any more). */
export function topicLabel(topics: readonly NewsletterTopic[] | undefined, id: string): string {
  return topics?.find((t) => t.id === id)?.label ?? id;
}

/** The list label of a newsletter topic, e.g. "Newsletter: Product news" (`label` from {@link topicLabel}). */
export function newsletterListLabel(label: string): string {
  return `Newsletter: ${label}`;
}
