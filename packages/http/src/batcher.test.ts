import { makeBatcher } from './batcher';

function recordingOps(failMany = false) {
  const calls: Array<['many', number[]] | ['one', number]> = [];
  return {
    calls,
    ops: {
      many: async (items: number[]) => {
        calls.push(['many', items]);
        if (failMany) throw new Error('batch failed');
        return items.map((n) => n * 10);
      },
      one: async (item: number) => {
        calls.push(['one', item]);
        if (item === 3) throw new Error('three is bad');
        return item * 10;
      },
    },
  };
}

describe('makeBatcher', () => {
  it('hands calls of the same event-loop turn over together, in order, and answers each caller', async () => {
    const { calls, ops } = recordingOps();
    const call = makeBatcher(ops);
    expect(await Promise.all([call(1), call(2), call(4)])).toEqual([10, 20, 40]);
    expect(calls).toEqual([['many', [1, 2, 4]]]);
  });

  it('sends a lone call through one()', async () => {
    const { calls, ops } = recordingOps();
    expect(await makeBatcher(ops)(5)).toBe(50);
    expect(calls).toEqual([['one', 5]]);
  });

  it('splits at maxBatch', async () => {
    const { calls, ops } = recordingOps();
    const call = makeBatcher(ops, 2);
    expect(await Promise.all([1, 2, 4, 5, 6].map(call))).toEqual([10, 20, 40, 50, 60]);
    expect(calls).toEqual([['many', [1, 2]], ['many', [4, 5]], ['one', 6]]);
  });

  it('retries a failed batch one by one so only the bad item fails', async () => {
    const { calls, ops } = recordingOps(true);
    const call = makeBatcher(ops);
    const results = await Promise.allSettled([call(1), call(3), call(4)]);
    expect(results).toEqual([
      { status: 'fulfilled', value: 10 },
      { status: 'rejected', reason: new Error('three is bad') },
      { status: 'fulfilled', value: 40 },
    ]);
    expect(calls[0]).toEqual(['many', [1, 3, 4]]);
  });
});
