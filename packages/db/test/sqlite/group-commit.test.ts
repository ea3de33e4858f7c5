/**
 * Claims and mark-sent issued together share one commit, yet each settles on its own; a write waiting
 * for another process's lock leaves the event loop free and gives up after the busy timeout.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../../src/open-store';
import { makeTempDir, openTempStore } from './helpers';

describe('deliveries group commit', () => {
  it('commits concurrent claims and sends, and a missing row answers only its own caller', async () => {
    const { store, close } = await openTempStore();
    try {
      const rows = await store.deliveries.upsertMany(Array.from({ length: 50 }, (_, i) => ({
        sourceType: 'broadcast' as const, sourceId: 1, email: `reader-${i}@acme.com`, listId: 'newsletter:news' as const,
        orderId: null, status: 'queued' as const, reason: null,
      })));
      const claims = await Promise.all([...rows.map((r) => store.deliveries.claimForSending(r.id)), store.deliveries.claimForSending(999_999)]);
      expect(claims.slice(0, 50).map((c) => c?.claimed)).toEqual(rows.map(() => true));
      expect(claims[50]).toBeNull();

      const at = new Date('2026-11-27T09:00:00Z');
      await Promise.all(rows.map((r) => store.deliveries.markSent(r.id, `msg-${r.id}`, at)));
      const after = await Promise.all(rows.map((r) => store.deliveries.get(r.id)));
      expect(after.map((d) => [d?.status, d?.attempts, d?.providerMessageId])).toEqual(rows.map((r) => ['sent', 1, `msg-${r.id}`]));

      // A second claim sees the finished row and must not be able to send it again.
      const again = await store.deliveries.claimForSending(rows[0]!.id);
      expect(again).toMatchObject({ claimed: false, delivery: { status: 'sent' } });
    } finally {
      await close();
    }
  });
});

describe('group commit while another process holds the write lock', () => {
  const record = (n: number) => ({ source: 'billing', eventId: `evt-${n}`, type: 'order.upserted', status: 'pending' as const, orderId: `ORD-${n}`, email: null, occurredAt: null, payload: '{}' });

  it('waits without blocking the event loop and commits once the lock is free', async () => {
    const { store, url, close } = await openTempStore();
    const other = new Database(url.replace(/^file:/, ''));
    try {
      other.prepare('BEGIN IMMEDIATE').run();
      const writing = store.inboundEvents.recordMany([record(1), record(2)]);
      // SQLite's own busy handler would freeze this process: neither timer could fire before the write gave up.
      let ticks = 0;
      const ticker = setInterval(() => { ticks += 1; }, 5);
      await new Promise<void>((resolve) => setTimeout(() => { other.prepare('COMMIT').run(); resolve(); }, 100));
      const rows = await writing;
      clearInterval(ticker);
      expect(ticks).toBeGreaterThanOrEqual(5);
      expect(rows.map((r) => [r.row.eventId, r.duplicate])).toEqual([['evt-1', false], ['evt-2', false]]);
      expect((await store.inboundEvents.listByOrder('ORD-2')).length).toBe(1);
    } finally {
      other.close();
      await close();
    }
  });

  it('gives up after the busy timeout with SQLITE_BUSY and writes nothing', async () => {
    const { dir, cleanup } = makeTempDir();
    const url = `file:${path.join(dir, 'tickler.db')}`;
    const store = await openStore({ url, busyTimeoutMs: 150 });
    const other = new Database(url.replace(/^file:/, ''));
    try {
      other.prepare('BEGIN IMMEDIATE').run();
      const started = Date.now();
      await expect(store.inboundEvents.recordMany([record(1)])).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
      other.prepare('ROLLBACK').run();
      expect(await store.inboundEvents.listByOrder('ORD-1')).toEqual([]);
      // The committer is usable again once the lock is free.
      await store.inboundEvents.recordMany([record(3)]);
      expect((await store.inboundEvents.listByOrder('ORD-3')).length).toBe(1);
    } finally {
      other.close();
      await store.close();
      cleanup();
    }
  });
});
