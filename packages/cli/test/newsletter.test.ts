/**
 * `tickler newsletter send`: confirmed subscribers of the topic get it once; those who left the
 * topic or are suppressed are recorded as skipped; pending subscriptions get nothing; re-running
 * the same broadcast sends nothing again.
 */
import { openStore } from '@tickler/db';
import { runCli, sesStore, startCli, waitUntil } from './helpers/cli';
import { useCliSuite } from './helpers/services';

jest.setTimeout(180_000);

const suite = useCliSuite('newsletter');

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

  const again = await runCli(['newsletter', 'send', '--topic', 'product-news', '--template', 'newsletter-product-news'], env);
  expect(again.code).toBe(0);
  expect(again.stdout).toMatch(/existing\): 4 confirmed subscribers, 0 enqueued, 2 already sent/);
  await new Promise((r) => setTimeout(r, 2000));
  expect(await sesStore(suite.ses.url)).toHaveLength(2);

  mailer.child.kill('SIGTERM');
  expect((await mailer.exited).code).toBe(0);
});
