import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import type { KubeObject, SourcedObject } from './model';

/**
 * Reads a folder of Kubernetes manifests (any tool's output or hand-written) into objects, with
 * every file or document that cannot be read reported as a problem instead of stopping the read.
 */

/** Something in the folder that was not read as objects, and why. */
export interface ManifestProblem {
  /** The file (or directory), relative to the folder given; the folder itself when it is the problem. */
  readonly file: string;
  /** 0-based document index in the file. @default - the whole file */
  readonly index?: number;
  /** 1-based line of a syntax error. @default - none */
  readonly line?: number;
  /** 1-based column of a syntax error. @default - none */
  readonly column?: number;
  /** One lowercase line: what is wrong and what is allowed. */
  readonly message: string;
}

/** Limits of `loadManifests`. */
export interface LoadManifestsOptions {
  /** Files larger than this are refused. @default 16 MiB */
  readonly maxFileBytes?: number;
  /**
   * How many nodes YAML aliases may add to a file: a file whose documents, with every alias
   * expanded, have more nodes than this plus the file's length in characters is refused.
   * @default 1,000,000
   */
  readonly maxAliasNodes?: number;
}

/** What `loadManifests` read. */
export interface LoadedManifests {
  /** The objects, in file order (files sorted by path), List items flattened. */
  readonly objects: SourcedObject[];
  readonly problems: ManifestProblem[];
}

/** The default of `LoadManifestsOptions.maxFileBytes`. */
export const DEFAULT_MAX_FILE_BYTES = 16 * 1024 * 1024;
/** The default of `LoadManifestsOptions.maxAliasNodes`. */
export const DEFAULT_MAX_ALIAS_NODES = 1_000_000;
/** Documents nested deeper than this are refused (no manifest comes close). */
export const MAX_DOCUMENT_DEPTH = 1000;

const MANIFEST_FILE = /\.(ya?ml|json)$/i;
/** kustomize's own files list resources; they are not objects of the cluster. */
const KUSTOMIZATION_FILE = /^kustomization\.ya?ml$/i;
const KUSTOMIZE_GROUP = 'kustomize.config.k8s.io/';

/**
 * YAML as the Kubernetes tools read it: the core schema (timestamps stay strings, as they do in
 * the string fields of the API) with `<<` merge keys.
 */
const SCHEMA = yaml.CORE_SCHEMA.extend({
  implicit: [new yaml.Type('tag:yaml.org,2002:merge', { kind: 'scalar', resolve: (data: unknown) => data === '<<' })],
});

/**
 * Reads every `*.yaml`, `*.yml` and `*.json` file under `dir` (recursively, in sorted order; `dir`
 * may also be one file). Only regular files and symbolic links to them are opened; kustomization
 * files are skipped; `List` kinds are flattened. Whatever cannot be read is a problem, and the read
 * goes on with the next document or file.
 */
export function loadManifests(dir: string, options: LoadManifestsOptions = {}): LoadedManifests {
  const reader = new ManifestReader(options);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch (e) {
    reader.problems.push({ file: dir, message: `cannot be read (${errorCode(e)}): give a folder of manifests or one manifest file` });
    return reader.result();
  }
  if (stat.isDirectory()) reader.walk(dir, '');
  else reader.readFile(dir, path.basename(dir));
  return reader.result();
}

/** `file:line:column: message`, `file: document N: message` or `file: message`, for the CLI. */
export function formatManifestProblem(p: ManifestProblem): string {
  if (p.line !== undefined) return `${p.file}:${p.line}:${p.column ?? 1}: ${p.message}`;
  return `${p.file}: ${p.message}`;
}

/** The walk's state: what was read so far. */
class ManifestReader {
  public readonly objects: SourcedObject[] = [];
  public readonly problems: ManifestProblem[] = [];
  private readonly maxFileBytes: number;
  private readonly maxAliasNodes: number;

  constructor(options: LoadManifestsOptions) {
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    this.maxAliasNodes = options.maxAliasNodes ?? DEFAULT_MAX_ALIAS_NODES;
  }

  public result(): LoadedManifests {
    return { objects: this.objects, problems: this.problems };
  }

  /** Reads the manifests of a directory, `rel` being its path relative to the root. */
  public walk(full: string, rel: string): void {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(full, { withFileTypes: true });
    } catch (e) {
      this.problems.push({ file: rel || '.', message: `directory cannot be read (${errorCode(e)})` });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const childFull = path.join(full, entry.name);
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) this.walk(childFull, childRel);
      else if (MANIFEST_FILE.test(entry.name)) this.readFile(childFull, childRel);
      else if (entry.isSymbolicLink()) this.checkLinkedDirectory(childFull, childRel);
    }
  }

  /** A symbolic link to a directory is not followed (it may loop): says so. */
  private checkLinkedDirectory(full: string, rel: string): void {
    if (statOrUndefined(full)?.isDirectory()) {
      this.problems.push({ file: rel, message: 'a symbolic link to a directory, not followed: only directories, regular files and symbolic links to files are read' });
    }
  }

  /** Reads one manifest file, after checking (without opening it) that it is a regular file. */
  public readFile(full: string, rel: string): void {
    if (KUSTOMIZATION_FILE.test(path.basename(full))) return;
    let text: string;
    try {
      text = readRegularFile(full, this.maxFileBytes).toString('utf8');
    } catch (e) {
      this.problems.push({ file: rel, message: e instanceof ReadRefusal ? e.message : `cannot be read (${errorCode(e)})` });
      return;
    }
    const json = /\.json$/i.test(full);
    const docs = json ? this.parseJson(text, rel) : this.parseYaml(text, rel);
    if (docs === undefined) return;
    const budget = new AliasBudget(this.maxAliasNodes, text.length, !json && mayShareNodes(text));
    docs.forEach((doc, index) => this.addDocument(doc, rel, index, budget));
  }

  /** The YAML documents of a file (empty ones included, as null), or undefined after a syntax problem. */
  private parseYaml(text: string, rel: string): unknown[] | undefined {
    try {
      return yaml.loadAll(text, undefined, { filename: rel, schema: SCHEMA });
    } catch (e) {
      const err = e as yaml.YAMLException;
      if (!err.mark) {
        this.problems.push({ file: rel, message: `not valid YAML: ${String(err.message ?? e).split('\n')[0]}` });
        return undefined;
      }
      const index = documentAtLine(text, err.mark.line);
      const message = `not valid YAML (document ${index + 1}): ${err.reason}: only YAML documents separated by --- are read`;
      this.problems.push({ file: rel, index, line: err.mark.line + 1, column: err.mark.column + 1, message });
      return undefined;
    }
  }

  /** The one document of a JSON file, or undefined after a syntax problem. */
  private parseJson(text: string, rel: string): unknown[] | undefined {
    try {
      return [JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)];
    } catch (e) {
      const message = String((e as Error).message);
      const at = /at position (\d+)/.exec(message);
      const { line, column } = lineAndColumn(text, at ? Number(at[1]) : text.length);
      this.problems.push({ file: rel, index: 0, line, column, message: `not valid JSON: ${message.replace(/ in JSON at position \d+.*$/, '').toLowerCase()}: a .json file holds one object (or a List)` });
      return undefined;
    }
  }

  /** Adds a document's objects, or a problem; empty documents and kustomize files are skipped. */
  private addDocument(doc: unknown, rel: string, index: number, budget: AliasBudget): void {
    if (doc === null || doc === undefined) return;
    try {
      budget.spend(doc);
    } catch (e) {
      if (!(e instanceof ReadRefusal)) throw e;
      this.problems.push({ file: rel, index, message: `document ${index + 1} ${e.message}` });
      return;
    }
    this.addObject(doc, rel, index, `document ${index + 1}`);
  }

  /** Adds an object, or the items of a List, or a problem naming `what` (a document or a List item). */
  private addObject(value: unknown, rel: string, index: number, what: string): void {
    if (isMapping(value) && typeof value.apiVersion === 'string' && value.apiVersion.startsWith(KUSTOMIZE_GROUP)) return;
    if (isMapping(value) && typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)) {
      value.items.forEach((item, i) => this.addObject(item, rel, index, `item ${i + 1} of the ${value.kind} in ${what}`));
      return;
    }
    const problem = objectProblem(value);
    if (problem) this.problems.push({ file: rel, index, message: `${what} ${problem}` });
    else this.objects.push({ object: value as KubeObject, file: rel, index });
  }
}

/**
 * Thrown for a file or document that is refused (not a regular file, too large, too many alias
 * nodes, too deep); its message is the problem's, without the path.
 */
export class ReadRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReadRefusal';
  }
}

/**
 * Reads a file only when it is a regular file (or a symbolic link to one) of at most `maxBytes`
 * bytes: checked with lstat/stat before opening (a FIFO, device or socket is never opened), then
 * opened without blocking and checked again on the descriptor (the path may have changed in
 * between), then read in chunks that stop past the limit (a file whose size the kernel does not
 * report is bounded too). Throws a `ReadRefusal` for a refused path, and the operating system's
 * error (with its `code`) for a path that cannot be read. The bounded reader of spec files and
 * of manifests.
 */
export function readRegularFile(full: string, maxBytes: number): Buffer {
  const refusal = refuseFile(full, maxBytes);
  if (refusal) throw new ReadRefusal(refusal);
  const fd = fs.openSync(full, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new ReadRefusal(`${fileType(stat)}, not a regular file: only regular files and symbolic links to them are read`);
    if (stat.size > maxBytes) throw new ReadRefusal(tooLarge(stat.size, maxBytes));
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(Math.max(stat.size - total + 1, 65536), maxBytes + 1 - total));
      const n = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      total += n;
      if (total > maxBytes) throw new ReadRefusal(`is larger than the limit of ${maxBytes} bytes: split it, or raise the limit`);
    }
    return Buffer.concat(chunks, total);
  } finally {
    fs.closeSync(fd);
  }
}

/** Why a path is not read (not a regular file, too large), from lstat/stat only; undefined when it is fine. */
function refuseFile(full: string, maxBytes: number): string | undefined {
  const lstat = fs.lstatSync(full, { throwIfNoEntry: false });
  if (!lstat) return 'no such file';
  const stat = lstat.isSymbolicLink() ? statOrUndefined(full) : lstat;
  if (!stat) return 'a symbolic link to nothing: only regular files and symbolic links to them are read';
  if (stat.isDirectory()) return 'a symbolic link to a directory, not followed: only directories, regular files and symbolic links to files are read';
  if (!stat.isFile()) return `${fileType(stat)}, not a regular file: only regular files and symbolic links to them are read`;
  if (stat.size > maxBytes) return tooLarge(stat.size, maxBytes);
  return undefined;
}

/**
 * Counts the nodes of documents as if every YAML alias were expanded, without expanding them:
 * js-yaml returns an aliased subtree as a shared reference, so the size of each distinct object
 * is computed once (memoised by identity). Throws a `ReadRefusal` past the budget, for a
 * recursive alias, or for nesting deeper than MAX_DOCUMENT_DEPTH. One budget per file: spend
 * each document of the file on it, before anything else walks the document.
 *
 * Documents that share no node (`shared` false: YAML text without a `*` where an alias can
 * start, see `mayShareNodes`, or JSON) are plain trees: they are counted without the memo and the
 * cycle check, which for a folder of thousands of files are most of the cost of counting.
 */
export class AliasBudget {
  private readonly sizes = new Map<object, number>();
  private readonly open = new Set<object>();
  private spent = 0;

  private readonly limit: number;

  /**
   * Without aliases a file has at most one node per character: aliases may add `aliasNodes` more.
   * `shared`: whether the documents may share nodes (may hold YAML aliases); see `mayShareNodes`.
   */
  constructor(private readonly aliasNodes: number, characters: number, private readonly shared: boolean = true) {
    this.limit = aliasNodes + characters;
  }

  /** Charges a document's expanded size to the budget. */
  public spend(doc: unknown): void {
    this.spent += this.size(doc, 0);
    if (this.spent > this.limit) throw this.tooLarge();
  }

  /**
   * The node count of `value` with every alias expanded. Documents that may share nodes have each
   * object's count memoised by identity and a cycle refused; a plain tree needs neither.
   */
  private size(value: unknown, depth: number): number {
    if (typeof value !== 'object' || value === null) return 1;
    if (this.shared) {
      const known = this.sizes.get(value);
      if (known !== undefined) return known;
      if (this.open.has(value)) throw new ReadRefusal('contains itself through a YAML alias: recursive documents are refused');
    }
    if (depth > MAX_DOCUMENT_DEPTH) throw new ReadRefusal(`is nested deeper than ${MAX_DOCUMENT_DEPTH} levels: refused`);
    if (this.shared) this.open.add(value);
    let total = 1;
    // for-in over own keys (Object.values' values, without allocating their list)
    for (const k in value) {
      if (!Object.prototype.hasOwnProperty.call(value, k)) continue;
      total += this.size((value as Record<string, unknown>)[k], depth + 1);
      if (this.spent + total > this.limit) throw this.tooLarge();
    }
    if (this.shared) {
      this.open.delete(value);
      this.sizes.set(value, total);
    }
    return total;
  }

  private tooLarge(): ReadRefusal {
    return new ReadRefusal(`expands to more than ${this.limit} nodes through YAML aliases: refused (aliases may add at most ${this.aliasNodes} nodes to a file)`);
  }
}

/**
 * Whether documents parsed from YAML `text` may share nodes. Only a YAML alias (`*name`) makes
 * js-yaml return one object in two places, and js-yaml reads an alias only where a node starts:
 * at the start of the text, or after white space, a line break, `[`, `{`, `,` or `:` (a `*`
 * elsewhere is inside a scalar: `.*`, `"*.example.com"`). A `*` in such a place inside a scalar
 * (`a *b`) only makes the answer a careful yes. The one other place, right after a `---` marker
 * (`---*a`), makes the alias a document's root, which js-yaml always refuses (its anchors are per
 * document): nothing is shared.
 */
export function mayShareNodes(text: string): boolean {
  // `/(?:^|[\s[{,:])\*/.test(text)`, by indexOf: a regular expression tried at every position of a large folder costs more.
  for (let i = text.indexOf('*'); i !== -1; i = text.indexOf('*', i + 1)) {
    if (i === 0 || BEFORE_ALIAS.test(text[i - 1])) return true;
  }
  return false;
}

/** What may come just before a `*` that js-yaml reads as an alias (see `mayShareNodes`; \s includes the byte order mark). */
const BEFORE_ALIAS = /[\s[{,:]/;

/** Why a value is not a Kubernetes object we can read; undefined when it is one. */
function objectProblem(value: unknown): string | undefined {
  const allowed = 'each document must be a Kubernetes object with apiVersion, kind and metadata.name (or a List with items)';
  if (!isMapping(value)) return `is ${describe(value)}, not an object: ${allowed}`;
  for (const field of ['apiVersion', 'kind'] as const) {
    if (typeof value[field] !== 'string' || value[field] === '') return `has no ${field}: ${allowed}`;
  }
  const metadata = value.metadata;
  if (!isMapping(metadata) || typeof metadata.name !== 'string' || metadata.name === '') return `(${value.kind}) has no metadata.name: ${allowed}`;
  const ref = `${value.kind} ${metadata.name}`;
  if (metadata.namespace !== undefined && metadata.namespace !== null && typeof metadata.namespace !== 'string') return `(${ref}) has a metadata.namespace that is not a string: the API server refuses it`;
  for (const field of ['labels', 'annotations'] as const) {
    const problem = stringMapProblem(metadata[field]);
    if (problem) return `(${ref}) has metadata.${field}${problem}: values must be strings (quote numbers and booleans), the API server refuses it`;
  }
  return undefined;
}

/** Why a label or annotation map is not a map of strings (`.key ...`); undefined when it is one or absent. */
function stringMapProblem(map: unknown): string | undefined {
  if (map === undefined || map === null) return undefined;
  if (!isMapping(map)) return ` that is ${describe(map)}, not a mapping`;
  const bad = Object.entries(map).find(([, v]) => typeof v !== 'string');
  return bad ? `.${bad[0]} set to ${describe(bad[1])}` : undefined;
}

function isMapping(value: unknown): value is { [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `a list`, `a string`, `the number 1.0`, ... for messages. */
function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return `the ${typeof value} ${String(value)}`;
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value}`;
}

/** `a FIFO`, `a socket`, ... for a path that is not a regular file. */
export function fileType(stat: fs.Stats): string {
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isDirectory()) return 'a directory';
  return 'a special file';
}

function tooLarge(size: number, limit: number): string {
  return `is ${size} bytes, larger than the limit of ${limit} bytes: split it, or raise the limit`;
}

function statOrUndefined(full: string): fs.Stats | undefined {
  try {
    return fs.statSync(full);
  } catch {
    return undefined;
  }
}

function errorCode(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? String((e as Error).message ?? e);
}

/** The 0-based document of a 0-based line: how many `---` markers start documents before it. */
function documentAtLine(text: string, line: number): number {
  const lines = text.split('\n', line + 1).slice(0, line);
  let markers = 0;
  let content = false;
  let firstIsMarker = false;
  for (const l of lines) {
    if (/^---(\s|$)/.test(l)) {
      if (!content && markers === 0) firstIsMarker = true;
      markers++;
      content = true;
    } else if (!content && l.trim() !== '' && !l.startsWith('#') && !l.startsWith('%')) {
      content = true;
    }
  }
  return Math.max(0, firstIsMarker ? markers - 1 : markers);
}

/** The 1-based line and column of a character offset. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}
