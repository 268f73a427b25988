import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import type { SpecIssue } from './issues';

/** One YAML document of a spec file. */
export interface SpecDocument {
  /** The file, as given (relative paths stay relative, for messages). */
  readonly file: string;
  /** 0-based position of the document in its file. */
  readonly index: number;
  /** The parsed document. */
  readonly doc: unknown;
}

/** The spec files found under the paths given. */
export interface SpecPaths {
  /** Files, sorted within each directory, each once. */
  readonly files: string[];
  /** Paths that do not exist. */
  readonly issues: SpecIssue[];
}

/** The output of the load stage: every document read, and what could not be read. */
export interface LoadedSpecs {
  readonly docs: SpecDocument[];
  /** Missing paths, YAML syntax errors, no paths at all. Any of them makes the run a validation run. */
  readonly issues: SpecIssue[];
}

/**
 * The documents of a run by kind: what the later stages iterate over. Each document kind has its
 * list here and its case in `classifyDocuments`.
 */
export interface SpecSet {
  /** `kind: App` documents, and documents of any kind not known (app validation names the kinds allowed). */
  readonly apps: SpecDocument[];
  /** `kind: Cluster` documents (at most one is allowed; the resolve stage reports more). */
  readonly clusters: SpecDocument[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Lists spec files: files as given, directories searched (recursively) for *.yaml / *.yml, sorted. */
export function expandSpecPaths(paths: readonly string[]): SpecPaths {
  const files: string[] = [];
  const issues: SpecIssue[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.ya?ml$/.test(entry.name)) files.push(full);
    }
  };
  for (const p of paths) {
    if (!fs.existsSync(p)) issues.push({ file: p, app: '-', field: '', message: 'no such file or directory' });
    else if (fs.statSync(p).isDirectory()) walk(p);
    else files.push(p);
  }
  return { files: [...new Set(files)], issues };
}

/**
 * Stage 1, load: reads every YAML document of the files (empty documents are skipped); YAML
 * syntax errors, missing paths and an empty path list become issues.
 */
export function loadSpecFiles(paths: readonly string[]): LoadedSpecs {
  const { files, issues } = expandSpecPaths(paths);
  const docs: SpecDocument[] = [];
  if (paths.length === 0) issues.push({ file: '-', app: '-', field: '', message: 'no spec files given' });
  for (const file of files) {
    try {
      const all = yaml.loadAll(fs.readFileSync(file, 'utf8'), undefined, { filename: file });
      all.forEach((doc, index) => { if (doc !== null && doc !== undefined) docs.push({ file, index, doc }); });
    } catch (e) {
      const err = e as yaml.YAMLException;
      const where = err.mark ? ` at line ${err.mark.line + 1}, column ${err.mark.column + 1}` : '';
      issues.push({ file, app: '-', field: '', message: `not valid YAML${where}: ${err.reason ?? err.message}` });
    }
  }
  return { docs, issues };
}

/** Stage 1, load (continued): sorts the documents by their `kind`, keeping their order within each kind. */
export function classifyDocuments(docs: SpecDocument[]): SpecSet {
  const apps: SpecDocument[] = [];
  const clusters: SpecDocument[] = [];
  for (const d of docs) {
    switch (documentKind(d)) {
      // A new document kind gets a case here and a list in SpecSet.
      case 'Cluster': clusters.push(d); break;
      default: apps.push(d);
    }
  }
  return { apps, clusters };
}

/** The `kind` of a document, when it has one. */
function documentKind(d: SpecDocument): string | undefined {
  return isObject(d.doc) && typeof d.doc.kind === 'string' ? d.doc.kind : undefined;
}

/** How messages name a document: its `metadata.name`, or `document N` (1-based within its file). */
export function documentName(d: SpecDocument): string {
  const name = isObject(d.doc) && isObject(d.doc.metadata) ? d.doc.metadata.name : undefined;
  return typeof name === 'string' && name ? name : `document ${d.index + 1}`;
}
