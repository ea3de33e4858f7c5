/**
 * Waits for `promise` at most `ms` milliseconds, then rejects with `timeoutError()` (default: "no
 * answer within N ms"). Used where Redis or the database being slow must not hold up an answer: a
 * readiness probe, an enqueue after the ledger row is written (reconciliation re-enqueues it), an
 * admin route reading Redis. The promise keeps running; its late failure is swallowed so it cannot
 * crash the process.
 */
export async function withinMs<T>(promise: Promise<T>, ms: number, timeoutError: () => Error = () => new Error(`no answer within ${ms} ms`)): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError()), ms);
  });
  promise.catch(() => undefined);
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
