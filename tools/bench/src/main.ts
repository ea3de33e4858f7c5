/**
 * `pnpm bench <scan|send|events|broadcast>`: the benchmarks behind the README's figures. Each prints
 * its own figures and cleans up its queues and temporary files. REDIS_URL and TEMPLATES_DIR come
 * from the environment (env.ts), like every other command.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadEnv } from '../env';
import { runCommand } from '../runtime/errors';
import { silenceSdkNodeVersionWarning } from '../runtime/warnings';

function positive(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number.`);
    return n;
  };
}

function makeBenchProgram(): Command {
  const program = new Command('bench')
    .description('Tickler benchmarks (real SQLite, real Redis; temporary data is removed afterwards)')
    .configureOutput({ outputError: (str, write) => write(str.split('\n')[0] + '\n') })
    .exitOverride((err) => process.exit(err.exitCode));

  program.command('scan')
    .description('seed N orders, time a reminder scan of a day and compare its enqueue rate with raw BullMQ addBulk (median of rounds)')
    .option('--orders <n>', 'orders to seed (default 1,000,000)', positive('--orders'))
    .option('--database <file>', 'reuse an already seeded SQLite file instead of seeding')
    .option('--rounds <n>', 'scan + raw addBulk pairs, each on a fresh copy (default 3)', positive('--rounds'))
    .action((opts: { orders?: number; database?: string; rounds?: number }) => runCommand(async () => {
      const env = loadEnv(process.env);
      const { benchScan } = await import('./scan');
      await benchScan({ orders: opts.orders, databaseFile: opts.database, rounds: opts.rounds, redisUrl: env.redisUrl });
    }));

  program.command('send')
    .description('send N emails through the real send worker and SES SDK against a local SES; emails/s and CPU per email')
    .option('--emails <n>', 'emails to send (default 20,000)', positive('--emails'))
    .option('--concurrency <n>', 'send worker concurrency (default 64)', positive('--concurrency'))
    .action((opts: { emails?: number; concurrency?: number }) => runCommand(async () => {
      const env = loadEnv(process.env);
      const { benchSend } = await import('./send');
      await benchSend({ emails: opts.emails, concurrency: opts.concurrency, redisUrl: env.redisUrl, templatesDir: env.templatesDir });
    }));

  program.command('events')
    .description('drive signed billing webhooks at the HTTP edge; accepted/s, latency, lag until applied, lost/doubled')
    .option('--duration <seconds>', 'seconds of load (default 10)', positive('--duration'))
    .option('--rate <n>', 'offered events per second (default 2,500)', positive('--rate'))
    .option('--connections <n>', 'concurrent HTTP connections (default 100)', positive('--connections'))
    .addOption(new Option('--topology <t>', 'where the edge and the order-event worker run').choices(['separate', 'together', 'deferred']).default('separate'))
    .action((opts: { duration?: number; rate?: number; connections?: number; topology: 'separate' | 'together' | 'deferred' }) => runCommand(async () => {
      const env = loadEnv(process.env);
      const { benchEvents } = await import('./events');
      await benchEvents({ durationSeconds: opts.duration, rate: opts.rate, connections: opts.connections, topology: opts.topology, redisUrl: env.redisUrl });
    }));
  program.command('broadcast')
    .description('newsletter to N confirmed subscribers against a local SES, mailer interrupted at ~40% and resumed; exactly once per address, emails/s')
    .option('--subscribers <n>', 'confirmed subscribers (default 10,000)', positive('--subscribers'))
    .action((opts: { subscribers?: number }) => runCommand(async () => {
      const env = loadEnv(process.env);
      const { benchBroadcast } = await import('./broadcast');
      await benchBroadcast({ subscribers: opts.subscribers, redisUrl: env.redisUrl, templatesDir: env.templatesDir });
    }));
  return program;
}

async function main(): Promise<void> {
  silenceSdkNodeVersionWarning();
  await makeBenchProgram().parseAsync(process.argv);
  process.exit(process.exitCode ?? 0);
}

if (require.main === module) void main();
