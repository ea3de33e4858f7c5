/**
 * `tickler templates check`: strict validation of every template and variant with file and line
 * (the previews of `tickler templates preview` are test-send/preview-files.ts).
 */
import path from 'node:path';
import type { TemplateIssue } from './compile-mjml';
import { compileAll, listTemplateNames } from './load-templates';

/**
 * Every problem in the templates of `dir`: MJML validation errors (strict), unreadable includes,
 * missing plain-text parts or subjects, placeholders not in the data schema, unknown templates,
 * and in the message catalogs (`messages/<locale>.json`): a message a template names that `en`
 * lacks, a locale lacking one of `en`'s messages, a message whose placeholders differ from `en`'s,
 * ICU syntax errors. An empty array means all templates are valid.
 */
export async function checkTemplates(dir: string): Promise<TemplateIssue[]> {
  const absolute = path.resolve(dir);
  let names: string[];
  try {
    names = await listTemplateNames(absolute);
  } catch (err) {
    return [{ file: absolute, line: null, message: `cannot read the templates folder: ${(err as Error).message}` }];
  }
  if (names.length === 0) return [{ file: absolute, line: null, message: 'no *.mjml templates in this folder' }];
  return (await compileAll(absolute)).issues;
}
