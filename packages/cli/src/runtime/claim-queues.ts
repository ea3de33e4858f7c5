/**
 * Job ids are derived from ledger row ids (`reminder-42`), so a NEW database must not meet jobs a
 * previous database left under the same QUEUE_PREFIX: BullMQ ignores an add whose id it still holds
 * (finished jobs are kept for a day), and the new row 42 would silently wait for nothing. The first
 * process that runs against a database claims the prefix for it and clears what is there; later
 * processes (and later starts) find the claim and leave Redis alone.
 */
import type { Logger } from 'pino';
import type { Store } from '@tickler/db';
import type { Queues } from '@tickler/queues';

const CLAIM_KEY = 'queues.prefix';

/** Claims `prefix` for this database; on the first claim, empties its queues. Returns whether it cleared them. */
export async function claimQueues(store: Store, queues: Queues, prefix: string, logger: Logger): Promise<boolean> {
  if (!(await store.state.claim(CLAIM_KEY, prefix))) {
    const owner = await store.state.get(CLAIM_KEY);
    if (owner !== prefix) logger.warn({ claimed: owner, configured: prefix }, 'QUEUE_PREFIX differs from the prefix this database first ran with; reconciliation re-adds queued work');
    return false;
  }
  const counts = await Promise.all(Object.values(queues).map(async (queue) => {
    const n = Object.values(await queue.getJobCounts()).reduce((sum, c) => sum + c, 0);
    if (n > 0) await queue.obliterate({ force: true });
    return n;
  }));
  const cleared = counts.reduce((sum, n) => sum + n, 0);
  if (cleared > 0) logger.warn({ prefix, cleared }, 'new database: cleared jobs a previous database left under this queue prefix');
  return true;
}
