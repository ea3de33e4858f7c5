/**
 * The production build: `tickler` from compiled JavaScript (packages/*\/dist, made by `pnpm build`,
 * which `pnpm test` runs before jest) on plain Node, with no TypeScript compiler and no
 * `development` condition, so every workspace package resolves to its dist/. If a dist/ is missing
 * (jest run on its own on a clean clone), the test compiles the packages first (about a second).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { baseEnv, ROOT } from './helpers/cli';

jest.setTimeout(60_000);

const MAIN = path.join(ROOT, 'packages/cli/dist/main.js');
const BIN = path.join(ROOT, 'packages/cli/bin/tickler.js');
const MIGRATION_COUNT = (JSON.parse(readFileSync(path.join(ROOT, 'packages/db/drizzle/meta/_journal.json'), 'utf8')) as { entries: unknown[] }).entries.length;

/** The workspace packages that have a `build` script (the runtime packages and tools/bench). */
const built = ['packages', 'tools'].flatMap((group) => readdirSync(path.join(ROOT, group)).map((name) => path.join(ROOT, group, name)))
  .filter((dir) => existsSync(path.join(dir, 'package.json')))
  .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name: string; scripts?: Record<string, string> } }))
  .filter(({ pkg }) => pkg.scripts?.build !== undefined);

interface Result { code: number | null; stdout: string; stderr: string }

/** Runs `file args` with plain `node`: no tsx, no NODE_OPTIONS, no export conditions. */
function run(file: string, args: string[], env: Record<string, string>, viaNode = true): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = viaNode ? spawn(process.execPath, [file, ...args], { cwd: ROOT, env: baseEnv(env) }) : spawn(file, args, { cwd: ROOT, env: baseEnv(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let dir: string;
beforeAll(() => {
  for (const { dir: pkgDir } of built) {
    if (!existsSync(path.join(pkgDir, 'dist/index.js'))) execFileSync(process.execPath, [path.join(ROOT, 'tooling/build.mjs')], { cwd: pkgDir, stdio: 'pipe' });
  }
  dir = mkdtempSync(path.join(tmpdir(), 'tickler-compiled-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('builds every runtime package and tools/bench', () => {
  expect(built.map(({ pkg }) => pkg.name).sort()).toEqual(
    ['@tickler/bench', '@tickler/cli', '@tickler/db', '@tickler/domain', '@tickler/http', '@tickler/mailer', '@tickler/queues', '@tickler/scheduler'],
  );
});

it('resolves every workspace package to its compiled dist/ without the development condition', () => {
  const names = built.map(({ pkg }) => pkg.name).filter((n) => n !== '@tickler/cli').concat('@tickler/queues/catalog');
  const script = `for (const n of ${JSON.stringify(names)}) console.log(require.resolve(n))`;
  const resolved = execFileSync(process.execPath, ['-e', script], { cwd: path.join(ROOT, 'packages/cli'), env: baseEnv({}), encoding: 'utf8' }).trim().split('\n');
  expect(resolved).toHaveLength(names.length);
  for (const file of resolved) expect(file).toMatch(/[\\/]dist[\\/](index|catalog)\.js$/);
});

it('`node packages/cli/dist/main.js --help` prints the command tree', async () => {
  const result = await run(MAIN, ['--help'], {});
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/^Usage: tickler/);
  for (const command of ['scheduler', 'mailer', 'http', 'start', 'db', 'scan', 'forecast', 'jobs', 'newsletter', 'templates']) {
    expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  }
});

it('`--queue` choices come from the catalog', async () => {
  const result = await run(MAIN, ['jobs', 'failed', '--queue', 'nope'], {});
  expect(result.code).not.toBe(0);
  expect(result.stderr).toMatch(/Allowed choices are scan, order-events, reminders, send, digests, test-sends/);
});

it('`node packages/cli/dist/main.js db migrate` finds the migrations from dist/ and applies them once', async () => {
  const env = { DATABASE_URL: `file:${path.join(dir, 'tickler.db')}` };
  const first = await run(MAIN, ['db', 'migrate'], env);
  expect(first.stderr).toBe('');
  expect(first.code).toBe(0);
  expect(first.stdout).toMatch(new RegExp(`^${MIGRATION_COUNT} migrations applied`));
  const second = await run(MAIN, ['db', 'migrate'], env);
  expect(second.code).toBe(0);
  expect(second.stdout).toMatch(/^0 migrations applied .*up to date/);
});

it('the `tickler` bin runs the compiled CLI', async () => {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'packages/cli/package.json'), 'utf8')) as { bin: Record<string, string> };
  expect(path.join(ROOT, 'packages/cli', pkg.bin.tickler!)).toBe(BIN);
  const result = await run(BIN, ['db', 'migrate'], { DATABASE_URL: `file:${path.join(dir, 'bin.db')}` }, false);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(new RegExp(`^${MIGRATION_COUNT} migrations applied`));
});
