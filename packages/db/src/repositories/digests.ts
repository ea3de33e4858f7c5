/**
 * Reminder digests (REMINDER_DIGEST=on): the deliveries of one organization's reminders due at the
 * same send time for one address, sent as ONE email. Each delivery stays its own ledger row (one per
 * reminder and address); `digestId` on the row names the email that carries it. See types.ts for
 * what the guarantees below mean.
 */
import type { DeliveryRow } from './deliveries';

/** What names an open digest: the reminders of `organizationId` due at `sendAt` for `email`. */
export interface DigestGroup { organizationId: string; sendAt: Date; email: string }
/** `closedAt`: when its email was claimed for sending; from then on it takes no more deliveries. */
export interface DigestRow extends DigestGroup { id: number; createdAt: Date; closedAt: Date | null }
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
   * Names the open digest of `group` (created when the group has none: on first use, and again
   * once its digest was claimed for sending; the address is normalised) and attaches those of
   * `deliveryIds` that are `queued` and in no digest yet; returns the digest with every delivery it
   * carries. One digest is one email: a closed digest never takes a delivery, so its unsubscribe
   * link and audit name exactly what its email carried. Atomic and idempotent. Concurrent calls for
   * one group, from any host: one open digest; a delivery is attached to at most one digest, never
   * moved; an attach and a claim of the same digest are serialized (the claim sees every delivery
   * the attach committed, or the attach opens a new digest).
   */
  attach(group: DigestGroup, deliveryIds: number[]): Promise<DigestWithDeliveries>;
  get(id: number): Promise<DigestWithDeliveries | null>;
  /**
   * Closes the digest (see `attach`) and claims, in one conditional update, every delivery of it
   * that is `queued` or left `sending` longer than `leaseMs` (default 60 s, see defaults.ts). Null
   * when the digest does not exist. Concurrent claims, from any number of hosts: each delivery is claimed by exactly one.
   */
  claimForSending(id: number, options?: { leaseMs?: number }): Promise<DigestClaim | null>;
  /** Records one accepted email for several deliveries: all `sent`, one message id and time. Atomic; last writer wins. */
  markSent(deliveryIds: number[], providerMessageId: string, at: Date): Promise<void>;
}
