import fc from 'fast-check';
import {
  createAddressToken,
  createConfirmToken,
  createInvitationToken,
  createListToken,
  createTopicChangeToken,
  createDigestToken,
  readDigestToken,
  readAddressToken,
  readConfirmToken,
  readInvitationToken,
  readListToken,
  readTopicChangeToken,
  sha256Hex,
  MAX_TOKEN_LENGTH,
} from './tokens';

const secrets = ['s3cret-new-0123456789abcdef'];
const OLD = 'old-secret-fedcba9876543210';
const NEW = 'new-secret-0123456789abcdef';

/** Flips one bit of the decoded token and re-encodes it. */
function flipBit(token: string, byteIndex: number): string {
  const raw = Buffer.from(token, 'base64url');
  const index = byteIndex % raw.length;
  raw[index] = (raw[index] ?? 0) ^ 0x01;
  return raw.toString('base64url');
}

describe('list tokens', () => {
  it('round-trip (email, list) and are URL-safe and opaque', () => {
    const token = createListToken(secrets, 'ann@acme.com', 'renewal:ORD-1001');
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(token).not.toContain('ann');
    expect(Buffer.from(token, 'base64url').toString('latin1')).not.toContain('acme.com');
    expect(readListToken(secrets, token)).toEqual({ email: 'ann@acme.com', listId: 'renewal:ORD-1001' });
  });

  it('are stable for the same (email, list) and differ across lists', () => {
    const a = createListToken(secrets, 'ann@acme.com', 'renewal:ORD-1');
    expect(createListToken(secrets, 'ann@acme.com', 'renewal:ORD-1')).toBe(a);
    const b = createListToken(secrets, 'ann@acme.com', 'renewal:ORD-2');
    expect(b).not.toBe(a);
    // A token for one list names only that list: it cannot unsubscribe another.
    expect(readListToken(secrets, b)).toEqual({ email: 'ann@acme.com', listId: 'renewal:ORD-2' });
  });

  it('reject every single-bit tamper, truncation and garbage', () => {
    const token = createListToken(secrets, 'ann@acme.com', 'newsletter:product-news');
    const length = Buffer.from(token, 'base64url').length;
    for (let i = 0; i < length; i += 1) expect(readListToken(secrets, flipBit(token, i))).toBeNull();
    expect(readListToken(secrets, token.slice(0, -1))).toBeNull();
    expect(readListToken(secrets, `${token}A`)).toBeNull();
    for (const junk of ['', 'abc', 'not a token!', 'a'.repeat(5000), 'YW5uQGFjbWUuY29t']) expect(readListToken(secrets, junk)).toBeNull();
  });

  it('do not verify with another secret', () => {
    const token = createListToken(['attacker-secret'], 'ann@acme.com', 'renewal:ORD-1');
    expect(readListToken(secrets, token)).toBeNull();
  });

  it('keep verifying after rotation to new,old; not once old is removed', () => {
    const oldToken = createListToken([OLD], 'ann@acme.com', 'renewal:ORD-1');
    expect(readListToken([NEW, OLD], oldToken)).toEqual({ email: 'ann@acme.com', listId: 'renewal:ORD-1' });
    expect(readListToken([NEW], oldToken)).toBeNull();
    // New tokens are signed with the first secret.
    const newToken = createListToken([NEW, OLD], 'ann@acme.com', 'renewal:ORD-1');
    expect(newToken).not.toBe(oldToken);
    expect(readListToken([NEW], newToken)).not.toBeNull();
    expect(readListToken([OLD], newToken)).toBeNull();
  });
});

describe('token purposes', () => {
  const email = 'ann@acme.com';
  const tokens = {
    list: createListToken(secrets, email, 'renewal:ORD-1'),
    address: createAddressToken(secrets, email),
    invitation: createInvitationToken(secrets, { organizationId: 'org-1', email, expiresAt: new Date('2026-12-10T00:00:00.123Z') }),
    confirm: createConfirmToken(secrets, email),
    topicChange: createTopicChangeToken(secrets, email, 42),
    digest: createDigestToken(secrets, email, 7),
  };
  const readers = {
    list: (t: string) => readListToken(secrets, t),
    address: (t: string) => readAddressToken(secrets, t),
    invitation: (t: string) => readInvitationToken(secrets, t),
    confirm: (t: string) => readConfirmToken(secrets, t),
    topicChange: (t: string) => readTopicChangeToken(secrets, t),
    digest: (t: string) => readDigestToken(secrets, t),
  };

  it('each kind round-trips', () => {
    expect(readers.list(tokens.list)).toEqual({ email, listId: 'renewal:ORD-1' });
    expect(readers.address(tokens.address)).toEqual({ email });
    expect(readers.invitation(tokens.invitation)).toEqual({ organizationId: 'org-1', email, expiresAt: new Date('2026-12-10T00:00:00.123Z') });
    expect(readers.confirm(tokens.confirm)).toEqual({ email });
    expect(readers.topicChange(tokens.topicChange)).toEqual({ email, changeId: 42 });
    expect(readers.digest(tokens.digest)).toEqual({ email, digestId: 7 });
  });

  it('a digest token names one digest, and stays short for a 254-character address and the largest id', () => {
    expect(() => createDigestToken(secrets, email, 0)).toThrow(expect.objectContaining({ code: 'invalid_token_input', field: 'digestId' }));
    const longest = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`;
    expect(longest).toHaveLength(254);
    const token = createDigestToken(secrets, longest, Number.MAX_SAFE_INTEGER);
    expect(token.length).toBeLessThanOrEqual(MAX_TOKEN_LENGTH);
    expect(readDigestToken(secrets, token)).toEqual({ email: longest, digestId: Number.MAX_SAFE_INTEGER });
  });

  it('a topic-change token names one change: another change id gives another token', () => {
    expect(createTopicChangeToken(secrets, email, 43)).not.toBe(tokens.topicChange);
    expect(() => createTopicChangeToken(secrets, email, 0)).toThrow(expect.objectContaining({ code: 'invalid_token_input', field: 'changeId' }));
  });

  it.each(Object.keys(tokens) as Array<keyof typeof tokens>)('a %s token verifies as no other kind', (kind) => {
    for (const other of Object.keys(readers) as Array<keyof typeof readers>) {
      if (other !== kind) expect(readers[other](tokens[kind])).toBeNull();
    }
  });

  it('an address token is not a confirm token although both carry only an email', () => {
    expect(tokens.address).not.toBe(tokens.confirm);
  });

  it('an invitation token still reads after its expiresAt: the caller decides', () => {
    const token = createInvitationToken(secrets, { organizationId: 'org-1', email, expiresAt: new Date('2020-01-01T00:00:00Z') });
    expect(readInvitationToken(secrets, token)?.expiresAt.toISOString()).toBe('2020-01-01T00:00:00.000Z');
  });
});

describe('bad inputs', () => {
  it('refuse empty secrets and empty fields with a DomainError', () => {
    expect(() => createListToken([], 'ann@acme.com', 'renewal:1')).toThrow(expect.objectContaining({ code: 'invalid_secrets', field: 'TOKEN_SECRETS' }));
    expect(() => readListToken([''], 'abc')).toThrow(expect.objectContaining({ code: 'invalid_secrets' }));
    expect(() => createListToken(secrets, '', 'renewal:1')).toThrow(expect.objectContaining({ code: 'invalid_token_input', field: 'email' }));
    for (const expiresAt of [new Date('nope'), new Date('1969-12-31T23:59:59Z')]) {
      expect(() => createInvitationToken(secrets, { organizationId: 'o', email: 'a@b.co', expiresAt })).toThrow(
        expect.objectContaining({ code: 'invalid_token_input', field: 'expiresAt' }),
      );
    }
  });

  it('round-trip unicode and separators in fields', () => {
    const token = createListToken(secrets, 'jürgen@xn--bcher-kva.de', 'newsletter:a,b"c]');
    expect(readListToken(secrets, token)).toEqual({ email: 'jürgen@xn--bcher-kva.de', listId: 'newsletter:a,b"c]' });
  });
});

describe('sha256Hex', () => {
  it('is the lower-case hex SHA-256', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('tokens (property)', () => {
  const secretArb = fc.string({ minLength: 1, maxLength: 40 });

  it('any (email, list) round-trips, and reads under a rotated secret list', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), secretArb, secretArb, (email, listId, oldSecret, newSecret) => {
        const token = createListToken([oldSecret], email, listId);
        expect(readListToken([oldSecret], token)).toEqual({ email, listId });
        expect(readListToken([newSecret, oldSecret], token)).toEqual({ email, listId });
        if (newSecret !== oldSecret) expect(readListToken([newSecret], token)).toBeNull();
      }),
      { numRuns: 300 },
    );
  });

  it('no single-byte change of a token verifies', () => {
    fc.assert(
      fc.property(fc.emailAddress(), fc.nat(), fc.integer({ min: 1, max: 255 }), (email, at, xor) => {
        const raw = Buffer.from(createAddressToken(secrets, email), 'base64url');
        const index = at % raw.length;
        raw[index] = (raw[index] ?? 0) ^ xor;
        expect(readAddressToken(secrets, raw.toString('base64url'))).toBeNull();
      }),
      { numRuns: 300 },
    );
  });
});
