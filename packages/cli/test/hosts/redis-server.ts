/** A private redis-server owned by a test: no persistence, bound to one address, killed afterwards. */
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';

export interface RedisServer { url: string; stop(): Promise<void> }

export async function startRedisServer(options: { host: string; port: number }): Promise<RedisServer> {
  const child: ChildProcess = spawn('redis-server', ['--bind', options.host, '--port', String(options.port), '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], { stdio: 'ignore' });
  const url = `redis://${options.host}:${options.port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      if ((await probe.ping()) === 'PONG') break;
    } catch {
      if (Date.now() > deadline) throw new Error(`redis-server did not start on ${url}`);
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      probe.disconnect();
    }
  }
  return {
    url,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    }),
  };
}
