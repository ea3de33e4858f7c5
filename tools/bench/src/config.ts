/**
 * The benchmarks' configuration: the only place `tools/bench` reads `process.env` (through
 * `loadBenchConfig(source)`, called by main.ts). Benchmarks need only Redis and the templates;
 * everything else (SQLite files, SES, queue prefixes, secrets) they create for themselves.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { redisUrlSetting } from '@tickler/queues';

/** The repository root (where `pnpm bench` runs, and the `tickler` CLI the broadcast bench spawns lives). */
export const REPO_ROOT = path.resolve(__dirname, '../../..');
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const DEFAULT_TEMPLATES_DIR = path.join(REPO_ROOT, 'templates');

export interface BenchConfig {
  /** BullMQ's Redis (`REDIS_URL`, any form the roles take; default redis://127.0.0.1:6379). */
  redisUrl: string;
  /** MJML templates (`TEMPLATES_DIR`, default `<repo>/templates`), absolute. */
  templatesDir: string;
}

const text = z.string().trim().optional().transform((v) => v || undefined);

const schema = z.object({
  // Every REDIS_URL form the roles take: one node, Sentinel, Cluster.
  REDIS_URL: redisUrlSetting,
  TEMPLATES_DIR: text.transform((v, ctx) => {
    const dir = v ? path.resolve(v) : DEFAULT_TEMPLATES_DIR;
    if (fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return dir;
    ctx.addIssue({ code: 'custom', message: `must be a folder of MJML templates (${dir} is not a folder)` });
    return z.NEVER;
  }),
});

/** A bad variable; the message is one line naming every one. */
export class BenchConfigError extends Error {
  override readonly name = 'BenchConfigError';
}

/** Parses the variables the benchmarks use; throws {@link BenchConfigError} naming every bad one. */
export function loadBenchConfig(source: Record<string, string | undefined>): BenchConfig {
  const parsed = schema.safeParse({ REDIS_URL: source.REDIS_URL, TEMPLATES_DIR: source.TEMPLATES_DIR });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
    throw new BenchConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  return { redisUrl: parsed.data.REDIS_URL, templatesDir: parsed.data.TEMPLATES_DIR };
}
