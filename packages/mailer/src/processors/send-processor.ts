/**
 * The `send` job: one email for one delivery row.
 *
 * Idempotence: `claimForSending` moves the row to `sending` in one conditional update; of concurrent
 * claims (a duplicate job, a job whose lock expired, on any host) exactly one wins. A delivery
 * already `sent` (or otherwise finished) is never claimed, so a retried job, a replay or a duplicate
 * enqueue sends nothing twice. A delivery another worker is sending right now is retried later: if
 * that worker died, its claim's lease runs out and the retry takes the delivery over.
 *
 * Recording: once SES accepted an email, a database that refuses the write (down, restarting) does
 * not cause a resend: at the first refusal the provider's message id is written into the job
 * (Redis), so a retry after a crash records it instead of sending again, and this process keeps
 * retrying `markSent` for up to 10 minutes, so the record survives Redis losing the job meanwhile.
 *
 * Paused holder: a worker stopped after claiming (SIGSTOP, a paused VM) may find on waking that its
 * lease ran out and another worker took the delivery over; right before the provider call it checks
 * its own monotonic clock and, once all but the last 15 s of the lease are gone, retries the job instead of sending
 * (claim-hold.ts).
 *
 * Crash window (at-least-once): between SES accepting the email and `markSent` committing, a crash
 * of the process leaves the row in `sending`; the job's lock expires, BullMQ
 * (or reconciliation) runs it again, and once the claim's lease has run out the email goes out a
 * second time. The window is one HTTP round trip plus one database write — milliseconds — and cannot
 * be closed without a provider-side
 * idempotency key, which SES does not offer. Every other step is exactly-once.
 *
 * Budget: the token of the shared SES budget is taken after the claim and the rendering, right
 * before the provider call, so only real provider calls spend it; a refusal is handled as throttling.
 *
 * Failures: throttling (by the provider or the budget) → the send queues are rate-limited and the job goes back to waiting without
 * counting as a failed attempt; transient → rethrown for BullMQ's exponential backoff; permanent →
 * the row is `failed` and the job fails once (`UnrecoverableError`); sending paused → the send queue
 * is paused for an operator, the job fails this attempt.
 */
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import type { DeliveryStatus } from '@tickler/domain';
import type { DeliveryRow } from '@tickler/db';
import type { Processor } from '@tickler/queues';
import type { SendBudget } from '../budget';
import type { MailTransport } from '../transport';
import { PermanentSendError, classifySendError } from '../transport';
import { composeEmail, type ComposeDeps } from './compose';
import { ClaimLapsedError, holdClaim } from './claim-hold';
import { handleComposeFailure, handleSendFailure, recordSent } from './send-outcome';

export interface SendDeps extends ComposeDeps {
  transport: MailTransport;
  /** The SES budget shared by every mailer: one token right before each provider call. */
  budget: SendBudget;
  /** The clock; tests pass a fixed one. */
  now: () => Date;
  /** Holds every queue that sends (send, digests, test sends) back for `ms` (BullMQ `queue.rateLimit`). */
  rateLimit: (ms: number) => Promise<void>;
  /** Pauses the send queue for every worker until an operator resumes it. */
  pauseSending: () => Promise<void>;
  /** How long recording a sent email is retried while the database is unavailable, ms (default 10 min). */
  recordRetryMs?: number;
  /** The claim's lease, ms (default 60 s); tests shorten it. */
  claimLeaseMs?: number;
}

export type SendOutcome =
  | { status: 'sent'; messageId: string }
  | { status: 'skipped'; reason: string }
  | { status: 'already-handled'; previous: DeliveryStatus };

/** Thrown when another worker holds a fresh claim on the delivery: BullMQ retries the job with backoff. */
export class DeliveryBusyError extends Error {
  override readonly name = 'DeliveryBusyError';
}

export function makeSendProcessor(deps: SendDeps): Processor<'send'> {
  return async ({ deliveryId, providerMessageId }, job) => {
    const log = deps.logger.child({ queue: 'send', jobId: job.id, deliveryId });
    if (providerMessageId) {
      // An earlier attempt sent it; only the ledger write is left.
      await recordDelivery(deps, job, deliveryId, providerMessageId, log);
      log.info({ messageId: providerMessageId }, 'recorded an email the provider had accepted earlier');
      return { status: 'sent', messageId: providerMessageId } satisfies SendOutcome;
    }
    const hold = holdClaim(`Delivery ${deliveryId}`, deps.claimLeaseMs);
    const claim = await deps.store.deliveries.claimForSending(deliveryId, { leaseMs: hold.leaseMs });
    if (!claim) throw new PermanentSendError(`Delivery ${deliveryId} does not exist`);
    if (!claim.claimed) {
      const { status } = claim.delivery;
      if (status === 'sending') throw new DeliveryBusyError(`Delivery ${deliveryId} is being sent by another worker; retrying later`);
      log.info({ status }, 'delivery already handled; not sending again');
      return { status: 'already-handled', previous: status } satisfies SendOutcome;
    }
    const before = claim.delivery;
    const composed = await compose(deps, before, log);
    if ('skip' in composed) {
      await deps.store.deliveries.markSkipped(deliveryId, composed.skip);
      log.info({ reason: composed.skip, sourceType: before.sourceType }, 'delivery skipped');
      return { status: 'skipped', reason: composed.skip } satisfies SendOutcome;
    }
    let messageId: string;
    try {
      await deps.budget.take();
      hold.assertFresh();
      ({ messageId } = await deps.transport.send(composed.send));
    } catch (err) {
      if (err instanceof ClaimLapsedError) throw lapsed(log, err);
      return handleSendFailure(deps, [before.id], before.email, job, log, classifySendError(err));
    }
    // ↑ SES has accepted the email; until the next line commits, a crash means a resend (see header).
    await recordDelivery(deps, job, deliveryId, messageId, log);
    log.debug({ messageId }, 'email sent');
    return { status: 'sent', messageId } satisfies SendOutcome;
  };
}

/** Logs a lapsed claim; the row is left as it is (another worker may hold it now). */
export function lapsed(log: Logger, err: ClaimLapsedError): ClaimLapsedError {
  log.warn({ error: err.message }, 'claim nearly outlived its lease before the provider call; not sending');
  return err;
}

async function recordDelivery(deps: SendDeps, job: Job, deliveryId: number, messageId: string, log: Logger): Promise<void> {
  await recordSent(deps, log, messageId,
    () => deps.store.deliveries.markSent(deliveryId, messageId, deps.now()),
    () => job.updateData({ deliveryId, providerMessageId: messageId }));
}

async function compose(deps: SendDeps, delivery: DeliveryRow, log: Logger) {
  try {
    return await composeEmail(deps, delivery, deps.now());
  } catch (err) {
    return handleComposeFailure(deps, [delivery.id], log, err, { sourceType: delivery.sourceType, sourceId: delivery.sourceId });
  }
}
