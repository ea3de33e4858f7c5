import fc from 'fast-check';
import { canonicalJson } from './canonical-json';

/** The same value with every object's keys in a random order. */
function shuffled(value: unknown, random: () => number): unknown {
  if (Array.isArray(value)) return value.map((v) => shuffled(v, random));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value).map(([k, v]) => [k, shuffled(v, random)] as const);
  for (let i = entries.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [entries[i], entries[j]] = [entries[j]!, entries[i]!];
  }
  return Object.fromEntries(entries);
}

describe('canonicalJson', () => {
  it('spells a pretty-printed body with its keys reordered like the compact original', () => {
    const compact = '{"id":"evt_1","type":"order.upserted","data":{"orderId":"ORD-1","organization":{"id":"org-1","name":"Acme"}}}';
    const pretty = '{\n  "data": {\n    "organization": { "name": "Acme", "id": "org-1" },\n    "orderId": "ORD-1"\n  },\n  "type": "order.upserted",\n  "id": "evt_1"\n}';
    expect(canonicalJson(JSON.parse(pretty))).toBe(canonicalJson(JSON.parse(compact)));
    expect(canonicalJson(JSON.parse(compact))).toBe('{"data":{"orderId":"ORD-1","organization":{"id":"org-1","name":"Acme"}},"id":"evt_1","type":"order.upserted"}');
  });

  it('keeps array order and tells different values apart', () => {
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
    expect(canonicalJson({ a: 'x' })).not.toBe(canonicalJson({ a: 'y' }));
    expect(canonicalJson({ a: null })).not.toBe(canonicalJson({}));
    expect(canonicalJson({ name: 'Zoë 株式会社' })).toBe('{"name":"Zoë 株式会社"}');
    expect(canonicalJson(JSON.parse('{"b":1,"__proto__":{"x":1}}'))).toBe('{"__proto__":{"x":1},"b":1}');
  });

  it('gives any key order of any JSON value the same text, and that text parses back to the value', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.integer(), (value, seed) => {
      let state = seed >>> 0;
      const random = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
      const text = canonicalJson(value);
      expect(canonicalJson(shuffled(value, random))).toBe(text);
      expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
    }));
  });
});
