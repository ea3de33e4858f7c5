/**
 * Failing over real Redis topologies (redis-topology.ts) and seeing what happened. Where keys live
 * on a Cluster is read from the nodes themselves (not from Tickler's key layout): every master is
 * scanned for the keys under a prefix and each key's slot is asked of Redis (`CLUSTER KEYSLOT`),
 * as a `redis-cli` user would see it.
 */
import { Redis } from 'ioredis';
import { waitForTrue, type ClusterSetup } from './redis-topology';

export interface KeyPlacement {
  /** Master port → the keys under the prefix it holds. */
  byMaster: Map<number, string[]>;
  /** Queue name → the distinct slots its keys hash to (one, when the layout is right). */
  slotsByQueue: Map<string, Set<number>>;
}

async function withNode<T>(port: number, work: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    return await work(client);
  } finally {
    client.disconnect();
  }
}

/** Every key matching `<prefix>:*` on each master (SCAN per node: a cluster has no global keyspace). */
export async function keyPlacement(masterPorts: number[], prefix: string): Promise<KeyPlacement> {
  const byMaster = new Map<number, string[]>();
  const slotsByQueue = new Map<string, Set<number>>();
  for (const port of masterPorts) {
    await withNode(port, async (client) => {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        keys.push(...batch);
        cursor = next;
      } while (cursor !== '0');
      byMaster.set(port, keys);
      // One pipeline per node: thousands of job keys asked one round trip at a time took seconds on a
      // loaded CI machine, long enough for the run a test means to interrupt to finish meanwhile.
      const pipeline = client.pipeline();
      for (const key of keys) pipeline.call('CLUSTER', 'KEYSLOT', key);
      const answers = (await pipeline.exec()) ?? [];
      keys.forEach((key, i) => {
        const [error, slot] = answers[i] ?? [new Error('no answer')];
        if (error) throw error;
        const queue = /^[^:]+:\{([^}]+)\}:/.exec(key)?.[1] ?? '(no hash tag)';
        slotsByQueue.set(queue, (slotsByQueue.get(queue) ?? new Set()).add(Number(slot)));
      });
    });
  }
  return { byMaster, slotsByQueue };
}

/** The slot Redis computes for `key` (asked of the node on `port`). */
export function keySlot(port: number, key: string): Promise<number> {
  return withNode(port, async (client) => Number(await client.call('CLUSTER', 'KEYSLOT', key)));
}

/** The master port serving `slot`, from `masters` (as `ClusterSetup.masters()` returns them). */
export function masterOf(masters: Array<{ port: number; slots: Array<[number, number]> }>, slot: number): number | undefined {
  return masters.find((m) => m.slots.some(([from, to]) => slot >= from && slot <= to))?.port;
}

/**
 * SIGKILLs the master serving the slot of `key` and waits until another node (its replica) serves
 * that slot. Times are `Date.now()` values: the kill, and when the cluster named the new master.
 */
export async function killMasterOf(cluster: ClusterSetup, key: string): Promise<{ port: number; killedAt: number; promotedAt: number }> {
  const masters = await cluster.masters();
  const slot = await keySlot(masters[0]!.port, key);
  const port = masterOf(masters, slot)!;
  const killedAt = Date.now();
  await cluster.nodes.find((n) => n.port === port)!.kill('SIGKILL');
  await waitForTrue(async () => {
    const now = masterOf(await cluster.masters(), slot);
    return now !== undefined && now !== port;
  }, `a replica to take over slot ${slot} (${key}) from :${port}`, 30_000);
  return { port, killedAt, promotedAt: Date.now() };
}

/** The major version of the installed redis-server (cluster mode needs 3 or later), or null if it cannot tell. */
export function redisServerMajor(versionText: string): number | null {
  const m = /v=(\d+)\./.exec(versionText);
  return m ? Number(m[1]) : null;
}

/**
 * When sending resumed after `killedAt`: the first send that follows a pause of at least `gapMs`
 * (in-flight sends finish right after the kill; the pause is the failover). Null when there was no pause.
 */
export function firstSendAfterGap(sent: Array<{ at: number }>, killedAt: number, gapMs = 300): number | null {
  const after = sent.map((s) => s.at).filter((at) => at >= killedAt).sort((a, b) => a - b);
  let previous = killedAt;
  for (const at of after) {
    if (at - previous >= gapMs) return at;
    previous = at;
  }
  return null;
}
