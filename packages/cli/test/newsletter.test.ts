/**
 * `tickler newsletter send`: confirmed subscribers of the topic get it once; those who left the
 * topic or are suppressed are recorded as skipped; pending subscriptions get nothing; re-running
 * the same broadcast sends nothing again.
 */
import { Queue } from 'bullmq';
import { openStore } from '@tickler/db';
import { runCli, sesStore, startCli, waitUntil } from './helpers/cli';
import { useCliSuite } from './helpers/services';

jest.setTimeout(180_000);

const suite = useCliSuite('newsletter');

it.each(['invitation', 'license-reminder', 'newsletter-confirmation'])('refuses --template %s (not a newsletter) in one line naming the newsletter templates; records and enqueues nothing', async (template) => {
  const env = suite.env();
  const store = await openStore({ url: env.DATABASE_URL });
  await store.newsletter.subscribe('events-fan@firm-z.example', ['events']);
  await store.newsletter.confirm('events-fan@firm-z.example', new Date());
  await store.close();

  const result = await runCli(['newsletter', 'send', '--topic', 'events', '--template', template], env);
  expect(result.code).toBe(1);
  expect(result.stderr.trim().split('\n')).toEqual([
    expect.stringMatching(new RegExp(`^tickler: --template "${template}" is not a newsletter template in \\S+ \\(newsletter templates: newsletter-product-news\\)$`)),
  ]);
  expect(result.stdout).toBe('');

  const after = await openStore({ url: env.DATABASE_URL });
  expect(await after.newsletter.getBroadcast(1)).toBeNull();
  await after.close();
  const send = new Queue('send', { connection: { host: '127.0.0.1', port: 6379 }, prefix: suite.prefix });
  expect(Object.values(await send.getJobCounts()).reduce((a, b) => a + b, 0)).toBe(0);
  await send.close();
});

it('sends once to confirmed subscribers who did not leave, and not again on a re-run', async () => {
  const env = suite.env();
  const store = await openStore({ url: env.DATABASE_URL });
  const now = new Date();
  for (const email of ['a@firm-a.example', 'b@firm-b.example', 'left@firm-c.example', 'bounced@firm-d.example', 'pending@firm-e.example', 'other-topic@firm-f.example']) {
    await store.newsletter.subscribe(email, email.startsWith('other') ? ['security'] : ['product-news']);
    if (!email.startsWith('pending')) await store.newsletter.confirm(email, now);
  }
  await store.lists.unsubscribe('left@firm-c.example', 'newsletter:product-news', 'link');
  await store.lists.suppress('bounced@firm-d.example', 'bounce', 'mailbox unknown');
  await store.close();

  const first = await runCli(['newsletter', 'send', '--topic', 'product-news', '--template', 'newsletter-product-news'], env);
  expect(first.code).toBe(0);
  expect(first.stdout).toMatch(/4 confirmed subscribers, 2 enqueued, 0 already sent, 1 skipped \(unsubscribed\), 1 skipped \(suppressed\)/);

  const mailer = startCli(['mailer'], env);
  await waitUntil(async () => (await sesStore(suite.ses.url)).length >= 2, 60_000);
  await new Promise((r) => setTimeout(r, 1000));
  const firstRecipients = (await sesStore(suite.ses.url)).map((e) => e.destination.to[0]).sort();
  expect(firstRecipients).toEqual(['a@firm-a.example', 'b@firm-b.example']);

  // Named without its prefix, it is the same broadcast (the mailer resolves it the same way).
  const again = await runCli(['newsletter', 'send', '--topic', 'product-news', '--template', 'product-news'], env);
  expect(again.code).toBe(0);
  expect(again.stdout).toMatch(/existing\): 4 confirmed subscribers, 0 enqueued, 2 already sent/);
  await new Promise((r) => setTimeout(r, 2000));
  expect(await sesStore(suite.ses.url)).toHaveLength(2);

  mailer.child.kill('SIGTERM');
  expect((await mailer.exited).code).toBe(0);
});
