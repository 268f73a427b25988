/**
 * Text that is safe to show on a terminal. Spec values (names, env values, paths) and file
 * contents end up in messages; a control character in them (an ESC sequence, a carriage return,
 * a C1 control, a bidirectional override) would act on the terminal instead of being shown. The
 * one escaping helper of the CLI: every line it prints goes through `escapeLines`, and a
 * message that must stay on one line (an issue) through `escapeControl`.
 */

/**
 * What is escaped: C0 controls, DEL, C1 controls, the bidirectional controls (Trojan Source),
 * the line and paragraph separators, and UTF-16 surrogates without their pair.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/** The same, without the newline (and the tab, which terminals show as space). */
const UNSAFE_IN_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const NAMED: { [c: string]: string } = { '\0': '\\0', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\u001b': '\\e' };

function escapeOne(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * `text` with every character that could act on a terminal written as an escape (`\e`, `\0`,
 * `\n`, `\x9b`, `\u202e`): the result is one line of printable text.
 */
export function escapeControl(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}

/** `escapeControl`, keeping newlines and tabs: for text of several lines that the CLI itself composed. */
export function escapeLines(text: string): string {
  return text.replace(UNSAFE_IN_LINES, escapeOne);
}

/** Whether `text` has a character that `escapeControl` would escape. */
export function hasControl(text: string): boolean {
  UNSAFE.lastIndex = 0;
  const found = UNSAFE.test(text);
  UNSAFE.lastIndex = 0;
  return found;
}
