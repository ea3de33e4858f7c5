/**
 * The one Redis connection factory: every role, command, health check, rate limiter and the
 * dashboard connect through `makeRedisConnection`, so a REDIS_URL form works everywhere or nowhere.
 * It returns an ioredis `Redis` (one node, or the master a Sentinel names) or `Cluster`; BullMQ takes
 * either as its `connection` and duplicates it for blocking reads.
 *
 * Failover: a Sentinel client that loses its master asks the sentinels again and reconnects to
 * whichever replica they promoted; a Cluster client follows MOVED and refreshes its slot map. A
 * write answered READONLY (the node was demoted while the connection stayed up) reconnects and
 * resends the command. With `maxRetriesPerRequest: null` commands wait for the new master instead of
 * failing, so workers resume by themselves; health checks put their own deadline on top.
 */
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { parseRedisUrl, type ParsedRedisUrl } from './redis-url';

export type RedisConnection = Redis | Cluster;

export interface RedisConnectionOptions {
  /**
   * `queues` (default): for BullMQ and everything long-lived — retries forever, commands wait while
   * Redis is away. `probe`: one attempt, no offline queue, connects lazily (`connect()` is the caller's).
   */
  purpose?: 'queues' | 'probe';
  /** Connect timeout per node, ms (default 10 000; the probe's default is 1 500). */
  connectTimeoutMs?: number;
  /** Shown in `CLIENT LIST` (e.g. `tickler:mailer`). */
  connectionName?: string;
}

/** Reconnect (and resend the command) when a demoted master refuses a write. */
const reconnectOnReadonly = (error: Error): 2 | false => (error.message.startsWith('READONLY') ? 2 : false);

/** Whether `connection` is a Redis Cluster client (BullMQ queues then need one hash tag per queue). */
export function isClusterConnection(connection: unknown): connection is Cluster {
  return typeof connection === 'object' && connection !== null && (connection as { isCluster?: unknown }).isCluster === true;
}

/** A connection for REDIS_URL (text or parsed). The caller owns it: `quit()` it when done. */
export function makeRedisConnection(target: string | ParsedRedisUrl, options: RedisConnectionOptions = {}): RedisConnection {
  const parsed = typeof target === 'string' ? parseRedisUrl(target) : target;
  const probe = options.purpose === 'probe';
  const perNode: RedisOptions = {
    connectTimeout: options.connectTimeoutMs ?? (probe ? 1500 : 10_000),
    ...(options.connectionName ? { connectionName: options.connectionName } : {}),
    ...(probe
      ? { maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: true }
      : { maxRetriesPerRequest: null, enableReadyCheck: true, reconnectOnError: reconnectOnReadonly }),
  };
  switch (parsed.topology) {
    case 'single':
      return new Redis(parsed.url, { ...perNode, ...(probe ? { retryStrategy: () => null } : {}) });
    case 'sentinel':
      return new Redis({
        ...perNode,
        sentinels: parsed.sentinels,
        name: parsed.masterName,
        username: parsed.username,
        password: parsed.password,
        ...(parsed.tls ? { tls: {}, sentinelTLS: {}, enableTLSForSentinelMode: true } : {}),
        // While the sentinels themselves are unreachable: keep asking (a probe asks once).
        sentinelRetryStrategy: probe ? () => null : (times: number) => Math.min(times * 100, 2000),
        ...(probe ? { retryStrategy: () => null } : {}),
      });
    case 'cluster':
      return new Cluster(parsed.nodes, clusterOptions(parsed, perNode, probe));
  }
}

function clusterOptions(parsed: Extract<ParsedRedisUrl, { topology: 'cluster' }>, perNode: RedisOptions, probe: boolean): ClusterOptions {
  const { enableOfflineQueue, lazyConnect, ...redisOptions } = perNode;
  return {
    redisOptions: {
      ...redisOptions,
      username: parsed.username,
      password: parsed.password,
      ...(parsed.tls ? { tls: {} } : {}),
    },
    enableReadyCheck: !probe,
    ...(enableOfflineQueue === false ? { enableOfflineQueue } : {}),
    ...(lazyConnect ? { lazyConnect } : {}),
    // ioredis's own retry delays otherwise: its defaults are what BullMQ's blocking reads are tested
    // with, and workers idle in BZPOPMIN on a failed master resumed with them in cluster.test.ts.
    ...(probe ? { clusterRetryStrategy: () => null } : {}),
  };
}

/** Pings REDIS_URL once within `timeoutMs`; true when Redis answered (a cluster: any node with the slot map). */
export async function redisAnswers(target: string | ParsedRedisUrl, timeoutMs = 1500): Promise<boolean> {
  const probe = makeRedisConnection(target, { purpose: 'probe', connectTimeoutMs: timeoutMs });
  probe.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs * 2);
  });
  try {
    const answered = (async () => {
      await probe.connect();
      return (await probe.ping()) === 'PONG';
    })().catch(() => false);
    return await Promise.race([answered, deadline]);
  } finally {
    clearTimeout(timer);
    probe.disconnect();
  }
}

type NodeLike = { host?: unknown; port?: unknown };
const addressOf = (n: NodeLike | undefined) => `${typeof n?.host === 'string' ? n.host : '127.0.0.1'}:${typeof n?.port === 'number' ? n.port : 6379}`;

/**
 * Where a BullMQ `connection` points, for messages (never credentials): `host:port` of one node,
 * `Sentinel master "m" via h:p,…`, or `Redis Cluster via h:p,…`. Takes a client or plain options.
 */
export function describeConnection(connection: unknown): string {
  if (isClusterConnection(connection)) {
    const seeds = (connection as unknown as { startupNodes?: NodeLike[] }).startupNodes ?? [];
    return `Redis Cluster via ${seeds.map(addressOf).join(',')}`;
  }
  const holder = (connection ?? {}) as { options?: Record<string, unknown> } & Record<string, unknown>;
  const options = holder.options ?? holder;
  if (Array.isArray(options.sentinels) && options.sentinels.length > 0) {
    return `Sentinel master "${String(options.name)}" via ${(options.sentinels as NodeLike[]).map(addressOf).join(',')}`;
  }
  if (typeof options.path === 'string') return options.path;
  if (typeof options.url === 'string') {
    try {
      const url = new URL(options.url);
      return `${url.hostname}:${url.port || '6379'}`;
    } catch {
      return 'REDIS_URL';
    }
  }
  return addressOf(options as NodeLike);
}
