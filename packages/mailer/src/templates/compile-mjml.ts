/**
 * One MJML compilation of one template file for one set of section flags, with includes resolved
 * relative to the template (and confined to its folder) and strict validation. Errors come back as
 * `TemplateIssue`s naming the file (the include's own file for errors inside a layout) and line.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import mjml2html from 'mjml';
import { selectSections } from './interpolate';

export interface TemplateIssue {
  /** Path of the file with the problem (absolute). */
  file: string;
  /** 1-based line, when known. */
  line: number | null;
  message: string;
  template?: string;
  variant?: string;
}

/** Thrown by `loadTemplates`/`renderEmail` setup: lists every problem found. */
export class TemplateError extends Error {
  constructor(readonly issues: TemplateIssue[]) {
    super(`Email templates have ${issues.length} problem(s):\n${issues.map(formatIssue).join('\n')}`);
    this.name = 'TemplateError';
  }
}

export function formatIssue(issue: TemplateIssue): string {
  const where = issue.line === null ? issue.file : `${issue.file}:${issue.line}`;
  const which = issue.template ? ` [${issue.template}${issue.variant && issue.variant !== 'default' ? `/${issue.variant}` : ''}]` : '';
  return `${where}${which} ${issue.message}`;
}

interface MjmlValidationError { line?: number; message: string; tagName?: string; formattedMessage?: string }

/** "Line 3 of /x/layout/footer.mjml, included at line 9 of file /x/a.mjml (mj-text) — msg" → file. */
const FORMATTED = /^Line \d+ of (.+?)(?:, included at .*)? \([^()]*\) — /;

function toIssue(error: MjmlValidationError, fallbackFile: string): TemplateIssue {
  const file = error.formattedMessage?.match(FORMATTED)?.[1] ?? fallbackFile;
  const tag = error.tagName ? ` (${error.tagName})` : '';
  return { file, line: error.line ?? null, message: `${error.message}${tag}` };
}

export interface MjmlResult { html: string; issues: TemplateIssue[] }

/** Compiles `file` with the given section flags. Never throws for template problems: they are issues. */
export async function compileMjmlFile(file: string, flags: ReadonlySet<string>): Promise<MjmlResult> {
  const absolute = path.resolve(file);
  let source: string;
  try {
    source = await readFile(absolute, 'utf8');
  } catch (err) {
    return { html: '', issues: [{ file: absolute, line: null, message: `cannot read file: ${(err as Error).message}` }] };
  }
  try {
    const result = await mjml2html(source, {
      filePath: absolute,
      actualPath: absolute,
      ignoreIncludes: false,
      validationLevel: 'strict',
      keepComments: false,
      preprocessors: [(xml: string) => selectSections(xml, flags)],
    } as Parameters<typeof mjml2html>[1]);
    return { html: result.html, issues: (result.errors as MjmlValidationError[]).map((e) => toIssue(e, absolute)) };
  } catch (err) {
    const errors = (err as { errors?: MjmlValidationError[] }).errors;
    if (Array.isArray(errors) && errors.length > 0) return { html: '', issues: errors.map((e) => toIssue(e, absolute)) };
    return { html: '', issues: [{ file: absolute, line: null, message: (err as Error).message }] };
  }
}
