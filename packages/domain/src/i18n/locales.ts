/**
 * Locales: which ones Tickler ships, and how a requested BCP 47 tag (a recipient's choice, an
 * organization's `locale`, an `Accept-Language` header) maps to one of them. Matching is by
 * language, script and region (CLDR language distance, `@formatjs/intl-localematcher`): `de-AT` and
 * `gsw` get `de`, `zh-Hans-CN` and `zh` get `zh-CN`, `ja-JP` gets `ja`; `zh-TW` (Traditional
 * script) matches nothing, so the next candidate in the fallback chain decides.
 */
import { match } from '@formatjs/intl-localematcher';

/** Locales with a complete message catalog for every email and page. */
export const SUPPORTED_LOCALES = ['en', 'de', 'fr', 'ja', 'zh-CN'] as const;
export type SupportedLocale = (typeof SUPPORTED_LOCALES)[number];

const NONE = 'und';
const matched = new Map<string, SupportedLocale | null>();

/** True when `tag` is a well-formed BCP 47 language tag (`de`, `de-AT`, `zh-Hans-CN`), supported or not. */
export function isWellFormedLocale(tag: string): boolean {
  if (tag.trim() !== tag || tag === '') return false;
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
}

/** True when `tag` is exactly one of the shipped locales (as written in `DEFAULT_LOCALE`). */
export function isSupportedLocale(tag: string): tag is SupportedLocale {
  return (SUPPORTED_LOCALES as readonly string[]).includes(tag);
}

/**
 * The shipped locale that best fits `tag`, or null when none does (or `tag` is not BCP 47).
 * Results are cached: this runs once per email.
 */
export function matchLocale(tag: string | null | undefined): SupportedLocale | null {
  if (!tag) return null;
  const cached = matched.get(tag);
  if (cached !== undefined) return cached;
  let result: SupportedLocale | null = null;
  if (isWellFormedLocale(tag)) {
    const best = match([tag], SUPPORTED_LOCALES as unknown as string[], NONE, { algorithm: 'best fit' });
    result = isSupportedLocale(best) ? best : null;
  }
  if (matched.size < 1000) matched.set(tag, result);
  return result;
}

/**
 * The first candidate that matches a shipped locale, else `fallback`. Candidates are in priority
 * order: the recipient's choice, then the organization's locale (SPEC §3); null/undefined skipped.
 */
export function resolveLocale(candidates: ReadonlyArray<string | null | undefined>, fallback: SupportedLocale): SupportedLocale {
  for (const candidate of candidates) {
    const locale = matchLocale(candidate);
    if (locale) return locale;
  }
  return fallback;
}

/**
 * The language tags of an `Accept-Language` header, best first (by `q`, then order); `*`, `q=0`
 * and malformed entries are dropped. `"de-AT,de;q=0.9,en;q=0.5"` → `['de-AT', 'de', 'en']`.
 */
export function parseAcceptLanguage(header: string | null | undefined): string[] {
  if (!header) return [];
  const entries: Array<{ tag: string; q: number; i: number }> = [];
  header.split(',').slice(0, 50).forEach((part, i) => {
    const [rawTag, ...params] = part.trim().split(';');
    const tag = (rawTag ?? '').trim();
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (tag && tag !== '*' && Number.isFinite(q) && q > 0 && isWellFormedLocale(tag)) entries.push({ tag, q, i });
  });
  return entries.sort((a, b) => b.q - a.q || a.i - b.i).map((e) => e.tag);
}
