/**
 * A rule of the domain refused its input. `code` is stable and machine-readable
 * (e.g. `invalid_email`, `invalid_time_zone`, `invalid_offsets`, `invalid_order_count`);
 * `message` is a sentence naming what is wrong; `field` names the offending input when known
 * (an env variable, a payload field).
 */
export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** True when `error` is a {@link DomainError}, optionally with the given `code`. */
export function isDomainError(error: unknown, code?: string): error is DomainError {
  return error instanceof DomainError && (code === undefined || error.code === code);
}
