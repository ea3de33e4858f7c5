/** The deliveries ledger: one row per email to one recipient. See types.ts for what the guarantees below mean. */
import type { DeliverySource, DeliveryStatus, ListId } from '@tickler/domain';

export interface DeliveryRow {
  id: number; sourceType: DeliverySource; sourceId: number; email: string; listId: ListId | null; orderId: string | null;
  status: DeliveryStatus; reason: string | null;
  /** The mail provider's id of the sent message (SES `MessageId`), what bounce and complaint events name. */
  providerMessageId: string | null;
  attempts: number; lastError: string | null;
  createdAt: Date; sentAt: Date | null;
  /** The reminder digest carrying this delivery (see digests.ts); null when it is an email of its own. */
  digestId: number | null;
}
export interface NewDelivery {
  sourceType: DeliverySource; sourceId: number; email: string; listId: ListId | null; orderId: string | null;
  status: Extract<DeliveryStatus, 'queued' | 'skipped'>; reason: string | null;
}
/** The outcome of {@link DeliveriesRepository.claimForSending}. */
export interface DeliveryClaim {
  /** True when this call moved the delivery to `sending`: this caller, and no other, may send it now. */
  claimed: boolean;
  /** Claimed: the row as the claim left it (`sending`, attempts counted). Not claimed: the row as it is. */
  delivery: DeliveryRow;
}

export interface DeliveriesRepository {
  /**
   * Inserts deliveries not yet in the ledger (unique per source and email); returns every row for
   * those keys, in input order (one per key). Atomic. Concurrent upserts of one key: one row, and
   * both calls return it; an existing row is never changed.
   */
  upsertMany(rows: NewDelivery[]): Promise<DeliveryRow[]>;
  get(id: number): Promise<DeliveryRow | null>;
  /**
   * Claims a delivery for sending in one conditional update: a `queued` delivery, or one left
   * `sending` for longer than `leaseMs` (default 60 s, see defaults.ts; its sender died),
   * becomes `sending` with attempts + 1. Null if it does not exist. Concurrent claims, from any
   * number of hosts: exactly one is `claimed`; the others see the row as the winner left it. A
   * finished delivery (sent, skipped, failed, …) is never claimed.
   */
  claimForSending(id: number, options?: { leaseMs?: number }): Promise<DeliveryClaim | null>;
  /** Records the provider's acceptance: `sent`, its message id and time. Last writer wins. */
  markSent(id: number, providerMessageId: string, at: Date): Promise<void>;
  /**
   * Records a failed attempt: permanent → `failed`; transient → back to `queued` for a retry. Never
   * touches a delivery already sent or with a provider outcome.
   */
  markFailed(id: number, error: string, permanent: boolean): Promise<void>;
  markSkipped(id: number, reason: string): Promise<void>;
  findByProviderMessageId(messageId: string): Promise<DeliveryRow | null>;
  /**
   * Records a provider event (delivered, bounced, complained); a late `delivered` never hides a
   * bounce or complaint, whatever order concurrent events commit in.
   */
  setOutcome(id: number, status: Extract<DeliveryStatus, 'delivered' | 'bounced' | 'complained'>, detail: string | null): Promise<void>;
  /**
   * Deliveries still to send, lowest id first: every `queued` one, and those `sending` since
   * before `sendingSince` (their sender may have died). What reconciliation hands to Redis again.
   */
  listUnfinished(sendingSince: Date, limit: number): Promise<DeliveryRow[]>;
  listByEmail(email: string): Promise<DeliveryRow[]>;
  listByOrder(orderId: string): Promise<DeliveryRow[]>;
  countByStatusAndReason(): Promise<Array<{ status: DeliveryStatus; reason: string | null; count: number }>>;
  /**
   * Puts a finished delivery (sent, skipped, failed) back to `queued` for a deliberate resend — an
   * invitation renewed with a new link, a confirmation asked for again. True when it changed; a
   * delivery already queued or sending is left alone. Concurrent requeues: one returns true.
   */
  requeue(id: number): Promise<boolean>;
}
