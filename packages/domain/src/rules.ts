import type { MembershipStatus } from './types';

/** Outcome of an authorization rule (SPEC §2); refusals carry the HTTP status, a code and a sentence. */
export type RuleResult = { ok: true } | { ok: false; status: 403 | 409; code: string; message: string };

type Member = { status: MembershipStatus | string } | null;

const OK: RuleResult = { ok: true };

/**
 * Who may learn that an order exists: active members of its organization (they manage its contacts,
 * rule 2) and its contacts (they see its license, rule 6). Everyone else is answered exactly as for an
 * order that does not exist, so order ids cannot be probed. `actor` is their membership in the
 * order's organization (null = none).
 */
export function canSeeOrder(actor: Member, isContact: boolean): boolean {
  return actor?.status === 'active' || isContact;
}

/**
 * Who may learn that an organization exists through the portal: its active members (the only ones
 * who may act on it, rule 1). Everyone else gets the answer for an unknown organization.
 */
export function canSeeOrganization(actor: Member): boolean {
  return actor?.status === 'active';
}

/** Rule 2: only active members of the order's organization may add or remove the order's contacts. */
export function canManageContacts(actor: Member): RuleResult {
  if (actor?.status === 'active') return OK;
  return { ok: false, status: 403, code: 'not_a_member', message: "Only active members of the order's organization can manage its contacts." };
}

/** Rule 2: only active members can be added as contacts; invited (or unknown) people must accept an invitation first (409). */
export function canBeContact(candidate: Member): RuleResult {
  if (candidate?.status === 'active') return OK;
  const message = candidate === null
    ? 'This person is not a member of the organization: invite them; they must accept the organization invitation first.'
    : 'This person is invited but must accept the organization invitation first.';
  return { ok: false, status: 409, code: 'must_accept_invitation', message };
}

/** Rule 6: only the order's contacts may see its license details. */
export function canSeeLicense(isContact: boolean): RuleResult {
  if (isContact) return OK;
  return { ok: false, status: 403, code: 'not_a_contact', message: "Only the order's contacts can see its license details." };
}

export type RecipientSkipReason = 'unsubscribed' | 'suppressed' | 'not-a-member';

/**
 * Rules 3, 5, 6 at send time: who of an order's contacts gets a reminder. A contact whose membership
 * is not active is skipped (`not-a-member`), then suppressed addresses (`suppressed`, no mail at all),
 * then those who left this list (`unsubscribed`). Addresses compare case-insensitively; each
 * address appears once in the result.
 */
export function selectRecipients(input: {
  contacts: Array<{ email: string; membershipStatus: MembershipStatus | null }>;
  unsubscribed: ReadonlySet<string>;
  suppressed: ReadonlySet<string>;
}): { recipients: string[]; skipped: Array<{ email: string; reason: RecipientSkipReason }> } {
  const lower = (set: ReadonlySet<string>) => new Set([...set].map((e) => e.trim().toLowerCase()));
  const unsubscribed = lower(input.unsubscribed);
  const suppressed = lower(input.suppressed);
  const seen = new Set<string>();
  const recipients: string[] = [];
  const skipped: Array<{ email: string; reason: RecipientSkipReason }> = [];
  for (const contact of input.contacts) {
    const key = contact.email.trim().toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    if (contact.membershipStatus !== 'active') skipped.push({ email: contact.email, reason: 'not-a-member' });
    else if (suppressed.has(key)) skipped.push({ email: contact.email, reason: 'suppressed' });
    else if (unsubscribed.has(key)) skipped.push({ email: contact.email, reason: 'unsubscribed' });
    else recipients.push(contact.email);
  }
  return { recipients, skipped };
}
