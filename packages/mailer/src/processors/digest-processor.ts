/**
 * The `digest` job: one email for the deliveries of one reminder digest (several reminders of one
 * organization due at the same send time for one address, REMINDER_DIGEST=on).
 *
 * Idempotence, as for single sends (send-processor.ts): `claimForSending` moves every `queued`
 * delivery of the digest to `sending` in one conditional update, so of concurrent jobs (two
 * mailers, a replay, a retry whose lock expired) exactly one gets each delivery; a digest whose
 * deliveries are all finished is never sent again. The crash window is the same: between the
 * provider accepting the email and `markSent` committing. If the database is away after the
 * provider accepted, the message id and the carried deliveries go into the job, and the retry
 * records them instead of sending again. A holder paused until its lease is nearly over does not send
 * (claim-hold.ts).
 *
 * At send time each delivery is checked again (compose-digest.ts): those whose order was renewed or
 * cancelled, or whose recipient left the list, are skipped with their reason; one remaining is sent
 * as the single-order email; none sends nothing.
 */
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import type { DeliveryRow } from '@tickler/db';
import type { Processor } from '@tickler/queues';
import { classifySendError, PermanentSendError } from '../transport';
import { composeDigest } from './compose/compose-digest';
import { ClaimLapsedError, holdClaim } from './claim-hold';
import { DeliveryBusyError, lapsed, type SendDeps, type SendOutcome } from './send-processor';
import { handleComposeFailure, handleSendFailure, recordSent } from './send-outcome';

export type DigestOutcome = SendOutcome | { status: 'sent'; messageId: string; reminders: number };

export function makeDigestProcessor(deps: SendDeps): Processor<'digest'> {
  return async (data, job): Promise<DigestOutcome> => {
    const { digestId, providerMessageId, deliveryIds } = data;
    const log = deps.logger.child({ queue: 'digests', jobId: job.id, digestId });
    if (providerMessageId && deliveryIds) {
      await record(deps, job, deliveryIds, providerMessageId, log);
      log.info({ messageId: providerMessageId }, 'recorded a digest the provider had accepted earlier');
      return { status: 'sent', messageId: providerMessageId, reminders: deliveryIds.length };
    }
    const hold = holdClaim(`Digest ${digestId}`, deps.claimLeaseMs);
    const claim = await deps.store.digests.claimForSending(digestId, { leaseMs: hold.leaseMs });
    if (!claim) throw new PermanentSendError(`Digest ${digestId} does not exist`);
    if (claim.claimed.length === 0) {
      if (claim.others.some((d) => d.status === 'sending')) throw new DeliveryBusyError(`Digest ${digestId} is being sent by another worker; retrying later`);
      log.info('digest already handled; not sending again');
      return { status: 'already-handled', previous: claim.others[0]?.status ?? 'sent' };
    }
    const composed = await compose(deps, digestId, claim.claimed, log);
    for (const { delivery, reason } of composed.dropped) await deps.store.deliveries.markSkipped(delivery.id, reason);
    if (composed.dropped.length > 0) log.info({ dropped: composed.dropped.map((d) => [d.delivery.id, d.reason]) }, 'reminders dropped out of the digest');
    if (!composed.email || !('send' in composed.email)) {
      log.info('digest is empty; nothing sent');
      return { status: 'skipped', reason: 'empty-digest' };
    }
    const ids = composed.carried.map((d) => d.id);
    let messageId: string;
    try {
      await deps.budget.take();
      hold.assertFresh();
      ({ messageId } = await deps.transport.send(composed.email.send));
    } catch (err) {
      if (err instanceof ClaimLapsedError) throw lapsed(log, err);
      return handleSendFailure(deps, ids, composed.email.send.to, job, log, classifySendError(err));
    }
    // ↑ the provider has accepted the email; until the next line commits, a crash means a resend.
    await record(deps, job, ids, messageId, log);
    log.info({ messageId, reminders: ids.length }, 'digest sent');
    return { status: 'sent', messageId, reminders: ids.length };
  };
}

async function record(deps: SendDeps, job: Job, ids: number[], messageId: string, log: Logger): Promise<void> {
  await recordSent(deps, log, messageId,
    () => deps.store.digests.markSent(ids, messageId, deps.now()),
    () => job.updateData({ ...job.data as object, providerMessageId: messageId, deliveryIds: ids }));
}

async function compose(deps: SendDeps, digestId: number, claimed: DeliveryRow[], log: Logger) {
  try {
    const digest = await deps.store.digests.get(digestId);
    if (!digest) throw new PermanentSendError(`Digest ${digestId} does not exist`);
    return await composeDigest(deps, digestId, digest.digest.organizationId, claimed, deps.now());
  } catch (err) {
    return handleComposeFailure(deps, claimed.map((d) => d.id), log, err, { digestId });
  }
}
