/**
 * `tickler`: the operator CLI and composition root. Each sub-command parses the environment once
 * (env.ts), opens only the resources it needs (runtime/), and exits 0 on success or non-zero with a
 * one-line reason. Command bodies are loaded lazily so `--help` stays fast.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { MAX_FORECAST_DAYS, parseDuration } from '@tickler/domain';
import type { Env, Role } from './env';
import { parseIsoInstant } from './options/iso-instant';
import { runCommand } from './runtime/errors';
import { silenceSdkNodeVersionWarning } from './runtime/warnings';
import { QUEUE_NAMES } from '@tickler/queues/catalog';
import { SAMPLES_HELP, SUPPORTED_LOCALES_HELP } from '@tickler/mailer/test-send-help';

/**
 * Parses the environment for `role` BEFORE loading the command's modules, so config errors are instant.
 * The schema is loaded here, not at start-up: it validates DATABASE_URL with the store's parser.
 */
function run(role: Role, body: (env: Env) => Promise<void>): Promise<void> {
  return runCommand(async () => body((await import('./env')).loadEnv(process.env, role)));
}

function positiveInt(name: string, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive whole number.`);
    if (n > max) throw new InvalidArgumentError(`${name} must be a whole number from 1 to ${max}.`);
    return n;
  };
}

function nonEmpty(name: string) {
  return (value: string): string => {
    if (value.trim() === '') throw new InvalidArgumentError(`${name} must not be empty.`);
    return value;
  };
}

function isoInstant(value: string): Date {
  const date = parseIsoInstant(value);
  if (date === null) throw new InvalidArgumentError('expected a real ISO date-time like 2026-11-27T09:00:00Z (a time needs Z or an offset such as +01:00).');
  return date;
}

function durationMs(value: string): number {
  const ms = parseDuration(value);
  if (ms === null) throw new InvalidArgumentError('expected a duration like 30m, 2h or 1d.');
  return ms;
}

const queueOption = () => new Option('--queue <queue>', 'only this queue').choices(QUEUE_NAMES);

function addRoles(program: Command): void {
  program.command('scheduler')
    .description('run the scheduler role: periodic reminder scan, order events, reconciliation (until SIGTERM)')
    .action(() => run('scheduler', async (e) => (await import('./commands/role-scheduler')).schedulerCommand(e)));
  program.command('mailer')
    .description('run a mailer worker: fans reminders out and sends emails through SES (until SIGTERM); run as many as you like')
    .action(() => run('mailer', async (e) => (await import('./commands/role-mailer')).mailerCommand(e)));
  program.command('http')
    .description('run the HTTP edge: webhooks, unsubscribe/preferences/invitation/newsletter pages, portal API, admin, health and metrics')
    .action(() => run('http', async (e) => (await import('./commands/role-http')).httpCommand(e)));
  program.command('start')
    .description('everything in one process on embedded defaults: SQLite under ./data, local SES inbox, demo data on first run')
    .action(() => runCommand(async () => (await import('./commands/start')).startCommand(process.env)));
}

function addDb(program: Command): void {
  const db = program.command('db').description('database maintenance');
  db.command('migrate')
    .description('apply pending migrations (idempotent); prints how many were applied')
    .action(() => run('base', async (e) => (await import('./commands/db-migrate')).dbMigrateCommand(e)));
  db.command('copy')
    .description('copy every table of the configured SQLite store into an empty PostgreSQL database (ids kept; refuses a non-empty target)')
    .requiredOption('--to <url>', 'the PostgreSQL database, postgres://user@host:5432/db')
    .action((opts: { to: string }) => run('base', async (e) => (await import('./commands/db-copy')).dbCopyCommand(e, opts)));
  db.command('seed')
    .description('load synthetic organizations, contacts and orders (for load tests and demos); SQLite only: for PostgreSQL, seed a SQLite file and `db copy --to` it')
    .requiredOption('--orders <n>', 'number of orders to create', positiveInt('--orders'))
    .action((opts: { orders: number }) => run('base', async (e) => (await import('./commands/db-seed')).dbSeedCommand(e, opts)));
}

function addScheduling(program: Command): void {
  program.command('scan')
    .description('plan due reminders now and enqueue them (what the scheduler does every SCAN_EVERY)')
    .option('--now <iso>', 'what-if: pretend the time is this instant (only with --dry-run)', isoInstant)
    .option('--dry-run', 'print what would be planned and write nothing')
    .action((opts: { now?: Date; dryRun?: boolean }) => run('scheduler', async (e) => (await import('./commands/scan')).scanCommand(e, opts)));
  program.command('forecast')
    .description('how many reminders will go out per day and kind')
    .option('--days <n>', `days ahead, 1 to ${MAX_FORECAST_DAYS}`, positiveInt('--days', MAX_FORECAST_DAYS), 30)
    .option('--now <iso>', 'start from this instant instead of now', isoInstant)
    .action((opts: { days: number; now?: Date }) => run('base', async (e) => (await import('./commands/forecast')).forecastCommand(e, opts)));
}

function addJobs(program: Command): void {
  const jobs = program.command('jobs').description('inspect and retry failed jobs');
  jobs.command('failed')
    .description('list failed jobs with their errors')
    .addOption(queueOption())
    .action((opts: { queue?: string }) => run('base', async (e) => (await import('./commands/jobs-failed')).jobsFailedCommand(e, opts)));
  jobs.command('replay')
    .description('retry failed jobs (a delivery already sent is never sent again)')
    .addOption(queueOption())
    .option('--id <id>', 'only the job with this id')
    .option('--since <duration>', 'only jobs that failed within this long, e.g. 30m, 2h, 1d', durationMs)
    .action((opts: { queue?: string; id?: string; since?: number }) => run('base', async (e) => (await import('./commands/jobs-replay')).jobsReplayCommand(e, opts)));
}

function addContent(program: Command): void {
  const newsletter = program.command('newsletter').description('newsletter broadcasts');
  newsletter.command('send')
    .description('send a template to every confirmed subscriber of a topic (re-running does not resend)')
    .requiredOption('--topic <topic>', 'newsletter topic id')
    .requiredOption('--template <name>', 'newsletter template under TEMPLATES_DIR: newsletter-<name> (the prefix may be left out)')
    .action((opts: { topic: string; template: string }) => run('base', async (e) => (await import('./commands/newsletter-send')).newsletterSendCommand(e, opts)));
  const templates = program.command('templates').description('email templates (MJML)');
  templates.command('check')
    .description('compile every template and compare every language\'s messages with en; fails on any MJML error, missing message or differing placeholders')
    .action(() => run('base', async (e) => (await import('./commands/templates')).templatesCheckCommand(e)));
  templates.command('preview')
    .description('render every template in every language with each of its samples (the names send-test --sample takes) to HTML files')
    .option('--out <dir>', 'output folder', nonEmpty('--out'), './data/preview')
    .action((opts: { out: string }) => run('base', async (e) => (await import('./commands/templates')).templatesPreviewCommand(e, opts)));
  templates.command('send-test')
    .description('send one real email through SES with sample data, subject prefixed "[TEST] "; recorded in test_sends, never in the reminders ledger')
    .requiredOption('--template <name>', 'template name under TEMPLATES_DIR, e.g. license-reminder')
    .requiredOption('--to <address>', 'where the test goes')
    .option('--locale <locale>', `locale to render in (supported: ${SUPPORTED_LOCALES_HELP})`, 'en')
    .option('--sample <name>', SAMPLES_HELP, 'default')
    .action((opts: { template: string; to: string; locale: string; sample: string }) =>
      run('mailer', async (e) => (await import('./commands/templates')).templatesSendTestCommand(e, opts)));
}

/** Builds the `tickler` program (exported for tests of the command tree). */
export function makeProgram(): Command {
  const program = new Command('tickler')
    .description('Tickler: renewal reminders, invitations and newsletters over BullMQ. Configure with environment variables (see .env.example).')
    .configureOutput({ outputError: (str, write) => write(str.split('\n')[0] + '\n') })
    .exitOverride((err) => {
      process.exit(err.exitCode);
    });
  addRoles(program);
  addDb(program);
  addScheduling(program);
  addJobs(program);
  addContent(program);
  return program;
}

/** Runs `tickler` on process.argv (src/dist main, and bin/tickler.js). */
export async function main(): Promise<void> {
  silenceSdkNodeVersionWarning();
  await makeProgram().parseAsync(process.argv);
  // Long-lived roles resolve only after a clean shutdown; one-shot commands are done here.
  process.exit(process.exitCode ?? 0);
}

if (require.main === module) void main();
