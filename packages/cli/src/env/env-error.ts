/** Start-up refused: `message` is one line naming every bad variable; `variables` lists them. */
export class EnvError extends Error {
  override readonly name = 'EnvError';
  constructor(readonly variables: string[], readonly problems: string[]) {
    // A parser's message may end in a full stop; mid-list it would read `….;`.
    super(`invalid configuration: ${problems.map((p) => p.replace(/\.+$/, '')).join('; ')}`);
  }
}
