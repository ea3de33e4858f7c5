/**
 * The SQLite schema (drizzle-orm). The database is the source of truth; Redis only carries jobs.
 * Timestamps are integer milliseconds since the epoch; calendar dates are `YYYY-MM-DD` text.
 */
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { REMINDER_KINDS, reminderKind, type ExpiryField } from '@tickler/domain';

const ms = (name: string) => integer(name, { mode: 'timestamp_ms' });
/** One nullable `YYYY-MM-DD` expiry column per reminder kind (the kind table names it). */
const expiryColumns = () => Object.fromEntries(REMINDER_KINDS.map((kind) => [reminderKind(kind).expiryField, text(reminderKind(kind).expiryColumn)])) as
  { [F in ExpiryField]: ReturnType<typeof text> };
const kindEnum = REMINDER_KINDS as unknown as [string, ...string[]];
const createdAt = () => ms('created_at').notNull().default(sql`(unixepoch('subsec') * 1000)`);

export const organizations = sqliteTable('organizations', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  timeZone: text('time_zone').notNull().default('UTC'),
  /** BCP 47 tag from the billing event (`organization.locale`), shipped or not; null: none given. */
  locale: text('locale'),
  createdAt: createdAt(),
});

export const users = sqliteTable('users', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  /** Normalised (trimmed, lower-cased, IDN to ASCII) address. */
  email: text('email').notNull().unique(),
  name: text('name'),
  createdAt: createdAt(),
});

export const memberships = sqliteTable('memberships', {
  organizationId: text('organization_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
  userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  status: text('status', { enum: ['invited', 'active'] }).notNull(),
  role: text('role', { enum: ['owner', 'member'] }).notNull().default('member'),
  createdAt: createdAt(),
  activatedAt: ms('activated_at'),
}, (t) => [primaryKey({ columns: [t.organizationId, t.userId] }), index('memberships_user_idx').on(t.userId)]);

export const invitations = sqliteTable('invitations', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  organizationId: text('organization_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
  email: text('email').notNull(),
  invitedByUserId: integer('invited_by_user_id').notNull().references(() => users.id),
  /** SHA-256 of the random token in the email; the token itself is never stored. */
  tokenHash: text('token_hash').notNull().unique(),
  expiresAt: ms('expires_at').notNull(),
  acceptedAt: ms('accepted_at'),
  revokedAt: ms('revoked_at'),
  createdAt: createdAt(),
}, (t) => [index('invitations_org_email_idx').on(t.organizationId, t.email)]);

/**
 * When an invitation email was sent to an address for an organization: the sliding window of the
 * per-(organization, address) limit. Rows older than the window are pruned as new ones are written.
 */
export const invitationSends = sqliteTable('invitation_sends', {
  organizationId: text('organization_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
  email: text('email').notNull(),
  sentAt: ms('sent_at').notNull(),
}, (t) => [index('invitation_sends_org_email_idx').on(t.organizationId, t.email, t.sentAt)]);

export const orders = sqliteTable('orders', {
  id: text('id').primaryKey(),
  organizationId: text('organization_id').notNull().references(() => organizations.id),
  product: text('product').notNull(),
  ...expiryColumns(),
  status: text('status', { enum: ['active', 'cancelled'] }).notNull().default('active'),
  /** `occurredAt` of the last billing event applied; older events are recorded and ignored. */
  lastEventAt: ms('last_event_at'),
  /**
   * A copy of the organization's time zone, so the scan reads what it needs from one index. Triggers
   * (migration 0002) keep it equal whatever writes orders or organizations; writers that set it to
   * the organization's themselves (order events do) spare the trigger's second write.
   */
  timeZone: text('time_zone').notNull().default('UTC'),
  createdAt: createdAt(),
  updatedAt: ms('updated_at'),
}, (t) => [
  // Active orders by expiry date, per kind (partial): the scan reads a date's (zone, id) from these
  // alone, without the table; the forecast and the catch-up scan page through them in this order.
  ...REMINDER_KINDS.map((kind) => index(`orders_${kind}_due_idx`).on(t[reminderKind(kind).expiryField], t.timeZone, t.id).where(sql`status = 'active'`)),
  index('orders_org_idx').on(t.organizationId),
]);

/**
 * Orders billing cancelled before Tickler saw them (an `order.cancelled` delivered before the order's
 * first `order.upserted`, as webhook retries do): the newest such cancel's `occurredAt`, so that the
 * upsert arriving late, if no newer, is ignored like any event older than the order's last one.
 * Deleted when a newer upsert creates the order (its `last_event_at` judges from then on).
 */
export const unseenOrderCancels = sqliteTable('unseen_order_cancels', {
  orderId: text('order_id').primaryKey(),
  cancelledAt: ms('cancelled_at').notNull(),
});

export const orderContacts = sqliteTable('order_contacts', {
  orderId: text('order_id').notNull().references(() => orders.id, { onDelete: 'cascade' }),
  userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  addedByUserId: integer('added_by_user_id').references(() => users.id),
  createdAt: createdAt(),
}, (t) => [primaryKey({ columns: [t.orderId, t.userId] }), index('order_contacts_user_idx').on(t.userId)]);

export const reminders = sqliteTable('reminders', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  orderId: text('order_id').notNull().references(() => orders.id, { onDelete: 'cascade' }),
  kind: text('kind', { enum: kindEnum }).notNull(),
  expiresOn: text('expires_on').notNull(),
  offsetDays: integer('offset_days').notNull(),
  /** 09:00 in the organization's time zone on (expiry − offset). */
  sendAt: ms('send_at').notNull(),
  status: text('status', { enum: ['queued', 'sent', 'skipped', 'cancelled'] }).notNull(),
  reason: text('reason'),
  createdAt: createdAt(),
  updatedAt: ms('updated_at'),
}, (t) => [
  uniqueIndex('reminders_identity_uq').on(t.orderId, t.kind, t.expiresOn, t.offsetDays),
  index('reminders_status_send_at_idx').on(t.status, t.sendAt),
]);

export const broadcasts = sqliteTable('broadcasts', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  topic: text('topic').notNull(),
  template: text('template').notNull(),
  status: text('status', { enum: ['sending', 'done'] }).notNull().default('sending'),
  createdAt: createdAt(),
}, (t) => [uniqueIndex('broadcasts_topic_template_uq').on(t.topic, t.template)]);

export const deliveries = sqliteTable('deliveries', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  sourceType: text('source_type', { enum: ['reminder', 'broadcast', 'invitation', 'newsletter-confirmation', 'newsletter-topic-change'] }).notNull(),
  sourceId: integer('source_id').notNull(),
  email: text('email').notNull(),
  listId: text('list_id'),
  orderId: text('order_id'),
  status: text('status', { enum: ['queued', 'sending', 'sent', 'skipped', 'failed', 'delivered', 'bounced', 'complained'] }).notNull(),
  reason: text('reason'),
  /** The mail provider's message id (SES MessageId). */
  providerMessageId: text('provider_message_id'),
  attempts: integer('attempts').notNull().default(0),
  lastError: text('last_error'),
  createdAt: createdAt(),
  updatedAt: ms('updated_at'),
  sentAt: ms('sent_at'),
  /** The digest this delivery went (or goes) out in, with the other reminders due with it; null: an email of its own. */
  digestId: integer('digest_id'),
}, (t) => [
  uniqueIndex('deliveries_source_email_uq').on(t.sourceType, t.sourceId, t.email),
  index('deliveries_provider_message_idx').on(t.providerMessageId),
  index('deliveries_email_idx').on(t.email),
  index('deliveries_order_idx').on(t.orderId),
  index('deliveries_status_idx').on(t.status),
  index('deliveries_digest_idx').on(t.digestId),
]);

/**
 * One email carrying several reminders of one organization due at the same send time for one
 * address (REMINDER_DIGEST=on). The deliveries it carries point at it (`deliveries.digest_id`);
 * (organization, send time, address) names it once, whichever mailer groups first.
 */
export const reminderDigests = sqliteTable('reminder_digests', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  organizationId: text('organization_id').notNull(),
  sendAt: ms('send_at').notNull(),
  email: text('email').notNull(),
  createdAt: createdAt(),
  /** When its email was claimed for sending: a closed digest takes no more deliveries (one digest, one email). */
  closedAt: ms('closed_at'),
}, (t) => [uniqueIndex('reminder_digests_open_uq').on(t.organizationId, t.sendAt, t.email).where(sql`closed_at IS NULL`)]);

/**
 * Test sends (`tickler templates send-test`, the admin preview page): their own audit, apart from
 * `deliveries`, so a test never counts as (or blocks) a real email. `status` moves
 * queued → sending → sent | failed; `requested_by` is `cli` or `admin`.
 */
export const testSends = sqliteTable('test_sends', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  template: text('template').notNull(),
  locale: text('locale').notNull(),
  sample: text('sample').notNull(),
  email: text('email').notNull(),
  requestedBy: text('requested_by', { enum: ['cli', 'admin'] }).notNull(),
  status: text('status', { enum: ['queued', 'sending', 'sent', 'failed'] }).notNull(),
  subject: text('subject'),
  providerMessageId: text('provider_message_id'),
  error: text('error'),
  createdAt: createdAt(),
  updatedAt: ms('updated_at'),
}, (t) => [index('test_sends_created_idx').on(t.createdAt)]);

export const listUnsubscribes = sqliteTable('list_unsubscribes', {
  email: text('email').notNull(),
  listId: text('list_id').notNull(),
  /** link | one-click | preferences | complaint */
  source: text('source').notNull(),
  createdAt: createdAt(),
}, (t) => [primaryKey({ columns: [t.email, t.listId] }), index('list_unsubscribes_list_idx').on(t.listId)]);

export const suppressions = sqliteTable('suppressions', {
  email: text('email').primaryKey(),
  reason: text('reason', { enum: ['bounce', 'complaint', 'manual'] }).notNull(),
  detail: text('detail'),
  createdAt: createdAt(),
});

/**
 * An address's language: chosen on the preferences page (`preferences`), or the browser's
 * `Accept-Language` at a newsletter sign-up (`sign-up`, used for newsletter mail only; a choice is
 * never replaced by it).
 */
export const addressLocales = sqliteTable('address_locales', {
  email: text('email').primaryKey(),
  locale: text('locale').notNull(),
  source: text('source', { enum: ['preferences', 'sign-up'] }).notNull(),
  updatedAt: ms('updated_at').notNull(),
});

export const newsletterSubscriptions = sqliteTable('newsletter_subscriptions', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  email: text('email').notNull().unique(),
  status: text('status', { enum: ['pending', 'confirmed'] }).notNull(),
  createdAt: createdAt(),
  confirmedAt: ms('confirmed_at'),
});

export const newsletterSubscriptionTopics = sqliteTable('newsletter_subscription_topics', {
  subscriptionId: integer('subscription_id').notNull().references(() => newsletterSubscriptions.id, { onDelete: 'cascade' }),
  topic: text('topic').notNull(),
}, (t) => [primaryKey({ columns: [t.subscriptionId, t.topic] }), index('newsletter_topics_topic_idx').on(t.topic)]);

/**
 * A requested change of a confirmed subscription's topics: it takes effect only when the link mailed
 * to the subscriber (naming this row) is confirmed. Applying one deletes every pending change of that
 * subscription, so an older link cannot undo a newer choice.
 */
export const newsletterTopicChanges = sqliteTable('newsletter_topic_changes', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  subscriptionId: integer('subscription_id').notNull().references(() => newsletterSubscriptions.id, { onDelete: 'cascade' }),
  /** JSON array of topic ids, sorted. */
  topics: text('topics').notNull(),
  createdAt: createdAt(),
}, (t) => [index('newsletter_topic_changes_subscription_idx').on(t.subscriptionId)]);

export const inboundEvents = sqliteTable('inbound_events', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  /** billing | ses */
  source: text('source').notNull(),
  eventId: text('event_id').notNull(),
  type: text('type').notNull(),
  /**
   * pending (recorded, not applied yet) | applied | partial (applied except a part named in `reason`,
   * e.g. an organization change older than what the organization shows) | ignored (e.g. out of order) | rejected
   */
  status: text('status', { enum: ['pending', 'applied', 'partial', 'ignored', 'rejected'] }).notNull(),
  reason: text('reason'),
  orderId: text('order_id'),
  email: text('email'),
  occurredAt: ms('occurred_at'),
  payload: text('payload').notNull(),
  /** Hex SHA-256 of `payload` (the raw body): a repeated event id must carry the same body. Null on rows older than the column. */
  payloadSha256: text('payload_sha256'),
  /**
   * Random part of the row's job id (`event-<id>-<jobKey>`): a job left in Redis by a row whose
   * commit failed (its id is then handed out again) can never be mistaken for a later row's job.
   */
  jobKey: text('job_key').notNull().default(''),
  /** How often the event id came again with a different body (a sender bug), and when last. */
  conflicts: integer('conflicts').notNull().default(0),
  lastConflictAt: ms('last_conflict_at'),
  receivedAt: createdAt(),
  appliedAt: ms('applied_at'),
}, (t) => [
  uniqueIndex('inbound_events_source_event_uq').on(t.source, t.eventId),
  index('inbound_events_status_idx').on(t.status),
  index('inbound_events_order_idx').on(t.orderId),
  index('inbound_events_email_idx').on(t.email),
]);

/** Small key/value state, e.g. the reminder scan's horizon. */
export const schedulerState = sqliteTable('scheduler_state', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: ms('updated_at'),
});

/**
 * One row that `/readyz` rewrites to prove the database takes writes. Only a committed write sees
 * a full disk: reads and an empty `BEGIN IMMEDIATE; ROLLBACK` still succeed there.
 */
export const writeProbe = sqliteTable('write_probe', {
  id: integer('id').primaryKey(),
  probedAt: ms('probed_at').notNull(),
});
