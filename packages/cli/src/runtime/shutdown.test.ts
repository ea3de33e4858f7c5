import { EventEmitter } from 'node:events';
import { REPEAT_WINDOW_MS, waitForShutdown, type SignalSource } from './shutdown';

function fakeProcess() {
  const emitter = new EventEmitter();
  const state = { now: 0, exits: [] as number[], lines: [] as string[] };
  const source: SignalSource = {
    on: (signal, handler) => emitter.on(signal, handler),
    exit: (code) => state.exits.push(code),
    warn: (line) => state.lines.push(line),
    now: () => state.now,
  };
  const signal = (name: NodeJS.Signals, at: number) => {
    state.now = at;
    emitter.emit(name, name);
  };
  return { source, state, signal };
}

describe('waitForShutdown', () => {
  it('resolves with the first signal and ignores its echo from a wrapper (same Ctrl-C, within the repeat window)', async () => {
    const { source, state, signal } = fakeProcess();
    const seen: string[] = [];
    const stopping = waitForShutdown((s) => seen.push(s), source);
    signal('SIGINT', 10_000);
    signal('SIGINT', 10_000 + REPEAT_WINDOW_MS - 1);
    expect(await stopping).toBe('SIGINT');
    expect(seen).toEqual(['SIGINT']);
    expect(state.exits).toEqual([]);
  });

  it('exits 130 at once on a second signal after the window (the operator insists)', async () => {
    const { source, state, signal } = fakeProcess();
    const stopping = waitForShutdown(undefined, source);
    signal('SIGTERM', 5_000);
    await stopping;
    signal('SIGINT', 5_000 + REPEAT_WINDOW_MS);
    expect(state.exits).toEqual([130]);
    expect(state.lines).toEqual(['tickler: SIGINT again, exiting now']);
  });
});
