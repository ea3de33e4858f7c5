/**
 * What a test send puts in place of a sample's links and addresses. A test goes to a real address,
 * so every link in it is real — on PUBLIC_BASE_URL, signed with TOKEN_SECRETS for that address, as
 * in a real email — and none can change anything real:
 * - `recipientEmail` (the footer's "sent to") is the address the test goes to; `supportEmail` and
 *   `publicBaseUrl` are the configured ones;
 * - `preferencesUrl` opens that address's own preferences page, as every real email's does: opening
 *   it changes nothing, and its buttons change only what the tester asks for there;
 * - `unsubscribeUrl` (a digest's per-order ones too), `acceptUrl` and `confirmUrl` carry the test
 *   token (`createTestSendToken`), which those pages answer with "this was a test", changing nothing:
 *   a real token would take the tester off a real list or confirm their pending subscription, and no
 *   invitation exists for a sample one to open;
 * - `renewUrl` is built for the sample's order as a reminder builds it (RENEW_URL_TEMPLATE, else a
 *   mail to support).
 */
import { createTestSendToken, type Translate } from '@tickler/domain';
import type { MailerConfig } from '../config';
import { preferencesUrl, renewUrl } from '../processors/links';

type Values = Record<string, unknown>;
type TestValuesConfig = Pick<MailerConfig, 'publicBaseUrl' | 'tokenSecrets' | 'supportEmail' | 'renewUrlTemplate'>;

const isValues = (value: unknown): value is Values => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * `data` (a sample of `template`) for a test send to `email`: every field above replaced, in list
 * items too (a digest's orders); other fields as they are.
 */
export function testSendValues(config: TestValuesConfig, template: string, email: string, data: Values, t: Translate): Values {
  const base = config.publicBaseUrl.replace(/\/+$/, '');
  const testLink = (path: string) => `${base}${path}${createTestSendToken(config.tokenSecrets, email, template)}`;
  const real: Record<string, (values: Values) => unknown> = {
    recipientEmail: () => email,
    supportEmail: () => config.supportEmail,
    publicBaseUrl: () => base,
    preferencesUrl: () => preferencesUrl(config, email),
    unsubscribeUrl: () => testLink('/u/'),
    acceptUrl: () => testLink('/invitations/'),
    confirmUrl: () => testLink('/newsletter/confirm/'),
    renewUrl: (values) => renewUrl(config, String(values.orderNumber), t),
  };
  const replace = (values: Values): Values => Object.fromEntries(Object.entries(values).map(([key, value]) => {
    if (Object.hasOwn(real, key)) return [key, real[key]!(values)];
    return [key, Array.isArray(value) ? value.map((item: unknown) => (isValues(item) ? replace(item) : item)) : value];
  }));
  return replace(data);
}
