/** TEMPLATES_DIR, checked before a command reads it: a missing or unreadable folder is one line naming it. */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Env } from '../env';
import { CliError } from './errors';

const REASONS: Record<string, string> = { ENOENT: 'no such folder', ENOTDIR: 'not a folder', EACCES: 'permission denied', EPERM: 'permission denied' };

/**
 * The templates folder of `env`, once it is known to be a folder this process can list.
 * @throws CliError naming TEMPLATES_DIR, the folder and why it cannot be read
 */
export async function readableTemplatesDir(env: Pick<Env, 'templatesDir'>): Promise<string> {
  try {
    await readdir(env.templatesDir);
    return env.templatesDir;
  } catch (error) {
    const code = String((error as NodeJS.ErrnoException).code ?? '');
    const resolved = path.resolve(env.templatesDir);
    const where = resolved === env.templatesDir ? '' : `, ${resolved}`;
    throw new CliError(`TEMPLATES_DIR "${env.templatesDir}" is not a folder this process can read (${REASONS[code] ?? (code || String(error))}${where}): `
      + 'set it to the folder of the email templates (the repository ships them in templates/).');
  }
}
