/**
 * Repeated blocks for digests, on top of interpolate.ts: `{{@each orders}}…{{@end}}` repeats its
 * body for every item of the array field `orders`, whose placeholders name the item's fields.
 * Inside, `{{@before}}…{{@/before}}` is kept only for items whose `variant` or `kind` is `before`
 * (so per-item wording stays in the template). MJML leaves the markers alone inside `<mj-text>`.
 * A source without `{{@each` compiles exactly as `compileInterpolation` does.
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
      fill = compileInterpolation(body.replace(ITEM_SECTION, (_m, flag: string, inner: string) => (flags.includes(flag) ? inner : '')), escape);
      compiled.set(key, fill);
    }
    return fill(item);
  };
}

/** Like `compileInterpolation`, with `{{@each field}}…{{@end}}` blocks filled per array item. */
export function compileRepeating(source: string, escape: Escape): Interpolation {
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
      return items.map((item: Item) => fill(item)).join('');
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
