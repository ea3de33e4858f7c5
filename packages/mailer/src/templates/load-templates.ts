/**
 * Loads every email template of a folder once, at worker start: MJML is compiled per template and
 * variant (strictly validated), and the HTML, subject (the `<mj-title>`) and plain-text part are
 * turned into precompiled interpolations. Sending then only fills in escaped values.
 *
 * Folder layout: `<name>.mjml` + `<name>.txt` per template; shared parts in `layout/`
 * (`<mj-include path="./layout/footer.mjml" />`, `{{> layout/footer.txt}}` in text parts).
 */
import { readdir, readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { toOneLine } from '@tickler/domain';
import { compileMjmlFile, TemplateError, type TemplateIssue } from './compile-mjml';
import { compileRepeating, splitRepeats } from './repeat';
import {
  escapeHtmlLine, findPlaceholders, findUnbalancedSections, resolveTextIncludes, selectSections,
  type Interpolation,
} from './interpolate';
import { templateDefinition, type TemplateDefinition } from './schemas';

export interface CompiledVariant {
  subject: Interpolation;
  html: Interpolation;
  text: Interpolation;
}

export interface CompiledTemplate {
  name: string;
  definition: TemplateDefinition;
  variants: ReadonlyMap<string, CompiledVariant>;
}

/** All templates of one folder, compiled. Immutable; share it between processors. */
export interface TemplateSet {
  dir: string;
  templates: ReadonlyMap<string, CompiledTemplate>;
}

/** The template names (file names without `.mjml`) in `dir`, sorted. */
export async function listTemplateNames(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.mjml')).map((e) => e.name.slice(0, -'.mjml'.length)).sort();
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&nbsp;': ' ' };

/**
 * MJML's output is indented for humans; a quarter of its bytes are leading spaces. Dropping them
 * changes nothing in how HTML renders (no <pre> in emails) and shrinks every SES request.
 */
function stripIndentation(html: string): string {
  return html.replace(/^[ \t]+/gm, '');
}

/** The subject template: the compiled `<title>` (from `<mj-title>`), as plain text. */
function subjectSource(html: string): string | null {
  const title = html.match(/<title>([\s\S]*?)<\/title>/)?.[1];
  if (title === undefined) return null;
  return toOneLine(title.replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (e) => ENTITIES[e] ?? e));
}

/** The plain-text source of a template for a set of flags, includes resolved. */
async function textSource(dir: string, name: string, flags: ReadonlySet<string>): Promise<{ file: string; source: string }> {
  const file = path.join(dir, `${name}.txt`);
  const raw = await readFile(file, 'utf8');
  const withIncludes = resolveTextIncludes(raw, (rel) => readFileSync(path.join(dir, rel), 'utf8'));
  return { file, source: selectSections(withIncludes, flags) };
}

function flagsFor(definition: TemplateDefinition, variant: string): Set<string> {
  return new Set([variant, ...definition.flags]);
}

/** Placeholders a template uses that its data schema does not describe. */
function unknownPlaceholders(source: string, definition: TemplateDefinition): Array<{ name: string; line: number }> {
  const { outside, blocks } = splitRepeats(source);
  const known = new Set(Object.keys(definition.schema.shape));
  const unknown = [...findPlaceholders(outside)].filter(([name]) => !known.has(name)).map(([name, line]) => ({ name, line }));
  for (const { field, body } of blocks) {
    // A repeated block's placeholders are fields of its list's items.
    const itemKeys = new Set(Object.keys(itemShapeOf(definition, field)));
    unknown.push(...[...findPlaceholders(body)].filter(([name]) => !itemKeys.has(name)).map(([name, line]) => ({ name: `${field}.${name}`, line })));
  }
  return unknown;
}

/** The fields of the items of list field `field` (none when it is not a list of objects). */
function itemShapeOf(definition: TemplateDefinition, field: string): Record<string, unknown> {
  const list = (definition.schema.shape as Record<string, unknown>)[field] as { element?: { shape?: Record<string, unknown> } } | undefined;
  return list?.element?.shape ?? {};
}

/** Where a placeholder is written: the template file first, then the MJML layouts. */
async function locatePlaceholder(dir: string, name: string, placeholder: string): Promise<{ file: string; line: number | null }> {
  const layoutDir = path.join(dir, 'layout');
  const layouts = (await readdir(layoutDir).catch(() => [] as string[])).filter((f) => f.endsWith('.mjml')).map((f) => path.join(layoutDir, f));
  for (const file of [path.join(dir, `${name}.mjml`), ...layouts]) {
    const source = await readFile(file, 'utf8').catch(() => '');
    const line = findPlaceholders(source).get(placeholder);
    if (line !== undefined) return { file, line };
  }
  return { file: path.join(dir, `${name}.mjml`), line: null };
}

async function compileVariant(dir: string, name: string, definition: TemplateDefinition, variant: string): Promise<{ compiled: CompiledVariant | null; issues: TemplateIssue[] }> {
  const flags = flagsFor(definition, variant);
  const mjmlFile = path.join(dir, `${name}.mjml`);
  const { html, issues } = await compileMjmlFile(mjmlFile, flags);
  const text = await textSource(dir, name, flags).catch((err: Error) => {
    issues.push({ file: path.join(dir, `${name}.txt`), line: null, message: `plain-text part missing or unreadable: ${err.message}` });
    return null;
  });
  const subject = html ? subjectSource(html) : null;
  if (html && !subject) issues.push({ file: mjmlFile, line: null, message: 'no <mj-title>: it is the email subject' });
  for (const { name: placeholder } of html ? unknownPlaceholders(html, definition) : []) {
    const where = await locatePlaceholder(dir, name, placeholder);
    issues.push({ ...where, message: `placeholder {{${placeholder}}} is not in the template's data schema` });
  }
  for (const { name: placeholder, line } of text ? unknownPlaceholders(text.source, definition) : []) {
    issues.push({ file: text?.file ?? mjmlFile, line, message: `placeholder {{${placeholder}}} is not in the template's data schema` });
  }
  for (const { line, tag } of [...(html ? findUnbalancedSections(html) : []), ...(text ? findUnbalancedSections(text.source) : [])]) {
    issues.push({ file: mjmlFile, line: null, message: `unbalanced section tag ${tag} (compiled line ${line})` });
  }
  const tagged = issues.map((i) => ({ ...i, template: name, variant }));
  if (tagged.length > 0 || !subject || !text) return { compiled: null, issues: tagged };
  return {
    compiled: {
      // Values come from billing and sign-up data: one clean line in every part (no CR/LF into a
      // text line or the subject, no U+202E turning a name around).
      subject: compileRepeating(subject, toOneLine),
      html: compileRepeating(stripIndentation(html), escapeHtmlLine),
      text: compileRepeating(text.source, toOneLine),
    },
    issues: [],
  };
}

/** Compiles one template in every variant; returns its issues instead of throwing. */
export async function compileTemplate(dir: string, name: string): Promise<{ template: CompiledTemplate | null; issues: TemplateIssue[] }> {
  const definition = templateDefinition(name);
  if (!definition) {
    const message = `unknown template "${name}": no data schema describes it (known: license-reminder, maintenance-reminder, invitation, newsletter-confirmation, topic-change-confirmation, newsletter-<name>)`;
    return { template: null, issues: [{ file: path.join(dir, `${name}.mjml`), line: null, message, template: name }] };
  }
  const variants = new Map<string, CompiledVariant>();
  const issues: TemplateIssue[] = [];
  for (const variant of definition.variants) {
    const result = await compileVariant(dir, name, definition, variant);
    issues.push(...result.issues);
    if (result.compiled) variants.set(variant, result.compiled);
  }
  return { template: issues.length === 0 ? { name, definition, variants } : null, issues };
}

/**
 * Compiles every `*.mjml` template in `dir` (MJML runs here, once; never per email).
 * Throws a `TemplateError` listing every problem (file and line) when any template is invalid.
 */
export async function loadTemplates(dir: string): Promise<TemplateSet> {
  const absolute = path.resolve(dir);
  const names = await listTemplateNames(absolute);
  if (names.length === 0) throw new TemplateError([{ file: absolute, line: null, message: 'no *.mjml templates in this folder' }]);
  const templates = new Map<string, CompiledTemplate>();
  const issues: TemplateIssue[] = [];
  for (const name of names) {
    const result = await compileTemplate(absolute, name);
    issues.push(...result.issues);
    if (result.template) templates.set(name, result.template);
  }
  if (issues.length > 0) throw new TemplateError(dedupeIssues(issues));
  return { dir: absolute, templates };
}

/** One issue per (file, line, message): a layout error shows once, not once per variant. */
export function dedupeIssues(issues: TemplateIssue[]): TemplateIssue[] {
  const seen = new Map<string, TemplateIssue>();
  for (const issue of issues) {
    const key = `${issue.file}\u0000${issue.line}\u0000${issue.message}`;
    if (!seen.has(key)) seen.set(key, issue);
  }
  return [...seen.values()];
}
