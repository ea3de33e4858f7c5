import fs from 'node:fs';

/** Resident memory without file-backed pages (the memory-mapped database file is OS page cache), MB. */
export function anonRssMb(): number {
  try {
    const match = /RssAnon:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]) / 1024;
  } catch {
    // not Linux: fall through
  }
  return process.memoryUsage().rss / 1024 / 1024;
}

/** Samples {@link anonRssMb} every 20 ms until stopped; returns the peak. */
export function sampleAnonRss(): { stop: () => number } {
  let peak = anonRssMb();
  const timer = setInterval(() => {
    peak = Math.max(peak, anonRssMb());
  }, 20);
  return { stop: () => (clearInterval(timer), Math.max(peak, anonRssMb())) };
}
