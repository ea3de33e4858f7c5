/**
 * Concurrent calls of one statement, coalesced into one round trip. A mailer works dozens of send
 * jobs at once, and each job's claim, checks and ledger write were a statement each: about 8 round
 * trips per email, each costing the mailer and the server more CPU than the email's rendering.
 *
 * Each batched statement has at most one batch on the wire. A call when none is running goes out
 * at once (with the calls made in the same turn of the event loop); calls made while a batch runs
 * wait for it and then go out together. So nothing waits when the process is idle, and under load
 * the batches grow with the round-trip time instead of the number of statements.
 *
 * The price: a statement that waits (on a row lock another transaction holds) holds back every call
 * of its kind queued behind it. The store's own transactions are short, and the statement timeout
 * (pool.ts, 30 s by default) bounds the wait.
 *
 * Consistency: a batched statement always starts after every call in it was made, so a batched read
 * sees what was committed before its caller asked (never older), and a batched write has committed
 * when its caller's promise resolves. A failed statement fails every call in it; the callers retry
 * as they would have retried their own statement.
 *
 * Built on DataLoader, the batching library of GraphQL servers, with its cache off: every call is a
 * fresh read or write.
 */
import DataLoader from 'dataloader';

/** Keys per statement at most; more calls than this make a second batch. */
export const MAX_BATCH_SIZE = 500;

/** One value (or Error) per key, in the keys' order. */
export type RunBatch<K, V> = (keys: readonly K[]) => Promise<ReadonlyArray<V | Error>>;

/** A function of one key whose concurrent calls `run` serves in batches (see the file header). */
export function batched<K, V>(run: RunBatch<K, V>, maxBatchSize = MAX_BATCH_SIZE): (key: K) => Promise<V> {
  let running = false;
  const waiting: Array<() => void> = [];
  const loader = new DataLoader<K, V>(async (keys) => {
    try {
      return await run(keys);
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running = false;
    }
  }, {
    cache: false,
    maxBatchSize,
    batchScheduleFn: (dispatch) => {
      if (running) {
        waiting.push(dispatch);
        return;
      }
      running = true;
      // After the current turn's promise jobs, so calls made in the same turn join this batch.
      void Promise.resolve().then(() => process.nextTick(dispatch));
    },
  });
  return (key) => loader.load(key);
}

/**
 * A lookup by key, batched: `load` gets the batch's distinct keys and returns the entries it found;
 * each caller gets its key's value, or null.
 */
export function batchedByKey<K, V>(load: (keys: K[]) => Promise<Iterable<readonly [K, V]>>): (key: K) => Promise<V | null> {
  return batched(async (keys: readonly K[]) => {
    const found = new Map(await load([...new Set(keys)]));
    return keys.map((key) => found.get(key) ?? null);
  });
}

/**
 * A membership test of pairs, batched: `load` gets the batch's pairs as two parallel arrays (for
 * `unnest($1, $2)`) and returns the pairs it found; each caller learns whether its pair is there.
 */
export function batchedPairTest(load: (firsts: string[], seconds: string[]) => Promise<Array<readonly [string, string]>>): (first: string, second: string) => Promise<boolean> {
  const key = (first: string, second: string) => JSON.stringify([first, second]);
  const test = batched(async (pairs: ReadonlyArray<readonly [string, string]>) => {
    const found = new Set((await load(pairs.map(([first]) => first), pairs.map(([, second]) => second))).map(([first, second]) => key(first, second)));
    return pairs.map(([first, second]) => found.has(key(first, second)));
  });
  return (first, second) => test([first, second]);
}

/** Groups keys by `group(key)`, keeping each key's position: for statements that take one value per batch. */
export function groupKeys<K, G>(keys: readonly K[], group: (key: K) => G): Map<G, Array<{ key: K; index: number }>> {
  const groups = new Map<G, Array<{ key: K; index: number }>>();
  keys.forEach((key, index) => {
    const g = group(key);
    const list = groups.get(g);
    if (list) list.push({ key, index });
    else groups.set(g, [{ key, index }]);
  });
  return groups;
}
