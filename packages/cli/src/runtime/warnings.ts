/** The AWS SDK warns about Node 20's end of support on every start; operators act on it via the README, not per command. */
export function silenceSdkNodeVersionWarning(): void {
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    const text = typeof warning === 'string' ? warning : warning.name;
    // @aws-sdk/core emits it as a plain string that starts with the name.
    if (type === 'NodeVersionSupportWarning' || text.startsWith('NodeVersionSupportWarning')) return;
    emit(warning, ...rest);
  }) as typeof process.emitWarning;
}
