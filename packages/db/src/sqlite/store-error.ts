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

function isDriverError(error: unknown): error is { message: string; code: string } {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
    && (error as { code: string }).code.startsWith('SQLITE_') && typeof (error as { message?: unknown }).message === 'string';
}

/** Rethrows a driver error as a StoreError; anything else unchanged. */
export function translateError(error: unknown): never {
  if (isDriverError(error)) throw new StoreError(error.message, error.code, { cause: error });
  throw error;
}

function wrapAsyncIterable<T>(iterable: AsyncIterable<T>): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]() {
      const iterator = iterable[Symbol.asyncIterator]();
      return {
        next: () => iterator.next().catch(translateError),
        return: async (value?: unknown) => (iterator.return ? iterator.return(value).catch(translateError) : { done: true, value: undefined as never }),
      };
    },
  };
}

/** Wraps every method of a repository so driver errors come out as StoreError. */
export function withStoreErrors<T extends object>(repository: T): T {
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
        translateError(error);
      }
      if (result instanceof Promise) return result.catch(translateError);
      if (result && typeof result === 'object' && Symbol.asyncIterator in result) return wrapAsyncIterable(result as AsyncIterable<unknown>);
      return result;
    };
  }
  return wrapped as T;
}
