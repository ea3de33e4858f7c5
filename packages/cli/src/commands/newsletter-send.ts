/**
 * `tickler newsletter send --topic T --template NAME`: one broadcast per (topic, template). Pages
 * through confirmed subscribers, records a delivery for each (skipped when they left
 * `newsletter:<topic>` or are suppressed) and enqueues `send` jobs in bulk. Re-running finds the
 * same broadcast and the same deliveries: nothing already sent is sent again.
 */
import { newsletterListId } from '@tickler/domain';
import { type NewDelivery, type Store, type SubscriptionRow } from '@tickler/db';
import { enqueueBulk } from '@tickler/queues';
import { isNewsletterTemplate, listTemplateNames, newsletterTemplateName } from '@tickler/mailer';
import type { Env } from '../env';
import { makeProgress } from '../output/progress';
import { CliError } from '../runtime/errors';
import { readableTemplatesDir } from '../runtime/templates-dir';
import { withRuntime, type Runtime } from '../runtime/with-runtime';

const PAGE = 1000;

interface Tally { recipients: number; enqueued: number; alreadyDone: number; unsubscribed: number; suppressed: number }

async function* confirmedPages(store: Store, topic: string): AsyncGenerator<SubscriptionRow[]> {
  for (let after = 0; ;) {
    const page = await store.newsletter.listConfirmed(topic, after, PAGE);
    if (page.length === 0) return;
    yield page;
    after = page[page.length - 1]!.id;
  }
}

async function countConfirmed(store: Store, topic: string): Promise<number> {
  let n = 0;
  for await (const page of confirmedPages(store, topic)) n += page.length;
  return n;
}

async function sendPage(rt: Runtime, broadcastId: number, topic: string, page: SubscriptionRow[], tally: Tally): Promise<void> {
  const listId = newsletterListId(topic);
  const emails = page.map((s) => s.email);
  const [left, suppressed] = await Promise.all([rt.store.lists.unsubscribedAmong(listId, emails), rt.store.lists.suppressedAmong(emails)]);
  const rows: NewDelivery[] = emails.map((email) => {
    const reason = suppressed.has(email) ? 'suppressed' : left.has(email) ? 'unsubscribed' : null;
    return { sourceType: 'broadcast', sourceId: broadcastId, email, listId, orderId: null, status: reason ? 'skipped' : 'queued', reason };
  });
  const stored = await rt.store.deliveries.upsertMany(rows);
  const toSend = stored.filter((d) => d.status === 'queued');
  await enqueueBulk(rt.queues, 'send', toSend.map((d) => ({ data: { deliveryId: d.id } })));
  tally.recipients += page.length;
  tally.enqueued += toSend.length;
  tally.unsubscribed += stored.filter((d) => d.status === 'skipped' && d.reason === 'unsubscribed').length;
  tally.suppressed += stored.filter((d) => d.status === 'skipped' && d.reason === 'suppressed').length;
  tally.alreadyDone += stored.filter((d) => d.status !== 'queued' && d.status !== 'skipped').length;
}

export async function newsletterSendCommand(env: Env, opts: { topic: string; template: string }): Promise<void> {
  const topics = env.newsletterTopics.map((t) => t.id);
  if (!topics.includes(opts.topic)) throw new CliError(`unknown topic "${opts.topic}" (NEWSLETTER_TOPICS: ${topics.join(', ')})`);
  // The mailer's own rule, checked before anything is recorded: a reminder or invitation template would fail every send.
  const newsletters = (await listTemplateNames(await readableTemplatesDir(env))).filter(isNewsletterTemplate);
  const template = newsletterTemplateName(opts.template);
  if (!newsletters.includes(template)) {
    throw new CliError(`--template "${opts.template}" is not a newsletter template in ${env.templatesDir} (newsletter templates: ${newsletters.join(', ') || 'none'})`);
  }
  await withRuntime(env, async (rt) => {
    // Recorded by file name, so `--template product-news` and `--template newsletter-product-news` are one broadcast.
    const broadcast = await rt.store.newsletter.ensureBroadcast(opts.topic, template);
    const total = await countConfirmed(rt.store, opts.topic);
    const tally: Tally = { recipients: 0, enqueued: 0, alreadyDone: 0, unsubscribed: 0, suppressed: 0 };
    const progress = makeProgress(`newsletter ${opts.topic}`, total);
    try {
      for await (const page of confirmedPages(rt.store, opts.topic)) {
        await sendPage(rt, broadcast.id, opts.topic, page, tally);
        progress.tick(page.length);
      }
    } finally {
      progress.stop();
    }
    await rt.store.newsletter.markBroadcastDone(broadcast.id);
    rt.logger.info({ broadcastId: broadcast.id, ...tally }, 'newsletter broadcast enqueued');
    process.stdout.write(`broadcast #${broadcast.id} (${opts.topic}, ${template}${broadcast.created ? '' : ', existing'}): `
      + `${tally.recipients} confirmed subscribers, ${tally.enqueued} enqueued, ${tally.alreadyDone} already sent, `
      + `${tally.unsubscribed} skipped (unsubscribed), ${tally.suppressed} skipped (suppressed)\n`);
  });
}
