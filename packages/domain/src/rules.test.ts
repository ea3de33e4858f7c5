import { canBeContact, canManageContacts, canSeeLicense, canSeeOrder, canSeeOrganization, selectRecipients } from './rules';

describe('canManageContacts (rule 2)', () => {
  it('lets active members manage contacts and refuses others with 403', () => {
    expect(canManageContacts({ status: 'active' })).toEqual({ ok: true });
    expect(canManageContacts({ status: 'invited' })).toMatchObject({ ok: false, status: 403, code: 'not_a_member' });
    expect(canManageContacts(null)).toMatchObject({ ok: false, status: 403, message: expect.stringContaining('active members') });
  });
});

describe('canBeContact (rule 2)', () => {
  it('accepts active members', () => {
    expect(canBeContact({ status: 'active' })).toEqual({ ok: true });
  });

  it('refuses invited people with 409 must_accept_invitation', () => {
    const result = canBeContact({ status: 'invited' });
    expect(result).toMatchObject({ ok: false, status: 409, code: 'must_accept_invitation' });
    if (!result.ok) expect(result.message).toContain('must accept the organization invitation first');
  });

  it('refuses non-members with the same code, telling to invite them', () => {
    const result = canBeContact(null);
    expect(result).toMatchObject({ ok: false, status: 409, code: 'must_accept_invitation' });
    if (!result.ok) expect(result.message).toMatch(/invite them; they must accept the organization invitation first/);
  });
});

describe('canSeeLicense (rule 6)', () => {
  it('only contacts see license details', () => {
    expect(canSeeLicense(true)).toEqual({ ok: true });
    expect(canSeeLicense(false)).toEqual({ ok: false, status: 403, code: 'not_a_contact', message: "Only the order's contacts can see its license details." });
  });
});

describe('selectRecipients (rules 3, 5, 6)', () => {
  it('sends to active contacts and says why everyone else is skipped', () => {
    const result = selectRecipients({
      contacts: [
        { email: 'ann@acme.com', membershipStatus: 'active' },
        { email: 'bob@acme.com', membershipStatus: 'active' },
        { email: 'cid@acme.com', membershipStatus: 'invited' },
        { email: 'dan@acme.com', membershipStatus: null },
        { email: 'eve@acme.com', membershipStatus: 'active' },
        { email: 'fay@acme.com', membershipStatus: 'active' },
      ],
      unsubscribed: new Set(['bob@acme.com', 'fay@acme.com']),
      suppressed: new Set(['eve@acme.com', 'fay@acme.com']),
    });
    expect(result).toEqual({
      recipients: ['ann@acme.com'],
      skipped: [
        { email: 'bob@acme.com', reason: 'unsubscribed' },
        { email: 'cid@acme.com', reason: 'not-a-member' },
        { email: 'dan@acme.com', reason: 'not-a-member' },
        { email: 'eve@acme.com', reason: 'suppressed' },
        { email: 'fay@acme.com', reason: 'suppressed' },
      ],
    });
  });

  it('compares addresses case-insensitively and lists each address once', () => {
    const result = selectRecipients({
      contacts: [
        { email: 'ann@acme.com', membershipStatus: 'active' },
        { email: 'Ann@Acme.com', membershipStatus: 'active' },
        { email: 'Bob@acme.com', membershipStatus: 'active' },
      ],
      unsubscribed: new Set(['BOB@acme.com']),
      suppressed: new Set(),
    });
    expect(result).toEqual({ recipients: ['ann@acme.com'], skipped: [{ email: 'Bob@acme.com', reason: 'unsubscribed' }] });
  });

  it('sends nothing for an order without contacts', () => {
    expect(selectRecipients({ contacts: [], unsubscribed: new Set(), suppressed: new Set() })).toEqual({ recipients: [], skipped: [] });
  });
});

describe('canSeeOrder / canSeeOrganization (no probing of ids)', () => {
  it('shows an order to active members of its organization and to its contacts only', () => {
    expect(canSeeOrder({ status: 'active' }, false)).toBe(true);
    expect(canSeeOrder(null, true)).toBe(true);
    expect(canSeeOrder({ status: 'invited' }, true)).toBe(true);
    expect(canSeeOrder({ status: 'invited' }, false)).toBe(false);
    expect(canSeeOrder(null, false)).toBe(false);
  });

  it('shows an organization to its active members only', () => {
    expect(canSeeOrganization({ status: 'active' })).toBe(true);
    expect(canSeeOrganization({ status: 'invited' })).toBe(false);
    expect(canSeeOrganization(null)).toBe(false);
  });
});
