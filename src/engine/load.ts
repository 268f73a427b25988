import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SpecIssue } from './issues';
import { errnoAdvice, errnoWords } from './os-errors';
import { SpecReadLimits, readSpecFile } from './safe-read';
import { isOutputFolder, isOwnTemporaryName } from './write';

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
  /**
   * Paths that do not exist or cannot be read, folders without a spec file, an output folder
   * given as a spec.
   */
  readonly issues: SpecIssue[];
}

/** The output of the load stage: every document read, and what could not be read. */
export interface LoadedSpecs {
  readonly docs: SpecDocument[];
  /**
   * Errors only: missing or unreadable paths, folders without a spec file, files refused by the
   * bounded reader (not a regular file, too large, not UTF-8, YAML syntax, too many alias nodes,
   * a NUL character), no paths at all. Any of them makes the run a validation run.
   */
  readonly issues: SpecIssue[];
  /** Warnings that do not stop a run: a file with no document. @default - none */
  readonly warnings?: SpecIssue[];
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

/** Spec files in a folder: `*.yaml` and `*.yml`, in any case. */
const SPEC_FILE = /\.ya?ml$/i;
const byName = (a: fs.Dirent, b: fs.Dirent) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * Lists spec files: files as given, directories searched (recursively, following symbolic links
 * to folders once) for *.yaml / *.yml, sorted. Skipped in a folder: our own output folders
 * (`synth specs --out specs/dist` twice must not read its output as specs) and our temporary
 * folders. Loud: a path that does not exist (a pattern the shell left unexpanded is named as
 * such), a folder that cannot be read, a folder given that holds no spec file, an output folder
 * given as a spec.
 */
export function expandSpecPaths(paths: string[]): SpecPaths {
  const files: string[] = [];
  const issues: SpecIssue[] = [];
  const fail = (file: string, message: string) => issues.push({ file, app: '-', field: '', message });
  const walked = new Set<string>();
  const walk = (dir: string) => {
    let real: string;
    let entries: fs.Dirent[];
    try {
      real = fs.realpathSync(dir);
      if (walked.has(real)) return; // a symbolic link back to a folder already read
      walked.add(real);
      entries = fs.readdirSync(dir, { withFileTypes: true }).sort(byName);
    } catch (e) {
      fail(dir, `cannot read the folder: ${errnoWords(e)}: ${errnoAdvice(e)}`);
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      let isDir = entry.isDirectory();
      if (entry.isSymbolicLink()) {
        try {
          isDir = fs.statSync(full, { throwIfNoEntry: false })?.isDirectory() ?? false;
        } catch {
          isDir = false; // a link that cannot be followed: read as a file, which names the problem
        }
      }
      if (isDir) {
        if (!isOwnTemporaryName(entry.name) && !isOutputFolder(full)) walk(full);
      } else if (SPEC_FILE.test(entry.name)) {
        files.push(full); // a FIFO, device or dangling link named *.yaml is refused when read, naming it
      }
    }
  };
  for (const p of paths) {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(p, { throwIfNoEntry: false });
    } catch (e) {
      fail(p, `cannot read: ${errnoWords(e)}: ${errnoAdvice(e)}`);
      continue;
    }
    if (!stat) {
      if (fs.lstatSync(p, { throwIfNoEntry: false })?.isSymbolicLink()) fail(p, 'a symbolic link to nothing: give an existing spec file or folder');
      else if (/[*?[]/.test(p)) fail(p, 'no such file or directory: a pattern that matched nothing (the shell passes it on unexpanded): check it');
      else fail(p, 'no such file or directory');
    } else if (stat.isDirectory()) {
      if (isOutputFolder(p)) {
        fail(p, 'is an output folder of cdk8s-zerotrust (it holds the kustomization.yaml and TRUST.md that synth writes), not specs: give the spec folder');
        continue;
      }
      const before = files.length;
      const problems = issues.length;
      walk(p);
      if (files.length === before && issues.length === problems) fail(p, 'no *.yaml or *.yml file in this folder or its subfolders: give the folder that holds the specs');
    } else {
      files.push(p);
    }
  }
  return { files: [...new Set(files)], issues };
}

/**
 * Stage 1, load: reads every YAML document of the files with the bounded reader (safe-read.ts;
 * empty documents are skipped); unreadable or refused files, YAML syntax errors, missing paths
 * and an empty path list become issues; a file with no document is a warning.
 */
export function loadSpecFiles(paths: string[], limits: SpecReadLimits = {}): LoadedSpecs {
  const { files, issues } = expandSpecPaths(paths);
  const warnings: SpecIssue[] = [];
  const docs: SpecDocument[] = [];
  if (paths.length === 0) issues.push({ file: '-', app: '-', field: '', message: 'no spec files given' });
  for (const file of files) {
    const read = readSpecFile(file, limits);
    for (const i of read.issues) (i.warning ? warnings : issues).push(i);
    for (const d of read.documents) docs.push({ file, index: d.index, doc: d.doc });
  }
  return { docs, issues, warnings };
}

/** Stage 1, load (continued): sorts the documents by their `kind`, keeping their order within each kind. */
export function classifyDocuments(docs: SpecDocument[]): SpecSet {
  const apps: SpecDocument[] = [];
  const clusters: SpecDocument[] = [];
  for (const d of docs) {
    switch (documentKind(d)) {
      // A new document kind gets a case here and a list in SpecSet.
      case 'Cluster':
        // Only our Cluster (a Cluster API `kind: Cluster` has another apiVersion: app validation refuses it by name).
        if (isObject(d.doc) && (d.doc.apiVersion === undefined || d.doc.apiVersion === 'cdk8s-zerotrust/v1alpha1')) clusters.push(d);
        else apps.push(d);
        break;
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
