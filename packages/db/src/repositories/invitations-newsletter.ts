/** Organization invitations and newsletter subscriptions. See types.ts for what the guarantees below mean. */
import type { SubscriptionStatus } from '@tickler/domain';

export interface InvitationRow {
  id: number; organizationId: string; email: string; invitedByEmail: string; expiresAt: Date;
  acceptedAt: Date | null; revokedAt: Date | null; createdAt: Date;
}
export interface NewInvitation { organizationId: string; email: string; invitedByEmail: string; tokenHash: string; expiresAt: Date }
/** At most `max` invitation emails per (organization, address) in any `windowMs` (sliding). */
export interface SendLimit { max: number; windowMs: number }
export type LimitedInvitation = { ok: true; invitation: InvitationRow } | { ok: false; retryAfterMs: number };
export interface InvitationsRepository {
  /**
   * Creates an invitation, or replaces the token of the open one for the same (organization, email).
   * Atomic. Concurrent calls for one (organization, email) are serialised: one open invitation
   * results, holding the token of the call that committed last.
   */
  createOrRenew(input: NewInvitation): Promise<InvitationRow>;
  /**
   * `createOrRenew` for an invitation email about to be sent at `at`, within `limit`: past it nothing
   * changes (the link already sent keeps working) and `retryAfterMs` says when the next one is allowed.
   * Atomic: callers on several hosts inviting the same address at once get at most `limit.max` through.
   */
  createOrRenewWithinLimit(input: NewInvitation, at: Date, limit: SendLimit): Promise<LimitedInvitation>;
  get(id: number): Promise<InvitationRow | null>;
  findByTokenHash(tokenHash: string): Promise<InvitationRow | null>;
  /**
   * Accepts atomically: user ensured, membership active. Accepting twice — also concurrently — is
   * harmless and keeps the first acceptance time.
   */
  accept(id: number, at: Date): Promise<InvitationRow>;
}
export interface SubscriptionRow { id: number; email: string; status: SubscriptionStatus; topics: string[]; createdAt: Date; confirmedAt: Date | null }
/** A requested, not yet confirmed change of a confirmed subscription's topics. */
export interface TopicChangeRow { id: number; subscriptionId: number; email: string; topics: string[]; createdAt: Date }
export interface SubscribeResult {
  subscription: SubscriptionRow;
  /** For a confirmed address: the pending change just recorded (its topics are not applied yet); else null. */
  change: TopicChangeRow | null;
}
export interface NewsletterRepository {
  /**
   * A sign-up. A new or still pending address is stored as pending with these topics. A confirmed
   * address keeps its topics: the request is recorded as a pending {@link TopicChangeRow}, which
   * only {@link applyTopicChange} (the subscriber confirming it) makes effective; only the newest
   * few pending changes are kept. Atomic; concurrent sign-ups of one address are serialised (one
   * subscription; a pending one ends with the topics of the call that committed last).
   */
  subscribe(email: string, topics: string[]): Promise<SubscribeResult>;
  getTopicChange(id: number): Promise<TopicChangeRow | null>;
  /**
   * Makes a pending change effective: the subscription's topics become the change's, the subscriber
   * rejoins those topics' lists (they just chose them), and every pending change of the subscription
   * is dropped. Null when the change no longer exists (applied, replaced by another one applied, or
   * never). Atomic; of two changes applied at once, the second finds its change dropped (null).
   */
  applyTopicChange(id: number): Promise<SubscriptionRow | null>;
  get(email: string): Promise<SubscriptionRow | null>;
  getById(id: number): Promise<SubscriptionRow | null>;
  getBroadcast(id: number): Promise<{ id: number; topic: string; template: string; status: 'sending' | 'done' } | null>;
  markBroadcastDone(id: number): Promise<void>;
  /** Confirms once: the first confirmation time is kept, also under concurrent confirms. */
  confirm(email: string, at: Date): Promise<SubscriptionRow | null>;
  /** Confirmed subscribers of a topic, paged by id. */
  listConfirmed(topic: string, afterId: number, limit: number): Promise<SubscriptionRow[]>;
  /**
   * Creates the broadcast for (topic, template) or returns the existing one (re-running does not
   * resend). Concurrent calls: exactly one returns `created: true`, all the same id.
   */
  ensureBroadcast(topic: string, template: string): Promise<{ id: number; created: boolean }>;
}
