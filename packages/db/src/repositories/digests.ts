/**
 * Reminder digests (REMINDER_DIGEST=on): the deliveries of one organization's reminders due at the
 * same send time for one address, sent as ONE email. Each delivery stays its own ledger row (one per
 * reminder and address); `digestId` on the row names the email that carries it. See types.ts for
 * what the guarantees below mean.
 */
import type { DeliveryRow } from './deliveries';

/** What names a digest: the reminders of `organizationId` due at `sendAt` for `email`. */
export interface DigestGroup { organizationId: string; sendAt: Date; email: string }
export interface DigestRow extends DigestGroup { id: number; createdAt: Date }
/** A digest and every delivery it carries, by delivery id. */
export interface DigestWithDeliveries { digest: DigestRow; deliveries: DeliveryRow[] }

/** The outcome of {@link DigestsRepository.claimForSending}. */
export interface DigestClaim {
  /** The deliveries this call moved to `sending` (attempts + 1): this caller, and no other, sends them now. */
  claimed: DeliveryRow[];
  /** The digest's other deliveries, as they are (finished, or being sent by another worker). */
  others: DeliveryRow[];
}

export interface DigestsRepository {
  /**
   * Names the digest of `group` (created on first use; the address is normalised) and attaches those
   * of `deliveryIds` that are `queued` and in no digest yet; returns the digest with every delivery
   * it carries. Atomic and idempotent. Concurrent calls for one group, from any host: one digest,
   * and a delivery is attached to at most one digest, never moved.
   */
  attach(group: DigestGroup, deliveryIds: number[]): Promise<DigestWithDeliveries>;
  get(id: number): Promise<DigestWithDeliveries | null>;
  /**
   * Claims, in one conditional update, every delivery of the digest that is `queued` or left
   * `sending` longer than `leaseMs` (default 60 s, see defaults.ts). Null when the digest does not
   * exist. Concurrent claims, from any number of hosts: each delivery is claimed by exactly one.
   */
  claimForSending(id: number, options?: { leaseMs?: number }): Promise<DigestClaim | null>;
  /** Records one accepted email for several deliveries: all `sent`, one message id and time. Atomic; last writer wins. */
  markSent(deliveryIds: number[], providerMessageId: string, at: Date): Promise<void>;
}
