import * as path from 'node:path';
import { SpecIssue } from './issues';
import { setOwnProperty } from '../render/own-property';
import { SpecDocument, SpecSet, documentName } from './load';

/** The folder name of the rendering without `--env`. */
export const BASE_ENV = 'base';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep-merges `override` over `base`: objects merge, arrays and scalars replace, null removes. */
export function deepMerge(base: unknown, override: unknown): unknown {
  if (!isObject(base) || !isObject(override)) return override === undefined ? base : override;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(override)) {
    if (v === null) delete out[k];
    else setOwnProperty(out, k, deepMerge(Object.prototype.hasOwnProperty.call(base, k) ? base[k] : undefined, v)); // its own value: never an inherited one
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

/** An app document with the run's environment resolved: the output of the resolve stage. */
export interface ResolvedApp {
  readonly document: SpecDocument;
  /** How messages name the app (`metadata.name`, or `document N`). */
  readonly name: string;
  /** The folder relative files of the spec (certificates, CA bundles) are read from: the spec file's. */
  readonly baseDir: string;
  /** The environments the document defines, sorted; empty when `spec.environments` is malformed. */
  readonly environments: string[];
  /**
   * The run's environment, when the document defines it; otherwise the run renders the base spec.
   * @default - the base spec
   */
  readonly environment?: string;
  /**
   * The document as the run renders, cross-checks and draws it: `spec.environments[environment]`
   * merged over `spec`, or the base spec; without `environments` either way.
   */
  readonly spec: unknown;
  /** Problems found while resolving (a malformed `spec.environments`). */
  readonly issues: SpecIssue[];
}

/** The cluster document with the run's environment resolved. */
export interface ResolvedCluster {
  readonly document: SpecDocument;
  readonly name: string;
  /** `spec.environments[env]` merged over `spec`, without `environments`. */
  readonly spec: unknown;
  /** More than one cluster document, a malformed `spec.environments`. */
  readonly issues: SpecIssue[];
}

/** The output of the resolve stage: every document of the run, resolved for its environment. */
export interface ResolvedSet {
  /** The app documents, in the order loaded. */
  readonly apps: ResolvedApp[];
  /** The cluster document. @default - none (platform and mesh defaults) */
  readonly cluster?: ResolvedCluster;
}

/**
 * Stage 2, resolve environment: applies `--env` to every document. A document that does not
 * define the environment is rendered from its base spec.
 */
export function resolveEnvironment(specs: SpecSet, env: string | undefined): ResolvedSet {
  const [first, ...others] = specs.clusters;
  let cluster: ResolvedCluster | undefined;
  if (first) {
    const issues: SpecIssue[] = others.map((d) => ({
      file: d.file, app: documentName(d), field: 'kind',
      message: `a second Cluster document; the first is ${documentName(first)} in ${first.file}: one spec set describes one cluster`,
    }));
    const environments = environmentNames(first.doc);
    if (environments === undefined) issues.push({ file: first.file, app: documentName(first), field: 'spec.environments', message: 'must map environment names to partial specs, e.g. { prod: { platform: openshift } }' });
    const environment = env !== undefined && environments?.includes(env) ? env : undefined;
    cluster = { document: first, name: documentName(first), spec: forEnvironment(first.doc, environment), issues };
  }
  return { apps: specs.apps.map((d) => resolveApp(d, env)), cluster };
}

function resolveApp(d: SpecDocument, env: string | undefined): ResolvedApp {
  const name = documentName(d);
  const issues: SpecIssue[] = [];
  const environments = environmentNames(d.doc);
  if (environments === undefined) {
    issues.push({ file: d.file, app: name, field: 'spec.environments', message: 'must map environment names to partial specs, e.g. { prod: { replicas: 4 } }' });
  }
  const environment = env !== undefined && environments?.includes(env) ? env : undefined;
  return { document: d, name, baseDir: path.dirname(d.file), environments: environments ?? [], environment, spec: forEnvironment(d.doc, environment), issues };
}

/** The environment names of a document, sorted; undefined when `spec.environments` is malformed. */
function environmentNames(doc: unknown): string[] | undefined {
  const envs = isObject(doc) && isObject(doc.spec) ? doc.spec.environments : undefined;
  if (envs === undefined) return [];
  if (!isObject(envs) || Object.values(envs).some((v) => !isObject(v))) return undefined;
  return Object.keys(envs).sort();
}
