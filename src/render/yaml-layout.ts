/**
 * What the two YAML emitters (`dumpYaml` for js-yaml's output, `cdk8sYaml` for the `yaml`
 * package's) share: the strings both libraries write plain, the block layout's indentation, the
 * values the emitters write themselves, and their bounded caches of what they asked a library.
 */

/**
 * Letter-first strings of these characters are written plain by both libraries unless they are
 * one of `RESERVED_WORDS` (YAML 1.1/1.2 booleans and nulls) or end in ':'; no other implicit type
 * (numbers, timestamps, merge keys, base-60 numbers) can start with a letter, except the `yaml`
 * package's exponent-only floats, which `cdk8sYaml` checks on top.
 */
const PLAIN_STRING = /^[A-Za-z][A-Za-z0-9_./@:-]*$/;
const RESERVED_WORDS = new Set([
  'null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE',
  'y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF',
]);

/** Whether a string is letter-first, of safe characters, not a reserved word and not ending in ':' (written plain). */
export function isPlainWord(s: string): boolean {
  return PLAIN_STRING.test(s) && s.charCodeAt(s.length - 1) !== 58 /* : */ && !RESERVED_WORDS.has(s);
}

const INDENTS: string[] = [''];

/** Two spaces per level. */
export function indent(level: number): string {
  while (INDENTS.length <= level) INDENTS.push(INDENTS[INDENTS.length - 1] + '  ');
  return INDENTS[level];
}

/** Objects the emitters write themselves: plain objects (and those without a prototype); class instances go to the library. */
export function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** How many answers of a library each cache keeps: it is emptied when full, so no input grows it without bound. */
const MAX_CACHED = 20000;

/** Stores `v` under `k` in a cache bounded by `MAX_CACHED`, and returns it. */
export function remember<K, V>(cache: Map<K, V>, k: K, v: V): V {
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(k, v);
  return v;
}
