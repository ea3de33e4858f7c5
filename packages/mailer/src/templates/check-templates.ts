/**
 * `tickler templates check` and `tickler templates preview`: strict validation of every template
 * and variant with file and line, and sample renders written to disk for a look in a browser.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { escapeHtml } from '@tickler/domain';
import type { TemplateIssue } from './compile-mjml';
import { compileAll, listTemplateNames, loadTemplates, type TemplateSet } from './load-templates';
import { renderEmail } from './render-email';

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

export interface PreviewFile {
  template: string;
  variant: string;
  locale: string;
  html: string;
  text: string;
  subject: string;
}

/** `outDir` cannot be created or written (not a folder, no permission, read-only): the caller's to fix, not a template problem. */
export class PreviewOutputError extends Error {
  override readonly name = 'PreviewOutputError';
  constructor(readonly outDir: string, cause: unknown) {
    super(`cannot write previews to ${JSON.stringify(outDir)} (${(cause as Error)?.message ?? String(cause)})`, { cause });
  }
}

/**
 * Renders every template, variant and locale with its sample data into `outDir`
 * (`<template>.<variant>.<locale>.html` and `.txt`, plus an `index.html` linking them).
 * @throws TemplateError when a template is invalid (run `checkTemplates` for the list).
 * @throws PreviewOutputError when `outDir` cannot be created or written.
 */
export async function previewTemplates(dir: string, outDir: string): Promise<PreviewFile[]> {
  const set = await loadTemplates(dir);
  try {
    return await writePreviews(set, outDir);
  } catch (error) {
    throw (error as { syscall?: unknown })?.syscall === undefined ? error : new PreviewOutputError(outDir, error);
  }
}

async function writePreviews(set: TemplateSet, outDir: string): Promise<PreviewFile[]> {
  await mkdir(outDir, { recursive: true });
  const files: PreviewFile[] = [];
  for (const template of set.templates.values()) {
    for (const [variant, locales] of template.variants) for (const locale of locales.keys()) {
      const email = renderEmail(set, template.name, template.definition.sample(variant, locale), locale);
      const base = path.join(path.resolve(outDir), `${template.name}.${variant}.${locale}`);
      await writeFile(`${base}.html`, email.html);
      await writeFile(`${base}.txt`, `Subject: ${email.subject}\n\n${email.text}`);
      files.push({ template: template.name, variant, locale, html: `${base}.html`, text: `${base}.txt`, subject: email.subject });
    }
  }
  await writeFile(path.join(outDir, 'index.html'), indexPage(files));
  return files;
}

function indexPage(files: PreviewFile[]): string {
  const rows = files.map((f) => `<li><a href="${escapeHtml(path.basename(f.html))}">${escapeHtml(f.template)} / ${escapeHtml(f.variant)} / ${escapeHtml(f.locale)}</a>`
    + ` — ${escapeHtml(f.subject)} (<a href="${escapeHtml(path.basename(f.text))}">text</a>)</li>`);
  return `<!doctype html><meta charset="utf-8"><title>Tickler email previews</title><h1>Email previews</h1><ul>${rows.join('')}</ul>\n`;
}
