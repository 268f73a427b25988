/**
 * Reading one spec file with bounds, before anything walks its data: only a regular file (or a
 * symbolic link to one) is opened, never blocking; it has a size limit; it must be UTF-8 (a
 * byte order mark is accepted); YAML aliases are counted, as if expanded, against a budget; and
 * no string may hold a character that Kubernetes or a container runtime cannot carry (NUL) or
 * that UTF-8 cannot encode (half a surrogate pair). The reading itself is `readRegularFile` and
 * `AliasBudget` of analysis/manifests.ts, which `verify` uses for manifests: one bounded reader.
 */
import { isUtf8 } from 'node:buffer';
import * as yaml from 'js-yaml';
import { AliasBudget, ReadRefusal, mayShareNodes, readRegularFile } from '../analysis/manifests';
import type { SpecIssue } from './issues';
import { errnoAdvice, errnoWords } from './os-errors';

/** Limits of `readSpecFile`. */
export interface SpecReadLimits {
  /** Spec files larger than this are refused. @default MAX_SPEC_FILE_BYTES (4 MiB) */
  readonly maxFileBytes?: number;
  /**
   * How many nodes YAML aliases may add to a file (every alias counted as expanded), over one
   * node per character of the file. @default MAX_SPEC_ALIAS_NODES (100,000)
   */
  readonly maxAliasNodes?: number;
}

/** The default of `SpecReadLimits.maxFileBytes`: 4 MiB, far above any spec (the API server takes 1.5 MiB objects). */
export const MAX_SPEC_FILE_BYTES = 4 * 1024 * 1024;
/** The default of `SpecReadLimits.maxAliasNodes`. */
export const MAX_SPEC_ALIAS_NODES = 100_000;
/** At most this many string problems are reported per file. */
const MAX_STRING_ISSUES = 10;

/** One non-empty YAML document of a spec file. */
export interface ParsedDocument {
  /** 0-based position of the document in its file (empty documents count). */
  readonly index: number;
  readonly doc: unknown;
}

/** What `readSpecFile` read: the documents, or the problems that refused the file. */
export interface ParsedSpecFile {
  /** The non-empty documents; none when the file has an error. */
  readonly documents: ParsedDocument[];
  /** Errors (the file is refused), or a warning for a file without documents. */
  readonly issues: SpecIssue[];
}

/**
 * Reads and parses one spec file with bounds (see the top of this file). Every problem is an
 * issue of the file, with app `-` (or the document's name, for a problem of one document); a
 * file with an error yields no documents.
 */
export function readSpecFile(file: string, limits: SpecReadLimits = {}): ParsedSpecFile {
  const issue = (message: string, app = '-', field = ''): ParsedSpecFile => ({ documents: [], issues: [{ file, app, field, message }] });
  let bytes: Buffer;
  try {
    bytes = readRegularFile(file, limits.maxFileBytes ?? MAX_SPEC_FILE_BYTES);
  } catch (e) {
    if (e instanceof ReadRefusal) return issue(e.message === 'no such file' ? 'no such file or directory' : `not read: ${e.message}`);
    return issue(`cannot read the spec file: ${errnoWords(e)}: ${errnoAdvice(e)}`);
  }
  const encoding = utf8Problem(bytes);
  if (encoding) return issue(encoding);
  const text = bytes.toString('utf8');
  const control = controlProblem(text);
  if (control) return issue(control);
  let all: unknown[];
  try {
    all = yaml.loadAll(text, undefined, { filename: file });
  } catch (e) {
    if (e instanceof RangeError) return issue('is nested too deeply to parse: refused (a spec is a few levels deep)');
    const err = e as yaml.YAMLException;
    const where = err.mark ? ` at line ${err.mark.line + 1}, column ${err.mark.column + 1}` : '';
    // Name the document the error is in: the document starts (`---`) before the error's line.
    const document = err.mark ? 1 + text.split('\n').slice(0, err.mark.line).filter((l, i) => /^---(\s|$)/.test(l) && i > 0).length : undefined;
    return issue(`not valid YAML${where}: ${err.reason ?? err.message}`, document ? `document ${document}` : '-');
  }
  const documents: ParsedDocument[] = [];
  const budget = new AliasBudget(limits.maxAliasNodes ?? MAX_SPEC_ALIAS_NODES, text.length, mayShareNodes(text));
  for (let index = 0; index < all.length; index++) {
    const doc = all[index];
    if (doc === null || doc === undefined) continue;
    try {
      budget.spend(doc);
    } catch (e) {
      if (!(e instanceof ReadRefusal)) throw e;
      return issue(`document ${index + 1} ${e.message}`);
    }
    documents.push({ index, doc });
  }
  const strings = documents.flatMap((d) => stringIssues(file, d)).slice(0, MAX_STRING_ISSUES);
  if (strings.length > 0) return { documents: [], issues: strings };
  if (documents.length === 0) {
    return { documents, issues: [{ file, app: '-', field: '', warning: true, message: 'holds no YAML document (an empty file): nothing is synthesized from it' }] };
  }
  return { documents, issues: [] };
}

/** Why the bytes are not UTF-8 text (a leading byte order mark is fine), with the line and column; undefined when they are. */
export function utf8Problem(bytes: Buffer): string | undefined {
  if (isUtf8(bytes)) return undefined;
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return 'is UTF-16 (it starts with a UTF-16 byte order mark): save it as UTF-8';
  }
  const at = firstInvalidUtf8(bytes);
  const lineStart = bytes.lastIndexOf(0x0a, at - 1) + 1;
  let line = 1;
  for (let i = 0; i < lineStart; i++) if (bytes[i] === 0x0a) line++;
  const column = [...bytes.subarray(lineStart, at).toString('utf8')].length + 1;
  const byte = bytes[at];
  const latin1 = byte >= 0xa0 ? ` (${Buffer.from([byte]).toString('latin1')} in Latin-1)` : '';
  return `not valid UTF-8 at line ${line}, column ${column}: byte 0x${byte.toString(16).padStart(2, '0')}${latin1} does not start or continue a UTF-8 character: save the file as UTF-8`;
}

/**
 * A raw control character in the text (YAML allows tab, newline and carriage return only; a value
 * that needs one writes it as an escape in double quotes), with its line and column.
 */
function controlProblem(text: string): string | undefined {
  const m = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u0084\u0086-\u009f]/.exec(text);
  if (!m) return undefined;
  const before = text.slice(0, m.index);
  const line = before.split('\n').length;
  const column = [...before.slice(before.lastIndexOf('\n') + 1)].length + 1;
  const code = m[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase();
  return `contains the control character U+${code}${code === '0000' ? ' (NUL)' : ''} at line ${line}, column ${column}: YAML and Kubernetes cannot carry it: remove it`;
}

/** The offset of the first byte that is not part of a valid UTF-8 sequence (strict: no overlong forms, surrogates or code points past U+10FFFF). */
function firstInvalidUtf8(b: Buffer): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) { i++; continue; }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) { need = 2; if (c === 0xe0) lo = 0xa0; if (c === 0xed) hi = 0x9f; }
    else if (c >= 0xf0 && c <= 0xf4) { need = 3; if (c === 0xf0) lo = 0x90; if (c === 0xf4) hi = 0x8f; }
    else return i;
    for (let k = 1; k <= need; k++) {
      const n = b[i + k];
      if (n === undefined || n < (k === 1 ? lo : 0x80) || n > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return b.length;
}

/** NUL characters and unpaired surrogates in the strings (keys and values) of a document, as issues. */
function stringIssues(file: string, d: ParsedDocument): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const seen = new Set<object>();
  const app = documentLabel(d);
  const check = (s: string, field: string) => {
    const problem = stringProblem(s);
    if (problem && issues.length < MAX_STRING_ISSUES) issues.push({ file, app, field, message: problem });
  };
  const walk = (value: unknown, field: string) => {
    if (typeof value === 'string') { check(value, field); return; }
    if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value) || value instanceof Date || seen.has(value)) return;
    seen.add(value); // an aliased subtree is checked once, at its first path
    if (Array.isArray(value)) { value.forEach((v, i) => walk(v, `${field}[${i}]`)); return; }
    for (const [k, v] of Object.entries(value)) {
      const child = field ? `${field}.${k}` : k;
      check(k, child);
      walk(v, child);
    }
  };
  walk(d.doc, '');
  return issues;
}

/** What is wrong with a string of a spec; undefined when nothing is. */
export function stringProblem(s: string): string | undefined {
  const nul = s.indexOf('\0');
  if (nul !== -1) {
    return `contains a NUL character (\\0) at position ${nul + 1}: Kubernetes and container runtimes cannot carry it `
      + "(a process's environment and arguments end at the first NUL): remove it";
  }
  const lone = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.exec(s);
  if (lone) {
    return `contains \\u${lone[0].charCodeAt(0).toString(16)}, half of a UTF-16 surrogate pair, at position ${lone.index + 1}: UTF-8 cannot encode it; write the whole character`;
  }
  return undefined;
}

/** `metadata.name` of a document, or `document N`: how issues name it. */
function documentLabel(d: ParsedDocument): string {
  const doc = d.doc as { metadata?: { name?: unknown } } | null;
  const name = typeof doc === 'object' && doc !== null && typeof doc.metadata === 'object' && doc.metadata !== null ? doc.metadata.name : undefined;
  return typeof name === 'string' && name && stringProblem(name) === undefined ? name : `document ${d.index + 1}`;
}
