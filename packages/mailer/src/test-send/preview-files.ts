/**
 * `tickler templates preview`: every template in every locale with each of its samples — the same
 * sample names as `templates send-test --sample` and the admin page — written to disk for a look in
 * a browser. Previews keep the samples' placeholder links and addresses; the index page says so.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { escapeHtml } from '@tickler/domain';
import { loadTemplates, type TemplateSet } from '../templates';
import { listPreviews, renderTestEmail } from './render-test-email';

export interface PreviewFile {
  template: string;
  /** The sample's name (samples.ts), e.g. `default`, `long`, `on`, `after`. */
  sample: string;
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
 * Renders every template × locale × sample of `dir` into `outDir` (`<template>.<sample>.<locale>.html`
 * and `.txt`, plus an `index.html` linking them).
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
  for (const { template, locale, samples } of listPreviews(set)) {
    for (const sample of samples) {
      const email = renderTestEmail(set, { template, locale, sample });
      const base = path.join(path.resolve(outDir), `${template}.${sample}.${locale}`);
      await writeFile(`${base}.html`, email.html);
      await writeFile(`${base}.txt`, `Subject: ${email.subject}\n\n${email.text}`);
      files.push({ template, sample, locale, html: `${base}.html`, text: `${base}.txt`, subject: email.subject });
    }
  }
  await writeFile(path.join(outDir, 'index.html'), indexPage(files));
  return files;
}

function indexPage(files: PreviewFile[]): string {
  const rows = files.map((f) => `<li><a href="${escapeHtml(path.basename(f.html))}">${escapeHtml(f.template)} / ${escapeHtml(f.sample)} / ${escapeHtml(f.locale)}</a>`
    + ` — ${escapeHtml(f.subject)} (<a href="${escapeHtml(path.basename(f.text))}">text</a>)</li>`);
  return '<!doctype html><meta charset="utf-8"><title>Tickler email previews</title><h1>Email previews</h1>'
    + '<p>Sample data: the links (on tickler.example.com, with SAMPLE tokens) and addresses are placeholders that open nothing. '
    + 'A test send (<code>tickler templates send-test</code>) carries working links for the address it goes to.</p>'
    + `<ul>${rows.join('')}</ul>\n`;
}
