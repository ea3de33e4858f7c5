import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ESLint } from 'eslint';

/**
 * packages/domain must stay pure (STYLE.md): the repository's eslint config refuses I/O and
 * infrastructure imports there, and only there.
 *
 * ESLint's Node API loads eslint.config.mjs with a dynamic import(), which jest's module sandbox
 * refuses; so the real ESLint runs in a worker thread (plain Node) and sends back its results.
 */

const repoRoot = path.resolve(__dirname, '../../..');

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { ESLint } = require(workerData.eslintPath);
const eslint = new ESLint({ cwd: workerData.cwd });
parentPort.on('message', async ({ id, code, filePath }) => {
  try {
    const results = await eslint.lintText(code, { filePath });
    parentPort.postMessage({ id, results: JSON.parse(JSON.stringify(results)) });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.stack || error) });
  }
});
`;

let worker: Worker;
let nextId = 0;
const pending = new Map<number, { resolve: (r: ESLint.LintResult[]) => void; reject: (e: Error) => void }>();

beforeAll(() => {
  worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { cwd: repoRoot, eslintPath: require.resolve('eslint') } });
  worker.on('message', ({ id, results, error }: { id: number; results?: ESLint.LintResult[]; error?: string }) => {
    const waiter = pending.get(id);
    pending.delete(id);
    if (error !== undefined) waiter?.reject(new Error(error));
    else waiter?.resolve(results ?? []);
  });
});

afterAll(async () => {
  await worker.terminate();
});

/** ESLint.lintText with the repository's config, run in the worker. */
const eslint = {
  lintText(code: string, options: { filePath: string }): Promise<ESLint.LintResult[]> {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, code, filePath: options.filePath });
    });
  },
};

const forbidden: Array<[string, string]> = [
  ['node:fs default', "import fs from 'node:fs';\nexport const read = fs.readFileSync;\n"],
  ['fs named', "import { readFileSync } from 'fs';\nexport const read = readFileSync;\n"],
  ['node:fs/promises', "import { readFile } from 'node:fs/promises';\nexport const read = readFile;\n"],
  ['node:net', "import net from 'node:net';\nexport const connect = net.connect;\n"],
  ['node:http', "import http from 'node:http';\nexport const server = http.createServer;\n"],
  ['drizzle-orm', "import { eq } from 'drizzle-orm';\nexport const equals = eq;\n"],
  ['drizzle-orm subpath', "import { sqliteTable } from 'drizzle-orm/sqlite-core';\nexport const table = sqliteTable;\n"],
  ['better-sqlite3', "import Database from 'better-sqlite3';\nexport const open = Database;\n"],
  ['bullmq', "import { Queue } from 'bullmq';\nexport const QueueClass = Queue;\n"],
  ['ioredis', "import Redis from 'ioredis';\nexport const RedisClass = Redis;\n"],
  ['@aws-sdk/client-sesv2', "import { SESv2Client } from '@aws-sdk/client-sesv2';\nexport const Client = SESv2Client;\n"],
  ['mjml', "import mjml2html from 'mjml';\nexport const render = mjml2html;\n"],
  ['re-export of fs', "export { readFileSync } from 'node:fs';\n"],
  ['another package', "import { makeRepositories } from '@tickler/db';\nexport const repos = makeRepositories;\n"],
  ['deep import', "import { orders } from '@tickler/db/src/schema';\nexport const table = orders;\n"],
];

async function restrictedImportErrors(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, filePath) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports' && m.severity === 2).map((m) => m.message);
}

describe('eslint keeps packages/domain pure', () => {
  it.each(forbidden)('refuses %s in packages/domain/src', async (_name, code) => {
    const errors = await restrictedImportErrors(code, 'packages/domain/src/x.ts');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('packages/domain is pure');
  });

  it.each([
    ['a dynamic import', "export const load = () => import('node:fs');\n", 'no-restricted-syntax', 'no dynamic imports'],
    ['require()', "export const fs = require('node:fs');\n", '@typescript-eslint/no-require-imports', 'require'],
    ['process.env', 'export const url = process.env.DATABASE_URL;\n', 'no-restricted-properties', 'never read from process.env'],
  ])('refuses %s in packages/domain', async (_name, code, ruleId, text) => {
    const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, 'packages/domain/src/x.ts') });
    expect(result?.messages).toEqual([expect.objectContaining({ ruleId, severity: 2, message: expect.stringContaining(text) })]);
  });

  it('refuses them in domain tests too', async () => {
    expect(await restrictedImportErrors("import fs from 'node:fs';\nexport const read = fs.readFileSync;\n", 'packages/domain/test/x.test.ts')).toHaveLength(1);
  });

  it('allows node:crypto, zod and dayjs in packages/domain', async () => {
    const code = "import { createHash } from 'node:crypto';\nimport { z } from 'zod';\nimport dayjs from 'dayjs';\nexport const all = [createHash, z, dayjs];\n";
    const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, 'packages/domain/src/x.ts') });
    expect(result?.messages).toEqual([]);
  });

  const storageOnly = new Set(['bullmq', 'ioredis', '@aws-sdk/client-sesv2', 'mjml', 'another package', 'deep import']);
  it.each(forbidden.filter(([name]) => !name.startsWith('re-export') && !storageOnly.has(name)))(
    'allows %s in packages/db',
    async (_name, code) => {
      const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, 'packages/db/src/x.ts') });
      expect(result?.messages).toEqual([]);
    },
  );

  it('still refuses deep imports across packages elsewhere', async () => {
    const errors = await restrictedImportErrors("import { orders } from '@tickler/db/src/schema';\nexport const table = orders;\n", 'packages/mailer/src/x.ts');
    expect(errors).toEqual([expect.stringContaining('not a deep path')]);
  });
});

describe('eslint keeps the import directions', () => {
  it.each([
    ['bullmq', 'packages/db/src/x.ts', "import { Queue } from 'bullmq';\nexport const Q = Queue;\n", 'packages/db is storage only'],
    ['ioredis', 'packages/db/src/x.ts', "import Redis from 'ioredis';\nexport const R = Redis;\n", 'packages/db is storage only'],
    ['@tickler/queues', 'packages/db/src/x.ts', "import { jobCatalog } from '@tickler/queues';\nexport const c = jobCatalog;\n", 'depends on @tickler/domain only'],
    ['better-sqlite3', 'packages/queues/src/x.ts', "import Database from 'better-sqlite3';\nexport const D = Database;\n", 'carries jobs only'],
    ['@tickler/mailer', 'packages/queues/src/x.ts', "import { composeEmail } from '@tickler/mailer';\nexport const c = composeEmail;\n", 'below the roles'],
  ])('refuses %s in %s', async (_name, file, code, message) => {
    expect(await restrictedImportErrors(code, file)).toEqual([expect.stringContaining(message)]);
  });

  it('allows bullmq in packages/queues', async () => {
    expect(await restrictedImportErrors("import { Queue } from 'bullmq';\nexport const Q = Queue;\n", 'packages/queues/src/x.ts')).toEqual([]);
  });
});
