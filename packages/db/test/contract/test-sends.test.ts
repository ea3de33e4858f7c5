/** Test sends' own audit, on every store: recorded apart from deliveries, claimed once, finished once. */
import { STORE_KINDS, useTestStore } from '../stores';

const T0 = new Date('2026-11-27T09:00:00.000Z');
const T1 = new Date('2026-11-27T09:00:01.250Z');
const input = { template: 'license-reminder', locale: 'en', sample: 'long', email: 'ann@acme.example', requestedBy: 'admin' as const };

describe.each(STORE_KINDS)('%s store: test sends', (kind) => {
  const ctx = useTestStore(kind);

  it('records a queued test send and reads it back', async () => {
    const { testSends } = ctx.current.store;
    const row = await testSends.create(input, T0);
    expect(row).toEqual({ ...input, id: row.id, status: 'queued', subject: null, providerMessageId: null, error: null, createdAt: T0, updatedAt: null });
    expect(await testSends.get(row.id)).toEqual(row);
    expect(await testSends.get(row.id + 1000)).toBeNull();
  });

  it('is claimed once, even by two processes at once, then marked sent once', async () => {
    const { testSends } = ctx.current.store;
    const other = await ctx.current.openAnother();
    try {
      const row = await testSends.create(input, T0);
      const claims = await Promise.all([testSends.claim(row.id, T1), other.testSends.claim(row.id, T1), testSends.claim(row.id, T1)]);
      expect(claims.filter((c) => c !== null)).toHaveLength(1);
      expect(claims.find((c) => c)?.status).toBe('sending');
      expect(await testSends.claim(row.id + 1000, T1)).toBeNull();
      expect(await testSends.markSent(row.id, '[TEST] Your license', 'msg-1', T1)).toBe(true);
      expect(await other.testSends.markSent(row.id, '[TEST] again', 'msg-2', T1)).toBe(false);
      expect(await testSends.markFailed(row.id, 'late failure', T1)).toBe(false);
      expect(await other.testSends.get(row.id)).toMatchObject({ status: 'sent', subject: '[TEST] Your license', providerMessageId: 'msg-1', updatedAt: T1 });
    } finally {
      await other.close();
    }
  });

  it('marks an unsent test failed with its reason, and lists the newest first', async () => {
    const { testSends } = ctx.current.store;
    const a = await testSends.create(input, T0);
    const b = await testSends.create({ ...input, email: 'bob@acme.example', requestedBy: 'cli' }, T1);
    expect(await testSends.markFailed(a.id, 'address refused', T1)).toBe(true);
    expect(await testSends.claim(a.id, T1)).toBeNull();
    expect(await testSends.markSent(b.id, 's', 'm', T1)).toBe(false); // never claimed
    const recent = await testSends.recent(10);
    expect(recent.map((r) => [r.id, r.status, r.error])).toEqual([[b.id, 'queued', null], [a.id, 'failed', 'address refused']]);
    expect(await testSends.recent(1)).toHaveLength(1);
  });
});
