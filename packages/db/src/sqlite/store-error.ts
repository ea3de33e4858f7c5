/**
 * Storage failures surface as `StoreError` (an `Error` with SQLite's `code`, e.g.
 * `SQLITE_CONSTRAINT_FOREIGNKEY`, `SQLITE_BUSY`), never as the driver's own error type. Besides
 * keeping callers independent of the driver, this matters because better-sqlite3 registers its
 * error class once per process: under jest (one VM context per test file) its errors would
 * otherwise fail `instanceof Error` in every file but the first.
 */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(message: string, readonly code: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** SQLite's own errors, or any error object from another realm (which can only be the driver's). */
function driverErrorCode(error: unknown): string | null {
  if (typeof error !== 'object' || error === null || typeof (error as { message?: unknown }).message !== 'string') return null;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('SQLITE_')) return code;
  return error instanceof Error ? null : 'STORE_ERROR';
}

/**
 * SQLite result codes (primary, before any `_EXTENDED` suffix) that mean the database could not
 * serve the call right now — full disk, I/O error, read-only file, lock held too long, unusable
 * file — as opposed to a bug in the call (constraint, misuse). Nothing was stored; a retry later may work.
 */
const UNAVAILABLE = new Set(['SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_READONLY', 'SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_CANTOPEN',
  'SQLITE_NOMEM', 'SQLITE_PROTOCOL', 'SQLITE_CORRUPT', 'SQLITE_NOTADB', 'STORE_CLOSED']);

/** True for a StoreError saying the database cannot take the call now (see UNAVAILABLE); callers answer 503. */
export function isStoreUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || (error as { name?: unknown }).name !== 'StoreError') return false;
  const code = String((error as { code?: unknown }).code ?? '');
  return UNAVAILABLE.has(code.replace(/^(SQLITE_[A-Z]+)_.*$/, '$1'));
}

/** Rethrows a driver error as a StoreError; anything else unchanged. */
export function translateError(error: unknown): never {
  const code = driverErrorCode(error);
  if (code !== null) throw new StoreError((error as { message: string }).message, code, { cause: error });
  throw error;
}

function wrapAsyncIterable<T>(iterable: AsyncIterable<T>, fail: (error: unknown) => never): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]() {
      const iterator = iterable[Symbol.asyncIterator]();
      return {
        next: () => iterator.next().catch(fail),
        return: async (value?: unknown) => (iterator.return ? iterator.return(value).catch(fail) : { done: true, value: undefined as never }),
      };
    },
  };
}

/**
 * Wraps every method of a repository so driver errors come out as StoreError, and a failure on a
 * closed store as StoreError `STORE_CLOSED`.
 */
export function withStoreErrors<T extends object>(repository: T, isOpen: () => boolean = () => true): T {
  const fail = (error: unknown): never => {
    if (!isOpen()) throw new StoreError('The store is closed.', 'STORE_CLOSED', { cause: error });
    return translateError(error);
  };
  const wrapped: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(repository)) {
    if (typeof member !== 'function') {
      wrapped[name] = member;
      continue;
    }
    wrapped[name] = (...args: unknown[]) => {
      let result: unknown;
      try {
        result = (member as (...a: unknown[]) => unknown).apply(repository, args);
      } catch (error) {
        fail(error);
      }
      if (result instanceof Promise) return result.catch(fail);
      if (result && typeof result === 'object' && Symbol.asyncIterator in result) return wrapAsyncIterable(result as AsyncIterable<unknown>, fail);
      return result;
    };
  }
  return wrapped as T;
}
