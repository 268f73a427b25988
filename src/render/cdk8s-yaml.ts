import { Yaml } from 'cdk8s';
import { indent, isPlainObject, isPlainWord, remember } from './yaml-layout';

/**
 * cdk8s' own YAML (`Yaml.stringify`: the `yaml` package, YAML 1.1 schema, no line folding,
 * undefined written as null), byte for byte, several times faster for the JSON-like values
 * manifests are made of. It is what `App.synth()` writes (`Yaml.save`), so the library path
 * (`synthesizeCharts`) can write the same bytes without paying the `yaml` package's per-node cost.
 *
 * As `dumpYaml` does for js-yaml, it writes the layout of plain objects, arrays, numbers, booleans
 * and null itself (the same block layout as the `yaml` package: two spaces, sequences indented
 * under their key, compact nested sequences and mappings), writes letter-first strings of safe
 * characters plain, and asks the `yaml` package (through cdk8s' `Yaml.stringify`, cached) how it
 * writes every other string and key: quoting, escapes, block literals (asked at the depth they
 * appear, as their indentation depends on it). Anything else (class instances, symbols, keys the
 * package writes as explicit `? ` pairs, an object met twice, which it writes as an anchor and
 * aliases, a document that is a string) is left to `Yaml.stringify`
 * whole. Tests compare the two on every example object and on generated values.
 */
export function cdk8sYaml(...docs: unknown[]): string {
  return docs.map((d) => (d === undefined ? '\n' : document(d))).join('---\n');
}

/** Thrown inside the emitter for a document it leaves to the `yaml` package. */
class UseYamlPackage extends Error {}

/** Objects and arrays of the document being written: one met twice is written by the package as an anchor and aliases. */
let seen = new Set<object>();

function document(value: unknown): string {
  if (typeof value !== 'object' || value === null) return Yaml.stringify(value);
  seen = new Set();
  try {
    return node(value, 0, true) + '\n';
  } catch (e) {
    if (e instanceof UseYamlPackage) return Yaml.stringify(value);
    throw e;
  } finally {
    seen = new Set();
  }
}

function visit(v: object): void {
  if (seen.has(v)) throw new UseYamlPackage();
  seen.add(v);
}

/** The package's YAML 1.1 float pattern also takes an exponent alone (`e5`, `E10`): such strings are asked. */
const EXPONENT_FIRST = /^[eE][-+]?[0-9]/;

/** Letter-first strings the `yaml` package writes plain (see `isPlainWord`), exponents aside. */
const isPlain = (s: string) => isPlainWord(s) && !EXPONENT_FIRST.test(s);

const values = new Map<string, string>();
const blocks = new Map<string, string>();
const keys = new Map<string, string>();
const numbers = new Map<number, string>();

/** How the package writes a string as the value of a key at `level - 1` (its text after `k: `, without the final newline). */
function askValue(s: string, level: number): string {
  let nested: unknown = s;
  for (let i = 0; i < level; i++) nested = { k: nested };
  const out = Yaml.stringify(nested);
  let prefix = '';
  for (let i = 0; i < level - 1; i++) prefix += `${indent(i)}k:\n`;
  prefix += `${indent(level - 1)}k: `;
  if (!out.startsWith(prefix) || !out.endsWith('\n')) throw new UseYamlPackage();
  return out.slice(prefix.length, -1);
}

/** A string value at `level` (>= 1). Single-line representations do not depend on the depth; block literals do. */
function scalar(s: string, level: number): string {
  if (isPlain(s)) return s;
  let r = values.get(s);
  if (r === undefined) r = remember(values, s, s.includes('\n') ? '\n' : askValue(s, 1));
  if (!r.includes('\n')) return r;
  const k = `${level}\u0000${s}`;
  return blocks.get(k) ?? remember(blocks, k, askValue(s, level));
}

function key(k: string): string {
  if (isPlain(k)) return k;
  const known = keys.get(k);
  if (known !== undefined) return known;
  const out = Yaml.stringify({ [k]: null });
  if (!out.endsWith(': null\n') || out.startsWith('? ')) throw new UseYamlPackage();
  const r = out.slice(0, -': null\n'.length);
  if (r.includes('\n')) throw new UseYamlPackage();
  return remember(keys, k, r);
}

function number(v: number): string {
  if (Number.isInteger(v) && !Object.is(v, -0)) return String(v);
  const known = numbers.get(v);
  if (known !== undefined) return known;
  const out = Yaml.stringify({ k: v });
  if (!out.startsWith('k: ') || !out.endsWith('\n')) throw new UseYamlPackage();
  return remember(numbers, v, out.slice(3, -1));
}

function node(v: unknown, level: number, compact: boolean): string {
  switch (typeof v) {
    case 'string': return scalar(v, level);
    case 'boolean': return v ? 'true' : 'false';
    case 'number': return number(v);
    case 'undefined': return 'null';
    case 'object':
      if (v === null) return 'null';
      visit(v);
      if (Array.isArray(v)) return v.length === 0 ? '[]' : sequence(v, level, compact);
      if (isPlainObject(v)) return mapping(v as Record<string, unknown>, level, compact);
      throw new UseYamlPackage();
    default: throw new UseYamlPackage();
  }
}

function sequence(items: readonly unknown[], level: number, compact: boolean): string {
  let out = '';
  for (let i = 0; i < items.length; i++) {
    const d = node(items[i], level + 1, true);
    if (!compact || out !== '') out += '\n' + indent(level);
    out += d.charCodeAt(0) === 10 ? '-' : '- ';
    out += d;
  }
  return out;
}

function mapping(obj: Record<string, unknown>, level: number, compact: boolean): string {
  let out = '';
  const ks = Object.keys(obj);
  for (let i = 0; i < ks.length; i++) {
    const k = ks[i];
    const kd = key(k);
    const vd = node(obj[k], level + 1, false);
    if (!compact || out !== '') out += '\n' + indent(level);
    out += kd;
    out += vd.charCodeAt(0) === 10 ? ':' : ': ';
    out += vd;
  }
  return out === '' ? '{}' : out;
}
