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
  return error instanceof Error && (['DomainError', 'TemplateError', 'DatabaseUrlError'].includes(error.name) || error instanceof ZodError);
}

function oneLine(error: Error): string {
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
