/** PostgreSQL implementation of NewsletterRepository: double opt-in subscriptions and broadcasts. */
import { newsletterListId, type SubscriptionStatus } from '@tickler/domain';
import type pg from 'pg';
import { PENDING_CHANGES_KEPT } from '../repositories/defaults';
import type { NewsletterRepository, SubscriptionRow, TopicChangeRow } from '../repositories/types';
import { emailKey, normalizeEmail } from '../email';
import { batchedByKey } from './batched';
import { type Queryable, withTransaction } from './pool';

interface SubscriptionSqlRow { id: number; email: string; status: SubscriptionStatus; created_at: Date; confirmed_at: Date | null }
const COLUMNS = 's.id, s.email, s.status, s.created_at, s.confirmed_at';

/** Attaches each subscription's topics (one query for the whole page). */
async function withTopics(db: Queryable, rows: SubscriptionSqlRow[]): Promise<SubscriptionRow[]> {
  if (rows.length === 0) return [];
  const { rows: found } = await db.query<{ subscription_id: number; topic: string }>(`SELECT subscription_id, topic FROM newsletter_subscription_topics
    WHERE subscription_id = ANY($1::bigint[]) ORDER BY topic`, [rows.map((r) => r.id)]);
  const topics = new Map<number, string[]>();
  for (const t of found) topics.set(t.subscription_id, [...(topics.get(t.subscription_id) ?? []), t.topic]);
  return rows.map((r) => toSubscription(r, topics.get(r.id) ?? []));
}

function toSubscription(r: SubscriptionSqlRow, topics: string[]): SubscriptionRow {
  return { id: r.id, email: r.email, status: r.status, topics, createdAt: r.created_at, confirmedAt: r.confirmed_at };
}

interface TopicChangeSqlRow { id: number; subscription_id: number; email: string; topics: string; created_at: Date }

async function topicChange(db: Queryable, id: number, lock = ''): Promise<TopicChangeRow | null> {
  const { rows: [row] } = await db.query<TopicChangeSqlRow>(`SELECT c.id, c.subscription_id, s.email, c.topics, c.created_at FROM newsletter_topic_changes c
    JOIN newsletter_subscriptions s ON s.id = c.subscription_id WHERE c.id = $1 ${lock}`, [id]);
  return row ? { id: row.id, subscriptionId: row.subscription_id, email: row.email, topics: JSON.parse(row.topics) as string[], createdAt: row.created_at } : null;
}

async function setTopics(tx: Queryable, subscriptionId: number, topics: string[]): Promise<void> {
  await tx.query(`DELETE FROM newsletter_subscription_topics WHERE subscription_id = $1`, [subscriptionId]);
  await tx.query(`INSERT INTO newsletter_subscription_topics (subscription_id, topic) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`, [subscriptionId, topics]);
}

async function one(db: Queryable, where: string, param: unknown): Promise<SubscriptionRow | null> {
  const { rows } = await db.query<SubscriptionSqlRow>(`SELECT ${COLUMNS} FROM newsletter_subscriptions s WHERE ${where}`, [param]);
  return (await withTopics(db, rows))[0] ?? null;
}

interface BroadcastSqlRow { id: number; topic: string; template: string; status: 'sending' | 'done' }

export function makePgNewsletterRepository(pool: pg.Pool): NewsletterRepository {
  // What every newsletter send reads, batched across the process's concurrent send jobs (see batched.ts).
  const subscriptions = batchedByKey(async (emails: string[]) => (await pool.query<SubscriptionSqlRow & { topics: string[] }>(
    `SELECT ${COLUMNS}, coalesce(array_agg(t.topic ORDER BY t.topic) FILTER (WHERE t.topic IS NOT NULL), '{}') AS topics
      FROM newsletter_subscriptions s LEFT JOIN newsletter_subscription_topics t ON t.subscription_id = s.id
      WHERE s.email = ANY($1::text[]) GROUP BY s.id`, [emails])).rows.map((row) => [row.email, toSubscription(row, row.topics)] as const));
  const broadcasts = batchedByKey(async (ids: number[]) => (await pool.query<BroadcastSqlRow>(
    `SELECT id, topic, template, status FROM broadcasts WHERE id = ANY($1::bigint[])`, [ids])).rows.map((row) => [row.id, row] as const));
  return {
    async subscribe(email, topics) {
      const address = normalizeEmail(email);
      const unique = [...new Set(topics)];
      // A confirmed subscriber's topics change only through applyTopicChange: anyone can submit an
      // address on the sign-up form, and only the mailbox may decide what it receives.
      return withTransaction(pool, async (tx) => {
        // DO UPDATE locks the subscription row: concurrent sign-ups of one address go one after the other.
        const { rows: [row] } = await tx.query<{ id: number; status: SubscriptionStatus }>(`INSERT INTO newsletter_subscriptions (email, status) VALUES ($1, 'pending')
          ON CONFLICT (email) DO UPDATE SET email = excluded.email RETURNING id, status`, [address]);
        const { id, status } = row!;
        if (status === 'pending') {
          await setTopics(tx, id, unique);
          return { subscription: (await one(tx, 's.id = $1', id))!, change: null };
        }
        const { rows: [change] } = await tx.query<{ id: number }>(`INSERT INTO newsletter_topic_changes (subscription_id, topics) VALUES ($1, $2) RETURNING id`,
          [id, JSON.stringify([...unique].sort())]);
        // Requests nobody confirms must not pile up: only the newest few links stay valid.
        await tx.query(`DELETE FROM newsletter_topic_changes WHERE subscription_id = $1 AND id NOT IN
          (SELECT id FROM newsletter_topic_changes WHERE subscription_id = $1 ORDER BY id DESC LIMIT ${PENDING_CHANGES_KEPT})`, [id]);
        return { subscription: (await one(tx, 's.id = $1', id))!, change: await topicChange(tx, change!.id) };
      });
    },
    async getTopicChange(id) {
      return topicChange(pool, id);
    },
    async applyTopicChange(id) {
      return withTransaction(pool, async (tx) => {
        // Locks the subscription: two changes applied at once go one after the other, and the second finds itself dropped.
        const { rows: [owner] } = await tx.query<{ subscription_id: number }>(`SELECT s.id AS subscription_id FROM newsletter_subscriptions s
          WHERE s.id = (SELECT subscription_id FROM newsletter_topic_changes WHERE id = $1) FOR UPDATE`, [id]);
        if (!owner) return null;
        const change = await topicChange(tx, id);
        if (!change) return null;
        await setTopics(tx, change.subscriptionId, change.topics);
        await tx.query(`DELETE FROM list_unsubscribes WHERE email = $1 AND list_id = ANY($2::text[]) AND source <> 'complaint'`,
          [change.email, change.topics.map((topic) => newsletterListId(topic))]);
        await tx.query(`DELETE FROM newsletter_topic_changes WHERE subscription_id = $1`, [change.subscriptionId]);
        return one(tx, 's.id = $1', change.subscriptionId);
      });
    },
    async get(email) {
      return subscriptions(emailKey(email));
    },
    async getById(id) {
      return one(pool, 's.id = $1', id);
    },
    async getBroadcast(id) {
      return broadcasts(id);
    },
    async markBroadcastDone(id) {
      await pool.query(`UPDATE broadcasts SET status = 'done' WHERE id = $1`, [id]);
    },
    async confirm(email, at) {
      const address = emailKey(email);
      await pool.query(`UPDATE newsletter_subscriptions SET status = 'confirmed', confirmed_at = coalesce(confirmed_at, $2) WHERE email = $1`, [address, at]);
      return one(pool, 's.email = $1', address);
    },
    async listConfirmed(topic, afterId, limit) {
      const { rows } = await pool.query<SubscriptionSqlRow>(`SELECT ${COLUMNS} FROM newsletter_subscriptions s
        JOIN newsletter_subscription_topics t ON t.subscription_id = s.id AND t.topic = $1
        WHERE s.status = 'confirmed' AND s.id > $2 ORDER BY s.id LIMIT $3`, [topic, afterId, limit]);
      return withTopics(pool, rows);
    },
    async ensureBroadcast(topic, template) {
      const { rows: [created] } = await pool.query<{ id: number }>(`INSERT INTO broadcasts (topic, template) VALUES ($1, $2)
        ON CONFLICT (topic, template) DO NOTHING RETURNING id`, [topic, template]);
      if (created) return { id: created.id, created: true };
      // A new statement sees a concurrent call's broadcast once it committed (the insert above waited for it).
      const { rows: [existing] } = await pool.query<{ id: number }>(`SELECT id FROM broadcasts WHERE topic = $1 AND template = $2`, [topic, template]);
      return { id: existing!.id, created: false };
    },
  };
}
