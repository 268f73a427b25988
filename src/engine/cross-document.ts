/**
 * Stage 5, cross-check: problems between the documents of a run that no single document shows.
 * Two kinds, by what they read:
 *
 * - `crossDocumentChecks`, over the documents as resolved for the run's environment: the same app
 *   twice, two apps owning one namespace;
 * - `duplicateObjectIssues`, over the objects rendered: one object per (API group, kind,
 *   namespace, name) across the whole output folder. `kubectl kustomize` refuses a folder with
 *   two ("already registered id"), and the API server would keep whichever was applied last.
 *
 * The cross-app checks that read what the apps declare of each other (mesh, ServiceAccounts,
 * hosts) are in cross-app.ts.
 */
import { apiGroupOf } from '../analysis/api-group';
import type { AppSpec } from '../spec/app-spec';
import type { ResolvedApp, ResolvedSet } from './environments';
import type { SpecIssue } from './issues';

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The documents of a run: the same app twice, or two apps owning one namespace. */
export function crossDocumentChecks(resolved: ResolvedSet): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const apps = new Map<string, ResolvedApp>();
  const namespaceOwners = new Map<string, ResolvedApp>();
  for (const app of resolved.apps) {
    const doc = app.spec as AppSpec;
    if (!isObject(doc) || !isObject(doc.metadata) || typeof doc.metadata.name !== 'string') continue;
    const namespace = typeof doc.metadata.namespace === 'string' ? doc.metadata.namespace : 'default';
    const key = `${namespace}/${doc.metadata.name}`;
    const other = apps.get(key);
    if (other) issues.push({ file: app.document.file, app: app.name, field: 'metadata.name', message: `app ${key} is also defined in ${other.document.file}; (namespace, name) must be unique` });
    else apps.set(key, app);
    if (isObject(doc.spec) && doc.spec.ownsNamespace === true) {
      const owner = namespaceOwners.get(namespace);
      if (owner) issues.push({ file: app.document.file, app: app.name, field: 'spec.ownsNamespace', message: `namespace ${JSON.stringify(namespace)} is already owned by ${owner.name} in ${owner.document.file}; one app per namespace may own it` });
      else namespaceOwners.set(namespace, app);
    }
  }
  return issues;
}

/** A file of the output folder with the objects it holds (`AppFile` of the pipeline). */
export interface RenderedFile {
  /** `<namespace>/<app>.yaml`, or `cluster.yaml`. */
  readonly path: string;
  readonly manifests: readonly any[];
}

/** Where an object came from, for messages. */
interface Writer {
  readonly file: string;
  readonly app: string;
  readonly output: string;
}

/** The spec field whose value names objects of a kind, for the message's hint. */
const NAMED_BY: { readonly [kind: string]: { field: string; hint: string } } = {
  ServiceAccount: { field: 'spec.serviceAccount', hint: 'choose another serviceAccount' },
  TrafficTarget: { field: 'spec.mesh.allow', hint: 'give the rule another name (spec.mesh.allow[].name; the default is <app>-from-<first caller ServiceAccount>)' },
  HTTPRouteGroup: { field: 'spec.mesh.allow', hint: 'give the rule another name (spec.mesh.allow[].name; the default is <app>-from-<first caller ServiceAccount>)' },
  TCPRoute: { field: 'spec.mesh.allow', hint: 'give the rule another name (spec.mesh.allow[].name; the default is <app>-from-<first caller ServiceAccount>)' },
  Egress: { field: 'spec.egress.to', hint: 'rename the destination (its objects are named <app>-<destination>)' },
  IngressBackend: { field: 'spec.mesh', hint: 'rename one app (an IngressBackend is named <app>, or <app>-<port> when several ports are reached from outside the mesh)' },
  NetworkPolicy: { field: 'metadata.name', hint: 'rename one app (NetworkPolicies are named <app>-<purpose>)' },
};

/**
 * One object per (API group, kind, namespace, name) across the output: every object written a
 * second time is an error of the app that writes it, naming the app and file that wrote it
 * first. `files` are the pipeline's output files; their apps are found in `resolved` by path.
 */
export function duplicateObjectIssues(files: readonly RenderedFile[], resolved: ResolvedSet): SpecIssue[] {
  const writers = new Map<string, Writer>();
  for (const app of resolved.apps) {
    const spec = app.spec as AppSpec;
    if (!isObject(spec) || !isObject(spec.metadata)) continue;
    const path = `${spec.metadata.namespace ?? 'default'}/${spec.metadata.name}.yaml`;
    if (!writers.has(path)) writers.set(path, { file: app.document.file, app: app.environment ? `${app.name} (environment ${app.environment})` : app.name, output: path });
  }
  const cluster = resolved.cluster;
  const writerOf = (path: string): Writer => writers.get(path)
    ?? (path === 'cluster.yaml' && cluster ? { file: cluster.document.file, app: cluster.name, output: path } : { file: '-', app: '-', output: path });
  const seen = new Map<string, Writer>();
  const issues: SpecIssue[] = [];
  for (const f of files) {
    const writer = writerOf(f.path);
    for (const o of f.manifests) {
      if (!isObject(o) || !isObject(o.metadata)) continue;
      const group = typeof o.apiVersion === 'string' ? apiGroupOf(o.apiVersion) ?? o.apiVersion : '';
      const namespace = typeof o.metadata.namespace === 'string' ? o.metadata.namespace : '';
      const key = `${group}\0${o.kind}\0${namespace}\0${o.metadata.name}`;
      const first = seen.get(key);
      if (!first) { seen.set(key, writer); continue; }
      const id = `${o.kind} ${namespace ? `${namespace}/` : ''}${o.metadata.name}`;
      const named = NAMED_BY[o.kind] ?? { field: 'metadata.name', hint: 'rename one of the two' };
      const by = first.output === writer.output ? 'this app writes it twice' : `${first.app} (${first.file}) writes it too, into ${first.output}`;
      issues.push({
        file: writer.file, app: writer.app, field: named.field,
        message: `writes ${id}, and ${by}: the output holds one object per namespace, kind and name (kubectl kustomize refuses two, the API server keeps the last applied); ${named.hint}`,
      });
    }
  }
  return issues;
}
