/**
 * Real Redis topologies for the failover tests and benchmarks, started on free ports in throw-away folders:
 * one node, Sentinel (master, replica, three sentinels) and Cluster (three masters with a replica
 * each). Every process is tracked; `stopAll()` (afterAll) SIGKILLs what is left and removes the
 * folders, and a process `exit` hook does the same if the test run dies first. A server that does
 * not come up is an error naming it (never a skipped test).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { Redis } from 'ioredis';

export interface RedisProcess {
  port: number;
  dir: string;
  child: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const processes = new Set<RedisProcess>();
const dirs = new Set<string>();

function killEverything(): void {
  for (const p of processes) p.child.kill('SIGKILL');
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
}
process.once('exit', killEverything);

/** Fails loudly when redis-server or redis-cli is missing. */
export function requireRedisBinaries(): void {
  for (const bin of ['redis-server', 'redis-cli']) {
    if (spawnSync(bin, ['--version'], { stdio: 'ignore' }).status !== 0) throw new Error(`${bin} is not installed: these tests start real Redis processes (apt-get install redis-server)`);
  }
}

export function tempDir(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tickler-${name}-`));
  dirs.add(dir);
  return dir;
}

/** A port that is free now (the OS picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free TCP port'))));
    });
  });
}

/** Ports that are free now (the OS picks them), distinct from each other. */
export async function freePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

async function answers(port: number): Promise<boolean> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** `redis-server` with `args` (a config file first, or flags) in `dir`; resolves once it answers PING. */
export async function startRedisServer(name: string, port: number, args: string[], dir: string): Promise<RedisProcess> {
  const child = spawn('redis-server', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d: Buffer) => { log = (log + d.toString()).slice(-4000); });
  child.stderr!.on('data', (d: Buffer) => { log = (log + d.toString()).slice(-4000); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const proc: RedisProcess = {
    port, dir, child, exited,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
      processes.delete(proc);
    },
  };
  processes.add(proc);
  const deadline = Date.now() + 10_000;
  while (!(await answers(port))) {
    if (child.exitCode !== null) throw new Error(`${name} (redis-server on port ${port}) exited with ${child.exitCode}: ${log}`);
    if (Date.now() > deadline) throw new Error(`${name} (redis-server on port ${port}) did not answer within 10 s: ${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return proc;
}

/** Flags every data node of these tests shares: no snapshots, no AOF, loopback only. */
const dataNodeFlags = (port: number) => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'];

/** One plain node. */
export async function startSingle(): Promise<{ url: string; node: RedisProcess; stop(): Promise<void> }> {
  const dir = tempDir('redis-single');
  const [port] = await freePorts(1);
  const node = await startRedisServer('redis', port!, dataNodeFlags(port!), dir);
  return { url: `redis://127.0.0.1:${port}`, node, stop: () => node.kill() };
}

export interface SentinelSetup {
  url: string;
  masterName: string;
  master: RedisProcess;
  replica: RedisProcess;
  sentinels: RedisProcess[];
  /** The data node the sentinels currently name as master (asks a sentinel). */
  currentMasterPort(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * A master, one replica and three sentinels (quorum 2). A master that stops answering is declared
 * down after 1 s and the replica promoted within a few seconds.
 */
export async function startSentinel(): Promise<SentinelSetup> {
  const masterName = 'tickler-test';
  const dir = tempDir('redis-sentinel');
  const [masterPort, replicaPort, ...sentinelPorts] = await freePorts(5);
  const master = await startRedisServer('master', masterPort!, dataNodeFlags(masterPort!), fs.mkdtempSync(path.join(dir, 'master-')));
  const replica = await startRedisServer('replica', replicaPort!, [...dataNodeFlags(replicaPort!), '--replicaof', '127.0.0.1', String(masterPort)], fs.mkdtempSync(path.join(dir, 'replica-')));
  await waitForTrue(async () => (await info(replicaPort!, 'replication')).includes('master_link_status:up'), 'the replica to sync', 10_000);
  const sentinels: RedisProcess[] = [];
  for (const port of sentinelPorts as number[]) {
    const sdir = fs.mkdtempSync(path.join(dir, `sentinel-${port}-`));
    const conf = path.join(sdir, 'sentinel.conf');
    fs.writeFileSync(conf, [
      `port ${port}`, 'bind 127.0.0.1', 'protected-mode no', `dir ${sdir}`,
      `sentinel monitor ${masterName} 127.0.0.1 ${masterPort} 2`,
      `sentinel down-after-milliseconds ${masterName} 1000`,
      `sentinel failover-timeout ${masterName} 10000`,
      `sentinel parallel-syncs ${masterName} 1`,
      '',
    ].join('\n'));
    sentinels.push(await startRedisServer(`sentinel ${port}`, port, [conf, '--sentinel'], sdir));
  }
  // The sentinels must know each other and the replica before a failover can be voted.
  await waitForTrue(async () => {
    const view = await sentinelCommand(sentinels[0]!.port, ['SENTINEL', 'MASTER', masterName]);
    const fields = new Map<string, string>();
    for (let i = 0; i + 1 < view.length; i += 2) fields.set(String(view[i]), String(view[i + 1]));
    return Number(fields.get('num-other-sentinels')) === 2 && Number(fields.get('num-slaves')) === 1;
  }, 'the sentinels to discover each other and the replica', 15_000);
  const url = `redis-sentinel://${sentinelPorts.map((p) => `127.0.0.1:${p}`).join(',')}/${masterName}`;
  return {
    url, masterName, master, replica, sentinels,
    async currentMasterPort() {
      const [, port] = await sentinelCommand(sentinels[1]!.port, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName]);
      return Number(port);
    },
    async stop() {
      for (const p of [...sentinels, replica, master]) await p.kill();
    },
  };
}

export interface ClusterSetup {
  url: string;
  nodes: RedisProcess[];
  /** Ports of the nodes that are masters now, with the slot ranges each serves. */
  masters(): Promise<Array<{ port: number; slots: Array<[number, number]> }>>;
  stop(): Promise<void>;
}

/**
 * Three masters with one replica each, `cluster-node-timeout` 1 s (a dead master's replica takes over
 * within seconds); resolves once the cluster is ok and every replica holds its master's data.
 */
export async function startCluster(): Promise<ClusterSetup> {
  const dir = tempDir('redis-cluster');
  const ports = await freePorts(12);
  const nodes: RedisProcess[] = [];
  for (let i = 0; i < 6; i += 1) {
    const port = ports[i]!;
    const busPort = ports[i + 6]!;
    const ndir = fs.mkdtempSync(path.join(dir, `node-${port}-`));
    nodes.push(await startRedisServer(`cluster node ${port}`, port, [
      ...dataNodeFlags(port), '--cluster-enabled', 'yes', '--cluster-port', String(busPort), '--cluster-config-file', path.join(ndir, 'nodes.conf'),
      '--cluster-node-timeout', '1000', '--cluster-replica-validity-factor', '0', '--dir', ndir,
    ], ndir));
  }
  const create = spawnSync('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '1', '--cluster-yes'], { encoding: 'utf8', timeout: 30_000 });
  if (create.status !== 0) throw new Error(`redis-cli --cluster create failed (${create.status}): ${create.stdout.slice(-2000)} ${create.stderr}`);
  await waitForTrue(async () => {
    for (const n of nodes) if (!(await info(n.port, 'cluster', ['CLUSTER', 'INFO'])).includes('cluster_state:ok')) return false;
    return true;
  }, 'every cluster node to report cluster_state:ok', 20_000);
  // A replica that has not finished its first sync (Redis 7 waits `repl-diskless-sync-delay`, 5 s, to
  // start it) would be promoted empty: a failover would then lose everything, not the last writes.
  await waitForTrue(async () => {
    const replicas = [];
    for (const n of nodes) {
      const replication = await info(n.port, 'replication');
      if (replication.includes('role:slave')) replicas.push(replication.includes('master_link_status:up') && !replication.includes('master_sync_in_progress:1'));
    }
    return replicas.length === 3 && replicas.every(Boolean);
  }, 'every replica to finish its first sync with its master', 30_000);
  const alive = () => nodes.filter((n) => n.child.exitCode === null && n.child.signalCode === null);
  return {
    url: `redis-cluster://${nodes.slice(0, 3).map((n) => `127.0.0.1:${n.port}`).join(',')}`,
    nodes,
    async masters() {
      const client = new Redis({ port: alive()[0]!.port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
      try {
        const slots = (await client.call('CLUSTER', 'SLOTS')) as Array<[number, number, [string, number, ...unknown[]], ...unknown[]]>;
        const byPort = new Map<number, Array<[number, number]>>();
        for (const [from, to, [, port]] of slots) byPort.set(Number(port), [...(byPort.get(Number(port)) ?? []), [from, to]]);
        return [...byPort].map(([port, ranges]) => ({ port, slots: ranges }));
      } finally {
        client.disconnect();
      }
    },
    async stop() {
      for (const n of nodes) await n.kill();
    },
  };
}

/** Kills every process still running and removes every folder (afterAll). */
export async function stopAll(): Promise<void> {
  for (const p of [...processes]) await p.kill();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}

async function info(port: number, section: string, command: string[] = ['INFO', section]): Promise<string> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return String(await client.call(command[0]!, ...command.slice(1)));
  } catch {
    return '';
  } finally {
    client.disconnect();
  }
}

async function sentinelCommand(port: number, command: string[]): Promise<unknown[]> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, protocol: 2 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.call(command[0]!, ...command.slice(1))) as unknown[];
  } catch {
    return [];
  } finally {
    client.disconnect();
  }
}

export async function waitForTrue(check: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
