import { escapeHtml } from './escape-html';

describe('escapeHtml', () => {
  it('escapes the five characters that matter in content and quoted attributes', () => {
    expect(escapeHtml(`<a href="x">Tom & Jerry's</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;');
  });
  it('leaves text without them as it is', () => {
    expect(escapeHtml('ORD-1001 · 2027-01-31')).toBe('ORD-1001 · 2027-01-31');
  });
});
