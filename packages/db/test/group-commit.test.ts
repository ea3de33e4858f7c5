/** Claims and mark-sent issued together share one commit, yet each settles on its own. */
import { openTempStore } from './helpers';

describe('deliveries group commit', () => {
  it('commits concurrent claims and sends, and a missing row answers only its own caller', async () => {
    const { store, close } = await openTempStore();
    try {
      const rows = await store.deliveries.upsertMany(Array.from({ length: 50 }, (_, i) => ({
        sourceType: 'broadcast' as const, sourceId: 1, email: `reader-${i}@acme.com`, listId: 'newsletter:news' as const,
        orderId: null, status: 'queued' as const, reason: null,
      })));
      const claims = await Promise.all([...rows.map((r) => store.deliveries.claimForSending(r.id)), store.deliveries.claimForSending(999_999)]);
      expect(claims.slice(0, 50).map((c) => c?.status)).toEqual(rows.map(() => 'queued'));
      expect(claims[50]).toBeNull();

      const at = new Date('2026-11-27T09:00:00Z');
      await Promise.all(rows.map((r) => store.deliveries.markSent(r.id, `msg-${r.id}`, at)));
      const after = await Promise.all(rows.map((r) => store.deliveries.get(r.id)));
      expect(after.map((d) => [d?.status, d?.attempts, d?.sesMessageId])).toEqual(rows.map((r) => ['sent', 1, `msg-${r.id}`]));

      // A second claim sees the finished row and must not be able to send it again.
      const again = await store.deliveries.claimForSending(rows[0]!.id);
      expect(again?.status).toBe('sent');
    } finally {
      await close();
    }
  });
});
