/**
 * What the acting links of a test email open (`tickler templates send-test`, the admin's test-send
 * form): their token names the test list `test:<template>` (see `createTestSendToken`), which every
 * page that would act — unsubscribe, invitation accept, newsletter confirm — answers, GET or POST
 * alike, with this page: it was a test, and nothing changed. The page is for whoever tests
 * templates, so it is in English like the admin pages.
 */
import { readTestSendToken } from '@tickler/domain';
import type { FastifyReply } from 'fastify';
import type { HttpDeps } from '../deps';
import { html, type Html } from './html';
import { sendPage } from './layout';

/** Which link of the test email was followed, and what it leaves alone. */
const NOTHING_CHANGED: Record<'unsubscribe' | 'invitation' | 'confirm', (email: string) => Html> = {
  unsubscribe: (email) => html`Its unsubscribe link changes nothing: ${email} stays on every list it is on.`,
  invitation: (email) => html`Its invitation link accepts no invitation: ${email} joins no organization.`,
  confirm: (email) => html`Its confirmation link confirms nothing: the newsletter subscription of ${email} stays as it is.`,
};

export type TestEmailLink = keyof typeof NOTHING_CHANGED;

/** Sends the test page when `token` is a test email's, and answers the reply; null (nothing sent) for any other token. */
export function sendTestEmailPage(reply: FastifyReply, deps: Pick<HttpDeps, 'config'>, token: string, link: TestEmailLink): FastifyReply | null {
  const test = readTestSendToken(deps.config.tokenSecrets, token);
  if (!test) return null;
  if (reply.request.method === 'POST') reply.request.log.info({ link, template: test.template }, 'link of a test email: nothing changed');
  return sendPage(reply, 200, {
    title: 'Test email',
    supportEmail: deps.config.supportEmail,
    body: html`<h1>This was a test email</h1>
<p class="notice">It was a test of the template <strong>${test.template}</strong>. ${NOTHING_CHANGED[link](test.email)}</p>`,
  });
}
