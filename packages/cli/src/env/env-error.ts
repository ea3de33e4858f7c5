/** Start-up refused: `message` is one line naming every bad variable; `variables` lists them. */
export class EnvError extends Error {
  override readonly name = 'EnvError';
  constructor(readonly variables: string[], readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
  }
}
