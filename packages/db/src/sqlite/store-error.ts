/**
 * SQLite errors as `StoreError` (see ../store-error.ts). Besides keeping callers independent of the
 * driver, this matters because better-sqlite3 registers its error class once per process: under
 * jest (one VM context per test file) its errors would otherwise fail `instanceof Error` in every
 * file but the first.
 */
import { isStoreUnavailable, StoreError, storeErrorKindOf, wrapRepository } from '../store-error';

export { isStoreUnavailable, StoreError };

/** SQLite's own errors, or any error object from another realm (which can only be the driver's). */
function driverErrorCode(error: unknown): string | null {
  if (typeof error !== 'object' || error === null || typeof (error as { message?: unknown }).message !== 'string') return null;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('SQLITE_')) return code;
  return error instanceof Error ? null : 'STORE_ERROR';
}

/** Rethrows a driver error as a StoreError; anything else unchanged. */
export function translateError(error: unknown): never {
  const code = driverErrorCode(error);
  if (code !== null) {
    const message = (error as { message: string }).message;
    throw new StoreError(message, code, { cause: error, kind: storeErrorKindOf(code, message) });
  }
  throw error;
}

/**
 * Wraps every method of a repository so driver errors come out as StoreError, and a failure on a
 * closed store as StoreError `STORE_CLOSED`.
 */
export function withStoreErrors<T extends object>(repository: T, isOpen: () => boolean = () => true): T {
  return wrapRepository(repository, (error: unknown): never => {
    if (!isOpen()) throw new StoreError('The store is closed.', 'STORE_CLOSED', { cause: error, kind: 'closed' });
    return translateError(error);
  });
}
