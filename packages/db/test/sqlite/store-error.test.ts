import { StoreError, withStoreErrors } from '../../src/sqlite/store-error';
import { openStore } from '../../src/open-store';

describe('StoreError', () => {
  it('wraps driver errors from promises and async iterables, and passes other errors through', async () => {
    const driverError = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    const repo = withStoreErrors({
      fails: async () => { throw driverError; },
      domain: async () => { throw new RangeError('bad input'); },
      async *pages() {
        yield [1];
        throw driverError;
      },
    });
    await expect(repo.fails()).rejects.toMatchObject({ name: 'StoreError', code: 'SQLITE_BUSY', message: 'database is locked', cause: driverError });
    await expect(repo.domain()).rejects.toBeInstanceOf(RangeError);
    const seen: number[][] = [];
    await expect((async () => { for await (const page of repo.pages()) seen.push(page); })()).rejects.toBeInstanceOf(StoreError);
    expect(seen).toEqual([[1]]);
  });

  it('is what a closed store rejects with', async () => {
    const store = await openStore({ url: ':memory:' });
    await store.close();
    await expect(store.ping()).rejects.toMatchObject({ name: 'StoreError', code: 'STORE_CLOSED' });
    await expect(store.directory.getOrder('x')).rejects.toMatchObject({ name: 'StoreError', code: 'STORE_CLOSED' });
    const pages = store.directory.findOrdersExpiringBetween('license', '2027-01-01', '2027-12-31');
    await expect((async () => { for await (const _ of pages) break; })()).rejects.toBeInstanceOf(StoreError);
  });
});
