import path from 'node:path';
import { checkPageCatalogs } from '@tickler/http';
import { checkTemplates, formatIssue, previewTemplates } from '@tickler/mailer';
import type { Env } from '../env';
import { CliError } from '../runtime/errors';

/**
 * `tickler templates check`: compiles every template strictly and compares every locale's messages
 * (emails: `<TEMPLATES_DIR>/messages/<locale>.json`; recipient pages: the HTTP package's catalogs)
 * with `en`'s; one line per problem, non-zero on any.
 */
export async function templatesCheckCommand(env: Env): Promise<void> {
  const issues = (await checkTemplates(env.templatesDir)).map(formatIssue);
  for (const issue of checkPageCatalogs()) issues.push(`recipient pages [${issue.locale}] ${issue.key}: ${issue.message}`);
  if (issues.length > 0) {
    for (const issue of issues) process.stderr.write(`${issue}\n`);
    throw new CliError(`${issues.length} template problem${issues.length === 1 ? '' : 's'} in ${path.resolve(env.templatesDir)}`);
  }
  process.stdout.write(`templates OK (${path.resolve(env.templatesDir)})\n`);
}

/** `tickler templates preview [--out DIR]`: renders every template, variant and language with sample data. */
export async function templatesPreviewCommand(env: Env, opts: { out: string }): Promise<void> {
  const files = await previewTemplates(env.templatesDir, opts.out);
  for (const f of files) process.stdout.write(`${f.template} (${f.variant}, ${f.locale}): ${f.subject}\n  ${f.html}\n`);
  process.stdout.write(`${files.length} previews written; open ${path.join(path.resolve(opts.out), 'index.html')}\n`);
}
