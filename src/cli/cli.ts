import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AppSpec } from '../spec/app-spec';
import { DevCertificateAuthority, appCertificateNames } from '../engine/dev-certs';
import { BASE_ENV, SpecIssue, forEnvironment, formatIssue, loadSpecFiles, synthesizeDocuments, validateDocuments } from '../engine/synth';

const USAGE = `usage:
  cdk8s-zerotrust synth SPEC... [--out dist] [--env NAME]   write manifests, one file per app
  cdk8s-zerotrust validate SPEC...                            check specs, write nothing
  cdk8s-zerotrust check SPEC... [--out dist] [--env NAME]   exit 1 if dist differs from a fresh synth
  cdk8s-zerotrust certs SPEC... [--out dev-certs] [--days 30] [--env NAME]
                                                            write a dev CA and per-app server and client
                                                            certificates (never into dist/)

SPEC is a YAML file or a directory searched for *.yaml. Output goes to OUT/ENV/NAMESPACE/APP.yaml
(ENV is "${BASE_ENV}" without --env) with a kustomization.yaml per environment folder.`;

/** Where the CLI writes its output (stdout and stderr by default). */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

interface Args {
  command: string;
  specs: string[];
  out: string;
  env?: string;
  days: number;
  quiet: boolean;
}

function parseArgs(argv: string[]): Args {
  const [command, ...rest] = argv;
  let out: string | undefined;
  const args: Args = { command: command ?? '', specs: [], out: '', days: 30, quiet: false };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const value = (): string => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : rest[++i];
      if (v === undefined || v === '') throw new UsageError(`${a.split('=')[0]} needs a value`);
      return v;
    };
    if (a === '--out' || a.startsWith('--out=')) out = value();
    else if (a === '--days' || a.startsWith('--days=')) {
      const v = value();
      args.days = Number(v);
      if (!/^\d+$/.test(v) || args.days < 1 || args.days > 825) throw new UsageError(`--days ${JSON.stringify(v)} is not a whole number from 1 to 825`);
    }
    else if (a === '--env' || a.startsWith('--env=')) args.env = value();
    else if (a === '--quiet' || a === '-q') args.quiet = true;
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else args.specs.push(a);
  }
  args.out = out ?? (args.command === 'certs' ? 'dev-certs' : 'dist');
  if (args.env !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(args.env)) {
    throw new UsageError(`--env ${JSON.stringify(args.env)} is not a DNS-1123 label`);
  }
  return args;
}

class UsageError extends Error {}

/** `1 app`, `2 apps` */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Runs the CLI; returns the exit code (0 ok, 1 invalid specs or stale output, 2 usage). */
export function main(argv: string[], io: CliIo = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) }): number {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    io.err(`cdk8s-zerotrust: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.command === 'help' || args.command === '--help' || args.command === '-h') { io.out(USAGE); return 0; }
  if (!['synth', 'validate', 'check', 'certs'].includes(args.command)) {
    io.err(`cdk8s-zerotrust: ${args.command ? `unknown command ${JSON.stringify(args.command)}` : 'no command given'}\n${USAGE}`);
    return 2;
  }
  const started = process.hrtime.bigint();
  const loaded = loadSpecFiles(args.specs);
  const warn = (warnings: SpecIssue[]) => { for (const w of warnings) io.err(formatIssue(w)); };
  const report = (all: SpecIssue[]) => {
    const issues = all.filter((i) => !i.warning);
    warn(all.filter((i) => i.warning));
    for (const i of issues) io.err(formatIssue(i));
    io.err(`cdk8s-zerotrust: ${count(issues.length, 'problem')} found; nothing written`);
    return 1;
  };
  if (loaded.issues.length > 0) return report([...loaded.issues, ...validateDocuments(loaded.docs)]);

  if (args.command === 'validate') {
    const issues = validateDocuments(loaded.docs);
    if (issues.some((i) => !i.warning)) return report(issues);
    warn(issues);
    if (!args.quiet) io.out(`${count(loaded.docs.length, 'app')} valid`);
    return 0;
  }

  if (args.command === 'certs') {
    const issues = validateDocuments(loaded.docs);
    if (issues.some((i) => !i.warning)) return report(issues);
    const dist = path.resolve('dist');
    const full = path.resolve(args.out);
    if (full === dist || full.startsWith(`${dist}${path.sep}`)) {
      io.err(`cdk8s-zerotrust: certs --out ${args.out}: private keys never go into dist/ (it is committed and deployed); choose another folder, e.g. dev-certs`);
      return 2;
    }
    const files = devCertificateFiles(loaded.docs.map((d) => forEnvironment(d.doc, args.env) as AppSpec), args.days);
    writeTreeAtomically(full, files, 0o600);
    if (!args.quiet) io.out(`wrote a dev CA and certificates for ${count(loaded.docs.length, 'app')} into ${args.out} (valid ${args.days} days; keys are private, do not commit them)`);
    return 0;
  }

  const result = synthesizeDocuments(loaded.docs, { env: args.env, onProgress: progressIndicator(loaded.docs.length, args.quiet) });
  if (result.issues.length > 0) return report([...result.warnings, ...result.issues]);
  warn(result.warnings);
  const target = path.join(args.out, args.env ?? BASE_ENV);

  if (args.command === 'check') {
    const diffs = compareTree(target, result.files);
    if (diffs.length > 0) {
      for (const d of diffs) io.err(d);
      io.err(`cdk8s-zerotrust: ${target} is stale; run: cdk8s-zerotrust synth ${args.specs.join(' ')} --out ${args.out}${args.env ? ` --env ${args.env}` : ''}`);
      return 1;
    }
    if (!args.quiet) io.out(`${target} is up to date (${result.apps} apps, ${result.files.size} files)`);
    return 0;
  }

  writeTreeAtomically(target, result.files);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (!args.quiet) io.out(`synthesized ${count(result.apps, 'app')}, ${count(result.objects, 'object')}, ${count(result.files.size, 'file')} into ${target} in ${ms.toFixed(0)} ms`);
  return 0;
}

/** Apps from which a progress line is shown (on a terminal only, so logs and CI stay clean). */
export const PROGRESS_THRESHOLD = 500;

function progressIndicator(total: number, quiet: boolean): ((done: number, total: number) => void) | undefined {
  if (quiet || total < PROGRESS_THRESHOLD || !process.stderr.isTTY) return undefined;
  const step = Math.max(1, Math.floor(total / 100));
  return (done, all) => {
    if (done === all) process.stderr.write('\r\x1b[K');
    else if (done % step === 0) process.stderr.write(`\rsynthesizing ${done}/${all} apps (${Math.floor((100 * done) / all)}%)`);
  };
}

/** Lists every file under dir, relative, with '/' separators. */
function listTree(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name)).split(path.sep).join('/'))
    .sort();
}

/** Differences between the files on disk and the expected files, readable as a short diff. */
export function compareTree(dir: string, files: Map<string, string>): string[] {
  const out: string[] = [];
  const onDisk = new Set(listTree(dir));
  for (const [rel, content] of files) {
    const full = path.join(dir, rel);
    if (!onDisk.has(rel)) { out.push(`missing: ${full}`); continue; }
    const actual = fs.readFileSync(full, 'utf8');
    if (actual !== content) out.push(`changed: ${full}\n${lineDiff(actual, content)}`);
  }
  for (const rel of onDisk) if (!files.has(rel)) out.push(`extra: ${path.join(dir, rel)}`);
  return out;
}

/** A compact diff: the lines that differ, with their line numbers (at most 20). */
function lineDiff(actual: string, expected: string): string {
  const a = actual.split('\n');
  const b = expected.split('\n');
  const lines: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length) && lines.length < 40; i++) {
    if (a[i] === b[i]) continue;
    if (a[i] !== undefined) lines.push(`  ${i + 1}- ${a[i]}`);
    if (b[i] !== undefined) lines.push(`  ${i + 1}+ ${b[i]}`);
  }
  return lines.join('\n');
}

/**
 * Replaces `target` with exactly `files`: writes a sibling temp folder, then swaps it in with
 * renames, so a failure never leaves a half-written folder.
 */
export function writeTreeAtomically(target: string, files: Map<string, string>, mode?: number): void {
  const parent = path.dirname(target);
  fs.mkdirSync(parent, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(parent, `.${path.basename(target)}.tmp-`));
  try {
    for (const [rel, content] of files) {
      const full = path.join(tmp, rel);
      fs.mkdirSync(path.dirname(full), { recursive: true });
      fs.writeFileSync(full, content, mode === undefined ? undefined : { mode });
    }
    const old = `${tmp}.old`;
    const hadTarget = fs.existsSync(target);
    if (hadTarget) fs.renameSync(target, old);
    fs.renameSync(tmp, target);
    if (hadTarget) fs.rmSync(old, { recursive: true, force: true });
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/**
 * The files of `certs`: `ca.crt`/`ca.key`, and per app `NAMESPACE/APP/tls.crt`, `tls.key` (server:
 * Service DNS names, route and ingress hosts, mesh identity) and `client.crt`, `client.key`
 * (client: the mesh identity `<serviceAccount>.<namespace>.cluster.local`).
 */
export function devCertificateFiles(specs: readonly AppSpec[], days: number): Map<string, string> {
  const ca = DevCertificateAuthority.create('cdk8s-zerotrust dev CA', days);
  const files = new Map<string, string>([['ca.crt', ca.cert], ['ca.key', ca.key]]);
  for (const spec of specs) {
    const dir = `${spec.metadata.namespace ?? 'default'}/${spec.metadata.name}`;
    const names = appCertificateNames(spec);
    const server = ca.issue({ commonName: names.server[0], altNames: names.server, days, usages: ['server'] });
    const client = ca.issue({ commonName: names.identity, altNames: [names.identity], days, usages: ['client'] });
    files.set(`${dir}/tls.crt`, server.cert);
    files.set(`${dir}/tls.key`, server.key);
    files.set(`${dir}/client.crt`, client.cert);
    files.set(`${dir}/client.key`, client.key);
  }
  return files;
}
