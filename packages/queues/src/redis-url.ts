/**
 * REDIS_URL, the one setting that says where the queues live. Three topologies, each with a TLS
 * variant:
 *
 *   redis://[[user]:password@]host[:port][/db]                one node (ioredis reads the URL as is)
 *   redis-sentinel://[[user]:password@]h:p[,h:p…]/<master>    Sentinel: the sentinels, then the master group name
 *   redis-cluster://[[user]:password@]h:p[,h:p…]              Cluster: any reachable nodes (the rest are discovered)
 *
 * `rediss`, `rediss-sentinel` and `rediss-cluster` use TLS (for Sentinel: to the sentinels and the
 * data nodes). The password is the data nodes' (`requirepass`/ACL); sentinels are reached without
 * one. A bad value is an error of one line that starts with `REDIS_URL` and never echoes a password.
 */
import { z } from 'zod';

/** Where a sentinel or cluster node listens. */
export interface RedisNodeAddress {
  host: string;
  port: number;
}

interface Credentials {
  username?: string;
  password?: string;
}

export type ParsedRedisUrl =
  /** One node: `url` is handed to ioredis unchanged (as before Sentinel and Cluster existed). */
  | { topology: 'single'; url: string; tls: boolean }
  | ({ topology: 'sentinel'; sentinels: RedisNodeAddress[]; masterName: string; tls: boolean } & Credentials)
  | ({ topology: 'cluster'; nodes: RedisNodeAddress[]; tls: boolean } & Credentials);

export type RedisTopology = ParsedRedisUrl['topology'];

export const REDIS_URL_SCHEMES = ['redis', 'rediss', 'redis-sentinel', 'rediss-sentinel', 'redis-cluster', 'rediss-cluster'] as const;

/** A REDIS_URL that cannot be used: `message` is `REDIS_URL <reason>`, one line; `reason` is without the name. */
export class RedisUrlError extends Error {
  override readonly name = 'RedisUrlError';
  constructor(readonly reason: string) {
    super(`REDIS_URL ${reason}`);
  }
}

/** The URL with any password replaced by `***` (for messages and logs). */
export function redactRedisUrl(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@]*?:)[^@]*@/i, '$1***@').replace(/[\r\n]+/g, ' ');
}

const DEFAULT_URL = 'redis://127.0.0.1:6379';

/**
 * Parses REDIS_URL (empty → `redis://127.0.0.1:6379`). Throws {@link RedisUrlError} naming what is
 * wrong: an unknown scheme, a node that is not `host:port`, a Sentinel URL without its master name,
 * a Cluster URL with a path, a query string.
 */
export function parseRedisUrl(text: string | undefined): ParsedRedisUrl {
  const url = (text ?? '').trim() || DEFAULT_URL;
  const got = `(got "${redactRedisUrl(url)}")`;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (!scheme || !(REDIS_URL_SCHEMES as readonly string[]).includes(scheme)) {
    throw new RedisUrlError(`must be a redis://, rediss://, redis-sentinel://, rediss-sentinel://, redis-cluster:// or rediss-cluster:// URL ${got}`);
  }
  const tls = scheme.startsWith('rediss');
  if (scheme === 'redis' || scheme === 'rediss') return parseSingle(url, tls, got);

  const rest = url.slice(scheme.length + 3);
  if (/[?#]/.test(rest)) throw new RedisUrlError(`takes no query string or fragment ${got}`);
  const at = rest.lastIndexOf('@');
  const credentials = at >= 0 ? parseCredentials(rest.slice(0, at), got) : {};
  const afterAt = rest.slice(at + 1);
  const slash = afterAt.indexOf('/');
  const hostList = slash >= 0 ? afterAt.slice(0, slash) : afterAt;
  const path = slash >= 0 ? afterAt.slice(slash + 1) : null;
  const nodes = parseNodes(hostList, got);

  if (scheme.endsWith('-sentinel')) {
    const masterName = path === null ? '' : decode(path, got);
    if (!masterName || masterName.includes('/')) {
      throw new RedisUrlError(`must name the Sentinel master group after the sentinels: ${scheme}://[:password@]host:port[,host:port…]/<masterName> ${got}`);
    }
    return { topology: 'sentinel', sentinels: nodes, masterName, tls, ...credentials };
  }
  if (path !== null && path !== '') {
    throw new RedisUrlError(`takes no path or database on a cluster (a cluster has only database 0): ${scheme}://[:password@]host:port[,host:port…] ${got}`);
  }
  return { topology: 'cluster', nodes, tls, ...credentials };
}

function parseSingle(url: string, tls: boolean, got: string): ParsedRedisUrl {
  const hosts = url.replace(/^[^:]+:\/\//, '').replace(/^.*@/, '').replace(/[/?#].*$/, '');
  if (hosts.includes(',')) throw new RedisUrlError(`names more than one node: use redis-sentinel:// or redis-cluster:// for several ${got}`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RedisUrlError(`is not a valid URL ${got}`);
  }
  if (!parsed.hostname) throw new RedisUrlError(`names no host ${got}`);
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d{1,2}$/.test(db)) throw new RedisUrlError(`has a path that is not a database number ${got}`);
  return { topology: 'single', url, tls };
}

function parseCredentials(userinfo: string, got: string): Credentials {
  const colon = userinfo.indexOf(':');
  if (colon < 0) throw new RedisUrlError(`must give credentials as [user]:password@ (a password after a colon) ${got}`);
  const username = decode(userinfo.slice(0, colon), got);
  const password = decode(userinfo.slice(colon + 1), got);
  return { ...(username ? { username } : {}), ...(password ? { password } : {}) };
}

function parseNodes(list: string, got: string): RedisNodeAddress[] {
  const items = list.split(',').map((s) => s.trim());
  if (items.length === 0 || items.some((s) => s === '')) throw new RedisUrlError(`must list nodes as host:port[,host:port…] ${got}`);
  return items.map((item) => {
    const m = /^(?:\[([0-9a-f:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/i.exec(item);
    const port = m ? Number(m[3]) : NaN;
    if (!m || port < 1 || port > 65535) throw new RedisUrlError(`has "${item}" where host:port belongs (every node needs its port) ${got}`);
    return { host: (m[1] ?? m[2]) as string, port };
  });
}

function decode(part: string, got: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new RedisUrlError(`has a badly percent-encoded part ${got}`);
  }
}

/**
 * REDIS_URL as a zod setting for the env schema: the trimmed URL (default `redis://127.0.0.1:6379`),
 * or an issue whose message follows the variable's name (`REDIS_URL must be …`).
 */
export const redisUrlSetting = z.string().trim().optional().transform((v, ctx) => {
  try {
    parseRedisUrl(v);
    return v || DEFAULT_URL;
  } catch (error) {
    if (!(error instanceof RedisUrlError)) throw error;
    ctx.addIssue({ code: 'custom', message: error.reason });
    return z.NEVER;
  }
});
