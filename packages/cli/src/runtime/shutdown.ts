/**
 * Resolves on the first SIGTERM or SIGINT; a second signal forces exit (the operator insists).
 *
 * A second signal within `REPEAT_WINDOW_MS` of the first is the same request, not insistence:
 * Ctrl-C in a terminal signals the whole process group, and a wrapper in that group (`pnpm start`,
 * `npm run`) forwards the same SIGINT to us again moments later. Counting that echo as a second
 * press skipped the graceful stop (in-flight jobs, the HTTP edge's open requests) at random.
 */
export const REPEAT_WINDOW_MS = 1000;

/** What `waitForShutdown` needs of the process (the real one by default; a fake in tests). */
export interface SignalSource {
  on(signal: NodeJS.Signals, handler: (signal: NodeJS.Signals) => void): unknown;
  exit(code: number): void;
  warn(line: string): void;
  now(): number;
}

const processSignals: SignalSource = {
  on: (signal, handler) => process.on(signal, handler),
  exit: (code) => process.exit(code),
  warn: (line) => process.stderr.write(`${line}\n`),
  now: () => Date.now(),
};

export function waitForShutdown(onSignal?: (signal: NodeJS.Signals) => void, source: SignalSource = processSignals): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let firstAt: number | null = null;
    const handler = (signal: NodeJS.Signals) => {
      if (firstAt !== null) {
        if (source.now() - firstAt < REPEAT_WINDOW_MS) return;
        source.warn(`tickler: ${signal} again, exiting now`);
        source.exit(130);
        return;
      }
      firstAt = source.now();
      onSignal?.(signal);
      resolve(signal);
    };
    source.on('SIGTERM', handler);
    source.on('SIGINT', handler);
  });
}
