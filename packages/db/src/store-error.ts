/**
 * Storage failures surface as `StoreError`, never as a driver's own error type, whichever store is
 * behind the `Store`. `code` is the driver's (SQLite's `SQLITE_BUSY`, PostgreSQL's SQLSTATE such as
 * `23503`, a socket's `ECONNREFUSED`, or `STORE_CLOSED`); `kind` is the same for every store, and
 * `transient` says whether trying again later can succeed — the HTTP edge answers 503 for those, a
 * job processor rethrows them for BullMQ's backoff.
 */
export type StoreErrorKind =
  /** The database cannot be reached, refused or dropped the connection, or is shutting down. */
  | 'unavailable'
  /** A lock could not be had in time, a deadlock or serialization failure, or no pooled connection was free. */
  | 'busy'
  /** A statement ran past the statement timeout. */
  | 'timeout'
  /** The database refuses writes (a read-only replica, a read-only file or mount). */
  | 'read_only'
  /** A constraint refused the change (unique, foreign key, not null, check). */
  | 'constraint'
  /** The database lacks a table or column: it was not migrated. */
  | 'schema'
  /** The store was closed. */
  | 'closed'
  | 'other';

const TRANSIENT: ReadonlySet<StoreErrorKind> = new Set(['unavailable', 'busy', 'timeout', 'read_only']);

export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly kind: StoreErrorKind;
  constructor(message: string, readonly code: string, options: { cause?: unknown; kind?: StoreErrorKind } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = options.kind ?? (code === 'STORE_CLOSED' ? 'closed' : 'other');
  }

  /** True when the same call may succeed later (database down, busy, timed out, read-only). */
  get transient(): boolean {
    return TRANSIENT.has(this.kind);
  }
}

/** True for a StoreError that retrying later may cure: what the HTTP edge answers with 503. */
export function isTransientStoreError(error: unknown): error is StoreError {
  return error instanceof StoreError && error.transient;
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
 * Wraps every method of a repository so that whatever it throws or rejects with (also from an
 * async iterable it returns) passes through `fail`, which rethrows it as a StoreError or unchanged.
 */
export function wrapRepository<T extends object>(repository: T, fail: (error: unknown) => never): T {
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
