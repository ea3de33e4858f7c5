/**
 * What a failed provider call means for the job, decided in one place:
 * - `ThrottledError`: the provider asks us to slow down → rate-limit the queue, retry without failing;
 * - `TransientSendError`: network or 5xx → throw, BullMQ retries with exponential backoff;
 * - `PermanentSendError` (an `UnrecoverableError`): the message itself is refused → fail once, no retry;
 * - `SendingPausedError`: the account cannot send at all → pause the send queue, alert.
 */
import { UnrecoverableError } from 'bullmq';

export class ThrottledError extends Error {
  constructor(message: string, readonly retryAfterMs: number | null = null) {
    super(message);
    this.name = 'ThrottledError';
  }
}

export class TransientSendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransientSendError';
  }
}

export class PermanentSendError extends UnrecoverableError {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentSendError';
  }
}

export class SendingPausedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SendingPausedError';
  }
}

export type SendError = ThrottledError | TransientSendError | PermanentSendError | SendingPausedError;

const THROTTLING = new Set(['TooManyRequestsException', 'Throttling', 'ThrottlingException', 'LimitExceededException', 'SlowDown', 'RequestLimitExceeded']);
const PAUSED = new Set(['SendingPausedException', 'AccountSuspendedException']);
/** The message (or its addresses/sender) is refused: sending it again cannot succeed. */
const PERMANENT = new Set(['MessageRejected', 'MailFromDomainNotVerifiedException', 'BadRequestException', 'InvalidParameterValue', 'NotFoundException']);

interface ProviderErrorShape {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number };
  $retryable?: { throttling?: boolean };
}

function statusOf(err: ProviderErrorShape): number | undefined {
  return err.$metadata?.httpStatusCode ?? err.$response?.statusCode;
}

/**
 * Classifies an error thrown by the SES SDK (or any provider client shaped like it).
 * Everything else — 5xx, network errors (ECONNRESET, timeouts, aborts) and unknown errors — is
 * transient: retrying with backoff is safer than dropping an email.
 */
export function classifySendError(error: unknown): SendError {
  if (error instanceof ThrottledError || error instanceof TransientSendError || error instanceof PermanentSendError || error instanceof SendingPausedError) return error;
  const err = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as ProviderErrorShape;
  const name = err.name ?? '';
  const status = statusOf(err);
  const detail = `${name || 'Error'}${status ? ` (HTTP ${status})` : ''}: ${err.message ?? 'no message'}`;
  if (status === 429 || THROTTLING.has(name) || err.$retryable?.throttling) return new ThrottledError(detail);
  if (PAUSED.has(name)) return new SendingPausedError(detail);
  if (PERMANENT.has(name)) return new PermanentSendError(detail);
  return new TransientSendError(detail);
}
