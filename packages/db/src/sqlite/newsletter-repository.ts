/** SQLite implementation of NewsletterRepository: double opt-in subscriptions and broadcasts. */
import { newsletterListId, type SubscriptionStatus } from '@tickler/domain';
import { PENDING_CHANGES_KEPT } from '../repositories/defaults';
import type { NewsletterRepository, SubscribeResult, SubscriptionRow, TopicChangeRow } from '../repositories/types';
import type { Sqlite } from './connection';
import { emailKey, normalizeEmail } from './email';
import { makeStatementCache, placeholders } from './statements';

interface SubscriptionSqlRow { id: number; email: string; status: SubscriptionStatus; created_at: number; confirmed_at: number | null }
const COLUMNS = 's.id, s.email, s.status, s.created_at, s.confirmed_at';
export { PENDING_CHANGES_KEPT };

interface TopicChangeSqlRow { id: number; subscription_id: number; email: string; topics: string; created_at: number }

function toTopicChange(row: TopicChangeSqlRow): TopicChangeRow {
  return { id: row.id, subscriptionId: row.subscription_id, email: row.email, topics: JSON.parse(row.topics) as string[], createdAt: new Date(row.created_at) };
}

export function makeSqliteNewsletterRepository(sqlite: Sqlite): NewsletterRepository {
  const prepare = makeStatementCache(sqlite);

  /** Attaches each subscription's topics (one query for the whole page). */
  const withTopics = (rows: SubscriptionSqlRow[]): SubscriptionRow[] => {
    if (rows.length === 0) return [];
    const topics = new Map<number, string[]>();
    const found = prepare(`SELECT subscription_id, topic FROM newsletter_subscription_topics WHERE subscription_id IN (${placeholders(rows.length)})
      ORDER BY topic`).all(...rows.map((r) => r.id)) as Array<{ subscription_id: number; topic: string }>;
    for (const t of found) topics.set(t.subscription_id, [...(topics.get(t.subscription_id) ?? []), t.topic]);
    return rows.map((r) => ({
      id: r.id, email: r.email, status: r.status, topics: topics.get(r.id) ?? [],
      createdAt: new Date(r.created_at), confirmedAt: r.confirmed_at === null ? null : new Date(r.confirmed_at),
    }));
  };
  const one = (where: string, param: unknown): SubscriptionRow | null => {
    const row = prepare(`SELECT ${COLUMNS} FROM newsletter_subscriptions s WHERE ${where}`).get(param) as SubscriptionSqlRow | undefined;
    return row ? withTopics([row])[0]! : null;
  };

  const setTopics = (id: number, topics: string[]) => {
    prepare(`DELETE FROM newsletter_subscription_topics WHERE subscription_id = ?`).run(id);
    const insert = prepare(`INSERT INTO newsletter_subscription_topics (subscription_id, topic) VALUES (?, ?) ON CONFLICT DO NOTHING`);
    for (const topic of topics) insert.run(id, topic);
  };
  const changeById = (id: number) => {
    const row = prepare(`SELECT c.id, c.subscription_id, s.email, c.topics, c.created_at FROM newsletter_topic_changes c
      JOIN newsletter_subscriptions s ON s.id = c.subscription_id WHERE c.id = ?`).get(id) as TopicChangeSqlRow | undefined;
    return row ? toTopicChange(row) : null;
  };

  // A confirmed subscriber's topics change only through applyTopicChange: anyone can submit an
  // address on the sign-up form, and only the mailbox may decide what it receives.
  const subscribe = sqlite.transaction((email: string, topics: string[]): SubscribeResult => {
    const { id, status } = prepare(`INSERT INTO newsletter_subscriptions (email, status) VALUES (?, 'pending')
      ON CONFLICT(email) DO UPDATE SET email = excluded.email RETURNING id, status`).get(email) as { id: number; status: SubscriptionStatus };
    if (status === 'pending') {
      setTopics(id, topics);
      return { subscription: one('s.id = ?', id)!, change: null };
    }
    const change = prepare(`INSERT INTO newsletter_topic_changes (subscription_id, topics) VALUES (?, ?) RETURNING id`)
      .get(id, JSON.stringify([...topics].sort())) as { id: number };
    // Requests nobody confirms must not pile up: only the newest few links stay valid.
    prepare(`DELETE FROM newsletter_topic_changes WHERE subscription_id = ? AND id NOT IN
      (SELECT id FROM newsletter_topic_changes WHERE subscription_id = ? ORDER BY id DESC LIMIT ${PENDING_CHANGES_KEPT})`).run(id, id);
    return { subscription: one('s.id = ?', id)!, change: changeById(change.id) };
  });

  const applyTopicChange = sqlite.transaction((changeId: number): SubscriptionRow | null => {
    const change = changeById(changeId);
    if (!change) return null;
    setTopics(change.subscriptionId, change.topics);
    const rejoin = prepare(`DELETE FROM list_unsubscribes WHERE email = ? AND list_id = ? AND source <> 'complaint'`);
    for (const topic of change.topics) rejoin.run(change.email, newsletterListId(topic));
    prepare(`DELETE FROM newsletter_topic_changes WHERE subscription_id = ?`).run(change.subscriptionId);
    return one('s.id = ?', change.subscriptionId);
  });

  return {
    async subscribe(email, topics) {
      return subscribe.immediate(normalizeEmail(email), [...new Set(topics)]);
    },
    async getTopicChange(id) {
      return changeById(id);
    },
    async applyTopicChange(id) {
      return applyTopicChange.immediate(id);
    },
    async get(email) {
      return one('s.email = ?', emailKey(email));
    },
    async getById(id) {
      return one('s.id = ?', id);
    },
    async getBroadcast(id) {
      const row = prepare(`SELECT id, topic, template, status FROM broadcasts WHERE id = ?`).get(id) as
        { id: number; topic: string; template: string; status: 'sending' | 'done' } | undefined;
      return row ?? null;
    },
    async markBroadcastDone(id) {
      prepare(`UPDATE broadcasts SET status = 'done' WHERE id = ?`).run(id);
    },
    async confirm(email, at) {
      const normalized = emailKey(email);
      prepare(`UPDATE newsletter_subscriptions SET status = 'confirmed', confirmed_at = coalesce(confirmed_at, ?) WHERE email = ?`)
        .run(at.getTime(), normalized);
      return one('s.email = ?', normalized);
    },
    async listConfirmed(topic, afterId, limit) {
      const rows = prepare(`SELECT ${COLUMNS} FROM newsletter_subscriptions s
        JOIN newsletter_subscription_topics t ON t.subscription_id = s.id AND t.topic = ?
        WHERE s.status = 'confirmed' AND s.id > ? ORDER BY s.id LIMIT ?`).all(topic, afterId, limit) as SubscriptionSqlRow[];
      return withTopics(rows);
    },
    async ensureBroadcast(topic, template) {
      const created = prepare(`INSERT INTO broadcasts (topic, template) VALUES (?, ?) ON CONFLICT(topic, template) DO NOTHING RETURNING id`)
        .get(topic, template) as { id: number } | undefined;
      if (created) return { id: created.id, created: true };
      const existing = prepare(`SELECT id FROM broadcasts WHERE topic = ? AND template = ?`).get(topic, template) as { id: number };
      return { id: existing.id, created: false };
    },
  };
}
