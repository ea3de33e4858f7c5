/**
 * Test helpers: run `tickler` as a real child process (TypeScript through tsx, as `pnpm tickler` does), keep
 * track of long-lived children so afterAll can always kill them, and read the local SES store.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';

export const ROOT = path.resolve(__dirname, '../../../..');
const MAIN = path.join(ROOT, 'packages/cli/src/main.ts');
/**
 * `node --import tsx main.ts` is what `tsx main.ts` runs, minus tsx's wrapper process: signals
 * (SIGKILL above all) reach the CLI itself, so a killed role really is dead. `development` makes the
 * workspace packages resolve to their TS sources (their exports maps default to the compiled dist/).
 */
export const NODE_ARGS = ['--conditions=development', '--import', pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href, MAIN];

export const SECRETS = {
  TOKEN_SECRETS: 'test-token-secret-0123456789abcdef',
  ADMIN_TOKEN: 'test-admin-token-0123456789',
  PORTAL_API_KEY: 'test-portal-key-0123456789',
  BILLING_WEBHOOK_SECRET: 'test-billing-secret-0123456789',
};

export function uniquePrefix(name: string): string {
  return `test-${name}-${randomBytes(4).toString('hex')}`;
}

/** Only what the child needs: no inherited configuration leaks into tests. */
export function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', TEMPLATES_DIR: path.join(ROOT, 'templates'), ...extra };
}

export interface CliResult { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** Runs one command to completion (`as`: another user's uid and gid, when the tests run as root). */
export function runCli(args: string[], env: Record<string, string>, timeoutMs = 60_000, as?: { uid: number; gid: number }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...NODE_ARGS, ...args], { cwd: ROOT, env: baseEnv(env), ...as });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`tickler ${args.join(' ')} timed out; stderr: ${stderr}`)); }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }); });
  });
}

export interface LongRunning { child: ChildProcess; output(): string; waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> }

const children = new Set<ChildProcess>();

/** Starts a long-lived command (a role, `start`); `killAll` in afterAll always stops it. */
/** `options.ownGroup`: the CLI leads its own process group, as under a terminal (signal the group with `process.kill(-pid, …)`). */
export function startCli(args: string[], env: Record<string, string>, cwd = ROOT, options: { ownGroup?: boolean } = {}): LongRunning {
  const child = spawn(process.execPath, [...NODE_ARGS, ...args], { cwd, env: baseEnv(env), detached: options.ownGroup ?? false });
  children.add(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => { children.delete(child); resolve({ code, signal }); });
  });
  return {
    child,
    exited,
    output: () => out,
    waitFor: (pattern, timeoutMs = 60_000) => waitUntil(() => pattern.test(out), timeoutMs, () => `waiting for ${pattern} in:\n${out.slice(-3000)}`),
  };
}

export async function killAll(): Promise<void> {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}

export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, describe: () => string = () => 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms ${describe()}`);
}

/** Deletes every key of a queue prefix (tests share the machine's Redis). */
export async function cleanPrefix(prefix: string, url = 'redis://127.0.0.1:6379'): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export interface StoredEmail { messageId: string; destination: { to: string[] }; subject: string; headers?: Array<{ name: string; value: string }>; body?: { text?: string; html?: string } }

export async function sesStore(sesUrl: string): Promise<StoredEmail[]> {
  const response = await fetch(`${sesUrl}/store`);
  return ((await response.json()) as { emails: StoredEmail[] }).emails;
}
