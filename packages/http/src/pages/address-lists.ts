/**
 * The lists an address belongs to — each order it is a contact of, each newsletter topic it
 * subscribed — as the preferences page shows them, and whether it left each. The unsubscribe pages
 * ask it too: only a list the address still belongs to can be rejoined (the preferences page
 * refuses any other).
 */
import { newsletterListId, renewalListId, topicLabel, type ListId } from '@tickler/domain';
import type { HttpDeps } from '../deps';
import type { PageLanguage } from './i18n';

export interface ListEntry { listId: ListId; label: string; left: boolean }

/** Every list of `email`, labelled in the page's language: its orders first (by id), then its topics. */
export async function addressLists(deps: HttpDeps, email: string, { locale, t }: PageLanguage): Promise<ListEntry[]> {
  const [orders, subscription, left] = await Promise.all([
    deps.store.directory.listOrdersForContact(email),
    deps.store.newsletter.get(email),
    deps.store.lists.listUnsubscribed(email),
  ]);
  const leftSet = new Set<string>(left);
  const entries: ListEntry[] = orders.map((o) => ({
    listId: renewalListId(o.id), label: t('lists.renewalWithProduct', { orderNumber: o.id, product: o.product }), left: false,
  }));
  for (const topic of subscription?.topics ?? []) {
    const list = t('lists.newsletter', { topic: topicLabel(deps.config.newsletterTopics, topic, locale) });
    entries.push({ listId: newsletterListId(topic), label: subscription?.status === 'pending' ? t('preferences.awaiting', { list }) : list, left: false });
  }
  return entries.map((e) => ({ ...e, left: leftSet.has(e.listId) }));
}

/** Whether `email` may rejoin `listId` from the preferences page: the list is still one of its own. */
export async function canRejoin(deps: HttpDeps, email: string, listId: ListId, lang: PageLanguage): Promise<boolean> {
  return (await addressLists(deps, email, lang)).some((e) => e.listId === listId);
}
