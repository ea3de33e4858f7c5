import fc from 'fast-check';
import { checkBusinessEmail, isDisposableDomain, isFreeMailDomain, normalizeDomain, normalizeEmail, registrableDomain } from './email';
import { DomainError } from './errors';

describe('normalizeEmail', () => {
  it('trims and lower-cases', () => {
    expect(normalizeEmail('  Ann.Smith+Renewals@ACME.com \n')).toBe('ann.smith+renewals@acme.com');
  });

  it('converts an internationalized domain to punycode', () => {
    expect(normalizeEmail('Ann@Bücher.de')).toBe('ann@xn--bcher-kva.de');
    expect(normalizeEmail('bob@münchen.example.com')).toBe('bob@xn--mnchen-3ya.example.com');
  });

  it('keeps an already-punycode domain and drops a trailing root dot', () => {
    expect(normalizeEmail('ann@xn--bcher-kva.de.')).toBe('ann@xn--bcher-kva.de');
  });

  it.each([
    ['', 'empty'],
    ['ann.acme.com', 'no "@"'],
    ['@acme.com', 'nothing before the "@"'],
    ['ann@', 'is not a valid domain'],
    ['ann@acme', 'is not a valid domain'],
    ['ann@acme..com', 'is not a valid domain'],
    ['ann@-acme.com', 'is not a valid domain'],
    ['ann@acme.c0m', 'is not a valid domain'],
    ['ann@acme.com/x', 'is not a valid domain'],
    ['ann smith@acme.com', 'characters or dots that are not allowed'],
    ['ann..smith@acme.com', 'characters or dots that are not allowed'],
    ['.ann@acme.com', 'characters or dots that are not allowed'],
    ['Ann <ann@acme.com>', 'characters or dots that are not allowed'],
    ['jürgen@acme.com', 'characters or dots that are not allowed'],
    [`${'a'.repeat(65)}@acme.com`, 'longer than 64 characters'],
    [`ann@${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(60)}.com`, 'is not a valid domain'],
  ])('refuses %j (%s)', (raw, why) => {
    let thrown: unknown;
    try {
      normalizeEmail(raw);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DomainError);
    expect((thrown as DomainError).code).toBe('invalid_email');
    expect((thrown as DomainError).field).toBe('email');
    expect((thrown as DomainError).message).toContain(why);
  });

  it('refuses an address longer than 254 characters in all', () => {
    const domain = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(60)}.com`;
    expect(() => normalizeEmail(`${'x'.repeat(64)}@${domain}`)).toThrow(/longer than 254 characters/);
  });
});

describe('normalizeDomain', () => {
  it('returns null for IP addresses and single labels', () => {
    expect(normalizeDomain('127.0.0.1')).toBeNull();
    expect(normalizeDomain('localhost')).toBeNull();
    expect(normalizeDomain('ACME.COM')).toBe('acme.com');
  });
});

describe('checkBusinessEmail', () => {
  it('accepts a company address and returns it normalized', () => {
    expect(checkBusinessEmail(' Ann@Acme.COM ')).toEqual({ ok: true, email: 'ann@acme.com' });
    expect(checkBusinessEmail('Ann@Bücher.de')).toEqual({ ok: true, email: 'ann@xn--bcher-kva.de' });
  });

  it.each(['gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'yahoo.com', 'gmx.de', 'web.de', 'icloud.com', 'proton.me', 'aol.com'])(
    'refuses free-mail %s, saying why',
    (domain) => {
      const result = checkBusinessEmail(`Someone@${domain.toUpperCase()}`);
      expect(result).toEqual({ ok: false, code: 'free_mail', message: expect.stringContaining(`${domain} is a free email provider`) });
      if (!result.ok) expect(result.message).toMatch(/business email address/);
    },
  );

  it.each(['mailinator.com', 'guerrillamail.com', 'yopmail.com', '10minutemail.com'])('refuses disposable %s, saying why', (domain) => {
    expect(checkBusinessEmail(`temp@${domain}`)).toEqual({
      ok: false,
      code: 'disposable',
      message: expect.stringContaining(`${domain} is a disposable (temporary) email service`),
    });
  });

  it('refuses subdomains of a disposable domain, naming the domain they belong to', () => {
    expect(checkBusinessEmail('temp@x.mailinator.com')).toMatchObject({ ok: false, code: 'disposable' });
    expect(checkBusinessEmail('temp@a.b.yopmail.com')).toEqual({
      ok: false, code: 'disposable', message: expect.stringContaining('a.b.yopmail.com belongs to yopmail.com, which is a disposable'),
    });
  });

  // Regression: the free-mail check was an exact match, so any subdomain of a provider passed.
  it.each([
    ['mail.gmail.com', 'gmail.com'], ['x.y.outlook.com', 'outlook.com'], ['MAIL.GMX.DE', 'gmx.de'], ['eu.yahoo.co.uk', 'yahoo.co.uk'],
  ])('refuses %s as free mail: it matches on the registrable domain (%s)', (domain, provider) => {
    const result = checkBusinessEmail(`someone@${domain}`);
    expect(result).toEqual({ ok: false, code: 'free_mail', message: expect.stringContaining(`belongs to ${provider}, which is a free email provider`) });
  });

  it.each(['mail.example-corp.com', 'eu.mail.acme.co.uk', 'sales.acme.com.ar', 'gmail.com.acme.de', 'corp-gmail.com'])(
    'accepts the business domain %s (subdomains and look-alikes of companies are not free mail)',
    (domain) => {
      expect(checkBusinessEmail(`ann@${domain}`)).toEqual({ ok: true, email: `ann@${domain}` });
    },
  );

  it('finds the registrable domain with the Public Suffix List', () => {
    expect(registrableDomain('mail.gmail.com')).toBe('gmail.com');
    expect(registrableDomain('a.b.acme.co.uk')).toBe('acme.co.uk');
    expect(registrableDomain('acme.com.ar')).toBe('acme.com.ar');
    expect(registrableDomain('com.ar')).toBe('com.ar');
  });

  it('does not refuse companies under a public suffix that the free-mail list contains', () => {
    expect(isFreeMailDomain('com.ar')).toBe(true);
    expect(checkBusinessEmail('ventas@acme.com.ar')).toEqual({ ok: true, email: 'ventas@acme.com.ar' });
  });

  it('reports invalid addresses as invalid_email with the reason', () => {
    expect(checkBusinessEmail('not-an-address')).toEqual({ ok: false, code: 'invalid_email', message: expect.stringContaining('has no "@"') });
  });

  it('lets allowDomains override both lists (any case, IDN)', () => {
    expect(checkBusinessEmail('dev@gmail.com', { allowDomains: ['GMAIL.com'] })).toEqual({ ok: true, email: 'dev@gmail.com' });
    expect(checkBusinessEmail('qa@mailinator.com', { allowDomains: ['mailinator.com'] })).toEqual({ ok: true, email: 'qa@mailinator.com' });
    expect(checkBusinessEmail('ann@bücher.de', { allowDomains: ['Bücher.de'] })).toEqual({ ok: true, email: 'ann@xn--bcher-kva.de' });
    // An allowed domain covers its subdomains, as the lists do; other free-mail domains stay refused.
    expect(checkBusinessEmail('dev@mail.gmail.com', { allowDomains: ['gmail.com'] })).toEqual({ ok: true, email: 'dev@mail.gmail.com' });
    expect(checkBusinessEmail('dev@outlook.com', { allowDomains: ['gmail.com'] })).toMatchObject({ ok: false, code: 'free_mail' });
    expect(checkBusinessEmail('dev@gmail.com', { allowDomains: ['mail.gmail.com'] })).toMatchObject({ ok: false, code: 'free_mail' });
  });

  it('classifies domains directly', () => {
    expect(isDisposableDomain('mailinator.com')).toBe(true);
    expect(isDisposableDomain('acme.com')).toBe(false);
    expect(isFreeMailDomain('gmail.com')).toBe(true);
    expect(isFreeMailDomain('mail.gmail.com')).toBe(true);
    expect(isFreeMailDomain('mail.example-corp.com')).toBe(false);
    expect(isDisposableDomain('x.y.mailinator.com')).toBe(true);
  });
});

describe('normalizeEmail (property)', () => {
  it('is idempotent and yields lower-case ASCII for every address it accepts', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.emailAddress(), fc.constantFrom('', ' ', '\t'), fc.boolean(), (address, pad, upper) => {
        let email: string;
        try {
          email = normalizeEmail(`${pad}${upper ? address.toUpperCase() : address}${pad}`);
        } catch (error) {
          expect(error).toMatchObject({ code: 'invalid_email' });
          return;
        }
        accepted += 1;
        expect(normalizeEmail(email)).toBe(email);
        expect(email).toBe(address.toLowerCase().replace(/\.$/, ''));
        expect(email).toMatch(/^[\x21-\x7e]+$/);
      }),
      { numRuns: 500 },
    );
    expect(accepted).toBeGreaterThan(250);
  });
});
