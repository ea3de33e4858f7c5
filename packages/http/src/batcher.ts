/**
 * Micro-batching for the hot webhook path: calls made in the same turn of the event loop are handed
 * over together (after `setImmediate`), so concurrent requests share one SQLite transaction or one
 * Redis round trip. A lone call goes through `one` at no extra cost. If a batch fails, its items are
 * retried one by one, so each caller gets its own result or its own error.
 */
export interface BatchOps<I, O> {
  many: (items: I[]) => Promise<O[]>;
  one: (item: I) => Promise<O>;
}

interface Waiting<I, O> { item: I; resolve: (value: O) => void; reject: (error: unknown) => void }

export function makeBatcher<I, O>(ops: BatchOps<I, O>, maxBatch = 256): (item: I) => Promise<O> {
  const waiting: Array<Waiting<I, O>> = [];
  let scheduled = false;

  const single = (w: Waiting<I, O>) => ops.one(w.item).then(w.resolve, w.reject);

  async function flush(): Promise<void> {
    scheduled = false;
    const batch = waiting.splice(0, maxBatch);
    if (waiting.length > 0) schedule();
    if (batch.length === 1) return single(batch[0]!);
    let results: O[];
    try {
      results = await ops.many(batch.map((w) => w.item));
    } catch {
      await Promise.all(batch.map(single));
      return;
    }
    batch.forEach((w, i) => w.resolve(results[i] as O));
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => void flush());
  }

  return (item) => new Promise<O>((resolve, reject) => {
    waiting.push({ item, resolve, reject });
    schedule();
  });
}
