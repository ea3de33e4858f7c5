import { html, Html } from './html';

describe('html (recipient pages)', () => {
  it('escapes values and drops control and bidi formatting characters from them', () => {
    const page = html`<h1>Join ${'Acme\u202Egnp.exe <b>'}</h1><p>${'a\r\nb\u0000'}</p>`;
    expect(page.value).toBe('<h1>Join Acmegnp.exe &lt;b&gt;</h1><p>a b</p>');
  });

  it('keeps trusted fragments as they are', () => {
    expect(html`<div>${new Html('<p>\n  kept\n</p>')}</div>`.value).toBe('<div><p>\n  kept\n</p></div>');
  });
});
