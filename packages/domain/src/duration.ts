/** Durations as operators write them in configuration and commands: `250ms`, `30s`, `15m`, `2h`, `1d`. */

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * Parses a whole number and a unit (`ms`, `s`, `m`, `h`, `d`; spaces between them allowed) into
 * milliseconds. Null when malformed or zero.
 */
export function parseDuration(text: string): number | null {
  const m = /^(\d+)\s*(ms|s|m|h|d)$/.exec(text.trim());
  if (!m) return null;
  const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  return ms > 0 ? ms : null;
}
