/**
 * The synthesis pipeline. Every command is this one sequence of stages over plain data, stopped
 * where the command needs it:
 *
 *   1. load                 `loadSpecFiles`, `classifyDocuments`   (load.ts)
 *   2. resolve environment  `resolveEnvironment`                   (environments.ts)
 *   3. validate             `validateApp`
 *   4. render               `renderApp` (`renderKept` keeps the objects for the analysis and the write)
 *   5. cross-check          `crossCheck`
 *   6. serialize            `serializeApp`, `outputTree`
 *   7. write                `writeTreeAtomically`, or `compareTree` for `check` (write.ts)
 *
 * `validate` and `certs` stop after 5 (`PipelineStage.VALIDATE`; `certs` then writes
 * `devCertificateFiles` of the resolved apps), `check` and `synth` run to 6
 * (`PipelineStage.SERIALIZE`) and then compare or write. Validation builds the constructs of the
 * variant the run renders, in the run's `PipelineContext` (what an app sees of the others and of
 * the cluster); rendering turns them into objects. Stages 3, 4 and 6 run one app at a time, so
 * that only an app's YAML outlives its construct tree.
 */
import type * as Cdk8s from 'cdk8s';
import type { Chart } from 'cdk8s';
import * as yaml from 'js-yaml';
import type { AppSpec } from '../spec/app-spec';
import type { Problem } from '../spec/problems';
import type { IMeshProvider } from '../constructs/mesh/mesh-provider';
import { meshProviderFor } from '../constructs/mesh/mesh-providers';
import type * as SecureAppModule from '../constructs/secure-app';
import { AppSpecError, SpecContext, directoryOfUsableApps, validateAppSpec, usableByOthers } from '../constructs/validate-spec';
import { manifestYaml } from '../render/yaml-dump';
import { isBuiltPlain } from '../render/built-plain';
import type * as FastRenderModule from '../render/fast-render';
import { BASE_ENV, ResolvedApp, ResolvedSet, forEnvironment, resolveEnvironment } from './environments';
import { SpecIssue, hasErrors, issueOf } from './issues';
import { LoadedSpecs, classifyDocuments } from './load';
import type * as TrustGraphModule from './trust-graph';
import type { ReachabilityReport } from '../analysis/reachability';
import { validateClusterSpec } from '../constructs/validate-cluster-spec';
import { AppDirectory } from '../spec/app-directory';
import { ClusterContext } from '../spec/cluster-context';
import type { ClusterSpecBody } from '../spec/cluster-spec';
import { crossAppIssues } from './cross-app';
import { collectBetweenPhases } from './phase-collection';
import { duplicateObjectIssues } from './cross-document';
import { crossDocumentChecks } from './cross-document';
import type * as VerifyModule from './verify';
import { jsonBytesBound, objectSizeIssues, sizedCopy } from './limits';
import { lazy } from '../constructs/lazy';

/**
 * Modules only some stages need, loaded on first use: `validate` (and `certs`) never build
 * constructs, analyse the output or draw the trust graph, so a validation run does not pay for
 * loading cdk8s' construct classes, the analysis and the drawing (see README "Performance").
 */
const cdk8s = lazy(() => require('cdk8s') as typeof Cdk8s);
const secureApp = lazy(() => require('../constructs/secure-app') as typeof SecureAppModule);
const trust = lazy(() => require('./trust-graph') as typeof TrustGraphModule);
const verify = lazy(() => require('./verify') as typeof VerifyModule);
const fastRender = lazy(() => require('../render/fast-render') as typeof FastRenderModule);

/** Where a run stops. */
export enum PipelineStage {
  /** After load, resolve environment, validate and cross-check: what `validate` and `certs` need. */
  VALIDATE = 'validate',
  /** After render and serialize too: the output files, in memory, for `check` to compare and `synth` to write. */
  SERIALIZE = 'serialize',
}

/** Options of `synthesizeDocuments`. */
export interface SynthOptions {
  /** Apply `spec.environments[env]`. @default - none (the base spec) */
  readonly env?: string;
  /** @default - Open Service Mesh with SMI */
  readonly mesh?: IMeshProvider;
  /**
   * Called before each app and at the end with (done, total), e.g. for a progress indicator.
   * TypeScript only: callbacks do not cross jsii.
   * @default - none
   * @jsii ignore
   */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Options of a pipeline run. */
export interface PipelineOptions extends SynthOptions {
  /** @default PipelineStage.SERIALIZE */
  readonly stopAfter?: PipelineStage;
}

/**
 * What validating and rendering an app may see besides its own spec, made once per run by
 * `pipelineContext` after the environment is resolved. Knowledge across apps (a directory of
 * every app of the run) and the cluster-level spec belong here, next to the mesh; `validateApp`
 * hands them to the app's constructs.
 */
export interface PipelineContext {
  /** The mesh that turns `spec.mesh` into policy objects. */
  readonly mesh: IMeshProvider;
  /** The cluster: the Cluster document's, or defaults. */
  readonly cluster: ClusterContext;
  /** Every app of the run, for what one app must know of the others (its egress, its callers' identities). */
  readonly directory: AppDirectory;
}

/** What a run found and made. */
export interface PipelineResult {
  /**
   * Every problem, errors and warnings (flagged), in the order found: per document its
   * resolution, its base spec, its other environments, the variant rendered; then the problems
   * between documents.
   */
  readonly issues: SpecIssue[];
  /** The documents of the run, resolved for its environment. */
  readonly resolved: ResolvedSet;
  /** Relative path to content; empty unless the run went to `SERIALIZE` without errors. */
  readonly files: Map<string, string>;
  /** Apps rendered (0 unless `files` is filled). */
  readonly apps: number;
  /** Objects rendered (0 unless `files` is filled). */
  readonly objects: number;
  /**
   * The context the run validated its apps in (see `pipelineContext`): its directory holds the
   * apps other apps may read, each asked once (`verify --specs` reads the specs from it); when
   * loading or the Cluster document failed, the context of no apps.
   */
  readonly context: PipelineContext;
}

/**
 * Runs the stages after loading (see the top of this file) over what `loadSpecFiles` read. A run
 * whose files did not all load stops after validation: nothing can be written, and every
 * document that did load is still checked. Nothing is rendered or serialized once there is an
 * error, but every document is still validated, so that all problems are reported at once.
 */
export function runPipeline(loaded: LoadedSpecs, options: PipelineOptions = {}): PipelineResult {
  // 1. load: the files were read by loadSpecFiles; their documents by kind
  const specs = classifyDocuments(loaded.docs);
  const stop = loaded.issues.length > 0 ? PipelineStage.VALIDATE : options.stopAfter ?? PipelineStage.SERIALIZE;
  // 2. resolve environment, then what every app may see of the run
  const resolved = resolveEnvironment(specs, options.env);
  const issues: SpecIssue[] = [...loaded.issues, ...clusterIssues(resolved), ...meshDefaultsWarning(resolved)];
  let failed = hasErrors(issues);
  // Which documents other apps may read (`usableByOthers`): asked once per run, for the directory and the cross-app checks.
  const usableSet = new Set(resolved.apps.map((a) => a.spec).filter(usableByOthers));
  const usable = (spec: unknown) => usableSet.has(spec);
  const context = pipelineContext(options, failed ? undefined : resolved, usable);
  const files: RenderedApp[] = [];
  const total = resolved.apps.length;
  resolved.apps.forEach((app, i) => {
    options.onProgress?.(i, total);
    // 3. validate
    const validated = validateApp(app, context, stop === PipelineStage.SERIALIZE);
    issues.push(...validated.issues);
    failed ||= hasErrors(validated.issues);
    // 4. render, while nothing has failed, one app at a time (6. serialize waits for the analysis: see `RenderedApp`)
    if (validated.chart !== undefined && !failed) {
      const { rendered, jsonBytesAtMost } = renderKept(outputPath(app), validated.chart);
      // 6. serialize: objects the API server would refuse (object, ConfigMap/Secret data, annotation sizes)
      const sizes = objectSizeIssues(app.document.file, app.environment ? `${app.name} (environment ${app.environment})` : app.name, rendered.manifests, jsonBytesAtMost);
      issues.push(...sizes);
      failed ||= hasErrors(sizes);
      if (!failed) files.push(rendered);
    }
  });
  options.onProgress?.(total, total);
  // 5. cross-check
  const between = [...crossCheck(resolved), ...crossAppIssues(crossAppEntries(resolved), context.cluster, context.directory, usable)];
  issues.push(...between);
  failed ||= hasErrors(between);
  if (stop === PipelineStage.VALIDATE || failed) return { issues, resolved, files: new Map(), apps: 0, objects: 0, context };
  // 5. cross-check (continued): the objects as a system, analysed as `verify` does
  const clusterFile = serializeCluster(context);
  if (clusterFile) files.push(clusterFile);
  const duplicates = duplicateObjectIssues([...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)), resolved); // in output order
  issues.push(...duplicates);
  if (hasErrors(duplicates)) return { issues, resolved, files: new Map(), apps: 0, objects: 0, context };
  // The analysis's report is only read for the warnings and the trust graph: neither outlives this block.
  const graph = (() => {
    const analysis = analyse(files, resolved, context);
    issues.push(...analysis.issues);
    const t = trust();
    return t.drawableGraph(t.trustGraph(analysis.report));
  })();
  collectBetweenPhases(); // the analysis's model and table are garbage now (see phase-collection.ts)
  // 6. serialize: the environment folder
  const objects = files.reduce((n, f) => n + f.objects, 0);
  return { issues, resolved, files: outputFolder(files, graph, options.env), apps: files.length - (clusterFile ? 1 : 0), objects, context };
}

/**
 * An app's objects until the run writes them: a plain copy of what rendering returned (or the
 * manifest itself when the fast rendering built it key by key: see `renderKept`). The copy is
 * smaller in memory (the objects the generated converters build have shapes of their own; copies
 * built key by key share them) and is what the cross-checks and the analysis read; the YAML is
 * written after the analysis, one file at a time, each app's objects released as it is written
 * (`outputFolder`), so that a run never holds every app's objects, its YAML and the analysis at once.
 */
interface RenderedApp {
  readonly path: string;
  /** How many objects (YAML documents) it holds. */
  readonly objects: number;
  /** The objects (emptied once written). */
  manifests: any[];
}

/**
 * Stage 4, render (`renderApp`), kept as a `RenderedApp`: each object as a plain copy, with an upper
 * bound of its size as JSON for `objectSizeIssues`, made by the same walk (`sizedCopy`). A manifest
 * the fast rendering built as plain data (`isBuiltPlain`) is kept as it is, and only measured.
 */
function renderKept(path: string, chart: Chart): { rendered: RenderedApp; jsonBytesAtMost: number[] } {
  const manifests: any[] = [];
  const jsonBytesAtMost: number[] = [];
  // Kept for reading only, so rendered sharing parts with the props (see `renderSharingProps`).
  fastRender().renderSharingProps(() => {
    for (const o of apiObjects(chart)) {
      const manifest = o.toJson();
      if (isBuiltPlain(manifest)) {
        manifests.push(manifest);
        jsonBytesAtMost.push(jsonBytesBound(manifest));
      } else {
        const sized = sizedCopy(manifest);
        manifests.push(sized.copy);
        jsonBytesAtMost.push(sized.jsonBytesAtMost);
      }
    }
  });
  return { rendered: { path, objects: manifests.length, manifests }, jsonBytesAtMost };
}

/** `<namespace>/<app>.yaml` */
function outputPath(app: ResolvedApp): string {
  const spec = app.spec as AppSpec;
  return `${spec.metadata.namespace ?? 'default'}/${spec.metadata.name}.yaml`;
}

/**
 * The context every app of a run is validated and rendered in: the mesh, the cluster (from the
 * Cluster document when the run has a valid one; otherwise OpenShift when an app has a route,
 * plain Kubernetes otherwise) and the directory of every app of the run that is `usableByOthers`
 * (`usable`: that check, or what a run has already found it to say of each document, so that
 * nobody asks again; it must agree with `usableByOthers`, since the directory's entries are then
 * not checked again).
 */
export function pipelineContext(options: SynthOptions, resolved?: ResolvedSet, usable: (spec: unknown) => boolean = usableByOthers): PipelineContext {
  const apps = (resolved?.apps ?? []).map((a) => a.spec).filter(usable) as AppSpec[];
  const clusterSpec = resolved?.cluster && isObject(resolved.cluster.spec) ? resolved.cluster.spec.spec as ClusterSpecBody : undefined;
  const cluster = clusterSpec
    ? ClusterContext.fromSpec(clusterSpec, resolved!.cluster!.name)
    : ClusterContext.fromSpec({ platform: apps.some((a) => a.spec.route !== undefined) ? 'openshift' : 'kubernetes' });
  return { mesh: options.mesh ?? meshProviderFor(cluster), cluster, directory: directoryOfUsableApps(new AppDirectory(apps)) };
}

/** A document that has the shape the directory reads (its full validation is the validate stage's). */
function isAppSpec(doc: unknown): doc is AppSpec {
  return isObject(doc) && (doc.kind === undefined || doc.kind === 'App') && isObject(doc.metadata) && typeof doc.metadata.name === 'string' && isObject(doc.spec)
    && (doc.metadata.namespace === undefined || typeof doc.metadata.namespace === 'string');
}

/**
 * One warning for a run with meshed apps and no mesh settings in a Cluster document: the mesh
 * then keeps its installation's defaults, which for OSM's chart are permissive mode and egress on
 * (every meshed caller allowed, any destination reachable), and nothing checks that the namespaces
 * of the router, the ingress controllers and the gateways are monitored.
 */
function meshDefaultsWarning(resolved: ResolvedSet): SpecIssue[] {
  const clusterMesh = resolved.cluster && isObject(resolved.cluster.spec) && isObject(resolved.cluster.spec.spec) ? resolved.cluster.spec.spec.mesh : undefined;
  const meshed = resolved.apps.find((a) => isAppSpec(a.spec) && a.spec.spec.mesh !== undefined);
  if (clusterMesh !== undefined || !meshed) return [];
  return [{
    file: meshed.document.file, app: meshed.name, field: 'spec.mesh', warning: true,
    message: 'meshed apps but no mesh settings (a kind: Cluster document with spec.mesh): the mesh keeps its installation\'s defaults, which for OSM are permissive mode and egress on (not zero trust); declare them so the MeshConfig is written and checked',
  }];
}

/** Stage 3, validate (the cluster): the Cluster document's problems, and more than one of them. */
export function clusterIssues(resolved: ResolvedSet): SpecIssue[] {
  const c = resolved.cluster;
  if (!c) return [];
  return [...c.issues, ...validateClusterSpec(c.spec).map((p) => issueOf(c.document.file, c.name, p))];
}

/** The cluster-wide objects (the mesh's settings), as the file `cluster.yaml`; none when there are none. */
function serializeCluster(context: PipelineContext): RenderedApp | undefined {
  const { App, Chart, LazyResolver, NumberStringUnionResolver } = cdk8s();
  const app = new App({ outdir: undefined, resolvers: [new LazyResolver(), new NumberStringUnionResolver()] });
  const chart = new Chart(app, 'cluster', { disableResourceNameHashes: true });
  context.mesh.bindCluster(chart, context.cluster);
  const { rendered } = renderKept('cluster.yaml', chart);
  return rendered.objects === 0 ? undefined : rendered;
}

/** The apps of a run for the cross-app checks. */
function crossAppEntries(resolved: ResolvedSet) {
  return resolved.apps.filter((a) => isAppSpec(a.spec)).map((a) => ({ file: a.document.file, label: a.environment ? `${a.name} (environment ${a.environment})` : a.name, spec: a.spec as AppSpec }));
}

/**
 * The written objects as one system, analysed as `verify` analyses a folder: a declared path that
 * the objects deny, an allowed path that no spec declares, or a pod that Pod Security admission
 * would reject is reported as a warning (each is a defect of this tool, or of a combination its
 * validation does not yet refuse). The report also draws the trust graph.
 */
function analyse(files: RenderedApp[], resolved: ResolvedSet, context: PipelineContext): { report: ReachabilityReport; issues: SpecIssue[] } {
  const objects = files.flatMap((f) => f.manifests.map((object, index) => ({ object, file: f.path, index })));
  const specs = resolved.apps.map((a) => a.spec).filter(isAppSpec);
  const result = verify().verifyObjects(objects, { specs, cluster: context.cluster, explain: false });
  const issue = (message: string): SpecIssue => ({ file: '-', app: '-', field: '', message, warning: true });
  return {
    report: result.report,
    issues: [
      ...result.missing.map((m) => issue(`the objects written deny a declared path: ${m.source} -> ${m.destination}: ${m.reason}`)),
      ...result.unexpected.map((u) => issue(`the objects written allow an undeclared path: ${u.source} -> ${u.destination}: ${u.reason}`)),
      ...result.notAdmitted.map((a) => issue(`a pod would not be admitted: ${a.reason}`)),
    ],
  };
}

/** An app after validation: its problems, and its constructs when they were built. */
export interface ValidatedApp {
  /** Errors and warnings, in the order found. */
  readonly issues: SpecIssue[];
  /** The construct tree of the variant the run renders. @default - not built (validation only, or errors) */
  readonly chart?: Chart;
}

/**
 * Stage 3, validate: checks every variant of an app, in a fixed order: the base spec first (its
 * environments are only checked once it is valid), then the other environments, and the variant
 * the run renders last. With `build`, that last variant is checked by building its constructs
 * (`SecureApp` validates its spec and refuses one with errors), so no variant is validated twice;
 * warnings of a variant with errors are then left out.
 */
export function validateApp(app: ResolvedApp, context: PipelineContext, build: boolean): ValidatedApp {
  const issues = [...app.issues];
  const specContext: SpecContext = { baseDir: app.baseDir, mesh: context.mesh, cluster: context.cluster, directory: context.directory };
  /** Records a variant's problems; returns whether any is an error. */
  const report = (env: string | undefined, problems: readonly Problem[]): boolean => {
    for (const p of problems) issues.push(issueOf(app.document.file, env ? `${app.name} (environment ${env})` : app.name, p));
    return problems.some((p) => !p.warning);
  };
  const rendered = app.environment;
  const variants: Array<string | undefined> = [undefined, ...app.environments.filter((e) => e !== rendered)];
  if (rendered !== undefined) variants.push(rendered);
  let chart: Chart | undefined;
  for (const env of variants) {
    let failed: boolean;
    if (env === rendered && build) {
      try {
        const built = buildApp(app.spec as AppSpec, specContext);
        failed = report(env, built.warnings);
        chart = built.chart;
      } catch (e) {
        if (!(e instanceof AppSpecError)) throw e;
        failed = report(env, e.problems);
      }
    } else {
      failed = report(env, validateAppSpec(env === rendered ? app.spec : forEnvironment(app.document.doc, env), specContext));
    }
    if (env === undefined && failed) break; // the base spec has errors: its environments would only repeat them
  }
  return { issues, chart };
}

/** An app's constructs, built. */
interface BuiltApp {
  readonly chart: Chart;
  /** Warnings about the spec; they do not stop synthesis. */
  readonly warnings: readonly Problem[];
}

/**
 * The constructs of one app: an App of its own with only the resolvers its constructs need, one
 * Chart, one SecureApp. Throws an `AppSpecError` when the spec has errors.
 */
function buildApp(spec: AppSpec, context: SpecContext): BuiltApp {
  const { App, Chart, LazyResolver, NumberStringUnionResolver } = cdk8s();
  const app = new App({ outdir: undefined, resolvers: [new LazyResolver(), new NumberStringUnionResolver()] });
  const chart = new Chart(app, String(spec?.metadata?.name || 'app'), { disableResourceNameHashes: true });
  const built = new (secureApp().SecureApp)(chart, 'App', { spec, mesh: context.mesh, baseDir: context.baseDir, cluster: context.cluster, directory: context.directory });
  return { chart, warnings: built.warnings };
}

/**
 * Stage 4, render: the Kubernetes objects of an app's constructs, in construct order. Each
 * object is rendered directly, without the app-wide dependency pass of `Chart.toJson()`, which is
 * what makes synthesis of many charts in one App grow quadratically; the output is the same as
 * `App.synth`'s.
 */
export function renderApp(chart: Chart): any[] {
  return apiObjects(chart).map((o) => o.toJson());
}

/** The ApiObjects of a chart, in construct order. */
function apiObjects(chart: Chart): Cdk8s.ApiObject[] {
  const { ApiObject } = cdk8s();
  return chart.node.findAll().filter((c): c is Cdk8s.ApiObject => c instanceof ApiObject);
}

/** `renderApp` of a spec's constructs (throws an `AppSpecError` when the spec has errors). */
export function buildAndRender(spec: AppSpec, context: SpecContext): any[] {
  return renderApp(buildApp(spec, context).chart);
}

/**
 * Stage 5, cross-check: problems between the documents of a run, as resolved for its environment:
 * the same app twice, or two apps owning one namespace.
 */
export function crossCheck(resolved: ResolvedSet): SpecIssue[] {
  return crossDocumentChecks(resolved);
}

/** One app's output file. */
export interface AppFile {
  /** `<namespace>/<app>.yaml` */
  readonly path: string;
  readonly content: string;
  /** How many objects (YAML documents) it holds. */
  readonly objects: number;
  /** The objects, for the analysis of the whole output. */
  readonly manifests: any[];
}

/** Stage 6, serialize: an app's objects as its output file. */
export function serializeApp(app: ResolvedApp, objects: any[]): AppFile {
  const spec = app.spec as AppSpec;
  return { path: `${spec.metadata.namespace ?? 'default'}/${spec.metadata.name}.yaml`, content: toYaml(objects), objects: objects.length, manifests: objects };
}

/** Serializes objects as a multi-document YAML stream: stable key order, no line folding, no anchors. */
export function toYaml(objects: readonly unknown[]): string {
  return objects.map((o) => manifestYaml(o)).join('---\n');
}

/**
 * Stage 6, serialize (continued): the files of an environment folder: the apps' files sorted by
 * path, `kustomization.yaml` listing them, and the trust graph (`TRUST.md`, `trust.svg`).
 */
export function outputTree(files: AppFile[], report: ReachabilityReport, env: string | undefined): Map<string, string> {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const tree = new Map<string, string>(sorted.map((f) => [f.path, f.content]));
  tree.set('kustomization.yaml', kustomization(sorted.map((f) => f.path)));
  const { drawableGraph, trustGraph } = trust();
  return withTrustGraph(tree, drawableGraph(trustGraph(report)), env);
}

/** `outputTree` of the run's rendered apps: each app's YAML written in path order, its objects released as it is. */
function outputFolder(files: RenderedApp[], graph: TrustGraphModule.TrustGraph, env: string | undefined): Map<string, string> {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const tree = new Map<string, string>();
  for (const f of sorted) {
    tree.set(f.path, toYaml(f.manifests));
    f.manifests = [];
  }
  tree.set('kustomization.yaml', kustomization(sorted.map((f) => f.path)));
  return withTrustGraph(tree, graph, env);
}

function withTrustGraph(tree: Map<string, string>, graph: TrustGraphModule.TrustGraph, env: string | undefined): Map<string, string> {
  const { trustMarkdown, trustSvg } = trust();
  tree.set('TRUST.md', trustMarkdown(graph, env ?? BASE_ENV));
  tree.set('trust.svg', trustSvg(graph));
  return tree;
}

function kustomization(resources: string[]): string {
  return yaml.dump({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources }, { lineWidth: -1 });
}

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
