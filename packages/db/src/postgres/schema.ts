/**
 * The PostgreSQL schema (drizzle-orm pg-core): the same tables, columns, keys and indexes as the
 * SQLite schema (../schema.ts), in PostgreSQL's own types:
 * - ids are `bigint` identities (by default, so `db copy` can keep SQLite's ids), read as JS numbers;
 * - instants are `timestamptz` (read as Date, equal to the millisecond values SQLite keeps);
 * - calendar dates are `date` (read as `YYYY-MM-DD` text, see pool.ts).
 * Functions and triggers (09:00 local, the orders' copy of their organization's zone) live in the
 * hand-written migrations of `drizzle-pg/`.
 */
import { sql } from 'drizzle-orm';
import { bigint, date, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { REMINDER_KINDS, reminderKind, type ExpiryField } from '@tickler/domain';

const instant = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const createdAt = () => instant('created_at').notNull().defaultNow();
const id = () => bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity();
const ref = (name: string) => bigint(name, { mode: 'number' });
/** One nullable expiry date column per reminder kind (the kind table names it). */
const expiryColumns = () => Object.fromEntries(REMINDER_KINDS.map((kind) => [reminderKind(kind).expiryField, date(reminderKind(kind).expiryColumn, { mode: 'string' })])) as
  { [F in ExpiryField]: ReturnType<typeof date> };
const kindEnum = REMINDER_KINDS as unknown as [string, ...string[]];

export const organizations = pgTable('organizations', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  timeZone: text('time_zone').notNull().default('UTC'),
  /** BCP 47 tag from the billing event (`organization.locale`), shipped or not; null: none given. */
  locale: text('locale'),
  createdAt: createdAt(),
});

export const users = pgTable('users', {
  id: id(),
  /** Normalised (trimmed, lower-cased, IDN to ASCII) address. */
  email: text('email').notNull().unique(),
  name: text('name'),
  createdAt: createdAt(),
});

export const memberships = pgTable('memberships', {
  organizationId: text('organization_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
  userId: ref('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  status: text('status', { enum: ['invited', 'active'] }).notNull(),
  role: text('role', { enum: ['owner', 'member'] }).notNull().default('member'),
  createdAt: createdAt(),
  activatedAt: instant('activated_at'),
}, (t) => [primaryKey({ columns: [t.organizationId, t.userId] }), index('memberships_user_idx').on(t.userId)]);

export const invitations = pgTable('invitations', {
  id: id(),
  organizationId: text('organization_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
  email: text('email').notNull(),
  invitedByUserId: ref('invited_by_user_id').notNull().references(() => users.id),
  /** SHA-256 of the random token in the email; the token itself is never stored. */
  tokenHash: text('token_hash').notNull().unique(),
  expiresAt: instant('expires_at').notNull(),
  acceptedAt: instant('accepted_at'),
  revokedAt: instant('revoked_at'),
  createdAt: createdAt(),
}, (t) => [index('invitations_org_email_idx').on(t.organizationId, t.email)]);

/** When an invitation email was sent to an address for an organization: the sliding window of the per-(organization, address) limit. */
export const invitationSends = pgTable('invitation_sends', {
  organizationId: text('organization_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
  email: text('email').notNull(),
  sentAt: instant('sent_at').notNull(),
}, (t) => [index('invitation_sends_org_email_idx').on(t.organizationId, t.email, t.sentAt)]);

export const orders = pgTable('orders', {
  id: text('id').primaryKey(),
  organizationId: text('organization_id').notNull().references(() => organizations.id),
  product: text('product').notNull(),
  ...expiryColumns(),
  status: text('status', { enum: ['active', 'cancelled'] }).notNull().default('active'),
  /** `occurredAt` of the last billing event applied; older events are recorded and ignored. */
  lastEventAt: instant('last_event_at'),
  /** A copy of the organization's time zone, kept equal by triggers (migration 0001), so the scan reads one index. */
  timeZone: text('time_zone').notNull().default('UTC'),
  createdAt: createdAt(),
  updatedAt: instant('updated_at'),
}, (t) => [
  // Active orders by expiry date, per kind (partial, covering): the scan reads a date's (zone, id)
  // from these alone; the forecast and the catch-up scan page through them in this order.
  ...REMINDER_KINDS.map((kind) => index(`orders_${kind}_due_idx`).on(t[reminderKind(kind).expiryField], t.timeZone, t.id).where(sql`status = 'active'`)),
  index('orders_org_idx').on(t.organizationId),
]);

/**
 * Orders billing cancelled before Tickler saw them (an `order.cancelled` delivered before the order's
 * first `order.upserted`, as webhook retries do): the newest such cancel's `occurredAt`, so that the
 * upsert arriving late, if no newer, is ignored like any event older than the order's last one.
 * Deleted when a newer upsert creates the order (its `last_event_at` judges from then on).
 */
export const unseenOrderCancels = pgTable('unseen_order_cancels', {
  orderId: text('order_id').primaryKey(),
  cancelledAt: instant('cancelled_at').notNull(),
});

export const orderContacts = pgTable('order_contacts', {
  orderId: text('order_id').notNull().references(() => orders.id, { onDelete: 'cascade' }),
  userId: ref('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  addedByUserId: ref('added_by_user_id').references(() => users.id),
  createdAt: createdAt(),
}, (t) => [primaryKey({ columns: [t.orderId, t.userId] }), index('order_contacts_user_idx').on(t.userId)]);

export const reminders = pgTable('reminders', {
  id: id(),
  orderId: text('order_id').notNull().references(() => orders.id, { onDelete: 'cascade' }),
  kind: text('kind', { enum: kindEnum }).notNull(),
  expiresOn: date('expires_on', { mode: 'string' }).notNull(),
  offsetDays: integer('offset_days').notNull(),
  /** 09:00 in the organization's time zone on (expiry − offset). */
  sendAt: instant('send_at').notNull(),
  status: text('status', { enum: ['queued', 'sent', 'skipped', 'cancelled'] }).notNull(),
  reason: text('reason'),
  createdAt: createdAt(),
  updatedAt: instant('updated_at'),
}, (t) => [
  uniqueIndex('reminders_identity_uq').on(t.orderId, t.kind, t.expiresOn, t.offsetDays),
  index('reminders_status_send_at_idx').on(t.status, t.sendAt),
]);

export const broadcasts = pgTable('broadcasts', {
  id: id(),
  topic: text('topic').notNull(),
  template: text('template').notNull(),
  status: text('status', { enum: ['sending', 'done'] }).notNull().default('sending'),
  createdAt: createdAt(),
}, (t) => [uniqueIndex('broadcasts_topic_template_uq').on(t.topic, t.template)]);

export const deliveries = pgTable('deliveries', {
  id: id(),
  sourceType: text('source_type', { enum: ['reminder', 'broadcast', 'invitation', 'newsletter-confirmation', 'newsletter-topic-change'] }).notNull(),
  sourceId: ref('source_id').notNull(),
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
  updatedAt: instant('updated_at'),
  sentAt: instant('sent_at'),
  /** The digest this delivery went (or goes) out in, with the other reminders due with it; null: an email of its own. */
  digestId: ref('digest_id'),
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
export const reminderDigests = pgTable('reminder_digests', {
  id: id(),
  organizationId: text('organization_id').notNull(),
  sendAt: instant('send_at').notNull(),
  email: text('email').notNull(),
  createdAt: createdAt(),
  /** When its email was claimed for sending: a closed digest takes no more deliveries (one digest, one email). */
  closedAt: instant('closed_at'),
}, (t) => [uniqueIndex('reminder_digests_open_uq').on(t.organizationId, t.sendAt, t.email).where(sql`closed_at IS NULL`)]);

/**
 * Test sends (`tickler templates send-test`, the admin preview page): their own audit, apart from
 * `deliveries`, so a test never counts as (or blocks) a real email. `status` moves
 * queued → sending → sent | failed; `requested_by` is `cli` or `admin`.
 */
export const testSends = pgTable('test_sends', {
  id: id(),
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
  updatedAt: instant('updated_at'),
}, (t) => [index('test_sends_created_idx').on(t.createdAt)]);

export const listUnsubscribes = pgTable('list_unsubscribes', {
  email: text('email').notNull(),
  listId: text('list_id').notNull(),
  /** link | one-click | preferences | complaint */
  source: text('source').notNull(),
  createdAt: createdAt(),
}, (t) => [primaryKey({ columns: [t.email, t.listId] }), index('list_unsubscribes_list_idx').on(t.listId)]);

export const suppressions = pgTable('suppressions', {
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
export const addressLocales = pgTable('address_locales', {
  email: text('email').primaryKey(),
  locale: text('locale').notNull(),
  source: text('source', { enum: ['preferences', 'sign-up'] }).notNull(),
  updatedAt: instant('updated_at').notNull(),
});

export const newsletterSubscriptions = pgTable('newsletter_subscriptions', {
  id: id(),
  email: text('email').notNull().unique(),
  status: text('status', { enum: ['pending', 'confirmed'] }).notNull(),
  createdAt: createdAt(),
  confirmedAt: instant('confirmed_at'),
});

export const newsletterSubscriptionTopics = pgTable('newsletter_subscription_topics', {
  subscriptionId: ref('subscription_id').notNull().references(() => newsletterSubscriptions.id, { onDelete: 'cascade' }),
  topic: text('topic').notNull(),
}, (t) => [primaryKey({ columns: [t.subscriptionId, t.topic] }), index('newsletter_topics_topic_idx').on(t.topic)]);

/** A requested change of a confirmed subscription's topics, effective only once its mailed link is confirmed. */
export const newsletterTopicChanges = pgTable('newsletter_topic_changes', {
  id: id(),
  subscriptionId: ref('subscription_id').notNull().references(() => newsletterSubscriptions.id, { onDelete: 'cascade' }),
  /** JSON array of topic ids, sorted. */
  topics: text('topics').notNull(),
  createdAt: createdAt(),
}, (t) => [index('newsletter_topic_changes_subscription_idx').on(t.subscriptionId)]);

export const inboundEvents = pgTable('inbound_events', {
  id: id(),
  /** billing | ses */
  source: text('source').notNull(),
  eventId: text('event_id').notNull(),
  type: text('type').notNull(),
  /** pending (recorded, not applied yet) | applied | partial (applied except a part named in `reason`) | ignored (e.g. out of order) | rejected */
  status: text('status', { enum: ['pending', 'applied', 'partial', 'ignored', 'rejected'] }).notNull(),
  reason: text('reason'),
  orderId: text('order_id'),
  email: text('email'),
  occurredAt: instant('occurred_at'),
  payload: text('payload').notNull(),
  /** Hex SHA-256 of `payload` (the raw body): a repeated event id must carry the same body. */
  payloadSha256: text('payload_sha256'),
  /** Random part of the row's job id (`event-<id>-<jobKey>`), set by the repository at insert. */
  jobKey: text('job_key').notNull().default(''),
  /** How often the event id came again with a different body (a sender bug), and when last. */
  conflicts: integer('conflicts').notNull().default(0),
  lastConflictAt: instant('last_conflict_at'),
  receivedAt: instant('created_at').notNull().defaultNow(),
  appliedAt: instant('applied_at'),
}, (t) => [
  uniqueIndex('inbound_events_source_event_uq').on(t.source, t.eventId),
  index('inbound_events_status_idx').on(t.status),
  index('inbound_events_order_idx').on(t.orderId),
  index('inbound_events_email_idx').on(t.email),
]);

/** Small key/value state, e.g. the reminder scan's horizon. */
export const schedulerState = pgTable('scheduler_state', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: instant('updated_at'),
});

/** One row that `/readyz` rewrites to prove the database takes writes (a replica or a full disk refuses it). */
export const writeProbe = pgTable('write_probe', {
  id: integer('id').primaryKey(),
  probedAt: instant('probed_at').notNull(),
});
