import { UnrecoverableError } from 'bullmq';
import { SESv2ServiceException, MessageRejected, TooManyRequestsException, SendingPausedException } from '@aws-sdk/client-sesv2';
import { classifySendError, PermanentSendError, SendingPausedError, ThrottledError, TransientSendError } from './errors';

const sdkError = (name: string, status: number) =>
  new SESv2ServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message: `${name} happened` });

describe('classifySendError', () => {
  it.each([
    ['TooManyRequestsException', 429],
    ['Throttling', 400],
    ['LimitExceededException', 400],
    ['SomethingElse', 429],
  ])('%s (HTTP %i) is throttling', (name, status) => {
    expect(classifySendError(sdkError(name, status))).toBeInstanceOf(ThrottledError);
  });

  it('uses the SDK exception classes too', () => {
    const meta = { $metadata: { httpStatusCode: 400 }, message: 'x' };
    expect(classifySendError(new TooManyRequestsException({ ...meta, $metadata: { httpStatusCode: 429 } }))).toBeInstanceOf(ThrottledError);
    expect(classifySendError(new MessageRejected(meta))).toBeInstanceOf(PermanentSendError);
    expect(classifySendError(new SendingPausedException(meta))).toBeInstanceOf(SendingPausedError);
  });

  it.each(['MessageRejected', 'MailFromDomainNotVerifiedException', 'BadRequestException'])('%s is permanent and unrecoverable', (name) => {
    const err = classifySendError(sdkError(name, 400));
    expect(err).toBeInstanceOf(PermanentSendError);
    expect(err).toBeInstanceOf(UnrecoverableError);
    expect(err.message).toContain(name);
  });

  it.each(['SendingPausedException', 'AccountSuspendedException'])('%s pauses sending', (name) => {
    const err = classifySendError(sdkError(name, 400));
    expect(err).toBeInstanceOf(SendingPausedError);
    expect(err).not.toBeInstanceOf(UnrecoverableError);
  });

  it('treats 5xx and network errors as transient', () => {
    expect(classifySendError(sdkError('InternalFailure', 500))).toBeInstanceOf(TransientSendError);
    expect(classifySendError(sdkError('ServiceUnavailable', 503))).toBeInstanceOf(TransientSendError);
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(classifySendError(reset)).toBeInstanceOf(TransientSendError);
    const timeout = Object.assign(new Error('timed out'), { name: 'TimeoutError' });
    expect(classifySendError(timeout)).toBeInstanceOf(TransientSendError);
    expect(classifySendError('weird')).toBeInstanceOf(TransientSendError);
  });

  it('keeps an already classified error as it is', () => {
    const err = new ThrottledError('slow down', 500);
    expect(classifySendError(err)).toBe(err);
  });
});
