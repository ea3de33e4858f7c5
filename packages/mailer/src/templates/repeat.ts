/**
 * Repeated blocks for digests, on top of interpolate.ts: `{{@each orders}}…{{@end}}` repeats its
 * body for every item of the array field `orders`, whose placeholders name the item's fields.
 * Inside, `{{@before}}…{{@/before}}` is kept only for items whose `variant` or `kind` is `before`
 * (so per-item wording stays in the template); item sections nest (`{{@license}}{{@before}}…`).
 * MJML leaves the markers alone inside `<mj-text>`. A source without `{{@each` compiles exactly as
 * `compileInterpolation` does. Messages inside a block are localized apart (`mapRepeats`): their
 * arguments are the item's fields, formatted per item (`itemValues`).
 */
import { compileInterpolation, type Escape, type Interpolation } from './interpolate';

const REPEAT = /\{\{@each ([a-zA-Z][a-zA-Z0-9]*)\}\}([\s\S]*?)\{\{@end\}\}/g;
const ITEM_SECTION = /\{\{@([a-z][a-zA-Z0-9-]*)\}\}([\s\S]*?)\{\{@\/\1\}\}/g;
/** The item fields whose values switch item sections on. */
const ITEM_FLAG_FIELDS = ['variant', 'kind'] as const;

type Item = Readonly<Record<string, unknown>>;

/** The block's body for an item with `flags` on, compiled once per flag set. */
function repeatedBlock(body: string, escape: Escape): (item: Item) => string {
  const compiled = new Map<string, Interpolation>();
  return (item) => {
    const flags = ITEM_FLAG_FIELDS.map((f) => item[f]).filter((v): v is string => typeof v === 'string');
    const key = flags.join('\u0000');
    let fill = compiled.get(key);
    if (!fill) {
      let selected = body;
      for (let previous = ''; previous !== selected;) {
        previous = selected;
        selected = selected.replace(ITEM_SECTION, (_m, flag: string, inner: string) => (flags.includes(flag) ? inner : ''));
      }
      fill = compileInterpolation(selected, escape);
      compiled.set(key, fill);
    }
    return fill(item);
  };
}

type ItemValues = (item: Item) => Item;

/**
 * Like `compileInterpolation`, with `{{@each field}}…{{@end}}` blocks filled per array item; each
 * item goes through `itemValues` first (the block's message slots, see localize.ts).
 */
export function compileRepeating(source: string, escape: Escape, itemValues: ItemValues = (item) => item): Interpolation {
  if (!source.includes('{{@each ')) return compileInterpolation(source, escape);
  const parts: Array<Interpolation> = [];
  let last = 0;
  for (const m of source.matchAll(REPEAT)) {
    parts.push(compileInterpolation(source.slice(last, m.index), escape));
    const field = m[1] as string;
    const fill = repeatedBlock(m[2] as string, escape);
    parts.push((values) => {
      const items = values[field];
      if (!Array.isArray(items)) throw new Error(`Template value "${field}" must be a list.`);
      return items.map((item: Item) => fill(itemValues(item))).join('');
    });
    last = m.index + m[0].length;
  }
  parts.push(compileInterpolation(source.slice(last), escape));
  return (values) => parts.map((part) => part(values)).join('');
}

/** `source` without its repeated blocks, and the placeholders-bearing bodies of those blocks by field. */
export function splitRepeats(source: string): { outside: string; blocks: Array<{ field: string; body: string }> } {
  const blocks: Array<{ field: string; body: string }> = [];
  const outside = source.replace(REPEAT, (_m, field: string, body: string) => {
    blocks.push({ field, body: body.replace(/\{\{@\/?[a-z][a-zA-Z0-9-]*\}\}/g, '') });
    return '';
  });
  return { outside, blocks };
}

/** `source` with the text outside repeated blocks through `outside` and each block's body through `body` (markers kept). */
export function mapRepeats(source: string, outside: (text: string) => string, body: (text: string) => string): string {
  let out = '';
  let last = 0;
  for (const m of source.matchAll(REPEAT)) {
    out += `${outside(source.slice(last, m.index))}{{@each ${m[1] as string}}}${body(m[2] as string)}{{@end}}`;
    last = m.index + m[0].length;
  }
  return out + outside(source.slice(last));
}
