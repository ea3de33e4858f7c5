/**
 * Sending one test email for one `test_sends` row: `[TEST] ` before the subject, the template's
 * usual headers, sample content — and never a delivery or a reminder row. Its links and footer are
 * real for the address it goes to (test-values.ts); list mail carries working one-click unsubscribe
 * headers whose token names the list `test:<template>`, which no one is on: using them changes no
 * real list (the unsubscribe page says so).
 *
 * At most once: the row is claimed (queued → sending) before sending; a job run again, or a second
 * worker, finds it claimed and sends nothing. A failure is recorded on the row and not retried.
 */
import { UnrecoverableError, Worker } from 'bullmq';
import type { Logger } from 'pino';
import { testListId } from '@tickler/domain';
import type { Store, TestSendRow, TestSendStatus } from '@tickler/db';
import type { Processor } from '@tickler/queues';
import { SendBudgetExhaustedError, type SendBudget } from '../budget';
import type { MailerConfig } from '../config';
import { listHeaders } from '../processors/links';
import { emailLocale, renderEmail, translator, type TemplateSet } from '../templates';
import type { MailTransport, OutgoingEmail } from '../transport';
import { resolveTestRequest } from './render-test-email';
import { testSendValues } from './test-values';

export const TEST_SUBJECT_PREFIX = '[TEST] ';

export interface TestSendDeps {
  store: Store;
  templates: TemplateSet;
  config: MailerConfig;
  transport: MailTransport;
  logger: Logger;
  /** The clock; tests pass a fixed one. */
  now: () => Date;
}

export type TestSendOutcome =
  | { status: 'sent'; messageId: string; subject: string }
  | { status: 'already-handled'; previous: TestSendStatus };

/**
 * The email of a test send: the sample `resolveTestRequest` picks, with real links and recipient
 * (test-values.ts), headers as the real email has them — list headers for every template with an
 * unsubscribe link (reminders, digests, newsletters), pointing at the same test link as the body.
 */
export function composeTestEmail(deps: Pick<TestSendDeps, 'templates' | 'config'>, row: TestSendRow): OutgoingEmail {
  const { config } = deps;
  const { template, data } = resolveTestRequest(deps.templates, row);
  const values = testSendValues(config, template.name, row.email, data, translator(deps.templates, emailLocale(deps.templates, row.locale)));
  const email = renderEmail(deps.templates, template.name, values, row.locale);
  const unsubscribe = typeof values.unsubscribeUrl === 'string' ? values.unsubscribeUrl : null;
  const broadcast = unsubscribe !== null && template.name.startsWith('newsletter-');
  return {
    from: broadcast ? config.fromNewsletter : config.fromReminders,
    to: row.email,
    subject: `${TEST_SUBJECT_PREFIX}${email.subject}`,
    html: email.html,
    text: email.text,
    headers: { ...(unsubscribe ? listHeaders(config, unsubscribe, testListId(template.name)) : {}), 'X-Tickler-Test': String(row.id) },
    tags: { source: 'test-send', testSend: String(row.id) },
  };
}

/**
 * Sends test send `id` once. Resolves `sent` with the provider's message id, or `already-handled`
 * when the row was claimed before. A failure is written on the row, then rethrown.
 */
export async function sendTestEmail(deps: TestSendDeps, id: number): Promise<TestSendOutcome> {
  const row = await deps.store.testSends.claim(id, deps.now());
  if (!row) {
    const existing = await deps.store.testSends.get(id);
    if (!existing) throw new Error(`test send ${id} does not exist`);
    return { status: 'already-handled', previous: existing.status };
  }
  let email: OutgoingEmail;
  let messageId: string;
  try {
    email = composeTestEmail(deps, row);
    ({ messageId } = await deps.transport.send(email));
  } catch (error) {
    await deps.store.testSends.markFailed(id, (error as Error).message, deps.now());
    throw error;
  }
  await deps.store.testSends.markSent(id, email.subject, messageId, deps.now());
  deps.logger.info({ testSendId: id, template: row.template, locale: row.locale, sample: row.sample, messageId }, 'test email sent');
  return { status: 'sent', messageId, subject: email.subject };
}

export interface TestSendProcessorDeps extends TestSendDeps {
  /** The SES budget shared by every mailer. */
  budget: SendBudget;
  /** Holds every queue that sends back for `ms` (BullMQ `queue.rateLimit`). */
  rateLimit: (ms: number) => Promise<void>;
}

/**
 * The `test-send` job (admin page): one attempt; a failure is on the row and fails the job. The
 * budget's token is taken before the row is claimed: when the budget is booked up the job goes back
 * to waiting (not an attempt) with its row still `queued`, so its later run sends it.
 */
export function makeTestSendProcessor(deps: TestSendProcessorDeps): Processor<'test-send'> {
  return async ({ testSendId }, job) => {
    try {
      await deps.budget.take();
    } catch (error) {
      if (!(error instanceof SendBudgetExhaustedError)) throw error;
      await deps.rateLimit(error.retryAfterMs);
      throw Worker.RateLimitError();
    }
    try {
      return await sendTestEmail(deps, testSendId);
    } catch (error) {
      deps.logger.warn({ queue: 'test-sends', jobId: job.id, testSendId, error: (error as Error).message }, 'test email not sent');
      throw new UnrecoverableError((error as Error).message);
    }
  };
}
