/**
 * Storage failures surface as `StoreError`, never as a driver's own error type, whichever store is
 * behind the `Store`. `code` is the driver's (SQLite's `SQLITE_BUSY`, PostgreSQL's SQLSTATE such as
 * `23503`, a socket's `ECONNREFUSED`, or `STORE_CLOSED`); `kind` is the same for every store, and
 * `transient` says whether trying again later can succeed — the HTTP edge answers 503 for those, a
 * job processor rethrows them for BullMQ's backoff.
 */
export type StoreErrorKind =
  /**
   * The database cannot be reached, refused or dropped the connection, or is shutting down; also a
   * server that answers but has no such database (3D000) or does not accept the user or password
   * (class 28): the URL needs fixing or the database creating, and then the same call succeeds.
   */
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
    this.kind = options.kind ?? storeErrorKindOf(code, message);
  }

  /** True when the same call may succeed later (database down, busy, timed out, read-only). */
  get transient(): boolean {
    return TRANSIENT.has(this.kind);
  }
}

/** SQLite result codes (primary, before any `_EXTENDED` suffix) by kind. */
const SQLITE_KINDS: Record<string, StoreErrorKind> = {
  SQLITE_BUSY: 'busy', SQLITE_LOCKED: 'busy', SQLITE_CONSTRAINT: 'constraint', SQLITE_READONLY: 'read_only',
  SQLITE_FULL: 'unavailable', SQLITE_IOERR: 'unavailable', SQLITE_CANTOPEN: 'unavailable', SQLITE_NOMEM: 'unavailable',
  SQLITE_PROTOCOL: 'unavailable', SQLITE_CORRUPT: 'unavailable', SQLITE_NOTADB: 'unavailable',
};
/** Socket errors of a connection to a database server. */
export const SOCKET_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ECONNABORTED']);

/**
 * The store-neutral kind of a driver's code: a SQLite result code (`SQLITE_IOERR_WRITE`), a
 * PostgreSQL SQLSTATE (`40P01`), a socket error (`ECONNREFUSED`) or `STORE_CLOSED`.
 */
export function storeErrorKindOf(code: string, message = ''): StoreErrorKind {
  if (code === 'STORE_CLOSED') return 'closed';
  if (code.startsWith('SQLITE_')) {
    const kind = SQLITE_KINDS[code.replace(/^(SQLITE_[A-Z]+)_.*$/, '$1')];
    if (kind) return kind;
    return /no such (table|column)/.test(message) ? 'schema' : 'other';
  }
  if (SOCKET_CODES.has(code) || code.startsWith('08') || code.startsWith('28') || code === '3D000' || ['57P01', '57P02', '57P03', '53300', '53100', '53200', '58030'].includes(code)) return 'unavailable';
  if (['40001', '40P01', '55P03', '55006'].includes(code)) return 'busy';
  if (code === '57014') return 'timeout';
  if (code === '25006') return 'read_only';
  if (/^23[0-9A-Z]{3}$/.test(code)) return 'constraint';
  if (['42P01', '42703', '42883', '3F000'].includes(code)) return 'schema';
  return 'other';
}

/**
 * True for a StoreError saying the database cannot take the call now — down, busy, timed out,
 * read-only, full, or the store closing — as opposed to a bug in the call (constraint, schema):
 * nothing was stored, a retry later may work. The HTTP edge answers 503; jobs retry with backoff.
 */
export function isStoreUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || (error as { name?: unknown }).name !== 'StoreError') return false;
  const { kind, code } = error as { kind?: unknown; code?: unknown };
  const resolved = typeof kind === 'string' ? kind as StoreErrorKind : storeErrorKindOf(String(code ?? ''));
  return TRANSIENT.has(resolved) || resolved === 'closed';
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
