/**
 * A newsletter broadcast survives an interrupted mailer: `tickler mailer` gets SIGTERM once ~40%
 * of 400 confirmed subscribers are mailed, `tickler newsletter send` is re-run (it reports the sent
 * ones as already sent and adds no job), a new mailer finishes, and the local SES holds exactly one
 * email per subscriber.
 */
import { Redis } from 'ioredis';
import { openStore } from '@tickler/db';
import { closeQueues, makeQueues } from '@tickler/queues';
import { runCli, sesStore, startCli, waitUntil } from './helpers/cli';
import { useCliSuite } from './helpers/services';

jest.setTimeout(120_000);

const N = 400;
const suite = useCliSuite('broadcast-interrupted');
const emailOf = (i: number) => `reader-${i}@firm-${i % 13}.example`;
const SEND = ['newsletter', 'send', '--topic', 'product-news', '--template', 'newsletter-product-news'];
let store: Awaited<ReturnType<typeof openStore>> | undefined;
const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const queues = makeQueues(redis, suite.prefix);

afterAll(async () => {
  await store?.close();
  await closeQueues(queues);
  redis.disconnect();
});

async function jobsInSendQueue(): Promise<number> {
  return Object.values(await queues.send.getJobCounts()).reduce((sum, n) => sum + n, 0);
}

function recipientCounts(emails: Awaited<ReturnType<typeof sesStore>>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const email of emails) for (const to of email.destination.to) counts.set(to, (counts.get(to) ?? 0) + 1);
  return counts;
}

it('mails every confirmed subscriber exactly once when the mailer is stopped mid-broadcast and the send is re-run', async () => {
  const env = suite.env();
  store = await openStore({ url: env.DATABASE_URL });
  for (let i = 0; i < N; i += 1) {
    await store.newsletter.subscribe(emailOf(i), ['product-news']);
    await store.newsletter.confirm(emailOf(i), new Date());
  }

  const first = await runCli(SEND, env);
  expect(first.code).toBe(0);
  expect(first.stdout).toMatch(new RegExp(`${N} confirmed subscribers, ${N} enqueued, 0 already sent`));

  // SES_MAX_SEND_RATE=100: ~4 s for the whole broadcast, time enough to stop the mailer at ~40%.
  const mailer = startCli(['mailer'], env);
  await waitUntil(async () => (await sesStore(suite.ses.url)).length >= N * 0.4, 60_000, () => mailer.output().slice(-2000));
  mailer.child.kill('SIGTERM');
  expect((await mailer.exited).code).toBe(0);
  const sentBefore = (await sesStore(suite.ses.url)).length;
  expect(sentBefore).toBeGreaterThanOrEqual(N * 0.4);
  expect(sentBefore).toBeLessThan(N);
  const ledger = await store.deliveries.countByStatusAndReason();
  expect(ledger.filter((c) => c.status === 'sent').reduce((s, c) => s + c.count, 0)).toBe(sentBefore);

  const jobsBefore = await jobsInSendQueue();
  const again = await runCli(SEND, env);
  expect(again.code).toBe(0);
  expect(again.stdout).toMatch(new RegExp(`existing\\): ${N} confirmed subscribers, ${N - sentBefore} enqueued, ${sentBefore} already sent`));
  expect(await jobsInSendQueue()).toBe(jobsBefore);

  const resumed = startCli(['mailer'], env);
  await waitUntil(async () => (await sesStore(suite.ses.url)).length >= N, 60_000, () => resumed.output().slice(-2000));
  await new Promise((r) => setTimeout(r, 1000));
  resumed.child.kill('SIGTERM');
  expect((await resumed.exited).code).toBe(0);

  const counts = recipientCounts(await sesStore(suite.ses.url));
  const expected = new Map(Array.from({ length: N }, (_, i) => [emailOf(i), 1]));
  expect(counts).toEqual(expected);
  const final = await store.deliveries.countByStatusAndReason();
  expect(final.map((c) => [c.status, c.count])).toEqual([['sent', N]]);
});
