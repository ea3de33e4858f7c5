/** What `pnpm bench send` prints per run and in its summary. */
import os from 'node:os';
import type { StoreKind } from './stores';
import type { RedisKind } from './redis-topologies';
import { describeWork, type WorkFigures } from './work-counters';

export interface SendRun {
  redis: RedisKind; store: StoreKind; mailers: number; round: number; emailsPerSecond: number; cpuMicrosPerEmail: number; cpuMicrosPerEmailByMailer: number[]; sentOk: number; failed: number;
  /** CPU of the servers per email, µs: PostgreSQL's backends (null for SQLite, in the mailer's own process) and Redis. */
  serverMicrosPerEmail: { postgres: number | null; redis: number };
  /** Context switches of all the mailers per email: involuntary ones mean more runnable threads than cores. */
  switchesPerEmail: { voluntary: number; involuntary: number };
  /** Minor page faults of all the mailers per email (a memory-mapped SQLite file remapped after another process's write shows here). */
  pageFaultsPerEmail: number;
  /** Statements and Redis commands per email, the servers' CPU per email, and the lock-wait samples. */
  work: WorkFigures;
}

/** Every process's CPU per email: the mailers, PostgreSQL's backends (SQLite runs inside the mailer) and Redis. */
export function allMicrosPerEmail(run: SendRun): number {
  return run.cpuMicrosPerEmail + (run.serverMicrosPerEmail.postgres ?? 0) + run.serverMicrosPerEmail.redis;
}

export function printSendRun(print: (line: string) => void, run: SendRun, requests: number): void {
  const { postgres, redis } = run.serverMicrosPerEmail;
  print(`  ${run.redis} Redis, ${run.store} × ${run.mailers} mailer(s): ${Math.round(run.emailsPerSecond)} emails/s (target ≥ 1500); ${run.sentOk} sent, ${run.failed} failed, ${requests} SES requests; `
    + `mailer CPU ${Math.round(run.cpuMicrosPerEmail)} µs/email (${run.cpuMicrosPerEmailByMailer.map((u) => Math.round(u)).join(' + ')}), `
    + `${postgres === null ? '' : `PostgreSQL ${Math.round(postgres)} µs/email, `}Redis ${Math.round(redis)} µs/email; `
    + `context switches ${run.switchesPerEmail.voluntary.toFixed(2)} voluntary + ${run.switchesPerEmail.involuntary.toFixed(2)} involuntary, `
    + `${run.pageFaultsPerEmail.toFixed(1)} page faults per email; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs`);
  print(`    work: ${describeWork('email', run.work)}`);
}

export function printSendSummary(print: (line: string) => void, runs: SendRun[]): void {
  const columns = ['mailers', 'emails/s', 'mailer µs', 'all µs', 'emails/CPU-s'];
  print(`  summary:       ${'redis'.padEnd(9)}${'store'.padEnd(10)}${columns.map((c) => c.padStart(c === 'mailers' ? 8 : 13)).join('')}   (µs CPU per email; all = mailers + PostgreSQL + Redis)`);
  for (const r of runs) {
    const all = allMicrosPerEmail(r);
    const cells = [String(r.mailers).padStart(8), ...[r.emailsPerSecond, r.cpuMicrosPerEmail, all, 1e6 / all].map((v) => String(Math.round(v)).padStart(13))];
    print(`                 ${r.redis.padEnd(9)}${r.store.padEnd(10)}${cells.join('')}`);
  }
}
