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
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ECONNABORTED', 'UND_ERR_SOCKET']);

interface ProviderErrorShape {
  name?: string;
  code?: string;
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
 * Unknown errors are transient: retrying with backoff is safer than dropping an email.
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
  if (status !== undefined && status >= 500) return new TransientSendError(detail);
  if ((err.code && NETWORK_CODES.has(err.code)) || name === 'TimeoutError' || name === 'AbortError') return new TransientSendError(detail);
  return new TransientSendError(detail);
}
