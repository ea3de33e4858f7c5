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
import {
  escapeHtml, lookupMessage, messageArguments, SUPPORTED_LOCALES, toOneLine, type MessageCatalog, type SupportedLocale,
} from '@tickler/domain';
import { compileMjmlFile, TemplateError, type TemplateIssue } from './compile-mjml';
import { compileRepeating, mapRepeats, splitRepeats } from './repeat';
import {
  escapeHtmlLine, findPlaceholders, findUnbalancedSections, resolveTextIncludes, selectSections, type Escape,
  type Interpolation,
} from './interpolate';
import { templateDefinition, type TemplateDefinition } from './schemas';
import { loadCatalogs, REFERENCE_LOCALE } from './catalogs';
import { localizeSource, markerKeys, SlotSet } from './localize';

export interface CompiledVariant {
  subject: Interpolation;
  html: Interpolation;
  text: Interpolation;
  /** Messages formatted per email (plurals, numbers); their outputs are placeholders of the parts above. */
  slots: SlotSet;
}

export interface CompiledTemplate {
  name: string;
  definition: TemplateDefinition;
  /** Variant → locale → compiled parts. */
  variants: ReadonlyMap<string, ReadonlyMap<SupportedLocale, CompiledVariant>>;
}

/** All templates of one folder, compiled in every shipped locale. Immutable; share it between processors. */
export interface TemplateSet {
  dir: string;
  templates: ReadonlyMap<string, CompiledTemplate>;
  /** The locale of an email whose recipient and organization name none we ship (`DEFAULT_LOCALE`). */
  defaultLocale: SupportedLocale;
  /** `messages/<locale>.json` of every shipped locale. */
  catalogs: ReadonlyMap<SupportedLocale, MessageCatalog>;
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

/**
 * At most one blank line in a row in a plain-text part. Sections switched off for a variant are
 * blanked with their newlines kept (load errors cite true line numbers), so without this an email
 * with no list to leave showed the footer's "--" and then five empty lines.
 */
function collapseBlankLines(text: string): string {
  return text.replace(/\n(?:[ \t]*\n){2,}/g, '\n\n');
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

/**
 * Messages the template names that the reference catalog lacks, or whose arguments its data schema
 * does not describe (inside a repeated block: the fields of the block's items).
 */
function messageIssues(name: string, sources: string[], definition: TemplateDefinition, catalogs: ReadonlyMap<SupportedLocale, MessageCatalog>, file: string): TemplateIssue[] {
  const reference = catalogs.get(REFERENCE_LOCALE);
  if (!reference) return [];
  const topLevel = new Set(Object.keys(definition.schema.shape));
  const uses = new Map<string, { known: Set<string>; where: string }>();
  for (const source of sources) {
    const { outside, blocks } = splitRepeats(source);
    for (const key of markerKeys(name, outside)) uses.set(key, { known: topLevel, where: "the template's data schema" });
    for (const { field, body } of blocks) {
      for (const key of markerKeys(name, body)) uses.set(key, { known: new Set(Object.keys(itemShapeOf(definition, field))), where: `the items of ${field}` });
    }
  }
  const issues: TemplateIssue[] = [];
  for (const [key, { known, where }] of uses) {
    const message = lookupMessage(reference, key);
    if (message === undefined) {
      issues.push({ file, line: null, message: `message ${key} is not in messages/${REFERENCE_LOCALE}.json` });
      continue;
    }
    let args: Set<string>;
    try {
      args = messageArguments(message);
    } catch {
      continue; // reported by the catalog check
    }
    for (const arg of args) if (!known.has(arg)) issues.push({ file, line: null, message: `message ${key} uses {${arg}}, which is not in ${where}` });
  }
  return issues;
}

interface VariantSources { subject: string; html: string; text: string }

/**
 * One variant's parts in `locale`: messages inlined or slotted, then precompiled. Messages inside a
 * repeated block get slots of their own, formatted with each item's fields.
 */
function localizeVariant(name: string, locale: SupportedLocale, catalog: MessageCatalog, sources: VariantSources): CompiledVariant {
  const slots = new SlotSet();
  const itemSlots = new SlotSet('i18nItemSlot');
  // A message missing in a locale is a load error (loadCatalogs reports it), so none is missing here.
  const missing = () => undefined;
  const fill = (source: string, literal: (text: string) => string) => mapRepeats(
    source,
    (outside) => localizeSource(outside, name, locale, catalog, slots, literal, missing),
    (body) => localizeSource(body, name, locale, catalog, itemSlots, literal, missing),
  );
  const plain = (text: string) => text;
  const compile = (source: string, escape: Escape) => compileRepeating(source, escape, (item) => itemSlots.fill(item));
  return {
    // Values come from billing and sign-up data: one clean line in every part (no CR/LF into a
    // text line or the subject, no U+202E turning a name around).
    subject: compile(fill(sources.subject, plain), toOneLine),
    // MJML writes its one `lang` on <html> and on the body's wrapper (role="article"): both become the email's.
    html: compile(fill(sources.html, escapeHtml).replace(/(<html|\srole="article") lang="[^"]*"/g, `$1 lang="${locale}"`), escapeHtmlLine),
    text: compile(collapseBlankLines(fill(sources.text, plain)), toOneLine),
    slots,
  };
}

async function compileVariant(
  dir: string, name: string, definition: TemplateDefinition, variant: string, catalogs: ReadonlyMap<SupportedLocale, MessageCatalog>, catalogsUsable: boolean,
): Promise<{ compiled: Map<SupportedLocale, CompiledVariant> | null; issues: TemplateIssue[] }> {
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
  issues.push(...messageIssues(name, [html, text?.source ?? ''], definition, catalogs, mjmlFile));
  const tagged = issues.map((i) => ({ ...i, template: name, variant }));
  if (tagged.length > 0 || !subject || !text) return { compiled: null, issues: tagged };
  // Catalog problems were reported by loadCatalogs; localizing with a broken catalog would only repeat them.
  if (!catalogsUsable) return { compiled: null, issues: [] };
  const sources: VariantSources = { subject, html: stripIndentation(html), text: text.source };
  const reference = catalogs.get(REFERENCE_LOCALE) ?? {};
  const compiled = new Map<SupportedLocale, CompiledVariant>();
  for (const locale of SUPPORTED_LOCALES) {
    // A locale whose catalog is unusable was reported by loadCatalogs; it renders in the reference language.
    const catalog = catalogs.get(locale) ?? reference;
    compiled.set(locale, localizeVariant(name, catalogs.has(locale) ? locale : REFERENCE_LOCALE, catalog, sources));
  }
  return { compiled, issues: [] };
}

/** Compiles one template in every variant; returns its issues instead of throwing. */
export async function compileTemplate(
  dir: string, name: string, catalogs: ReadonlyMap<SupportedLocale, MessageCatalog>, catalogsUsable = true,
): Promise<{ template: CompiledTemplate | null; issues: TemplateIssue[] }> {
  const definition = templateDefinition(name);
  if (!definition) {
    const message = `unknown template "${name}": no data schema describes it (known: license-reminder, maintenance-reminder, reminder-digest, invitation, newsletter-confirmation, topic-change-confirmation, newsletter-<name>)`;
    return { template: null, issues: [{ file: path.join(dir, `${name}.mjml`), line: null, message, template: name }] };
  }
  const variants = new Map<string, Map<SupportedLocale, CompiledVariant>>();
  const issues: TemplateIssue[] = [];
  for (const variant of definition.variants) {
    const result = await compileVariant(dir, name, definition, variant, catalogs, catalogsUsable);
    issues.push(...result.issues);
    if (result.compiled) variants.set(variant, result.compiled);
  }
  return { template: issues.length === 0 && variants.size === definition.variants.length ? { name, definition, variants } : null, issues };
}

export interface LoadTemplatesOptions {
  /** Locale of emails whose recipient and organization name no shipped locale (`DEFAULT_LOCALE`); default `en`. */
  defaultLocale?: SupportedLocale;
}

/** Every problem of the catalogs and templates of `dir` (none: all compile), and what compiled. */
export async function compileAll(dir: string): Promise<{ templates: Map<string, CompiledTemplate>; catalogs: Map<SupportedLocale, MessageCatalog>; issues: TemplateIssue[] }> {
  const names = await listTemplateNames(dir);
  if (names.length === 0) return { templates: new Map(), catalogs: new Map(), issues: [{ file: dir, line: null, message: 'no *.mjml templates in this folder' }] };
  const { catalogs, issues } = await loadCatalogs(dir);
  const catalogsUsable = issues.length === 0;
  const templates = new Map<string, CompiledTemplate>();
  for (const name of names) {
    const result = await compileTemplate(dir, name, catalogs, catalogsUsable);
    issues.push(...result.issues);
    if (result.template) templates.set(name, result.template);
  }
  return { templates, catalogs, issues: dedupeIssues(issues) };
}

/**
 * Compiles every `*.mjml` template in `dir` in every shipped locale (MJML runs here, once per
 * variant; never per email). Throws a `TemplateError` listing every problem (file and line) when any
 * template or message catalog is invalid.
 */
export async function loadTemplates(dir: string, options: LoadTemplatesOptions = {}): Promise<TemplateSet> {
  const absolute = path.resolve(dir);
  const { templates, catalogs, issues } = await compileAll(absolute);
  if (issues.length > 0) throw new TemplateError(issues);
  return { dir: absolute, templates, catalogs, defaultLocale: options.defaultLocale ?? REFERENCE_LOCALE };
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
