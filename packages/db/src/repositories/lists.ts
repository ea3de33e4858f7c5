/** Lists people can leave, and suppressed addresses. See types.ts for what the guarantees below mean. */
import type { ListId, SuppressionReason } from '@tickler/domain';

export interface Suppression { reason: SuppressionReason; detail: string | null; createdAt: Date }
/** Where an address's language came from: its owner's choice, or the browser at a newsletter sign-up. */
export type AddressLocaleSource = 'preferences' | 'sign-up';
export interface AddressLocale { locale: string; source: AddressLocaleSource }

/** Every method is one statement: concurrent calls are each atomic; for one (email, list) the last one committed decides. */
export interface ListsRepository {
  /** Idempotent: the first unsubscribe of (email, list) is kept, with its source. */
  unsubscribe(email: string, listId: ListId, source: string): Promise<void>;
  resubscribe(email: string, listId: ListId): Promise<void>;
  isUnsubscribed(email: string, listId: ListId): Promise<boolean>;
  /** The subset of `emails` that left `listId`. */
  unsubscribedAmong(listId: ListId, emails: string[]): Promise<Set<string>>;
  listUnsubscribed(email: string): Promise<ListId[]>;
  /** Suppresses the address; the latest reason and detail win. */
  suppress(email: string, reason: SuppressionReason, detail: string | null): Promise<void>;
  /** Lifts a suppression; true when there was one (concurrent calls: one returns true). */
  unsuppress(email: string): Promise<boolean>;
  getSuppression(email: string): Promise<Suppression | null>;
  /** The subset of `emails` (normalised) that are suppressed. */
  suppressedAmong(emails: string[]): Promise<Set<string>>;
  /** The address's stored language, or null. */
  getLocale(email: string): Promise<AddressLocale | null>;
  /**
   * Stores the address's language. From `preferences` it always wins (null clears it); from
   * `sign-up` it is stored only while the address has no choice from `preferences` (null: no
   * change). One statement: concurrent calls are each atomic and a sign-up never overwrites a choice.
   */
  setLocale(email: string, locale: string | null, source: AddressLocaleSource): Promise<void>;
  /** The suppressions of those of `emails` (normalised) that are suppressed, in one query. */
  suppressionsAmong(emails: string[]): Promise<Map<string, Suppression>>;
}
