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

/**
 * What to do about a server that answers but refuses the URL: a database that does not exist
 * (SQLSTATE 3D000) or a user or password it does not accept (class 28).
 */
function databaseUrlHint(code: string, message: string, setting: string): string {
  if (code === '3D000') {
    const name = /database "([^"]+)" does not exist/.exec(message)?.[1];
    return `; create it${name ? ` with \`createdb ${name}\`` : ''} or correct the database name in ${setting}`;
  }
  if (code.startsWith('28')) return `; check the user and password in ${setting}`;
  return '';
}

/**
 * A StoreError as one line naming `setting`, where the URL came from (DATABASE_URL, or `--to` for
 * `db copy`), and how to fix the URL when that is the cause.
 */
export function storeErrorLine(error: Error, setting = 'DATABASE_URL'): string {
  const { code } = error as { code?: unknown };
  const message = error.message.replace(/\s*\n\s*/g, ' ');
  return `database (${setting}): ${message}${databaseUrlHint(String(code ?? ''), message, setting)}`;
}

function oneLine(error: Error): string {
  if (error.name === 'StoreError') return storeErrorLine(error);
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
