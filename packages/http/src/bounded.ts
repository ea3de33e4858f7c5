/**
 * Waits for `promise` at most `ms` milliseconds. Used where Redis being down must not hold up an
 * answer (the ledger row is already written; reconciliation re-enqueues it). The promise keeps
 * running; its late failure is swallowed so it cannot crash the process.
 */
export async function withinMs<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  promise.catch(() => undefined);
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
