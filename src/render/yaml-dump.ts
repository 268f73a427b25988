import * as yaml from 'js-yaml';
import { renderSwitches } from './switches';
import { indent, isPlainObject, isPlainWord, remember } from './yaml-layout';

/** The js-yaml options of every manifest we write: no anchors, no line folding, double quotes. */
export const YAML_DUMP_OPTIONS = Object.freeze({ noRefs: true, lineWidth: -1, quotingType: '"' as const });

/** Thrown inside the emitter for a value it leaves to js-yaml. */
class UseJsYaml extends Error {}

/** js-yaml's representation of other strings and numbers, computed by js-yaml itself (bounded). */
const representations = new Map<string | number, string>();

function jsYamlRepresentation(value: string | number): string {
  const r = representations.get(value);
  return r ?? remember(representations, value, yaml.dump(value, YAML_DUMP_OPTIONS).slice(0, -1)); // without the document's final newline
}

/** A string value at `level` (block literal strings are indented by level, all else is not). */
function scalar(s: string, level: number): string {
  if (isPlainWord(s)) return s;
  const r = jsYamlRepresentation(s);
  if (r.charCodeAt(0) !== 124 /* | */) return r;
  // A literal block: js-yaml's header line, then the lines indented for this level.
  const header = r.slice(0, r.indexOf('\n') + 1);
  const pad = indent(Math.max(1, level));
  let body = '';
  let pos = 0;
  while (pos < s.length) {
    const next = s.indexOf('\n', pos);
    const line = next === -1 ? s.slice(pos) : s.slice(pos, next + 1);
    pos = next === -1 ? s.length : next + 1;
    if (line.length && line !== '\n') body += pad;
    body += line;
  }
  return header + (body.charCodeAt(body.length - 1) === 10 ? body.slice(0, -1) : body);
}

/** A mapping key: written as a value is, except multi-line keys (always quoted) and long keys (explicit pairs). */
function key(k: string): string {
  if (k.includes('\n')) throw new UseJsYaml();
  const r = scalar(k, 0);
  if (r.length > 1024) throw new UseJsYaml();
  return r;
}

/** js-yaml's writeNode for block context; `compact` as js-yaml passes it. */
function node(v: unknown, level: number, compact: boolean): string {
  switch (typeof v) {
    case 'string': return scalar(v, level);
    case 'boolean': return v ? 'true' : 'false';
    case 'number': return Number.isInteger(v) && !Object.is(v, -0) ? String(v) : jsYamlRepresentation(v);
    case 'object':
      if (v === null) return 'null';
      if (Array.isArray(v)) return v.length === 0 ? '[]' : sequence(v, level, compact);
      if (isPlainObject(v)) return mapping(v as Record<string, unknown>, level, compact);
      throw new UseJsYaml();
    default: throw new UseJsYaml();
  }
}

function sequence(items: readonly unknown[], level: number, compact: boolean): string {
  let out = '';
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const d = item === undefined ? 'null' : node(item, level + 1, true);
    if (!compact || out !== '') out += '\n' + indent(level);
    out += d.charCodeAt(0) === 10 ? '-' : '- ';
    out += d;
  }
  return out;
}

function mapping(obj: Record<string, unknown>, level: number, compact: boolean): string {
  let out = '';
  const keys = Object.keys(obj);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const value = obj[k];
    if (value === undefined) continue;
    const kd = key(k);
    const vd = node(value, level + 1, false);
    if (!compact || out !== '') out += '\n' + indent(level);
    out += kd;
    out += vd.charCodeAt(0) === 10 ? ':' : ': ';
    out += vd;
  }
  return out === '' ? '{}' : out;
}

/**
 * `yaml.dump(value, YAML_DUMP_OPTIONS)` of js-yaml, byte for byte, several times faster for the
 * JSON-like values manifests are made of: it writes plain objects, arrays, strings, numbers,
 * booleans and null itself, with js-yaml's layout, and asks js-yaml how to write any string it
 * cannot tell is plain (quoting, escapes, block literals). Anything else (class instances, dates,
 * symbols, multi-line or very long keys) is left to js-yaml entirely. Tests compare the two on
 * every example and on generated values.
 */
export function dumpYaml(value: unknown): string {
  try {
    return node(value, 0, true) + '\n';
  } catch (e) {
    if (e instanceof UseJsYaml) return yaml.dump(value, YAML_DUMP_OPTIONS);
    throw e;
  }
}

/**
 * One manifest as YAML, as every file the CLI writes has it: `dumpYaml`, or js-yaml's own `dump`
 * with the same options when `CDK8S_ZEROTRUST_JS_YAML=1` (see `renderSwitches`).
 */
export function manifestYaml(value: unknown): string {
  return renderSwitches().jsYaml ? yaml.dump(value, YAML_DUMP_OPTIONS) : dumpYaml(value);
}
