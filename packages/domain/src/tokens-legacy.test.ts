/**
 * Links already in inboxes carry first-format tokens, and tokens never expire (SPEC §4): they must
 * keep opening what they opened. The fixtures below were written by the first format's code
 * (before the compact format) with the secret `OLD`; they are literals on purpose.
 */
import { sealV1 } from './token-format-v1';
import {
  createInvitationToken,
  createListToken,
  invitationTokenCandidates,
  readAddressToken,
  readConfirmToken,
  readInvitationToken,
  readListToken,
  sha256Hex,
} from './tokens';

const OLD = 'token-secret-old-0123456789';
const NEW = 'token-secret-new-0123456789';

const V1_FIXTURES = {
  renewal: 'AfEvSE6P86xh1jwKhIXsmzxttbZ2LtagvvnUBo5wik2_qT0RO3Lr7erGTMA13YXUr5-wtQ', // ann@acme.com, renewal:ORD-1001
  newsletter: 'AYs_ka6dTltCAg0ZLULGH498aCxTQNLquRtsgIbR2Rca0048YCWOraTsXAjnbRArCeyHdMosMw', // ann@acme.com, newsletter:security
  address: 'AZF6J-bZciPqY8n8JvURxrkdeAcYyNFt-BVuL_29YQKS', // ann@acme.com
  confirm: 'AexsmLVt7Ery58LcQz2dva3m2bdlsCoAcr005onUdjfw', // ann@acme.com
  invitation: 'AUNONKWsqd9eZmgXcljhYWOcDpeaLAMcAqgXIvwpTWI6f3rD6WhPorVRtoVNCv1Pw7Tcg9JN1QH1', // org-1, bob@acme.com, 2026-12-03T10:00Z
  // 104 characters: over the old route-parameter limit, so this link never opened until now.
  longRenewal: 'AT6-nEaIoUzo84omvXkGOdO8GxC6Is2ptz5ErNSYrhJnhVm_lkqDAI5TfbZLmFA0f50YtlA24PqXIMdfN9nG4CakdwBVRAkuc4vOhwB3',
};

describe('first-format tokens (links already sent)', () => {
  it('still read, under the old secret and after a rotation to new,old', () => {
    for (const secrets of [[OLD], [NEW, OLD]]) {
      expect(readListToken(secrets, V1_FIXTURES.renewal)).toEqual({ email: 'ann@acme.com', listId: 'renewal:ORD-1001' });
      expect(readListToken(secrets, V1_FIXTURES.newsletter)).toEqual({ email: 'ann@acme.com', listId: 'newsletter:security' });
      expect(readListToken(secrets, V1_FIXTURES.longRenewal)).toEqual({ email: 'firstname.lastname@example-company.com', listId: 'renewal:ORD-1001' });
      expect(readAddressToken(secrets, V1_FIXTURES.address)).toEqual({ email: 'ann@acme.com' });
      expect(readConfirmToken(secrets, V1_FIXTURES.confirm)).toEqual({ email: 'ann@acme.com' });
      expect(readInvitationToken(secrets, V1_FIXTURES.invitation)).toEqual({
        organizationId: 'org-1', email: 'bob@acme.com', expiresAt: new Date('2026-12-03T10:00:00.000Z'),
      });
    }
  });

  it('keep their purpose, need a known secret, and refuse every single-bit change', () => {
    expect(readAddressToken([OLD], V1_FIXTURES.confirm)).toBeNull();
    expect(readConfirmToken([OLD], V1_FIXTURES.address)).toBeNull();
    expect(readListToken([OLD], V1_FIXTURES.address)).toBeNull();
    expect(readListToken([NEW], V1_FIXTURES.renewal)).toBeNull();
    const raw = Buffer.from(V1_FIXTURES.renewal, 'base64url');
    for (let i = 0; i < raw.length * 8; i += 1) {
      const bad = Buffer.from(raw);
      bad[i >> 3] = (bad[i >> 3] ?? 0) ^ (1 << (i & 7));
      expect(readListToken([OLD], bad.toString('base64url'))).toBeNull();
    }
  });

  it('are what the kept first-format writer still produces, byte for byte', () => {
    expect(sealV1(OLD, 'list', ['ann@acme.com', 'renewal:ORD-1001'])).toBe(V1_FIXTURES.renewal);
    expect(sealV1(OLD, 'invitation', ['org-1', 'bob@acme.com', String(Date.parse('2026-12-03T10:00:00.000Z'))])).toBe(V1_FIXTURES.invitation);
  });

  it('new tokens are in the compact format and shorter', () => {
    const token = createListToken([NEW, OLD], 'firstname.lastname@example-company.com', 'renewal:ORD-1001');
    expect(Buffer.from(token, 'base64url')[0]).toBe(2);
    expect(token.length).toBeLessThan(V1_FIXTURES.longRenewal.length * 0.75);
  });
});

describe('invitationTokenCandidates', () => {
  const invitation = { organizationId: 'org-1', email: 'bob@acme.com', expiresAt: new Date('2026-12-03T10:00:00.000Z') };

  it('lists the current token first, then every other token that opens the same invitation', () => {
    const candidates = invitationTokenCandidates([NEW, OLD], invitation);
    expect(candidates[0]).toBe(createInvitationToken([NEW, OLD], invitation));
    expect(candidates).toContain(createInvitationToken([OLD], invitation));
    expect(candidates).toContain(V1_FIXTURES.invitation);
    expect(new Set(candidates).size).toBe(4);
    for (const token of candidates) expect(readInvitationToken([NEW, OLD], token)).toEqual(invitation);
  });

  it('finds the link of an invitation stored with a first-format token hash', () => {
    const stored = sha256Hex(V1_FIXTURES.invitation);
    expect(invitationTokenCandidates([NEW, OLD], invitation).find((t) => sha256Hex(t) === stored)).toBe(V1_FIXTURES.invitation);
  });
});
