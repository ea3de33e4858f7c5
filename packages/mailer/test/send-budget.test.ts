/**
 * The shared SES budget in real mailer roles (real Redis, SQLite, own prefix): single emails and
 * digests together, and two mailer processes, stay under SES_MAX_SEND_RATE in every 1 s window; a
 * job the budget holds back is not a failed attempt and goes out later exactly once; test sends
 * take their tokens from the same budget.
 */
import type { Job } from 'bullmq';
import { Redis } from 'ioredis';
import { enqueue } from '@tickler/queues';
import { budgetShape, makeReserver, sendBudgetKey } from '../src/budget';
import { startMailerRole, type MailerRole, type MailerRoleOptions } from '../src/role/start-mailer-role';
import { maxInWindow, timestampTransport } from './budget-helpers';
import { addSecondOrder, NOW, planDue } from './digest-helpers';
import { config, connection, makeMailerEnv, planReminder, quietLogger, seedOrder, waitFor, type MailerTestEnv } from './mailer-helpers';

const RATE = 10;
const redis = new Redis(connection);
let env: MailerTestEnv;
const roles: MailerRole[] = [];
beforeEach(async () => { env = await makeMailerEnv('budget'); });
afterEach(async () => {
  await Promise.all(roles.splice(0).map((role) => role.close()));
  await redis.del(sendBudgetKey(env.prefix, connection));
  await env.cleanup();
});
afterAll(() => redis.quit());

function startRole(transport: MailerRoleOptions['transport'], extra: Partial<MailerRoleOptions> = {}): MailerRole {
  const role = startMailerRole({
    connection, prefix: env.prefix, store: env.store, logger: quietLogger, transport, templates: env.templates, config,
    concurrency: 8, maxSendRate: RATE, now: () => NOW, ...extra,
  });
  roles.push(role);
  return role;
}

const addresses = (kind: string, n: number) => Array.from({ length: n }, (_, i) => `${kind}-${i}@acme.com`);

/**
 * `singles` people due one reminder (single emails) and `doubles` due two at the same 09:00 (one
 * digest each; ann, the purchaser, is one of them too); both reminders enqueued. Returns the
 * addresses that get a digest.
 */
async function dueTogether(singles: number, doubles: number): Promise<Set<string>> {
  const single = addresses('single', singles);
  const double = addresses('double', doubles);
  await seedOrder(env.store, ['ann@acme.com', ...single, ...double]);
  await addSecondOrder(env.store, double);
  for (const reminderId of await planDue(env.store, ['ORD-1001', 'ORD-1002'])) await enqueue(env.queues, 'reminder', { reminderId });
  return new Set(['ann@acme.com', ...double]);
}

async function sentDeliveries(): Promise<number> {
  const rows = [...await env.store.deliveries.listByOrder('ORD-1001'), ...await env.store.deliveries.listByOrder('ORD-1002')];
  return rows.filter((d) => d.status === 'sent').length;
}

describe('the SES budget shared through Redis', () => {
  it('single emails and digests together never exceed the rate in any 1 s window', async () => {
    const transport = timestampTransport();
    startRole(transport);
    const digested = await dueTogether(20, 15);
    // 20 single emails + 16 digests (of two reminders each) = 52 deliveries in 36 provider calls.
    await waitFor(async () => (await sentDeliveries()) === 52, 'every delivery to be sent', 20_000);

    expect(transport.calls).toHaveLength(36);
    expect(new Set(transport.calls.map((c) => c.email.to)).size).toBe(36);
    const digests = transport.calls.filter((c) => digested.has(c.email.to)).map((c) => c.at);
    const singles = transport.calls.filter((c) => !digested.has(c.email.to)).map((c) => c.at);
    // The two queues really went out at the same time (else the test would prove nothing).
    expect(Math.min(...digests)).toBeLessThan(Math.max(...singles));
    expect(Math.min(...singles)).toBeLessThan(Math.max(...digests));
    // At most RATE slots in a second, + 1 at the window's edge (+ 1 ms of rounding).
    expect(maxInWindow(transport.calls.map((c) => c.at), 1000)).toBeLessThanOrEqual(RATE + 1);
    // Smooth, not a second's quota at the start of the second: 100 ms apart, so at most 3 (+1 of
    // jitter) in any 250 ms.
    expect(maxInWindow(transport.calls.map((c) => c.at), 250)).toBeLessThanOrEqual(4);
  });

  it('two mailer processes share one budget', async () => {
    const transports = [timestampTransport(), timestampTransport()];
    for (const transport of transports) startRole(transport);
    await dueTogether(20, 15);
    await waitFor(async () => (await sentDeliveries()) === 52, 'every delivery to be sent', 20_000);

    const calls = transports.flatMap((t) => t.calls);
    expect(calls).toHaveLength(36);
    expect(new Set(calls.map((c) => c.email.to)).size).toBe(36);
    for (const transport of transports) expect(transport.calls.length).toBeGreaterThan(0);
    expect(maxInWindow(calls.map((c) => c.at), 1000)).toBeLessThanOrEqual(RATE + 1);
  });

  it('a job the budget holds back is not a failed attempt and goes out later, once', async () => {
    const transport = timestampTransport();
    // 2/s and a 600 ms horizon: of the two jobs BullMQ's limiter lets through per second, the
    // second one's slot (500 ms ahead) is refused while the first is booked.
    const role = startRole(transport, { maxSendRate: 2, budgetHorizonMs: 600 });
    const failures: string[] = [];
    role.workers.send.on('failed', (job: Job | undefined, err: Error) => failures.push(`${job?.id}: ${err.message}`));
    const contacts = ['ann@acme.com', ...addresses('person', 4)];
    await seedOrder(env.store, contacts);
    await enqueue(env.queues, 'reminder', { reminderId: await planReminder(env.store, 7) });
    await waitFor(async () => (await env.store.deliveries.listByOrder('ORD-1001')).filter((d) => d.status === 'sent').length === 5, 'every delivery to be sent', 20_000);

    expect(failures).toEqual([]);
    expect(transport.calls.map((c) => c.email.to).sort()).toEqual([...contacts].sort());
    const jobs = await env.queues.send.getJobs(['completed', 'failed']);
    expect(jobs).toHaveLength(5);
    for (const job of jobs) {
      expect(await job.getState()).toBe('completed');
      expect(job.attemptsMade).toBe(1);
    }
    // Some job was started more than once: held back by the budget, then sent on a later run.
    expect(jobs.some((job) => (job.attemptsStarted ?? 0) > 1)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(transport.calls).toHaveLength(5);
  });

  it('test sends take their tokens from the same budget', async () => {
    const transport = timestampTransport();
    startRole(transport, { maxSendRate: 2, budgetHorizonMs: 600 });
    // Another mailer has just booked the budget's next slot: the test send's slot would be 500 ms ahead.
    const booked = await makeReserver(redis, sendBudgetKey(env.prefix, connection), budgetShape(2, 600)).reserve(1);
    expect(booked.granted).toBe(1);
    const bookedAt = performance.now();
    const row = await env.store.testSends.create({ template: 'invitation', locale: 'en', sample: 'default', email: 'tester@acme.com', requestedBy: 'admin' }, NOW);
    await enqueue(env.queues, 'test-send', { testSendId: row.id });
    await waitFor(async () => (await env.store.testSends.get(row.id))?.status === 'sent', 'the test send to be sent');

    expect(transport.calls.map((c) => c.email.to)).toEqual(['tester@acme.com']);
    // Held back until the booked slot had gone, not sent beside it.
    expect(transport.calls[0]!.at - bookedAt).toBeGreaterThanOrEqual(400);
    const job = (await env.queues['test-sends'].getJobs(['completed', 'failed']))[0]!;
    expect(await job.getState()).toBe('completed');
    expect(job.attemptsStarted).toBeGreaterThan(1);
  });
});
