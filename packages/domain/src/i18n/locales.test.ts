import { isWellFormedLocale, matchLocale, parseAcceptLanguage, resolveLocale } from './locales';

describe('locales', () => {
  it('matches tags to shipped locales by language, script and region', () => {
    expect(matchLocale('de')).toBe('de');
    expect(matchLocale('de-AT')).toBe('de');
    expect(matchLocale('zh-Hans-CN')).toBe('zh-CN');
    expect(matchLocale('zh-CN')).toBe('zh-CN');
    expect(matchLocale('ja-JP')).toBe('ja');
    expect(matchLocale('fr-CA')).toBe('fr');
    expect(matchLocale('en-US')).toBe('en');
    expect(matchLocale('zh-Hant-TW')).toBeNull(); // Traditional script: not our Simplified catalog
    expect(matchLocale('pt-BR')).toBeNull();
    expect(matchLocale('not a tag')).toBeNull();
    expect(matchLocale(null)).toBeNull();
  });

  it('falls back recipient → organization → default', () => {
    expect(resolveLocale(['ja', 'de'], 'en')).toBe('ja');
    expect(resolveLocale([null, 'de-AT'], 'en')).toBe('de');
    expect(resolveLocale(['pt-BR', 'fr'], 'en')).toBe('fr');
    expect(resolveLocale([undefined, 'pt'], 'de')).toBe('de');
  });

  it('tells well-formed BCP 47 tags from others', () => {
    expect(['de', 'de-AT', 'zh-Hans-CN', 'pt-BR', 'gsw'].every(isWellFormedLocale)).toBe(true);
    expect(['', 'de_DE', 'German!', ' de', 'x'].some(isWellFormedLocale)).toBe(false);
  });

  it('orders Accept-Language by quality and drops wildcards and q=0', () => {
    expect(parseAcceptLanguage('fr;q=0.5, de-AT, *;q=0.1, ja;q=0, en;q=0.8')).toEqual(['de-AT', 'en', 'fr']);
    expect(parseAcceptLanguage(undefined)).toEqual([]);
    expect(parseAcceptLanguage('%%%, de')).toEqual(['de']);
  });
});
