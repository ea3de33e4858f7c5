import { Presets, SingleBar } from 'cli-progress';

/** A progress bar on stderr (drawn only on a terminal, so pipes and tests stay clean). */
export function makeProgress(label: string, total: number): { tick(n: number): void; stop(): void } {
  const bar = new SingleBar({ stream: process.stderr, format: `${label} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left`, hideCursor: true }, Presets.shades_classic);
  bar.start(total, 0);
  return {
    tick(n) {
      bar.increment(n);
    },
    stop() {
      bar.stop();
    },
  };
}
