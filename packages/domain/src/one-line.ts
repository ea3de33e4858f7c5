/**
 * One-line text for email headers and single-line fields (subjects, sender names, List-Id, names
 * filled into a line of a template). Data from billing systems and sign-up forms can carry
 * characters that break or disguise such a line: CR/LF (header injection, broken text lines), other
 * C0/C1 controls, and bidirectional formatting characters such as U+202E RIGHT-TO-LEFT OVERRIDE,
 * which make "Acme\u202Efdp.exe" display as "Acmeexe.pdf".
 */

/** Line and paragraph breaks of every kind, and tabs: each run becomes one space. */
const BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]+/g;
/**
 * Removed outright: C0 controls, DEL, C1 controls, and the bidi marks, embeddings, overrides and
 * isolates (U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069).
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const HIDDEN = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * `value` as one clean line: breaks become spaces, controls and bidi formatting characters are
 * dropped, whitespace runs collapse to one space, and the ends are trimmed.
 */
export function toOneLine(value: string): string {
  return value.replace(BREAKS, ' ').replace(HIDDEN, '').replace(/\s+/g, ' ').trim();
}
