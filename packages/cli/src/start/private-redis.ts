/**
 * Embedded mode's Redis: the one at REDIS_URL if it answers, else a private `redis-server` on a free
 * port (no persistence), stopped with the process. Neither → a one-line hint and exit 1.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { CliError } from '../runtime/errors';
import { redisAnswers } from '../runtime/redis';
import { freePort } from './free-port';

export interface EmbeddedRedis {
  url: string;
  /** True when we started it (and will stop it). */
  private: boolean;
  stop(): Promise<void>;
}

function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

async function waitUntilAnswers(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new CliError(`redis-server exited with code ${child.exitCode}`);
    if (await redisAnswers(url, 500)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new CliError(`redis-server did not answer within ${timeoutMs} ms`);
}

export async function ensureRedis(url: string): Promise<EmbeddedRedis> {
  if (await redisAnswers(url)) return { url, private: false, stop: async () => undefined };
  if (!hasRedisServer()) {
    throw new CliError(`no Redis answers at ${url} and redis-server is not installed: install Redis 7 (e.g. apt-get install redis-server, brew install redis) or set REDIS_URL`);
  }
  const port = await freePort(0);
  // Its own process group: Ctrl-C signals the terminal's whole group, and a Redis stopped by it at
  // once would pull the queues away from the roles while they drain. It is stopped after them
  // (stop() below), or when this process exits; only a SIGKILL of this process leaves it running.
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore', detached: true });
  const privateUrl = `redis://127.0.0.1:${port}`;
  const kill = () => child.kill('SIGTERM');
  process.once('exit', kill);
  await waitUntilAnswers(privateUrl, child, 10_000);
  return {
    url: privateUrl,
    private: true,
    async stop() {
      process.removeListener('exit', kill);
      if (child.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    },
  };
}
