import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiObject, App, Chart, LazyResolver, NumberStringUnionResolver } from 'cdk8s';
import * as yaml from 'js-yaml';
import type { AppSpec } from '../spec/app-spec';
import type { IMeshProvider } from '../constructs/mesh/mesh-provider';
import { OsmSmiMesh } from '../constructs/mesh/osm/osm-smi-mesh';
import { SecureApp } from '../constructs/secure-app';
import { trustGraph, trustMarkdown, trustSvg } from './trust-graph';
import type { Problem } from '../spec/problems';
import { AppSpecError, validateAppSpec } from '../constructs/validate-spec';
import { dumpYaml } from '../render/yaml-dump';

/** One YAML document of a spec file. */
export interface SpecDocument {
  /** The file, as given (relative paths stay relative, for messages). */
  readonly file: string;
  /** 0-based position of the document in its file. */
  readonly index: number;
  readonly doc: unknown;
}

/** A problem in a spec, with where it is: `FILE: APP: field.path: message`. */
export interface SpecIssue {
  readonly file: string;
  readonly app: string;
  readonly field: string;
  readonly message: string;
  /** Reported, but does not stop synthesis. @default false */
  readonly warning?: boolean;
}

export function formatIssue(i: SpecIssue): string {
  return `${i.file}: ${i.app}: ${i.field ? `${i.field}: ` : ''}${i.warning ? 'warning: ' : ''}${i.message}`;
}

/** The folder name of the rendering without `--env`. */
export const BASE_ENV = 'base';

/** Lists spec files: files as given, directories searched (recursively) for *.yaml / *.yml, sorted. */
export function expandSpecPaths(paths: readonly string[]): { files: string[]; issues: SpecIssue[] } {
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

/** Reads every YAML document of the files; YAML syntax errors become issues. */
export function loadSpecFiles(paths: readonly string[]): { docs: SpecDocument[]; issues: SpecIssue[] } {
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

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep-merges `override` over `base`: objects merge, arrays and scalars replace, null removes. */
export function deepMerge(base: unknown, override: unknown): unknown {
  if (!isObject(base) || !isObject(override)) return override === undefined ? base : override;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(override)) {
    if (v === null) delete out[k];
    else out[k] = deepMerge(base[k], v);
  }
  return out;
}

/** The app document for an environment: `spec.environments[env]` merged over `spec`, without `environments`. */
export function forEnvironment(doc: unknown, env: string | undefined): unknown {
  if (!isObject(doc) || !isObject(doc.spec)) return doc;
  const { environments, ...spec } = doc.spec as Record<string, unknown>;
  const override = env !== undefined && isObject(environments) ? environments[env] : undefined;
  return { ...doc, spec: override === undefined ? spec : deepMerge(spec, override) };
}

/** A problem of a document's spec (of one of its environments, when `env` is given) as an issue. */
function specIssue(d: SpecDocument, env: string | undefined, p: Problem): SpecIssue {
  const app = appName(d);
  return { file: d.file, app: env ? `${app} (environment ${env})` : app, field: p.field, message: p.message, warning: p.warning };
}

function appName(d: SpecDocument): string {
  const name = isObject(d.doc) && isObject(d.doc.metadata) ? d.doc.metadata.name : undefined;
  return typeof name === 'string' && name ? name : `document ${d.index + 1}`;
}

export interface SynthOptions {
  /** Apply `spec.environments[env]`. @default - none (the base spec) */
  readonly env?: string;
  /** @default - Open Service Mesh with SMI */
  readonly mesh?: IMeshProvider;
  /** Called after each document with (done, total), e.g. for a progress indicator. @default - none */
  readonly onProgress?: (done: number, total: number) => void;
}

/** The outcome of validating and synthesizing spec documents. */
export interface SynthResult {
  /** Errors: when there are any, nothing is synthesized. */
  readonly issues: SpecIssue[];
  /** Warnings, which do not stop synthesis. */
  readonly warnings: SpecIssue[];
  /** Relative path (`<namespace>/<app>.yaml`, `kustomization.yaml`, `TRUST.md`, `trust.svg`) to content; empty when there are issues. */
  readonly files: Map<string, string>;
  readonly apps: number;
  readonly objects: number;
}

/**
 * Validates every document (the base spec and each of its environments) and reports every
 * problem; then, only when there are none, returns one YAML file per app. Each app is
 * synthesized on its own (its own App and Chart), so time grows linearly with the number of
 * apps, and each variant of a spec is validated exactly once.
 */
export function synthesizeDocuments(docs: readonly SpecDocument[], options: SynthOptions = {}): SynthResult {
  const mesh = options.mesh ?? new OsmSmiMesh();
  const issues: SpecIssue[] = [];
  const warnings: SpecIssue[] = [];
  const files = new Map<string, string>();
  const rendered: Array<{ rel: string; content: string }> = [];
  let objects = 0;
  let done = 0;
  // Each document with `--env` applied: rendered (when it defines that environment), checked
  // against the others and drawn in the trust graph.
  const variants = docs.map((d) => forEnvironment(d.doc, options.env));
  docs.forEach((d, i) => {
    options.onProgress?.(done++, docs.length);
    const ctx = { baseDir: path.dirname(d.file), mesh };
    const envs = environmentNames(d, issues);
    const target = options.env !== undefined && envs.includes(options.env) ? options.env : undefined;
    const report = (env: string | undefined) => (p: Problem) => (p.warning ? warnings : issues).push(specIssue(d, env, p));
    const tryRender = (): any[] | undefined => {
      try {
        const spec = target === options.env ? variants[i] : forEnvironment(d.doc, undefined);
        return renderApp(spec as AppSpec, ctx, report(target));
      } catch (e) {
        if (!(e instanceof AppSpecError)) throw e;
        e.problems.forEach(report(target));
        return undefined;
      }
    };
    // The base spec first: environments are only checked once it is valid.
    let manifests: any[] | undefined;
    if (target === undefined) {
      manifests = tryRender();
      if (!manifests) return;
    } else {
      const problems = validateAppSpec(forEnvironment(d.doc, undefined), ctx);
      problems.forEach(report(undefined));
      if (problems.some((p) => !p.warning)) return;
    }
    for (const env of envs.filter((e) => e !== target)) validateAppSpec(forEnvironment(d.doc, env), ctx).forEach(report(env));
    if (target !== undefined) {
      manifests = tryRender();
      if (!manifests) return;
    }
    if (!manifests || issues.length > 0) return; // nothing will be written: skip serializing
    const spec = d.doc as AppSpec;
    const rel = `${spec.metadata.namespace ?? 'default'}/${spec.metadata.name}.yaml`;
    objects += manifests.length;
    rendered.push({ rel, content: toYaml(manifests) });
  });
  options.onProgress?.(docs.length, docs.length);
  issues.push(...crossVariantIssues(docs, variants));
  if (issues.length > 0) return { issues, warnings, files, apps: 0, objects: 0 };
  rendered.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  for (const r of rendered) files.set(r.rel, r.content);
  files.set('kustomization.yaml', kustomization(rendered.map((r) => r.rel)));
  const graph = trustGraph(variants as AppSpec[]);
  files.set('TRUST.md', trustMarkdown(graph, options.env ?? BASE_ENV));
  files.set('trust.svg', trustSvg(graph));
  return { issues, warnings, files, apps: rendered.length, objects };
}

/** Problems between documents: the same app twice, or two apps owning one namespace. */
export function crossDocumentIssues(docs: readonly SpecDocument[], env?: string): SpecIssue[] {
  return crossVariantIssues(docs, docs.map((d) => forEnvironment(d.doc, env)));
}

/** `crossDocumentIssues` of documents already resolved for an environment (`variants[i]` of `docs[i]`). */
function crossVariantIssues(docs: readonly SpecDocument[], variants: readonly unknown[]): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const apps = new Map<string, SpecDocument>();
  const namespaceOwners = new Map<string, SpecDocument>();
  docs.forEach((d, i) => {
    const doc = variants[i] as AppSpec;
    if (!isObject(doc) || !isObject(doc.metadata) || typeof doc.metadata.name !== 'string') return;
    const namespace = typeof doc.metadata.namespace === 'string' ? doc.metadata.namespace : 'default';
    const key = `${namespace}/${doc.metadata.name}`;
    const other = apps.get(key);
    if (other) issues.push({ file: d.file, app: appName(d), field: 'metadata.name', message: `app ${key} is also defined in ${other.file}; (namespace, name) must be unique` });
    else apps.set(key, d);
    if (isObject(doc.spec) && doc.spec.ownsNamespace === true) {
      const owner = namespaceOwners.get(namespace);
      if (owner) issues.push({ file: d.file, app: appName(d), field: 'spec.ownsNamespace', message: `namespace ${JSON.stringify(namespace)} is already owned by ${appName(owner)} in ${owner.file}; one app per namespace may own it` });
      else namespaceOwners.set(namespace, d);
    }
  });
  return issues;
}

/** The environment names of a document, sorted; a malformed `environments` is an issue. */
function environmentNames(d: SpecDocument, issues: SpecIssue[]): string[] {
  const envs = isObject(d.doc) && isObject(d.doc.spec) ? d.doc.spec.environments : undefined;
  if (envs === undefined) return [];
  if (!isObject(envs) || Object.values(envs).some((v) => !isObject(v))) {
    issues.push({ file: d.file, app: appName(d), field: 'spec.environments', message: 'must map environment names to partial specs, e.g. { prod: { replicas: 4 } }' });
    return [];
  }
  return Object.keys(envs).sort();
}

/** Validates documents (the base spec, then each environment) without synthesizing; warnings are flagged. */
export function validateDocuments(docs: readonly SpecDocument[], mesh: IMeshProvider = new OsmSmiMesh()): SpecIssue[] {
  const issues: SpecIssue[] = [];
  for (const d of docs) {
    const ctx = { baseDir: path.dirname(d.file), mesh };
    const envs = environmentNames(d, issues);
    const baseProblems = validateAppSpec(forEnvironment(d.doc, undefined), ctx);
    for (const p of baseProblems) issues.push(specIssue(d, undefined, p));
    if (baseProblems.some((p) => !p.warning)) continue;
    for (const env of envs) {
      for (const p of validateAppSpec(forEnvironment(d.doc, env), ctx)) issues.push(specIssue(d, env, p));
    }
  }
  issues.push(...crossDocumentIssues(docs));
  return issues;
}

/**
 * Synthesizes one app spec into Kubernetes objects, in construct order. The app gets an App of
 * its own with only the resolvers its constructs need, and its objects are rendered directly,
 * without the app-wide dependency pass of `Chart.toJson()`, which is what makes synthesis of
 * many charts in one App grow quadratically. The output is the same as `App.synth`'s.
 */
export function synthesizeApp(spec: AppSpec, options: { mesh?: IMeshProvider; baseDir?: string } = {}): any[] {
  return renderApp(spec, options, () => undefined);
}

function renderApp(spec: AppSpec, options: { mesh?: IMeshProvider; baseDir?: string }, onWarning: (p: Problem) => void): any[] {
  const app = new App({ outdir: undefined, resolvers: [new LazyResolver(), new NumberStringUnionResolver()] });
  const chart = new Chart(app, String(spec?.metadata?.name ?? 'app'), { disableResourceNameHashes: true });
  const secureApp = new SecureApp(chart, 'App', { spec, mesh: options.mesh, baseDir: options.baseDir });
  secureApp.warnings.forEach(onWarning);
  return chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map((o) => o.toJson());
}

/** Serializes objects as a multi-document YAML stream: stable key order, no line folding, no anchors. */
export function toYaml(objects: readonly unknown[]): string {
  return objects.map((o) => dumpYaml(o)).join('---\n');
}

function kustomization(resources: string[]): string {
  return yaml.dump({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources }, { lineWidth: -1 });
}
