/**
 * The engine's entry points for library users and tests. Each is the pipeline (pipeline.ts) run
 * to the stage it needs; the stages themselves live in load.ts, environments.ts, pipeline.ts and
 * write.ts, and are re-exported here under the names this module has always had.
 */
import type { ClusterContext } from '../spec/cluster-context';
import type { AppDirectory } from '../spec/app-directory';
import type { AppSpec } from '../spec/app-spec';
import type { IMeshProvider } from '../constructs/mesh/mesh-provider';
import { resolveEnvironment } from './environments';
import { SpecIssue } from './issues';
import { SpecDocument, classifyDocuments } from './load';
import { PipelineStage, SynthOptions, buildAndRender, crossCheck, runPipeline } from './pipeline';

export { SpecIssue, formatIssue } from './issues';
export { SpecDocument, SpecPaths, LoadedSpecs, expandSpecPaths, loadSpecFiles } from './load';
export { BASE_ENV, deepMerge, forEnvironment } from './environments';
export { SynthOptions, toYaml } from './pipeline';

/** The outcome of validating and synthesizing spec documents. */
export interface SynthResult {
  /** Errors: when there are any, nothing is synthesized. */
  readonly issues: SpecIssue[];
  /** Warnings, which do not stop synthesis. */
  readonly warnings: SpecIssue[];
  /**
   * Relative path (`<namespace>/<app>.yaml`, `kustomization.yaml`, `TRUST.md`, `trust.svg`) to
   * content, in output order; empty when there are issues. TypeScript only (a Map): other
   * languages read `fileContents`.
   * @jsii ignore
   */
  readonly files: Map<string, string>;
  /** The same files as a map of path to content. */
  readonly fileContents: { [path: string]: string };
  /** Apps synthesized. */
  readonly apps: number;
  /** Objects synthesized. */
  readonly objects: number;
}

/**
 * Validates every document (the base spec and each of its environments) and reports every
 * problem; then, only when there are none, returns one YAML file per app. Each app is
 * synthesized on its own (its own App and Chart), so time grows linearly with the number of
 * apps, and each variant of a spec is validated exactly once.
 */
export function synthesizeDocuments(docs: readonly SpecDocument[], options: SynthOptions = {}): SynthResult {
  const result = runPipeline({ docs: [...docs], issues: [] }, { ...options, stopAfter: PipelineStage.SERIALIZE });
  return {
    issues: result.issues.filter((i) => !i.warning),
    warnings: result.issues.filter((i) => i.warning),
    files: result.files,
    fileContents: Object.fromEntries(result.files),
    apps: result.apps,
    objects: result.objects,
  };
}

/** Validates documents (the base spec, then each environment) without synthesizing; warnings are flagged. */
export function validateDocuments(docs: readonly SpecDocument[], mesh?: IMeshProvider): SpecIssue[] {
  return runPipeline({ docs: [...docs], issues: [] }, { mesh, stopAfter: PipelineStage.VALIDATE }).issues;
}

/** Problems between documents (resolved for `env`): the same app twice, or two apps owning one namespace. */
export function crossDocumentIssues(docs: readonly SpecDocument[], env?: string): SpecIssue[] {
  return crossCheck(resolveEnvironment(classifyDocuments([...docs]), env));
}

/** Where `synthesizeApp` finds the mesh and the spec's relative files. */
export interface SynthesizeAppOptions {
  /** @default - Open Service Mesh with SMI */
  readonly mesh?: IMeshProvider;
  /** The folder relative files of the spec are read from. @default - the current directory */
  readonly baseDir?: string;
  /** @default - OpenShift when the app has a route, plain Kubernetes otherwise; no mesh settings */
  readonly cluster?: ClusterContext;
  /** The other apps (for the app's egress). @default - this app alone */
  readonly directory?: AppDirectory;
}

/**
 * Synthesizes one app spec into Kubernetes objects, in construct order. The app gets an App of
 * its own with only the resolvers its constructs need, and its objects are rendered directly,
 * without the app-wide dependency pass of `Chart.toJson()`, which is what makes synthesis of
 * many charts in one App grow quadratically. The output is the same as `App.synth`'s. Throws an
 * `AppSpecError` when the spec has errors.
 */
export function synthesizeApp(spec: AppSpec, options: SynthesizeAppOptions = {}): any[] {
  return buildAndRender(spec, options);
}
