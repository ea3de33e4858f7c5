/**
 * PostgreSQL and connection errors as `StoreError` (see ../store-error.ts): `code` is the SQLSTATE
 * (`23503`), the socket's code (`ECONNREFUSED`) or `PG_CONNECTION_LOST` / `PG_CONNECT_TIMEOUT` for
 * node-postgres's own connection errors; `kind` is store-neutral.
 */
import { SOCKET_CODES, StoreError, storeErrorKindOf, wrapRepository, type StoreErrorKind } from '../store-error';

/** node-postgres reports these without a code. */
const DRIVER_MESSAGES: Array<[RegExp, string, StoreErrorKind]> = [
  [/timeout exceeded when trying to connect|Connection terminated due to connection timeout/i, 'PG_CONNECT_TIMEOUT', 'unavailable'],
  [/Connection terminated|connection error and is not queryable|Client was closed and is not queryable|Cannot use a pool after calling end/i, 'PG_CONNECTION_LOST', 'unavailable'],
];

/** True for errors a unit of work may simply run again: deadlock victims and serialization failures. */
export function isRetryableConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40001' || code === '40P01';
}

/** True for an error the server answered a statement with: an autocommit statement that failed so changed nothing. */
export function isServerError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && 'severity' in (error as object);
}

/** The StoreError for a driver or server error, or null for anything else (domain errors pass through). */
export function toStoreError(error: unknown): StoreError | null {
  if (error instanceof StoreError) return error;
  if (typeof error !== 'object' || error === null) return null;
  const { code, message } = error as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : String(error);
  const isSqlState = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && 'severity' in error;
  if (isSqlState || (typeof code === 'string' && SOCKET_CODES.has(code))) {
    return new StoreError(text, code as string, { cause: error, kind: storeErrorKindOf(code as string) });
  }
  for (const [pattern, driverCode, kind] of DRIVER_MESSAGES) {
    if (pattern.test(text)) return new StoreError(text, driverCode, { cause: error, kind });
  }
  // AggregateError from a connect attempt to every address of a host name.
  if (error instanceof AggregateError && error.errors.length > 0) return toStoreError(error.errors[0]);
  return null;
}

/** Rethrows a driver error as a StoreError; anything else unchanged. */
export function translatePgError(error: unknown): never {
  throw toStoreError(error) ?? error;
}

/** Wraps every method of a repository: driver errors come out as StoreError, and failures of a closed store as `STORE_CLOSED`. */
export function withPgStoreErrors<T extends object>(repository: T, isOpen: () => boolean): T {
  return wrapRepository(repository, (error: unknown): never => {
    if (!isOpen()) throw new StoreError('The store is closed.', 'STORE_CLOSED', { cause: error, kind: 'closed' });
    return translatePgError(error);
  });
}
