/** Plain-text tables for the CLI: left-aligned text, right-aligned numbers, a rule under the header. */
export type Cell = string | number | null | undefined;

export function formatTable(headers: string[], rows: Cell[][]): string {
  const text = rows.map((row) => row.map((c) => (c === null || c === undefined ? '' : String(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((r) => (r[i] ?? '').length)));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  const line = (cells: string[]) => cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...text.map(line)].join('\n');
}

/** Truncates `text` to one line of at most `max` characters. */
export function oneLineOf(text: string | null | undefined, max = 100): string {
  const flat = (text ?? '').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
