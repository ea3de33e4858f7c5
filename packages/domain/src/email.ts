import { domainToASCII } from 'node:url';
import { disposableEmailBlocklist } from 'disposable-email-domains-js';
import freeMailProviders from 'email-providers/all.json';
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

/** The domain and each parent domain with at least two labels: `a.b.example.com` → `a.b.example.com`, `b.example.com`, `example.com`. */
function domainAndParents(domain: string): string[] {
  const labels = domain.split('.');
  return labels.slice(0, -1).map((_, i) => labels.slice(i).join('.'));
}

/** True when `domain` (ASCII, lower-case) or a parent of it is a known disposable-mail domain. */
export function isDisposableDomain(domain: string): boolean {
  return domainAndParents(domain).some((d) => disposableDomains.has(d));
}

/**
 * True when `domain` (ASCII, lower-case) is a known free-mail provider. Exact match only: the list
 * holds some public suffixes (`com.ar`), so a parent match would refuse every company below them.
 */
export function isFreeMailDomain(domain: string): boolean {
  return freeMailDomains.has(domain);
}

export type BusinessEmailCheck =
  | { ok: true; email: string }
  | { ok: false; code: 'invalid_email' | 'free_mail' | 'disposable'; message: string };

/**
 * Accepts a business email address (SPEC §2 rule 7): refuses invalid addresses, disposable-mail
 * domains (e.g. mailinator.com) and free-mail providers (e.g. gmail.com, outlook.com) with a message
 * saying why. Domains in `opts.allowDomains` (any case, IDN allowed; exact match) are always accepted.
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
  if (allowed.has(domain)) return { ok: true, email };
  if (isDisposableDomain(domain)) {
    return { ok: false, code: 'disposable', message: `${domain} is a disposable (temporary) email service; please use your business email address.` };
  }
  if (isFreeMailDomain(domain)) {
    return { ok: false, code: 'free_mail', message: `${domain} is a free email provider; please use your business email address.` };
  }
  return { ok: true, email };
}
