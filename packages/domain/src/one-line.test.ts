import fc from 'fast-check';
import { toOneLine } from './one-line';

describe('toOneLine', () => {
  it.each([
    ['Acme GmbH', 'Acme GmbH'],
    ['Acme\r\nBcc: eve@evil.test', 'Acme Bcc: eve@evil.test'],
    ['Acme\u202Efdp.exe', 'Acmefdp.exe'],
    ['\u2066Acme\u2069 \u200Finc\u200E', 'Acme inc'],
    ['A\u202A\u202B\u202C\u202D\u202Eb', 'Ab'],
    ['Tab\there', 'Tab here'],
    ['Line\u2028sep\u2029para\u0085nel', 'Line sep para nel'],
    ['Bell\u0007 null\u0000 esc\u001b[31m del\u007f c1\u009b', 'Bell null esc[31m del c1'],
    ['  many    spaces  ', 'many spaces'],
    ['Müller & Söhne — 株式会社 🚀', 'Müller & Söhne — 株式会社 🚀'],
    ['\u200D a joiner stays, a\u00A0no-break space becomes a space', '\u200D a joiner stays, a no-break space becomes a space'],
  ])('%j → %j', (input, expected) => {
    expect(toOneLine(input)).toBe(expected);
  });

  it('never leaves a control, break or bidi formatting character, and is idempotent', () => {
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    const forbidden = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
      const out = toOneLine(s);
      expect(out).not.toMatch(forbidden);
      expect(toOneLine(out)).toBe(out);
    }));
  });
});
