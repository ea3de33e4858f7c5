import fc from 'fast-check';
import { MalformedPayload, PayloadReader, PayloadWriter } from './token-codec';

type Field = { kind: 'text'; value: string } | { kind: 'uint'; value: number };

const fieldArb: fc.Arbitrary<Field> = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 100 }).map((value) => ({ kind: 'text' as const, value })),
  fc.string({ unit: fc.constantFrom(...'abcXYZ019.-_@+!~'), maxLength: 260 }).map((value) => ({ kind: 'text' as const, value })),
  fc.nat({ max: Number.MAX_SAFE_INTEGER }).map((value) => ({ kind: 'uint' as const, value })),
);

function write(fields: Field[]): Buffer {
  const writer = new PayloadWriter();
  for (const f of fields) {
    if (f.kind === 'text') writer.text(f.value);
    else writer.uint(f.value);
  }
  return writer.toBuffer();
}

function read(bytes: Uint8Array, shape: Field[]): Array<string | number> {
  const reader = new PayloadReader(bytes);
  const values = shape.map((f) => (f.kind === 'text' ? reader.text() : reader.uint()));
  reader.end();
  return values;
}

describe('token payload codec', () => {
  it('round-trips any sequence of text and integers, and refuses truncations and trailing bytes', () => {
    fc.assert(
      fc.property(fc.array(fieldArb, { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), (fields, cuts) => {
        const bytes = write(fields);
        expect(read(bytes, fields)).toEqual(fields.map((f) => f.value));
        for (const cut of cuts) expect(() => read(bytes.subarray(0, cut % bytes.length), fields)).toThrow(MalformedPayload);
        expect(() => read(Buffer.concat([bytes, Buffer.from([0])]), fields)).toThrow(MalformedPayload);
      }),
      { numRuns: 300 },
    );
  });

  it('packs a normalized address at 6 bits a character: 254 characters take 193 bytes with the header', () => {
    const address = `${'a.b-c_d+e!#$%&\'*/=?^`{|}~'.repeat(2).slice(0, 50)}${'x'.repeat(14)}@${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(57)}.com`;
    expect(address).toHaveLength(254);
    const bytes = new PayloadWriter().text(address).toBuffer();
    expect(bytes).toHaveLength(2 + Math.ceil((254 * 6) / 8));
    expect(new PayloadReader(bytes).text()).toBe(address);
    // Order ids of both cases pack too; anything else falls back to UTF-8.
    expect(new PayloadWriter().text('ORD-2026.4711-Xy').toBuffer()).toHaveLength(1 + 12);
    expect(new PayloadWriter().text('Jürgen').toBuffer()).toHaveLength(1 + 7);
  });

  it('refuses what it never writes: unused text mode, codes outside the alphabet, invalid UTF-8, huge varints', () => {
    expect(() => new PayloadReader(Buffer.from([1 * 4 + 3, 0])).text()).toThrow(MalformedPayload);
    expect(() => new PayloadReader(Buffer.from([1 * 4 + 1, 63 << 2])).text()).toThrow(MalformedPayload);
    expect(() => new PayloadReader(Buffer.from([1 * 4 + 1, 0x01])).text()).toThrow(MalformedPayload); // non-zero padding
    expect(() => new PayloadReader(Buffer.from([2 * 4, 0xc3, 0x28])).text()).toThrow(MalformedPayload);
    expect(() => new PayloadReader(Buffer.from([...Array(9).fill(0xff), 0x7f])).uint()).toThrow(MalformedPayload);
  });
});
