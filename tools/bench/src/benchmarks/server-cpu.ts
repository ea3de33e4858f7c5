/**
 * CPU time of the servers a benchmark talks to, so that "µs per event" can be reported for every
 * process on the machine, not only ours: on a small machine the database and Redis share the cores.
 *
 * - PostgreSQL: the backends serving the benchmark's database (pg_stat_activity), read from
 *   /proc/<pid>/stat (utime + stime). Only when the server runs on this machine; otherwise `null`.
 *   A backend that exits during the run takes its time with it: pools here keep theirs open.
 * - Redis: `INFO cpu` (used_cpu_user + used_cpu_sys of the whole server, every node of a cluster);
 *   a Redis shared with other work counts that work too.
 */
import fs from 'node:fs';
import type { Redis } from 'ioredis';
import type { RedisConnection } from '@tickler/queues';
import pg from 'pg';
import { redisConnection } from './events-processes';
import { redisCommands, redisNodes } from './work-counters';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function processCpuMs(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** CPU ms per backend pid of `databaseUrl`'s database (excluding the asking connection), or null when not local. */
export async function postgresBackendsCpu(databaseUrl: string): Promise<Map<number, number> | null> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
    const byPid = new Map<number, number>();
    for (const { pid } of rows) {
      const ms = processCpuMs(pid);
      if (ms === null) return null;
      byPid.set(pid, ms);
    }
    return byPid;
  } finally {
    await client.end();
  }
}

/** ms of CPU the backends used between two samples (new backends count whole). */
export function backendCpuBetween(before: Map<number, number> | null, after: Map<number, number> | null): number | null {
  if (!before || !after) return null;
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

async function nodeCpuMs(node: Redis): Promise<number> {
  const info = await node.info('cpu');
  const read = (key: string) => Number(new RegExp(`^${key}:([0-9.]+)`, 'm').exec(info)?.[1] ?? 0);
  return (read('used_cpu_user') + read('used_cpu_sys')) * 1000;
}

/** Redis server CPU so far, ms (on a cluster, every node's). */
export async function redisCpuMs(connection: RedisConnection): Promise<number> {
  return (await Promise.all((await redisNodes(connection)).map(nodeCpuMs))).reduce((x, y) => x + y, 0);
}

/** The database's backends (PostgreSQL on this machine) and the Redis server, CPU ms so far; and the commands Redis has processed. */
export async function serverCpu(databaseUrl: string, redisUrl: string) {
  const connection = redisConnection(redisUrl);
  try {
    return {
      postgres: databaseUrl.startsWith('postgres') ? await postgresBackendsCpu(databaseUrl) : null, redis: await redisCpuMs(connection),
      redisCommands: await redisCommands(connection),
    };
  } finally {
    connection.disconnect();
  }
}

