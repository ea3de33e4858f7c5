import { describeConnection, isClusterConnection, makeRedisConnection } from './redis-connection';
import { parseRedisUrl } from './redis-url';

/** Probe connections connect lazily, so these build clients without touching the network. */
const client = (url: string) => makeRedisConnection(parseRedisUrl(url), { purpose: 'probe' });

describe('makeRedisConnection', () => {
  it('builds a Redis for one node and for Sentinel, a Cluster for a cluster', () => {
    const single = client('redis://:pw@cache:6380/2');
    const sentinel = client('redis-sentinel://:pw@s1:26379,s2:26379/queues');
    const cluster = client('rediss-cluster://:pw@n1:7000,n2:7001');
    expect(isClusterConnection(single)).toBe(false);
    expect(single.options).toMatchObject({ host: 'cache', port: 6380, db: 2, password: 'pw' });
    expect(isClusterConnection(sentinel)).toBe(false);
    expect(sentinel.options).toMatchObject({ name: 'queues', password: 'pw', sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26379 }] });
    expect(isClusterConnection(cluster)).toBe(true);
    expect((cluster.options as { redisOptions?: unknown }).redisOptions).toMatchObject({ password: 'pw', tls: {} });
    for (const c of [single, sentinel, cluster]) c.disconnect();
  });

  it('gives BullMQ what it requires: commands wait for Redis (maxRetriesPerRequest null), no keyPrefix', () => {
    const single = makeRedisConnection('redis://127.0.0.1:1', { connectionName: 'test' });
    single.on('error', () => undefined);
    expect(single.options).toMatchObject({ maxRetriesPerRequest: null, connectionName: 'test' });
    expect(single.options.keyPrefix ?? '').toBe('');
    single.disconnect();
  });

  it('describes where a connection points, without credentials', () => {
    const cases: Array<[string, string]> = [
      ['redis://:pw@cache:6380', 'cache:6380'],
      ['redis-sentinel://:pw@s1:26379,s2:26380/queues', 'Sentinel master "queues" via s1:26379,s2:26380'],
      ['redis-cluster://:pw@n1:7000,n2:7001', 'Redis Cluster via n1:7000,n2:7001'],
    ];
    for (const [url, described] of cases) {
      const c = client(url);
      expect(describeConnection(c)).toBe(described);
      c.disconnect();
    }
    expect(describeConnection({ host: 'h', port: 1 })).toBe('h:1');
    expect(describeConnection({ url: 'redis://:pw@u:2' })).toBe('u:2');
  });
});
