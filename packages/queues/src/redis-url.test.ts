import { parseRedisUrl, redactRedisUrl, redisUrlSetting, RedisUrlError } from './redis-url';

/** The message of what `parseRedisUrl(text)` throws. */
function errorOf(text: string): string {
  try {
    parseRedisUrl(text);
  } catch (error) {
    expect(error).toBeInstanceOf(RedisUrlError);
    const message = (error as Error).message;
    expect(message.startsWith('REDIS_URL ')).toBe(true);
    expect(message.split('\n')).toHaveLength(1);
    return message;
  }
  throw new Error(`"${text}" was accepted`);
}

describe('parseRedisUrl', () => {
  it('keeps a single-node URL as it is (ioredis reads it), default 127.0.0.1:6379', () => {
    expect(parseRedisUrl(undefined)).toEqual({ topology: 'single', url: 'redis://127.0.0.1:6379', tls: false });
    expect(parseRedisUrl('  ')).toEqual({ topology: 'single', url: 'redis://127.0.0.1:6379', tls: false });
    expect(parseRedisUrl('redis://:s3cret@cache.internal:6380/2')).toEqual({ topology: 'single', url: 'redis://:s3cret@cache.internal:6380/2', tls: false });
    expect(parseRedisUrl('rediss://default:pw@master.abc.cache.amazonaws.com:6379')).toMatchObject({ topology: 'single', tls: true });
  });

  it('reads sentinels, the master group name and the data nodes\' password', () => {
    expect(parseRedisUrl('redis-sentinel://10.0.0.1:26379,10.0.0.2:26379,sentinel-3:26380/mymaster')).toEqual({
      topology: 'sentinel', masterName: 'mymaster', tls: false,
      sentinels: [{ host: '10.0.0.1', port: 26379 }, { host: '10.0.0.2', port: 26379 }, { host: 'sentinel-3', port: 26380 }],
    });
    expect(parseRedisUrl('rediss-sentinel://:p%40ss%2Fw0rd@[::1]:26379/queues')).toEqual({
      topology: 'sentinel', masterName: 'queues', tls: true, password: 'p@ss/w0rd', sentinels: [{ host: '::1', port: 26379 }],
    });
    expect(parseRedisUrl('redis-sentinel://tickler:pw@s1:26379/m')).toMatchObject({ username: 'tickler', password: 'pw' });
  });

  it('reads cluster seed nodes', () => {
    expect(parseRedisUrl('redis-cluster://:pw@n1:7000,n2:7001')).toEqual({
      topology: 'cluster', tls: false, password: 'pw', nodes: [{ host: 'n1', port: 7000 }, { host: 'n2', port: 7001 }],
    });
    expect(parseRedisUrl('rediss-cluster://clustercfg.tickler.abc.cache.amazonaws.com:6379/')).toEqual({
      topology: 'cluster', tls: true, nodes: [{ host: 'clustercfg.tickler.abc.cache.amazonaws.com', port: 6379 }],
    });
  });

  it('refuses other schemes, naming every form', () => {
    expect(errorOf('http://x')).toBe('REDIS_URL must be a redis://, rediss://, redis-sentinel://, rediss-sentinel://, redis-cluster:// or rediss-cluster:// URL (got "http://x")');
    expect(errorOf('localhost:6379')).toMatch(/^REDIS_URL must be a redis:\/\//);
    expect(errorOf('redis+sentinel://a:1/m')).toMatch(/must be a redis:\/\//);
  });

  it('refuses a Sentinel URL without its master name', () => {
    expect(errorOf('redis-sentinel://a:26379,b:26379')).toMatch(/must name the Sentinel master group .*\/<masterName> \(got "redis-sentinel:\/\/a:26379,b:26379"\)$/);
    expect(errorOf('redis-sentinel://a:26379/')).toMatch(/master group/);
    expect(errorOf('redis-sentinel://a:26379/m/2')).toMatch(/master group/);
  });

  it('refuses nodes without a port, empty nodes, paths on a cluster and query strings', () => {
    expect(errorOf('redis-cluster://n1:7000,n2')).toMatch(/has "n2" where host:port belongs/);
    expect(errorOf('redis-cluster://n1:7000,,n2:7001')).toMatch(/host:port\[,host:port…\]/);
    expect(errorOf('redis-cluster://n1:99999')).toMatch(/"n1:99999"/);
    expect(errorOf('redis-cluster://n1:7000/1')).toMatch(/no path or database on a cluster/);
    expect(errorOf('redis-sentinel://s:26379/m?db=1')).toMatch(/no query string/);
    expect(errorOf('redis-cluster://secret@n1:7000')).toMatch(/\[user\]:password@/);
    expect(errorOf('redis://a:6379,b:6379')).toMatch(/redis-sentinel:\/\/ or redis-cluster:\/\//);
    expect(errorOf('redis://cache/queues')).toMatch(/not a database number/);
  });

  it('never echoes a password', () => {
    expect(errorOf('redis-cluster://:hunter22@n1')).not.toContain('hunter22');
    expect(errorOf('redis-sentinel://user:hunter22@s:26379')).not.toContain('hunter22');
    expect(errorOf('redis://:hunter22@a:1,b:2')).not.toContain('hunter22');
    expect(redactRedisUrl('redis://:hunter22@h:6379')).toBe('redis://:***@h:6379');
  });
});

describe('redisUrlSetting (the env schema piece)', () => {
  it('defaults, trims, and reports the reason without the variable name', () => {
    expect(redisUrlSetting.parse(undefined)).toBe('redis://127.0.0.1:6379');
    expect(redisUrlSetting.parse(' redis-cluster://n1:7000 ')).toBe('redis-cluster://n1:7000');
    const result = redisUrlSetting.safeParse('redis-sentinel://s:26379');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/^must name the Sentinel master group/);
  });
});
