import { compareCatalogs, messageArguments, type MessageCatalog } from './catalog';
import { createTranslator, joinList } from './translator';

describe('message catalogs', () => {
  const en = { mail: { due: 'Expires in {days, plural, one {# day} other {# days}} ({order})', hi: 'Hello' } };

  it('names the arguments of a message, also inside plurals', () => {
    expect([...messageArguments(en.mail.due)].sort()).toEqual(['days', 'order']);
  });

  it('reports missing messages, leftovers, differing placeholders and syntax errors', () => {
    const de = { mail: { due: 'Läuft in {days, plural, one {# Tag} other {# Tagen}} ab ({orderId})', bye: 'Tschüss' } };
    const ja = { mail: { due: '{days, plural, other {#日}', hi: 'こんにちは' } };
    const issues = compareCatalogs(new Map<string, MessageCatalog>([['en', en], ['de', de], ['ja', ja]]), 'en');
    expect(issues.map((i) => `${i.locale} ${i.key}`).sort()).toEqual(['de mail.bye', 'de mail.due', 'de mail.hi', 'ja mail.due']);
    expect(issues.find((i) => i.locale === 'de' && i.key === 'mail.due')?.message).toBe("placeholders {days}, {orderId} differ from en's {days}, {order}");
    expect(issues.find((i) => i.locale === 'ja')?.message).toMatch(/not valid ICU MessageFormat/);
    expect(compareCatalogs(new Map([['en', en], ['fr', en]]), 'en')).toEqual([]);
  });

  it('formats with the locale\'s plural rules and falls back to the reference for a missing message', () => {
    const t = createTranslator('de', { mail: { due: 'Läuft in {days, plural, one {# Tag} other {# Tagen}} ab ({order})' } }, en);
    expect(t('mail.due', { days: 1, order: 'A-1' })).toBe('Läuft in 1 Tag ab (A-1)');
    expect(t('mail.due', { days: 14, order: 'A-1' })).toBe('Läuft in 14 Tagen ab (A-1)');
    expect(t('mail.hi')).toBe('Hello');
    expect(() => t('mail.nope')).toThrow(/No message "mail.nope" in the "de" catalog/);
    expect(joinList('de', ['A', 'B', 'C'])).toBe('A, B und C');
  });
});
