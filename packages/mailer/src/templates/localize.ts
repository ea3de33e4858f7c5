/**
 * Messages into templates, once per (template, variant, locale) at load time. A template names a
 * message with `{{t:key}}` (the template's own section) or `{{t:section.key}}` (`layout`, `common`,
 * …). A message made of text and plain `{argument}`s only is inlined: its text (escaped for HTML)
 * and `{{argument}}` placeholders become part of the precompiled interpolation, so it costs nothing
 * per email. A message with plurals, selects or numbers becomes a slot: an `IntlMessageFormat`
 * formatted per email, its output escaped like any value.
 */
import { IntlMessageFormat } from 'intl-messageformat';
import { parse, TYPE } from '@formatjs/icu-messageformat-parser';
import { lookupMessage, toOneLine, type MessageCatalog } from '@tickler/domain';

const MARKER = /\{\{t:([a-zA-Z][a-zA-Z0-9-]*(?:\.[a-zA-Z][a-zA-Z0-9]*)?)\}\}/g;

/** A message formatted per email; its output fills the `{{<name>}}` placeholder. */
export interface MessageSlot {
  name: string;
  format: (values: Readonly<Record<string, unknown>>) => string;
}

/** Slots of one (variant, locale), shared by its subject, HTML and text parts (each message formatted once). */
export class SlotSet {
  readonly slots: MessageSlot[] = [];
  private readonly byKey = new Map<string, string>();

  /** `prefix` names the placeholders: a repeated block's slots (filled per item) differ from the email's. */
  constructor(private readonly prefix = 'i18nSlot') {}

  slotFor(key: string, message: string, locale: string): string {
    let name = this.byKey.get(key);
    if (!name) {
      name = `${this.prefix}${this.slots.length}`;
      const format = new IntlMessageFormat(message, locale);
      this.slots.push({ name, format: (values) => String(format.format(values as Record<string, string | number>)) });
      this.byKey.set(key, name);
    }
    return name;
  }

  /**
   * `values` plus every slot's formatted message. String values enter messages as one clean line
   * (like every placeholder), so a CR/LF in a product name cannot split the subject.
   */
  fill(values: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
    if (this.slots.length === 0) return values;
    const clean: Record<string, unknown> = {};
    for (const key of Object.keys(values)) {
      const value = values[key];
      clean[key] = typeof value === 'string' ? toOneLine(value) : value;
    }
    const out: Record<string, unknown> = { ...values };
    for (const slot of this.slots) out[slot.name] = slot.format(clean);
    return out;
  }
}

/** The catalog key a marker names inside template `template`. */
export function markerKey(template: string, raw: string): string {
  return raw.includes('.') ? raw : `${template}.${raw}`;
}

/** Every message key the markers of `source` name (for checks), in order of appearance. */
export function markerKeys(template: string, source: string): string[] {
  return [...source.matchAll(MARKER)].map((m) => markerKey(template, m[1] as string));
}

/** Inline form of a message (text and `{{argument}}`s), or null when it needs formatting per email. */
function inlineForm(message: string, literal: (text: string) => string): string | null {
  let out = '';
  for (const element of parse(message)) {
    if (element.type === TYPE.literal) out += literal(element.value);
    else if (element.type === TYPE.argument) out += `{{${element.value}}}`;
    else return null;
  }
  return out;
}

/**
 * `source` with its markers replaced for `locale`: inlined text (through `literal`, e.g. HTML
 * escaping) or a slot placeholder. A key missing from `catalog` is left for the caller to report
 * (`missing` receives it) and replaced by nothing.
 */
export function localizeSource(
  source: string, template: string, locale: string, catalog: MessageCatalog, slots: SlotSet,
  literal: (text: string) => string, missing: (key: string) => void,
): string {
  return source.replace(MARKER, (_m, raw: string) => {
    const key = markerKey(template, raw);
    const message = lookupMessage(catalog, key);
    if (message === undefined) {
      missing(key);
      return '';
    }
    return inlineForm(message, literal) ?? `{{${slots.slotFor(key, message, locale)}}}`;
  });
}
