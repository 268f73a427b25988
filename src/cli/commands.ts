import * as path from 'node:path';
import type { AppSpec } from '../spec/app-spec';
import { devCertificateFiles } from '../engine/certificates';
import { BASE_ENV } from '../engine/environments';
import { hasErrors } from '../engine/issues';
import { loadSpecFiles } from '../engine/load';
import { PipelineResult, PipelineStage, pipelineContext, runPipeline } from '../engine/pipeline';
import { VerifyOptions, formatVerify, verifyObjects } from '../engine/verify';
import { formatManifestProblem, loadManifests } from '../analysis/manifests';
import type { SourcedObject } from '../analysis/model';
import { ClusterContext } from '../spec/cluster-context';
import { compareTree, writeTreeAtomically } from '../engine/write';
import { OptionSpec, OptionTable, ParsedArgs, UsageError } from './args';
import { CliIo, count, printProblems, printWarnings, progressIndicator } from './output';

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

/** The option `--help` every command takes. */
export const HELP_OPTION: OptionSpec = { short: 'h', description: 'show this help' };

/** The command table: a command is one entry here. */
export const COMMANDS: CommandTable = {
  synth: {
    summary: 'write manifests, one file per app',
    args: 'SPEC...',
    options: { out: out('dist', 'write DIR/ENV (ENV: the --env NAME, or "base"), replacing it as a whole'), env: ENV, quiet: QUIET },
    examples: ['cdk8s-zerotrust synth examples --out dist', 'cdk8s-zerotrust synth examples --out dist --env prod'],
    run: (args, io) => synthOrCheck('synth', args, io),
  },
  validate: {
    summary: 'check specs, write nothing',
    args: 'SPEC...',
    options: { quiet: QUIET },
    examples: ['cdk8s-zerotrust validate examples', 'cdk8s-zerotrust validate specs/app1.yaml specs/app2.yaml'],
    run: validate,
  },
  check: {
    summary: 'exit 1 if dist differs from a fresh synth',
    args: 'SPEC...',
    options: { out: out('dist', 'compare with DIR/ENV (ENV: the --env NAME, or "base")'), env: ENV, quiet: QUIET },
    examples: ['cdk8s-zerotrust check examples --out dist', 'cdk8s-zerotrust check examples --out dist --env prod'],
    run: (args, io) => synthOrCheck('check', args, io),
  },
  certs: {
    summary: 'write a dev CA and per-app server and client certificates (never into dist/)',
    args: 'SPEC...',
    options: { out: out('dev-certs', 'write into DIR, never under dist/ (the keys are private)'), days: DAYS, env: ENV, quiet: QUIET },
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
  const result = runPipeline(loadSpecFiles(args.positionals), { stopAfter: PipelineStage.VALIDATE });
  if (hasErrors(result.issues)) return printProblems(io, result.issues);
  printWarnings(io, result.issues);
  if (!args.values.quiet) io.out(`${count(result.resolved.apps.length, 'app')} valid`);
  return 0;
}

/** `synth` and `check`: the pipeline up to the files, then written or compared. */
function synthOrCheck(command: 'synth' | 'check', args: ParsedArgs, io: CliIo): number {
  const started = process.hrtime.bigint();
  const outDir = text(args, 'out') ?? 'dist';
  const env = text(args, 'env');
  const quiet = args.values.quiet === true;
  const result = runPipeline(loadSpecFiles(args.positionals), { env, onProgress: progressIndicator(quiet) });
  if (hasErrors(result.issues)) return printProblems(io, result.issues);
  printWarnings(io, result.issues);
  const target = path.join(outDir, env ?? BASE_ENV);
  if (command === 'check') return compare(target, result, args, io);
  writeTreeAtomically(target, result.files);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (!quiet) io.out(`synthesized ${count(result.apps, 'app')}, ${count(result.objects, 'object')}, ${count(result.files.size, 'file')} into ${target} in ${ms.toFixed(0)} ms`);
  return 0;
}

function compare(target: string, result: PipelineResult, args: ParsedArgs, io: CliIo): number {
  const diffs = compareTree(target, result.files);
  if (diffs.length > 0) {
    for (const d of diffs) io.err(d);
    const env = text(args, 'env');
    io.err(`cdk8s-zerotrust: ${target} is stale; run: cdk8s-zerotrust synth ${args.positionals.join(' ')} --out ${text(args, 'out') ?? 'dist'}${env ? ` --env ${env}` : ''}`);
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
    const context = pipelineContext({}, run.resolved);
    options = { cluster: context.cluster, specs: context.directory.all.map((a) => a.spec) };
  }
  const objects: SourcedObject[] = [];
  const problems: string[] = [];
  for (const dir of args.positionals) {
    const loaded = loadManifests(dir);
    objects.push(...loaded.objects.map((o) => ({ ...o, file: path.join(dir, o.file) })));
    problems.push(...loaded.problems.map((p) => formatManifestProblem({ ...p, file: path.join(dir, p.file) })));
  }
  const result = verifyObjects(objects, options);
  const lines = formatVerify(result, args.values.all === true);
  if (!args.values.quiet) for (const l of lines.filter((x) => !/^(declared but denied|allowed but not declared|not admitted): /.test(x))) io.out(l);
  for (const p of problems) io.err(`${p}`);
  for (const l of lines.filter((x) => /^(declared but denied|allowed but not declared|not admitted): /.test(x))) io.err(l);
  const failures = result.missing.length + result.unexpected.length + result.notAdmitted.length + problems.length;
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
  const result = runPipeline(loadSpecFiles(args.positionals), { env: text(args, 'env'), stopAfter: PipelineStage.VALIDATE });
  if (hasErrors(result.issues)) return printProblems(io, result.issues);
  const dist = path.resolve('dist');
  const full = path.resolve(outDir);
  if (full === dist || full.startsWith(`${dist}${path.sep}`)) {
    io.err(`cdk8s-zerotrust: certs --out ${outDir}: private keys never go into dist/ (it is committed and deployed); choose another folder, e.g. dev-certs`);
    return 2;
  }
  printWarnings(io, result.issues);
  const specs = result.resolved.apps.map((a) => a.spec as AppSpec);
  writeTreeAtomically(full, devCertificateFiles(specs, days), 0o600);
  if (!args.values.quiet) io.out(`wrote a dev CA and certificates for ${count(specs.length, 'app')} into ${outDir} (valid ${days} days; keys are private, do not commit them)`);
  return 0;
}
