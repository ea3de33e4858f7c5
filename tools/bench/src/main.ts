/**
 * `pnpm bench <scan|send|events|broadcast|failover|seed>`: the benchmarks behind the README's figures. Each prints
 * its own figures and cleans up its queues and temporary files. REDIS_URL and TEMPLATES_DIR come
 * from the environment, parsed once (config.ts) before a benchmark's modules are loaded.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { ZodError } from 'zod';
import { BenchConfigError, loadBenchConfig, type BenchConfig } from './config';
import { BenchFailure } from './failure';

function positive(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number.`);
    return n;
  };
}

function nonNegativeInteger(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number, 0 or more.`);
    return n;
  };
}

/** Failures an operator can act on print one line; anything else is a surprise and keeps its stack. */
function isExpected(error: unknown): error is Error {
  return error instanceof BenchConfigError || error instanceof BenchFailure || error instanceof ZodError
    || (error instanceof Error && ['DomainError', 'DatabaseUrlError', 'TemplateError'].includes(error.name))
    || (error instanceof Error && /ECONNREFUSED|ENOTFOUND|ETIMEDOUT/.test(error.message));
}

/** Parses the configuration, runs one benchmark, maps failures to `bench: <reason>` and exit code 1. */
function run(body: (config: BenchConfig) => Promise<unknown>): Promise<void> {
  return (async () => {
    try {
      await body(loadBenchConfig(process.env));
      process.exitCode = 0;
    } catch (error) {
      const line = isExpected(error) ? error.message.replace(/\s*\n\s*/g, ' ') : `unexpected error: ${(error as Error)?.stack ?? String(error)}`;
      process.stderr.write(`bench: ${line}\n`);
      process.exitCode = 1;
    }
  })();
}

/** `--store` and `--pg-url`, shared by scan, send and events. */
function storeOptions(command: Command): Command {
  return command
    .addOption(new Option('--store <store>', 'which store: sqlite, postgres, or both side by side in one run').choices(['sqlite', 'postgres', 'both']).default('sqlite'))
    .option('--pg-url <url>', 'PostgreSQL server for postgres runs; a fresh database is created and dropped per run', 'postgres://postgres@127.0.0.1:5432');
}
type StoreOpts = { store: 'sqlite' | 'postgres' | 'both'; pgUrl: string };

function addScan(program: Command): void {
  storeOptions(program.command('scan'))
    .description('seed N orders, time a reminder scan of a day and compare its enqueue rate with raw BullMQ addBulk (median of rounds)')
    .option('--orders <n>', 'orders to seed (default 1,000,000)', positive('--orders'))
    .option('--database <file>', 'reuse an already seeded SQLite file instead of seeding')
    .option('--rounds <n>', 'scan + raw addBulk pairs, each on a fresh copy (default 3)', positive('--rounds'))
    .option('--spread-days <n>', 'days over which the seed spreads expiry dates (default 365; 10x orders over 10x days keeps the reminders due per day fixed)', positive('--spread-days'))
    .option('--first-scan', 'time the first scan after loading (no horizon yet) instead of a steady-state day')
    .action((opts: { orders?: number; database?: string; rounds?: number; spreadDays?: number; firstScan?: boolean } & StoreOpts) => run(async (config) => {
      const { benchScan } = await import('./benchmarks/scan');
      await benchScan({
        orders: opts.orders, databaseFile: opts.database, rounds: opts.rounds, redisUrl: config.redisUrl, store: opts.store, pgUrl: opts.pgUrl,
        spreadDays: opts.spreadDays, firstScan: opts.firstScan,
      });
    }));
}

function addSeed(program: Command): void {
  program.command('seed')
    .description('seed N orders into a temporary SQLite file (what `tickler db seed` runs); wall and CPU time, size, expiry-query times')
    .option('--orders <n>', 'orders to seed (default 1,000,000)', positive('--orders'))
    .action((opts: { orders?: number }) => run(async () => {
      const { benchSeed } = await import('./benchmarks/seed');
      await benchSeed({ orders: opts.orders });
    }));
}

function addSend(program: Command): void {
  storeOptions(program.command('send'))
    .description('send N emails through the real send worker and SES SDK against a local SES; emails/s and CPU per email')
    .option('--emails <n>', 'emails to send (default 20,000)', positive('--emails'))
    .option('--concurrency <n>', 'send worker concurrency per mailer (default 128, as MAILER_CONCURRENCY)', positive('--concurrency'))
    .option('--mailers <list>', 'mailer process counts to measure in turn, e.g. 1,2 (default 1)', (v) => v.split(',').map(positive('--mailers')))
    .option('--warmup <n>', 'emails each mailer sends first, left out of the figures (default 2,000)', nonNegativeInteger('--warmup'))
    .option('--rate <n>', 'SES_MAX_SEND_RATE of the mailers, emails/s across all of them (default: no limit, saturated)', positive('--rate'))
    .option('--rounds <n>', 'measure every mailer count and store in turn this many times; the summary compares counts round by round (default 1)', positive('--rounds'))
    .addOption(new Option('--redis <redis>', 'REDIS_URL (single), a private Redis Cluster it starts itself, or both side by side').choices(['single', 'cluster', 'both']).default('single'))
    .action((opts: { emails?: number; concurrency?: number; mailers?: number[]; warmup?: number; rate?: number; rounds?: number; redis: 'single' | 'cluster' | 'both' } & StoreOpts) => run(async (config) => {
      const { benchSend } = await import('./benchmarks/send');
      await benchSend({
        emails: opts.emails, concurrency: opts.concurrency, redisUrl: config.redisUrl, templatesDir: config.templatesDir, mailers: opts.mailers, store: opts.store, pgUrl: opts.pgUrl,
        redis: opts.redis, warmupPerMailer: opts.warmup, rate: opts.rate, rounds: opts.rounds,
      });
    }));
}

function addEvents(program: Command): void {
  storeOptions(program.command('events'))
    .description('drive signed billing webhooks at the HTTP edge; accepted/s, latency, lag until applied, lost/doubled')
    .option('--duration <seconds>', 'seconds of load (default 10)', positive('--duration'))
    .option('--warmup <seconds>', 'seconds of load first, left out of the figures (default 3 per edge or worker process, whichever are more)', nonNegativeInteger('--warmup'))
    .option('--rate <n>', 'offered events per second (default 2,500)', positive('--rate'))
    .option('--connections <n>', 'concurrent HTTP connections (default 50)', positive('--connections'))
    .addOption(new Option('--topology <t>', 'where the edge and the order-event worker run').choices(['separate', 'together', 'deferred']).default('separate'))
    .option('--edges <n>', 'HTTP edge processes (separate topology; default 1)', positive('--edges'))
    .option('--workers <n>', 'order-event worker processes (separate topology; default 1)', positive('--workers'))
    .option('--processes <list>', 'N edges + N workers for each N in turn, e.g. 1,2; the summary compares them round by round', (v) => v.split(',').map(positive('--processes')))
    .option('--rounds <n>', 'measure every --processes count and store in turn this many times (default 1)', positive('--rounds'))
    .action((opts: {
      duration?: number; warmup?: number; rate?: number; connections?: number; topology: 'separate' | 'together' | 'deferred'; edges?: number; workers?: number;
      processes?: number[]; rounds?: number;
    } & StoreOpts) => run(async (config) => {
      const { benchEventsScaling } = await import('./benchmarks/events-scaling');
      // Both stores: one after the other in the same run, same load, same machine.
      await benchEventsScaling({
        durationSeconds: opts.duration, warmupSeconds: opts.warmup, rate: opts.rate, connections: opts.connections, topology: opts.topology, redisUrl: config.redisUrl,
        store: opts.store, pgUrl: opts.pgUrl, edges: opts.edges, workers: opts.workers, processes: opts.processes, rounds: opts.rounds,
      });
    }));
}

function addBroadcast(program: Command): void {
  program.command('broadcast')
    .description('`tickler newsletter send` (a child process) to N confirmed subscribers against a local SES, mailer interrupted at ~40% and resumed; exactly once per address, emails/s')
    .option('--subscribers <n>', 'confirmed subscribers (default 10,000)', positive('--subscribers'))
    .action((opts: { subscribers?: number }) => run(async (config) => {
      const { benchBroadcast } = await import('./benchmarks/broadcast');
      await benchBroadcast({ subscribers: opts.subscribers, redisUrl: config.redisUrl, templatesDir: config.templatesDir });
    }));
}

function addFailover(program: Command): void {
  program.command('failover')
    .description('a private Sentinel or Cluster, a mailer sending N emails, the send queue\'s master SIGKILLed: ms until a replica is promoted and until sends resume')
    .addOption(new Option('--redis <topology>', 'which topology to fail over').choices(['sentinel', 'cluster', 'both']).default('both'))
    .option('--emails <n>', 'emails per topology (default 5,000)', positive('--emails'))
    .action((opts: { redis: 'sentinel' | 'cluster' | 'both'; emails?: number }) => run(async (config) => {
      const { benchFailover } = await import('./benchmarks/failover');
      await benchFailover({ topologies: opts.redis === 'both' ? ['sentinel', 'cluster'] : [opts.redis], emails: opts.emails, templatesDir: config.templatesDir });
    }));
}

function makeBenchProgram(): Command {
  const program = new Command('bench')
    .description('Tickler benchmarks (real SQLite, real Redis; temporary data is removed afterwards)')
    .configureOutput({ outputError: (str, write) => write(str.split('\n')[0] + '\n') })
    .exitOverride((err) => process.exit(err.exitCode));
  for (const add of [addScan, addSend, addEvents, addBroadcast, addFailover, addSeed]) add(program);
  return program;
}

async function main(): Promise<void> {
  // The AWS SDK's own switch for its Node 20 end-of-support notice (operators read it in the README);
  // set here, at the entry point, so every child process a benchmark forks inherits it.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  await makeBenchProgram().parseAsync(process.argv);
  process.exit(process.exitCode ?? 0);
}

if (require.main === module) void main();
