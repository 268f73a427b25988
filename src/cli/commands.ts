import * as path from 'node:path';
import type { AppSpec } from '../spec/app-spec';
import type * as CertificatesModule from '../engine/certificates';
import { BASE_ENV } from '../engine/environments';
import { SpecIssue, hasErrors } from '../engine/issues';
import { LoadedSpecs, loadSpecFiles } from '../engine/load';
import { PipelineResult, PipelineStage, runPipeline } from '../engine/pipeline';
import type { VerifyOptions } from '../engine/verify';
import type * as VerifyModule from '../engine/verify';
import type * as ManifestsModule from '../analysis/manifests';
import type { SourcedObject } from '../analysis/model';
import { ClusterContext } from '../spec/cluster-context';
import { compareTree, environmentFolder, existingResources, outputProblems, writeTreeAtomically } from '../engine/write';
import { OptionSpec, OptionTable, ParsedArgs, UsageError } from './args';
import { CliIo, count, printProblems, printWarnings, progressIndicator } from './output';

/**
 * What only some commands need, loaded when they run: the development certificates (`certs`; their
 * X.509 encoders and the cert-manager constructs) and the analysis (`verify`), so that `validate`
 * and `synth` do not pay for loading them.
 */
const certificates = () => require('../engine/certificates') as typeof CertificatesModule;
const verifying = () => require('../engine/verify') as typeof VerifyModule;
const manifests = () => require('../analysis/manifests') as typeof ManifestsModule;

/** One command of the CLI: what its help shows, and what it does. */
export interface Command {
  /** One line for the command list. */
  readonly summary: string;
  /** The arguments that are not options, as usage shows them (`SPEC...`). */
  readonly args: string;
  /** Its options (`--help` is added to every command). */
  readonly options: OptionTable;
  /** Command lines shown in its help. */
  readonly examples: string[];
  /** Listed, but not available yet. @default false */
  readonly reserved?: boolean;
  /** Runs the command; returns the exit status (0 ok, 1 problems or stale output, 2 usage). */
  run(args: ParsedArgs, io: CliIo): number;
}

/** The commands by name, in the order the help lists them. */
export interface CommandTable {
  readonly [name: string]: Command;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const out = (defaultDir: string, what: string): OptionSpec => ({ value: 'DIR', default: defaultDir, description: what });
const ENV: OptionSpec = {
  value: 'NAME',
  description: 'merge spec.environments.NAME over each spec that defines it (default: none, the base specs)',
  check: (v) => (DNS_LABEL.test(v) ? undefined : "is not a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit)"),
};
const DAYS: OptionSpec = {
  value: 'N',
  default: '30',
  description: 'how long the certificates are valid, in days (1 to 825)',
  check: (v) => (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 825 ? undefined : 'is not a whole number from 1 to 825'),
};
const QUIET: OptionSpec = { short: 'q', description: 'print nothing but problems and warnings' };
const ALLOW_EMPTY: OptionSpec = {
  description: 'accept a run with no app (or an --env no spec defines) instead of failing: an empty output folder deletes every app when a GitOps tool prunes',
};

/** The option `--debug` every command takes: stack traces for errors. */
export const DEBUG_OPTION: OptionSpec = { description: 'show the stack trace of an error (also CDK8S_ZEROTRUST_DEBUG=1)' };

/** The option `--help` every command takes. */
export const HELP_OPTION: OptionSpec = { short: 'h', description: 'show this help' };

/** The command table: a command is one entry here. */
export const COMMANDS: CommandTable = {
  synth: {
    summary: 'write manifests, one file per app',
    args: 'SPEC...',
    options: { 'out': out('dist', 'write DIR/ENV (ENV: the --env NAME, or "base"), replacing it as a whole'), 'env': ENV, 'allow-empty': ALLOW_EMPTY, 'quiet': QUIET },
    examples: ['cdk8s-zerotrust synth examples --out dist', 'cdk8s-zerotrust synth examples --out dist --env prod'],
    run: (args, io) => synthOrCheck('synth', args, io),
  },
  validate: {
    summary: 'check specs, write nothing',
    args: 'SPEC...',
    options: { 'allow-empty': ALLOW_EMPTY, 'quiet': QUIET },
    examples: ['cdk8s-zerotrust validate examples', 'cdk8s-zerotrust validate specs/app1.yaml specs/app2.yaml'],
    run: validate,
  },
  check: {
    summary: 'exit 1 if dist differs from a fresh synth',
    args: 'SPEC...',
    options: { 'out': out('dist', 'compare with DIR/ENV (ENV: the --env NAME, or "base")'), 'env': ENV, 'allow-empty': ALLOW_EMPTY, 'quiet': QUIET },
    examples: ['cdk8s-zerotrust check examples --out dist', 'cdk8s-zerotrust check examples --out dist --env prod'],
    run: (args, io) => synthOrCheck('check', args, io),
  },
  certs: {
    summary: 'write a dev CA and per-app server and client certificates (never into dist/)',
    args: 'SPEC...',
    options: { 'out': out('dev-certs', 'write into DIR, never under dist/ (the keys are private)'), 'days': DAYS, 'env': ENV, 'allow-empty': ALLOW_EMPTY, 'quiet': QUIET },
    examples: ['cdk8s-zerotrust certs examples', 'cdk8s-zerotrust certs examples --out dev-certs --days 7 --env prod'],
    run: certs,
  },
  verify: {
    summary: 'who can reach what in a folder of manifests (any manifests); with --specs, exit 1 unless it is exactly what the specs declare',
    args: 'DIR...',
    options: {
      specs: { value: 'PATH', description: 'the spec file or folder the manifests were synthesized from: compare with its intent (and take its Cluster document)' },
      env: ENV,
      platform: {
        value: 'NAME',
        description: 'kubernetes or openshift, without --specs (default: openshift when a Route is in the folder)',
        check: (v) => (v === 'kubernetes' || v === 'openshift' ? undefined : 'is not allowed; use "kubernetes" or "openshift"'),
      },
      all: { description: 'list denied paths too (default: allowed paths, and denied ones the specs declare)' },
      quiet: QUIET,
    },
    examples: [
      'cdk8s-zerotrust verify dist/base --specs examples',
      'cdk8s-zerotrust verify dist/prod --specs examples --env prod',
      'cdk8s-zerotrust verify ./my-manifests --platform kubernetes --all',
    ],
    run: verifyCommand,
  },
};

const text = (args: ParsedArgs, name: string): string | undefined => {
  const v = args.values[name];
  return typeof v === 'string' ? v : undefined;
};

/** `validate`: the pipeline up to the checks. */
function validate(args: ParsedArgs, io: CliIo): number {
  const loaded = loadSpecFiles(args.positionals);
  const result = runPipeline(loaded, { stopAfter: PipelineStage.VALIDATE });
  const issues = withLoadWarnings(loaded, result.issues);
  if (hasErrors(issues)) return printProblems(io, issues);
  printWarnings(io, issues);
  const empty = emptyRun(args, result.resolved.apps.length, undefined, result);
  if (empty) return refuse(io, empty);
  if (!args.values.quiet) io.out(`${count(result.resolved.apps.length, 'app')} valid`);
  return 0;
}

/** The load stage's warnings (a file with no document) before the run's issues. */
function withLoadWarnings(loaded: LoadedSpecs, issues: SpecIssue[]): SpecIssue[] {
  return [...(loaded.warnings ?? []), ...issues];
}

function refuse(io: CliIo, message: string): number {
  io.err(`cdk8s-zerotrust: ${message}`);
  return 1;
}

/**
 * Why a run that would write (or compare) nothing useful is refused, unless --allow-empty: no
 * app at all, or an --env that no spec defines (a typo writes the base specs under a new name).
 */
function emptyRun(args: ParsedArgs, apps: number, env: string | undefined, result: PipelineResult): string | undefined {
  if (args.values['allow-empty'] === true) return undefined;
  const given = args.positionals.join(' ');
  if (apps === 0) {
    return `no app in ${given}: nothing written (an empty output folder deletes every app when a GitOps tool prunes); `
      + 'check the paths, or pass --allow-empty if no app is what you want';
  }
  if (env === undefined) return undefined;
  const defined = new Set<string>();
  for (const a of result.resolved.apps) for (const e of a.environments) defined.add(e);
  const cluster = result.resolved.cluster?.document.doc as { spec?: { environments?: unknown } } | undefined;
  const clusterEnvs = cluster?.spec?.environments;
  if (typeof clusterEnvs === 'object' && clusterEnvs !== null) for (const e of Object.keys(clusterEnvs)) defined.add(e);
  if (defined.has(env)) return undefined;
  const known = defined.size > 0 ? `the specs define ${[...defined].sort().join(', ')}` : 'no spec defines any environment';
  return `--env ${env}: no spec defines the environment ${JSON.stringify(env)} (${known}): nothing written; `
    + `check the name, or pass --allow-empty to write the base specs as ${env}`;
}

/** The app files of an output (every YAML file but the kustomization and the cluster file). */
function appFiles(files: Iterable<string>): string[] {
  return [...files].filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml' && f !== 'cluster.yaml');
}

/**
 * What a new output removes compared with the folder it replaces: a note listing the apps, and a
 * warning when more than half of them go (a wrong path or a bad merge more likely than intent).
 */
function reportRemovedApps(io: CliIo, target: string, files: Map<string, string>, quiet: boolean): void {
  const before = existingResources(target);
  if (!before) return;
  const old = appFiles(before);
  const now = new Set(appFiles(files.keys()));
  const removed = old.filter((f) => !now.has(f));
  if (removed.length === 0) return;
  const list = `${removed.slice(0, 10).join(', ')}${removed.length > 10 ? `, and ${removed.length - 10} more` : ''}`;
  if (removed.length * 2 > old.length) {
    io.err(`cdk8s-zerotrust: warning: ${target} loses ${removed.length} of its ${count(old.length, 'app')} (${list}): if a spec path, a glob or --env is wrong, fix it and run again`);
  } else if (!quiet) {
    io.err(`cdk8s-zerotrust: ${target} loses ${count(removed.length, 'app')} of ${old.length}: ${list}`);
  }
}

/** `synth` and `check`: the pipeline up to the files, then written or compared. */
function synthOrCheck(command: 'synth' | 'check', args: ParsedArgs, io: CliIo): number {
  const started = process.hrtime.bigint();
  const outDir = text(args, 'out') ?? 'dist';
  const env = text(args, 'env');
  const quiet = args.values.quiet === true;
  const loaded = loadSpecFiles(args.positionals);
  const result = runPipeline(loaded, { env, onProgress: progressIndicator(quiet) });
  const issues = withLoadWarnings(loaded, result.issues);
  if (hasErrors(issues)) return printProblems(io, issues);
  printWarnings(io, issues);
  const empty = emptyRun(args, result.apps, env, result);
  if (empty) return refuse(io, empty);
  const target = environmentFolder(outDir, env ?? BASE_ENV);
  reportRemovedApps(io, target, result.files, quiet);
  if (command === 'check') return compare(target, result, args, io);
  const report = writeTreeAtomically(target, result.files);
  for (const r of report.recovered) io.err(`cdk8s-zerotrust: ${r}`);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (!quiet) io.out(`synthesized ${count(result.apps, 'app')}, ${count(result.objects, 'object')}, ${count(result.files.size, 'file')} into ${target} in ${ms.toFixed(0)} ms`);
  return 0;
}

function compare(target: string, result: PipelineResult, args: ParsedArgs, io: CliIo): number {
  const problems = outputProblems(target);
  const diffs = compareTree(target, result.files);
  if (diffs.length > 0 || problems.length > 0) {
    for (const d of diffs) io.err(d);
    for (const p of problems) io.err(`cdk8s-zerotrust: ${p}`);
    const env = text(args, 'env');
    const state = diffs.length > 0 ? 'is stale' : 'is up to date, but an interrupted run left it unclean';
    io.err(`cdk8s-zerotrust: ${target} ${state}; run: cdk8s-zerotrust synth ${args.positionals.join(' ')} --out ${text(args, 'out') ?? 'dist'}${env ? ` --env ${env}` : ''}`);
    return 1;
  }
  if (!args.values.quiet) io.out(`${target} is up to date (${result.apps} apps, ${result.files.size} files)`);
  return 0;
}

/**
 * `verify`: reads the folders as they are (any manifests), builds the truth table and, with
 * --specs, compares it with the specs' intent. Exit 1 when a declared path is denied, an allowed
 * path is not declared, a pod would not be admitted, or a file could not be read.
 */
function verifyCommand(args: ParsedArgs, io: CliIo): number {
  if (args.positionals.length === 0) throw new UsageError('give the folder (or file) of manifests to verify', 'verify');
  const specsPath = text(args, 'specs');
  const platform = text(args, 'platform');
  let options: VerifyOptions = platform ? { cluster: ClusterContext.fromSpec({ platform: platform as 'kubernetes' | 'openshift' }) } : {};
  if (specsPath !== undefined) {
    const run = runPipeline(loadSpecFiles([specsPath]), { env: text(args, 'env'), stopAfter: PipelineStage.VALIDATE });
    if (hasErrors(run.issues)) return printProblems(io, run.issues);
    options = { cluster: run.context.cluster, specs: run.context.directory.all.map((a) => a.spec) };
  }
  const { formatManifestProblem, loadManifests } = manifests();
  const { formatVerify, verifyObjects } = verifying();
  const objects: SourcedObject[] = [];
  const problems: string[] = [];
  for (const dir of args.positionals) {
    const loaded = loadManifests(dir);
    objects.push(...loaded.objects.map((o) => ({ ...o, file: path.join(dir, o.file) })));
    problems.push(...loaded.problems.map((p) => formatManifestProblem({ ...p, file: path.join(dir, p.file) })));
  }
  const result = verifyObjects(objects, options);
  const lines = formatVerify(result, args.values.all === true);
  if (!args.values.quiet) for (const l of lines.filter((x) => !/^(declared but denied|allowed but not declared|not admitted|client certificates not enforced): /.test(x))) io.out(l);
  for (const p of problems) io.err(`${p}`);
  for (const l of lines.filter((x) => /^(declared but denied|allowed but not declared|not admitted|client certificates not enforced): /.test(x))) io.err(l);
  const failures = result.missing.length + result.unexpected.length + result.notAdmitted.length + result.clientCertificatesNotEnforced.length + problems.length;
  if (failures > 0) {
    io.err(`cdk8s-zerotrust: verify found ${count(failures, 'problem')}${specsPath === undefined ? '' : ` against the specs in ${specsPath}`}`);
    return 1;
  }
  if (!args.values.quiet) io.out(specsPath === undefined ? 'verified: every pod is admitted (give --specs to compare with intent)' : `verified: the allowed paths are exactly the ${count(result.declared.length, 'path')} the specs declare, and every pod is admitted`);
  return 0;
}

/** `certs`: the pipeline up to the checks, then certificates for the apps as resolved. */
function certs(args: ParsedArgs, io: CliIo): number {
  const outDir = text(args, 'out') ?? 'dev-certs';
  const days = Number(text(args, 'days') ?? DAYS.default);
  const loaded = loadSpecFiles(args.positionals);
  const result = runPipeline(loaded, { env: text(args, 'env'), stopAfter: PipelineStage.VALIDATE });
  const issues = withLoadWarnings(loaded, result.issues);
  if (hasErrors(issues)) return printProblems(io, issues);
  const dist = path.resolve('dist');
  const full = path.resolve(outDir);
  if (full === dist || full.startsWith(`${dist}${path.sep}`)) {
    io.err(`cdk8s-zerotrust: certs --out ${outDir}: private keys never go into dist/ (it is committed and deployed); choose another folder, e.g. dev-certs`);
    return 2;
  }
  printWarnings(io, issues);
  const empty = emptyRun(args, result.resolved.apps.length, undefined, result);
  if (empty) return refuse(io, empty);
  const specs = result.resolved.apps.map((a) => a.spec as AppSpec);
  const report = writeTreeAtomically(full, certificates().devCertificateFiles(specs, days), { fileMode: 0o600, folderMode: 0o700, ownedWhen: ['ca.crt', 'ca.key'] });
  for (const r of report.recovered) io.err(`cdk8s-zerotrust: ${r}`);
  if (!args.values.quiet) io.out(`wrote a dev CA and certificates for ${count(specs.length, 'app')} into ${outDir} (valid ${days} days; keys are private, do not commit them)`);
  return 0;
}
