import { domainToASCII } from 'node:url';
import { disposableEmailBlocklist } from 'disposable-email-domains-js';
import freeMailProviders from 'email-providers/all.json';
import { getDomain } from 'tldts';
import { DomainError } from './errors';
import { MAX_EMAIL_LENGTH } from './limits';

/** Characters allowed in an (unquoted, ASCII) local part, RFC 5322 `dot-atom`. */
const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

function invalid(raw: string, why: string): DomainError {
  return new DomainError('invalid_email', `"${raw}" is not a valid email address: ${why}.`, 'email');
}

/**
 * Normalizes an email address for storage and comparison: trims, lower-cases, and converts an
 * internationalized domain to its punycode ASCII form (`Ann@Bücher.de` → `ann@xn--bcher-kva.de`).
 * The local part must be plain ASCII (`dot-atom`); at most 254 characters in all.
 * @throws DomainError `invalid_email` naming what is wrong
 */
export function normalizeEmail(raw: string): string {
  if (typeof raw !== 'string') throw invalid(String(raw), 'it is not text');
  const trimmed = raw.trim();
  if (trimmed === '') throw new DomainError('invalid_email', 'The email address is empty.', 'email');
  const at = trimmed.lastIndexOf('@');
  if (at < 0) throw invalid(trimmed, 'it has no "@"');
  const local = trimmed.slice(0, at).toLowerCase();
  const domainPart = trimmed.slice(at + 1);
  if (local === '') throw invalid(trimmed, 'nothing before the "@"');
  if (local.length > 64) throw invalid(trimmed, 'the part before the "@" is longer than 64 characters');
  if (!LOCAL_PART.test(local)) throw invalid(trimmed, 'the part before the "@" has characters or dots that are not allowed');
  const domain = normalizeDomain(domainPart);
  if (domain === null) throw invalid(trimmed, `"${domainPart}" is not a valid domain`);
  const email = `${local}@${domain}`;
  if (email.length > MAX_EMAIL_LENGTH) throw invalid(trimmed, `it is longer than ${MAX_EMAIL_LENGTH} characters`);
  return email;
}

/**
 * Lower-cases a domain and converts it to punycode ASCII; `null` when it is not a valid
 * fully-qualified host name (at least two labels, letters/digits/hyphens, alphabetic TLD).
 */
export function normalizeDomain(raw: string): string | null {
  const text = raw.trim().replace(/\.$/, '');
  if (text === '' || /[\s/\\?#@:%[\]]/.test(text)) return null;
  const ascii = domainToASCII(text.toLowerCase());
  if (ascii === '' || ascii.length > 253) return null;
  const labels = ascii.split('.');
  if (labels.length < 2 || !labels.every((label) => DOMAIN_LABEL.test(label))) return null;
  const tld = labels[labels.length - 1] ?? '';
  return /^([a-z]{2,63}|xn--[a-z0-9-]+)$/.test(tld) ? ascii : null;
}

const disposableDomains = new Set(disposableEmailBlocklist().map((d) => d.toLowerCase()));
const freeMailDomains = new Set((freeMailProviders as string[]).map((d) => d.toLowerCase()).filter((d) => !disposableDomains.has(d)));

/**
 * The registrable domain of `domain` (ASCII, lower-case): the part a registrant owns, one label below
 * its public suffix (Public Suffix List, ICANN section, shipped inside `tldts`): `mail.gmail.com` →
 * `gmail.com`, `x.acme.co.uk` → `acme.co.uk`. The domain itself when it is a public suffix (`com.ar`).
 */
export function registrableDomain(domain: string): string {
  return getDomain(domain, { allowPrivateDomains: false, extractHostname: false }) ?? domain;
}

/**
 * The domain and each parent down to its registrable domain, most specific first:
 * `a.b.example.co.uk` → `a.b.example.co.uk`, `b.example.co.uk`, `example.co.uk`. Never a public
 * suffix itself (unless the domain is one), so a list entry such as `com.ar` matches only itself.
 */
function domainAndParents(domain: string): string[] {
  const registrable = registrableDomain(domain);
  const labels = domain.split('.');
  const keep = labels.length - registrable.split('.').length + 1;
  return labels.slice(0, Math.max(keep, 1)).map((_, i) => labels.slice(i).join('.'));
}

/** The first of `domain` and its parents (down to the registrable domain) that is in `set`; null when none. */
function matchIn(set: ReadonlySet<string>, domain: string): string | null {
  return domainAndParents(domain).find((d) => set.has(d)) ?? null;
}

/** True when `domain` (ASCII, lower-case) or a parent of it is a known disposable-mail domain. */
export function isDisposableDomain(domain: string): boolean {
  return matchIn(disposableDomains, domain) !== null;
}

/**
 * True when `domain` (ASCII, lower-case) or a parent of it down to its registrable domain is a known
 * free-mail provider: `mail.gmail.com` is free mail like `gmail.com`. Matching stops at the
 * registrable domain because the list holds some public suffixes (`com.ar`): a match above it would
 * refuse every company registered below them.
 */
export function isFreeMailDomain(domain: string): boolean {
  return matchIn(freeMailDomains, domain) !== null;
}

export type BusinessEmailCheck =
  | { ok: true; email: string }
  | { ok: false; code: 'invalid_email' | 'free_mail' | 'disposable'; message: string };

/**
 * Accepts a business email address (SPEC §2 rule 7): refuses invalid addresses, disposable-mail
 * domains (e.g. mailinator.com) and free-mail providers (e.g. gmail.com, outlook.com) with a message
 * saying why. Domains match with their subdomains: `mail.gmail.com` is refused like `gmail.com`, and
 * `opts.allowDomains` (any case, IDN allowed) accepts each listed domain and its subdomains.
 * Lists: `disposable-email-domains-js` and `email-providers` (free-mail, minus disposable ones).
 */
export function checkBusinessEmail(raw: string, opts: { allowDomains?: readonly string[] } = {}): BusinessEmailCheck {
  let email: string;
  try {
    email = normalizeEmail(raw);
  } catch (error) {
    if (error instanceof DomainError) return { ok: false, code: 'invalid_email', message: error.message };
    throw error;
  }
  const domain = email.slice(email.lastIndexOf('@') + 1);
  const allowed = new Set((opts.allowDomains ?? []).map((d) => normalizeDomain(d)).filter((d): d is string => d !== null));
  if (matchIn(allowed, domain) !== null) return { ok: true, email };
  const named = (match: string) => (match === domain ? domain : `${domain} belongs to ${match}, which`);
  const disposable = matchIn(disposableDomains, domain);
  if (disposable !== null) {
    return { ok: false, code: 'disposable', message: `${named(disposable)} is a disposable (temporary) email service; please use your business email address.` };
  }
  const free = matchIn(freeMailDomains, domain);
  if (free !== null) {
    return { ok: false, code: 'free_mail', message: `${named(free)} is a free email provider; please use your business email address.` };
  }
  return { ok: true, email };
}
