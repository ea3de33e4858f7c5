/**
 * The send benchmark's mailer processes: each a real `startMailerRole` on its own store connection,
 * forked from this file, started and stopped by the parent over IPC, which also asks each for the
 * jobs it has finished and the CPU time, context switches and page faults it has used. See send.ts.
 */
import { fork, type ChildProcess } from 'node:child_process';
import pino from 'pino';
import { openStore } from '@tickler/db';
import { loadTemplates, makeSesTransport, startMailerRole, type MailerConfig } from '@tickler/mailer';
import { TEST_MAILER_SETTINGS } from '@tickler/testkit';
import { redisConnection } from './events-processes';
import { countPgRoundTrips } from './work-counters';

/** The mailers' settings: the integration tests' (testkit), with the bench's own token secret. */
export const MAILER_CONFIG: MailerConfig = { ...TEST_MAILER_SETTINGS, tokenSecrets: ['bench-secret-0123456789'] };
/** The newsletter topic the bench's subscribers confirm. */
export const BENCH_TOPIC = TEST_MAILER_SETTINGS.newsletterTopics[0]!.id;

/** What a mailer child needs; passed as JSON on its command line. */
export interface MailerChildSetup {
  databaseUrl: string; redisUrl: string; prefix: string; endpoint: string; concurrency: number; templatesDir: string;
  /** SES_MAX_SEND_RATE: SES calls per second across all mailers, the shared SES budget in Redis. */
  maxSendRate: number;
}

/** A mailer's counters so far: jobs finished, CPU (user + system), context switches, minor page faults and PostgreSQL statements sent. */
export interface MailerStat { done: number; failed: number; cpuMs: number; voluntarySwitches: number; involuntarySwitches: number; pageFaults: number; pgStatements: number }

const CHILD_FLAG = '--bench-send-mailer-child';

/** Child half: one mailer process; answers 'stat' with a `MailerStat`; exits on 'stop'. */
async function runMailerChild(setup: MailerChildSetup): Promise<void> {
  const pgStatements = countPgRoundTrips();
  const store = await openStore({ url: setup.databaseUrl, migrate: false });
  const templates = await loadTemplates(setup.templatesDir);
  const transport = makeSesTransport({ region: 'eu-west-1', endpoint: setup.endpoint, maxSockets: setup.concurrency });
  const role = startMailerRole({
    connection: redisConnection(setup.redisUrl), prefix: setup.prefix, store, templates, transport, config: MAILER_CONFIG,
    logger: pino({ level: 'warn' }), concurrency: setup.concurrency, maxSendRate: setup.maxSendRate,
  });
  let done = 0;
  let failed = 0;
  role.workers.send.on('completed', () => (done += 1));
  role.workers.send.on('failed', () => ((done += 1), (failed += 1)));
  await role.workers.send.waitUntilReady();
  process.send?.({ ready: true });
  process.on('message', (m) => {
    if (m === 'stat') {
      const u = process.resourceUsage();
      const stat: MailerStat = {
        done, failed, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, voluntarySwitches: u.voluntaryContextSwitches, involuntarySwitches: u.involuntaryContextSwitches,
        pageFaults: u.minorPageFault, pgStatements: pgStatements(),
      };
      process.send?.(stat);
      return;
    }
    void role.close().then(() => transport.close?.()).then(() => store.close()).then(() => process.exit(0));
  });
}

export function statOf(child: ChildProcess): Promise<MailerStat> {
  return new Promise((resolve) => {
    child.once('message', (m: MailerStat) => resolve(m));
    child.send('stat');
  });
}

export function startMailerChild(setup: MailerChildSetup): Promise<ChildProcess> {
  // BENCH_MAILER_NODE_ARGS adds Node flags to each mailer, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it.
  const extra = process.env.BENCH_MAILER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = fork(__filename, [CHILD_FLAG, JSON.stringify(setup)], { stdio: 'inherit', execArgv: [...process.execArgv, ...extra] });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`mailer child exited early (code ${code})`)));
  });
}

export function stopMailerChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.send('stop');
  });
}

if (require.main === module && process.argv[2] === CHILD_FLAG) {
  runMailerChild(JSON.parse(process.argv[3] ?? '{}') as MailerChildSetup).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
