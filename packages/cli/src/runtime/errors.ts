/**
 * Expected failures of a command: printed as one line (`tickler: <reason>`), never a stack trace.
 * Anything else is a surprise and is printed with its stack.
 */
import { ZodError } from 'zod';
import { EnvError } from '../env/env-error';

/** A failure the operator can act on; its message is the one-line reason. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

function isExpected(error: unknown): error is Error {
  if (error instanceof CliError || error instanceof EnvError) return true;
  // DomainError from @tickler/domain is checked by name so this module stays dependency-free.
  if (!(error instanceof Error)) return false;
  if (['DomainError', 'TemplateError', 'DatabaseUrlError', 'CopyRefusedError'].includes(error.name) || error instanceof ZodError) return true;
  // The database is down, unreachable, refuses us, is read-only or unmigrated: the operator's to fix.
  return error.name === 'StoreError' && !['other', 'constraint'].includes(String((error as { kind?: unknown }).kind));
}

function oneLine(error: Error): string {
  if (error.name === 'StoreError') return `database: ${error.message.replace(/\s*\n\s*/g, ' ')}`;
  if (error instanceof ZodError) {
    return error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ');
  }
  return error.message.replace(/\s*\n\s*/g, ' ');
}

/** Runs a command body; maps expected errors to one line on stderr and a non-zero exit code. */
export async function runCommand(body: () => Promise<number | void>): Promise<void> {
  try {
    const code = await body();
    process.exitCode = code ?? 0;
  } catch (error) {
    if (isExpected(error)) {
      process.stderr.write(`tickler: ${oneLine(error)}\n`);
      process.exitCode = error instanceof CliError ? error.exitCode : 1;
    } else {
      const connRefused = error instanceof Error && /ECONNREFUSED|ENOTFOUND|ETIMEDOUT/.test(error.message);
      process.stderr.write(connRefused ? `tickler: ${oneLine(error as Error)}\n` : `tickler: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exitCode = 1;
    }
  }
}
