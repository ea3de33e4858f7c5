/** Links and list headers carried by emails (SPEC §4; RFC 2369, RFC 2919, RFC 8058). */
import type { InvitationRow, InvitationsRepository } from '@tickler/db';
import {
  createAddressToken, createConfirmToken, createDigestToken, createListToken, createTopicChangeToken, invitationTokenCandidates, sha256Hex, type ListId, type Translate,
} from '@tickler/domain';
import type { MailerConfig } from '../config';

type LinkConfig = Pick<MailerConfig, 'publicBaseUrl' | 'tokenSecrets'>;

const base = (config: LinkConfig) => config.publicBaseUrl.replace(/\/+$/, '');

export function unsubscribeUrl(config: LinkConfig, email: string, listId: ListId): string {
  return `${base(config)}/u/${createListToken(config.tokenSecrets, email, listId)}`;
}

/** The unsubscribe link of a reminder digest: leaves every list the digest named. */
export function digestUnsubscribeUrl(config: LinkConfig, email: string, digestId: number): string {
  return `${base(config)}/u/${createDigestToken(config.tokenSecrets, email, digestId)}`;
}

export function preferencesUrl(config: LinkConfig, email: string): string {
  return `${base(config)}/preferences/${createAddressToken(config.tokenSecrets, email)}`;
}

/**
 * The link of a stored invitation: the token whose hash was stored when it was created, rebuilt —
 * in today's format, or an earlier one, or under an older secret of `TOKEN_SECRETS`. Null when
 * none matches (the link would not open it).
 */
export async function storedInvitationUrl(
  store: { invitations: Pick<InvitationsRepository, 'findByTokenHash'> },
  config: LinkConfig,
  invitation: InvitationRow,
): Promise<string | null> {
  for (const token of invitationTokenCandidates(config.tokenSecrets, invitation)) {
    const stored = await store.invitations.findByTokenHash(sha256Hex(token));
    if (stored?.id === invitation.id) return `${base(config)}/invitations/${token}`;
  }
  return null;
}

export function confirmUrl(config: LinkConfig, email: string): string {
  return `${base(config)}/newsletter/confirm/${createConfirmToken(config.tokenSecrets, email)}`;
}

/** The link confirming one pending change of a subscriber's topics (served by the confirm page too). */
export function topicChangeUrl(config: LinkConfig, email: string, changeId: number): string {
  return `${base(config)}/newsletter/confirm/${createTopicChangeToken(config.tokenSecrets, email, changeId)}`;
}

/** RENEW_URL_TEMPLATE for the order, else a mail to support whose subject (in the email's language, `t`) names the order. */
export function renewUrl(config: Pick<MailerConfig, 'renewUrlTemplate' | 'supportEmail'>, orderId: string, t: Translate): string {
  if (config.renewUrlTemplate) return config.renewUrlTemplate.replaceAll('{orderId}', encodeURIComponent(orderId));
  return `mailto:${config.supportEmail}?subject=${encodeURIComponent(t('common.renewalRequest', { orderNumber: orderId }))}`;
}

/**
 * The list headers of list mail: one-click unsubscribe (RFC 8058) and a stable List-Id (RFC 2919),
 * e.g. `<renewal.ord-1001.tickler.example.com>`, or for an organization's reminder digest
 * (`renewal-digest:org-1`) `<renewal-digest.org-1.tickler.example.com>`.
 */
export function listHeaders(config: Pick<MailerConfig, 'publicBaseUrl'>, unsubscribe: string, listId: string): Record<string, string> {
  const host = new URL(config.publicBaseUrl).hostname;
  const label = listId.toLowerCase().replace(/[^a-z0-9-]+/g, '.').replace(/^\.+|\.+$/g, '');
  return {
    'List-Unsubscribe': `<${unsubscribe}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    'List-Id': `<${label}.${host}>`,
  };
}
