/**
 * What the `send` and `digest` jobs do once the provider answered: record an accepted email (also
 * while the database is briefly away), or record and classify a failure. Both work on the list of
 * deliveries the email carries — one for a single email, several for a digest.
 */
import { Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { isStoreUnavailable } from '@tickler/db';
import { TemplateDataError } from '../templates';
import { SendBudgetExhaustedError } from '../budget';
import { PermanentSendError, SendingPausedError, ThrottledError } from '../transport';
import type { SendDeps } from './send-processor';

/** How long `markSent` is retried in process while the database is unavailable, ms, before the job's retry takes over. */
const RECORD_RETRY_MS = 10 * 60_000;

/**
 * Records an accepted email with `write`, retried while the database is unavailable. At the first
 * refusal `remember` writes the provider's message id into the job (Redis), so a crash or shutdown
 * of this process leaves a retry that records instead of sending again; meanwhile this process keeps
 * retrying for `recordRetryMs` (default 10 min), so the record does not depend on Redis keeping that
 * job either (the database and Redis failing together). After that the error is rethrown.
 */
export async function recordSent(
  deps: Pick<SendDeps, 'recordRetryMs'>, log: Logger, messageId: string,
  write: () => Promise<void>, remember: () => Promise<void>,
): Promise<void> {
  const until = Date.now() + (deps.recordRetryMs ?? RECORD_RETRY_MS);
  let remembered = false;
  for (let wait = 100; ; wait = Math.min(wait * 2, 2_000)) {
    try {
      await write();
      if (remembered) log.info({ messageId }, 'sent email recorded after the database came back');
      return;
    } catch (err) {
      if (!isStoreUnavailable(err)) throw err;
      if (!remembered) {
        remembered = true;
        await remember().catch((e: unknown) => log.warn({ messageId, error: (e as Error).message }, 'could not note the provider\'s id in the job either'));
        log.warn({ messageId, error: (err as Error).message }, 'email sent but the database is unavailable; recording it is retried');
      }
      if (Date.now() + wait > until) throw err;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/**
 * Records a failed send of the deliveries `ids` and rethrows for BullMQ: throttling (the
 * provider's, or the shared budget booked up) → the send queues are rate-limited (not a failed attempt); permanent → `failed`, no retry; sending paused →
 * the send queues are paused for an operator; otherwise a transient failure retried with backoff.
 */
export async function handleSendFailure(deps: SendDeps, ids: number[], to: string, job: Job, log: Logger, err: Error): Promise<never> {
  const markAll = (permanent: boolean) => Promise.all(ids.map((id) => deps.store.deliveries.markFailed(id, err.message, permanent)));
  if (err instanceof ThrottledError) {
    const ms = err.retryAfterMs ?? deps.config.throttleDelayMs ?? 1_000;
    await markAll(false);
    if (err instanceof SendBudgetExhaustedError) log.info({ delayMs: ms }, 'SES send budget booked up; send queues held back');
    else log.warn({ delayMs: ms, error: err.message }, 'provider throttled; send queues rate-limited');
    await deps.rateLimit(ms);
    throw Worker.RateLimitError();
  }
  if (err instanceof PermanentSendError) {
    await markAll(true);
    log.warn({ error: err.message, to }, 'email refused by provider; not retrying');
    throw err;
  }
  if (err instanceof SendingPausedError) {
    await markAll(false);
    await deps.pauseSending();
    log.error({ error: err.message }, 'sending is paused at the provider; send queue paused until an operator resumes it');
    throw err;
  }
  const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  await markAll(lastAttempt);
  log.warn({ error: err.message, attempt: job.attemptsMade + 1, lastAttempt }, 'send failed; will retry with backoff');
  throw err;
}

/**
 * An email that could not be composed: bad template data or an unusable source is a bug or a
 * configuration problem — the deliveries fail once, loudly (`PermanentSendError`); anything else
 * (the database away) puts them back to `queued` and is rethrown for a retry.
 */
export async function handleComposeFailure(deps: SendDeps, ids: number[], log: Logger, err: unknown, context: Record<string, unknown>): Promise<never> {
  if (err instanceof TemplateDataError || err instanceof PermanentSendError) {
    log.error({ err, ...context }, 'email cannot be composed');
    await Promise.all(ids.map((id) => deps.store.deliveries.markFailed(id, err.message, true)));
    throw err instanceof PermanentSendError ? err : new PermanentSendError(err.message);
  }
  await Promise.all(ids.map((id) => deps.store.deliveries.markFailed(id, (err as Error).message, false)));
  throw err;
}
