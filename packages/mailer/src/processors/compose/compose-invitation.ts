/** An organization invitation; the link token is re-derived (tokens are deterministic) and checked against the stored hash. */
import { displayInstant, renderEmail, type InvitationEmailData } from '../../templates';
import { PermanentSendError } from '../../transport';
import { storedInvitationUrl } from '../links';
import { recipientLocale } from './locale';
import { transactionalEmail, type Composer } from './types';

export const composeInvitation: Composer = async (deps, delivery, now) => {
  const { store, templates, config } = deps;
  const invitation = await store.invitations.get(delivery.sourceId);
  if (!invitation) return { skip: 'invitation-not-found' };
  if (invitation.acceptedAt) return { skip: 'invitation-accepted' };
  if (invitation.revokedAt) return { skip: 'invitation-revoked' };
  if (invitation.expiresAt.getTime() <= now.getTime()) return { skip: 'invitation-expired' };
  const organization = await store.directory.getOrganization(invitation.organizationId);
  const url = await storedInvitationUrl(store, config, invitation);
  // A link that would not open this invitation (e.g. its secret was removed from TOKEN_SECRETS) must not go out.
  if (!url) throw new PermanentSendError(`Invitation ${invitation.id}: the link cannot be rebuilt (no token under TOKEN_SECRETS has the stored hash)`);
  const locale = await recipientLocale(deps, delivery.email, organization?.locale);
  const data: InvitationEmailData = {
    organizationName: organization?.name ?? invitation.organizationId,
    inviterEmail: invitation.invitedByEmail,
    acceptUrl: url,
    expiresOn: displayInstant(invitation.expiresAt, locale),
    supportEmail: config.supportEmail,
    recipientEmail: delivery.email,
  };
  return transactionalEmail(config, delivery, renderEmail(templates, 'invitation', data, locale), { invitation: String(invitation.id) });
};
