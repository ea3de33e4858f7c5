/** The store as a whole, on every store: readiness probes and closing. */
import { STORE_KINDS, useTestStore } from '../stores';

describe.each(STORE_KINDS)('%s store', (kind) => {
  const ctx = useTestStore(kind);

  it('answers ping and commits a probe write; once closed, both reject with STORE_CLOSED', async () => {
    const store = await ctx.current.openAnother();
    await store.ping();
    await store.probeWrite(new Date('2026-11-27T09:00:00Z'));
    await store.probeWrite(new Date('2026-11-27T09:00:01Z'));
    await store.close();
    await store.close(); // twice is harmless
    await expect(store.ping()).rejects.toMatchObject({ name: 'StoreError', code: 'STORE_CLOSED', kind: 'closed' });
    await expect(store.probeWrite(new Date())).rejects.toMatchObject({ name: 'StoreError', code: 'STORE_CLOSED' });
    await expect(store.state.get('x')).rejects.toMatchObject({ name: 'StoreError', code: 'STORE_CLOSED' });
  });
});
