import { escapeHtml } from '@tickler/domain';
import { compileInterpolation, selectSections, findUnbalancedSections } from './interpolate';

describe('interpolation', () => {
  it('fills placeholders with escaped values and throws on a missing one', () => {
    const fill = compileInterpolation('<a href="{{url}}">{{ name }}</a>', escapeHtml);
    expect(fill({ url: 'https://x.test/?a=1&b=2', name: `O'Brien <b>` })).toBe('<a href="https://x.test/?a=1&amp;b=2">O&#39;Brien &lt;b&gt;</a>');
    expect(() => fill({ url: 'x' })).toThrow(/"name" is missing/);
  });

  it('keeps sections of the chosen flags and blanks the others without moving lines', () => {
    const source = 'a\n{{#before}}b\nc{{/before}}{{#after}}d\ne\nf{{/after}}\ng';
    const kept = selectSections(source, new Set(['before']));
    expect(kept).toBe('a\nb\nc\n\n\ng');
    expect(kept.split('\n')).toHaveLength(source.split('\n').length);
    expect(findUnbalancedSections(selectSections('x {{#list}} y', new Set()))).toEqual([{ line: 1, tag: '{{#list}}' }]);
  });
});
