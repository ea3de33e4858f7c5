import { execSync } from 'node:child_process';
import { openStore, makeQueues, closeQueues, type PlannedReminder } from '@tickler/db';
import { expiryRangeFor, expiryOf, sendAtFor, DEFAULT_OFFSETS, REMINDER_KINDS } from '@tickler/domain';
import { Redis } from 'ioredis';
execSync('cp /tmp/sched-bench/seeded.db /tmp/sched-bench/run.db && rm -f /tmp/sched-bench/run.db-wal /tmp/sched-bench/run.db-shm');
(async () => {
  const store = await openStore({ url: 'file:/tmp/sched-bench/run.db' });
  const now = new Date('2026-11-27T00:00:00Z'); const until = new Date(now.getTime() + 86400000);
  let tq = 0, rows = 0, tp = 0, ti = 0, hits = 0; const cache = new Map<string, number>();
  for (const kind of REMINDER_KINDS) for (const off of DEFAULT_OFFSETS[kind]) {
    const r = expiryRangeFor(off, now, until);
    let t = performance.now();
    for await (const page of store.directory.findOrdersExpiringBetween(kind, r.from, r.to)) {
      tq += performance.now() - t; rows += page.length;
      t = performance.now();
      const planned: PlannedReminder[] = [];
      for (const o of page) { const e = expiryOf(o, kind)!; const k = e + off + o.timeZone; let at = cache.get(k); if (at === undefined) { at = sendAtFor(e, off, o.timeZone).getTime(); cache.set(k, at); }
        if (at > now.getTime() && at <= until.getTime()) planned.push({ orderId: o.id, kind, expiresOn: e, offsetDays: off, sendAt: new Date(at), status: 'queued', reason: null }); }
      tp += performance.now() - t; hits += planned.length;
      t = performance.now(); await store.reminders.insertNew(planned); ti += performance.now() - t;
      t = performance.now();
    }
  }
  console.log({ rows, hits, queryMs: tq, planMs: tp, insertMs: ti, zones: new Set([...cache.keys()].map(k => k.slice(12))).size });
})();
