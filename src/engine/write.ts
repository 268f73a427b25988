import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ReadRefusal, readRegularFile } from '../analysis/manifests';
import { FileSystemError, errnoWords, errorCode } from './os-errors';

/**
 * Stage 7, write: an output folder replaced as a whole, recoverably.
 *
 * `OUT/ENV` is written as a new sibling folder, then swapped in with two renames. A journal file
 * beside it, created before anything else (and only if no live run holds one: it is also the
 * lock), says a swap is under way; it is removed last. Every name involved is recognisably ours:
 *
 *   OUT/.ENV.cdk8s-zerotrust-journal          the journal (pid, host, the two folder names)
 *   OUT/.ENV.cdk8s-zerotrust-new-PID-RANDOM   the new tree, being written
 *   OUT/.ENV.cdk8s-zerotrust-old-PID-RANDOM   the previous tree, between the two renames
 *
 * A run killed at any instant leaves one of: the old `OUT/ENV` with a new folder beside it
 * (killed before the first rename), no `OUT/ENV` and an old folder (between the renames), or the
 * new `OUT/ENV` with an old folder (after the second). The next write, holding the journal,
 * restores `OUT/ENV` from the old folder when `OUT/ENV` is missing (the interrupted swap had not
 * committed) and removes every other folder of ours; `outputProblems` reports all of it for
 * `check`.
 */

/** Options of `writeTreeAtomically`. */
export interface WriteTreeOptions {
  /** The mode of every file written. @default 0o666 less the umask */
  readonly fileMode?: number;
  /** The mode of every folder written, `target` included. @default 0o777 less the umask */
  readonly folderMode?: number;
  /**
   * Files that mark an existing `target` folder as one we wrote (any of them). An existing folder
   * that is not empty and has none of them is refused, never replaced.
   * @default ['kustomization.yaml']
   */
  readonly ownedWhen?: string[];
  /** How messages name the folder's parent, for advice (`--out`). @default '--out' */
  readonly outOption?: string;
}

/** What a write did besides writing. */
export interface WriteReport {
  /** One line per interrupted run recovered or leftover removed, for the user. */
  readonly recovered: string[];
}

/** The environment variable of the test hook that kills the process between the steps of a write. */
export const KILL_AT_VARIABLE = 'CDK8S_ZEROTRUST_TEST_KILL_AT';
/** The steps of a write where `CDK8S_ZEROTRUST_TEST_KILL_AT` may kill the process (SIGKILL), in order. */
export const KILL_POINTS = ['after-journal', 'during-write', 'after-write', 'after-rename-old', 'after-rename-new', 'after-remove-old'];

const TAG = 'cdk8s-zerotrust';
const OWN_NAME = /^\.(.+)\.cdk8s-zerotrust-(new|old)-(\d+)-[0-9a-f]+$/;
/** What earlier versions left: `.ENV.tmp-XXXXXX` (fs.mkdtemp) and `.ENV.tmp-XXXXXX.old`. */
const LEGACY_NAME = /^\.(.+)\.tmp-[A-Za-z0-9]{6}(\.old)?$/;
const JOURNAL_NAME = /^\.(.+)\.cdk8s-zerotrust-journal$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Whether a name in an output folder's parent is one of our temporary folders or journals (of any target). */
export function isOwnTemporaryName(name: string): boolean {
  return OWN_NAME.test(name) || LEGACY_NAME.test(name) || JOURNAL_NAME.test(name);
}

/**
 * Whether a folder is an environment folder that `synth` wrote: it has the `kustomization.yaml`
 * and the `TRUST.md` (which names cdk8s-zerotrust) that every environment folder gets. Spec
 * folders skip such folders, so that `synth specs --out specs/dist` can run twice.
 */
export function isOutputFolder(dir: string): boolean {
  try {
    if (!fs.statSync(path.join(dir, 'kustomization.yaml'), { throwIfNoEntry: false })?.isFile()) return false;
    return readRegularFile(path.join(dir, 'TRUST.md'), 1 << 20).subarray(0, 4096).toString('utf8').includes(TAG);
  } catch {
    return false;
  }
}

/**
 * `OUT/ENV`, refusing an environment name that is not a DNS-1123 label: the folder can never be
 * `OUT` itself, its parent, or anywhere else.
 */
export function environmentFolder(out: string, env: string): string {
  if (!DNS_LABEL.test(env) || env.length > 63) {
    throw new FileSystemError('write the environment folder', JSON.stringify(env), {
      words: 'not a DNS-1123 label', advice: 'an environment name is lowercase letters, digits and \'-\', and names a folder directly inside --out',
    });
  }
  return path.join(out, env);
}

/** The paths of the swap of `target`. */
interface SwapPaths {
  readonly parent: string;
  readonly name: string;
  readonly journal: string;
}

function swapPaths(target: string): SwapPaths {
  const resolved = path.resolve(target);
  const name = path.basename(resolved);
  const parent = path.dirname(resolved);
  if (name === '' || resolved === parent) throw new FileSystemError('write', target, { words: 'is a root folder', advice: 'give a folder inside another one' });
  return { parent: path.dirname(target), name, journal: path.join(path.dirname(target), `.${name}.${TAG}-journal`) };
}

/** The journal's content. */
interface Journal {
  readonly pid: number;
  readonly host: string;
  readonly started: string;
  readonly newFolder: string;
  readonly oldFolder: string;
}

/** Runs `fn`; an operating-system error becomes a `FileSystemError` of `action` on `file`. */
function tryFs<T>(action: string, file: string, fn: () => T, advice?: string): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof FileSystemError || errorCode(e) === undefined) throw e;
    throw new FileSystemError(action, file, { cause: e, advice });
  }
}

/** The test hook: SIGKILL at a named step when `CDK8S_ZEROTRUST_TEST_KILL_AT` names it. */
function killPoint(step: string): void {
  if (process.env[KILL_AT_VARIABLE] === step) process.kill(process.pid, 'SIGKILL');
}

/**
 * Replaces `target` with exactly `files` (relative path to content), recoverably (see the top of
 * this file): first recovers what an interrupted run left, then refuses whatever is in the way
 * (a file, a symbolic link, a folder we did not write, a parent that is not a folder), then
 * writes a new folder beside `target` and swaps it in. Every operating-system error is a
 * `FileSystemError` saying what was tried, and leaves `target` as it was.
 */
export function writeTreeAtomically(target: string, files: Map<string, string>, options: WriteTreeOptions = {}): WriteReport {
  const paths = swapPaths(target);
  const outOption = options.outOption ?? '--out';
  prepareParent(paths.parent, outOption);
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const journal: Journal = {
    pid: process.pid, host: os.hostname(), started: new Date().toISOString(),
    newFolder: `.${paths.name}.${TAG}-new-${tag}`, oldFolder: `.${paths.name}.${TAG}-old-${tag}`,
  };
  const previous = acquireJournal(target, paths, journal);
  let released = false;
  const release = () => {
    if (!released) fs.rmSync(paths.journal, { force: true });
    released = true;
  };
  try {
    const recovered = cleanUp(target, paths, previous);
    refuseWhatIsInTheWay(target, options.ownedWhen ?? ['kustomization.yaml'], outOption);
    killPoint('after-journal');
    const fresh = path.join(paths.parent, journal.newFolder);
    const old = path.join(paths.parent, journal.oldFolder);
    writeFolder(target, fresh, files, options);
    killPoint('after-write');
    const hadTarget = tryFs('read', target, () => fs.lstatSync(target, { throwIfNoEntry: false })) !== undefined;
    if (hadTarget) {
      tryFs('replace', target, () => fs.renameSync(target, old), `${target} is unchanged`);
      killPoint('after-rename-old');
    }
    try {
      fs.renameSync(fresh, target);
    } catch (e) {
      if (hadTarget) fs.renameSync(old, target);
      throw new FileSystemError('replace', target, { cause: e, advice: `${target} is unchanged` });
    }
    killPoint('after-rename-new');
    if (hadTarget) {
      try {
        fs.rmSync(old, { recursive: true, force: true });
      } catch (e) {
        recovered.push(`could not remove the previous output ${old} (${errnoWords(e)}): remove it by hand`);
      }
      killPoint('after-remove-old');
    }
    release();
    return { recovered };
  } catch (e) {
    try {
      fs.rmSync(path.join(paths.parent, journal.newFolder), { recursive: true, force: true });
      release();
    } catch {
      // the next run removes what is left, holding the journal
    }
    throw e;
  }
}

/** The parent of the target exists as a folder (created when missing); a file or device there is refused. */
function prepareParent(parent: string, outOption: string): void {
  const stat = tryFs('read the output folder', parent, () => fs.statSync(parent, { throwIfNoEntry: false }));
  if (stat && !stat.isDirectory()) {
    throw new FileSystemError('write into', parent, { words: `is ${describeType(stat)}, not a folder`, advice: `it is left as it is; give ${outOption} a folder` });
  }
  if (!stat) tryFs('create the output folder', parent, () => makeFolders(parent), `choose another ${outOption}`);
}

/**
 * `mkdir -p`, one level at a time: Node's own recursive mkdir loops for ever where mkdir fails
 * with ENOENT under an existing folder (`/proc/x`).
 */
function makeFolders(dir: string, mode?: number): void {
  const missing: string[] = [];
  for (let d = path.resolve(dir); !fs.lstatSync(d, { throwIfNoEntry: false }); d = path.dirname(d)) {
    missing.unshift(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of missing) fs.mkdirSync(d, { mode });
}

/**
 * Takes the journal of `target` (the lock of its swap). A journal of a run still alive on this
 * host is refused; a dead run's journal is returned (its leftovers are then cleaned up).
 */
function acquireJournal(target: string, paths: SwapPaths, journal: Journal): Journal | undefined {
  let previous: Journal | undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = fs.openSync(paths.journal, 'wx', 0o644);
      try {
        fs.writeSync(fd, `${JSON.stringify(journal)}\n`);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      return previous;
    } catch (e) {
      if (errorCode(e) !== 'EEXIST' || attempt >= 3) {
        throw new FileSystemError('start replacing', target, { cause: e, advice: `${target} is unchanged; check the permissions of ${paths.parent}` });
      }
    }
    const found = readJournal(paths.journal);
    if (!found && isYoung(paths.journal)) {
      // another run has just created it and not yet written it
      throw new FileSystemError('replace', target, { words: 'another cdk8s-zerotrust run is starting to write it', advice: `wait for it to finish; if no such run exists, remove ${paths.journal}` });
    }
    if (found && isAlive(found)) {
      throw new FileSystemError('replace', target, {
        words: `another cdk8s-zerotrust run (pid ${found.pid}${found.host === os.hostname() ? '' : ` on ${found.host}`}) is writing it`,
        advice: `wait for it to finish; if no such run exists, remove ${paths.journal}`,
      });
    }
    previous = found ?? previous;
    tryFs('recover', target, () => fs.rmSync(paths.journal, { force: true }));
  }
}

function readJournal(file: string): Journal | undefined {
  try {
    const j = JSON.parse(readRegularFile(file, 64 * 1024).toString('utf8'));
    return typeof j.pid === 'number' && typeof j.host === 'string' ? j : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a file was changed in the last few seconds. */
function isYoung(file: string): boolean {
  const stat = fs.lstatSync(file, { throwIfNoEntry: false });
  return stat !== undefined && Date.now() - stat.mtimeMs < 5000;
}

/** Whether a journal's run may still be running (another host's run is assumed to be). */
function isAlive(j: Journal): boolean {
  if (j.host !== os.hostname()) return true;
  if (j.pid === process.pid || !Number.isInteger(j.pid) || j.pid <= 0) return false;
  try {
    process.kill(j.pid, 0);
    return true;
  } catch (e) {
    return errorCode(e) === 'EPERM';
  }
}

/** Our temporary folders of `target` in its parent, newest first. */
function temporaryFolders(paths: SwapPaths): Array<{ name: string; old: boolean; mtime: number }> {
  let names: string[];
  try {
    names = fs.readdirSync(paths.parent);
  } catch {
    return [];
  }
  const found: Array<{ name: string; old: boolean; mtime: number }> = [];
  for (const name of names) {
    const own = OWN_NAME.exec(name);
    const legacy = own ? undefined : LEGACY_NAME.exec(name);
    const m = own ?? legacy;
    if (!m || m[1] !== paths.name) continue;
    const stat = fs.lstatSync(path.join(paths.parent, name), { throwIfNoEntry: false });
    if (!stat?.isDirectory()) continue;
    found.push({ name, old: own ? own[2] === 'old' : legacy![2] !== undefined, mtime: stat.mtimeMs });
  }
  return found.sort((a, b) => b.mtime - a.mtime);
}

/**
 * With the journal held: restores `target` from the newest previous tree when an interrupted swap
 * left it missing, and removes every other temporary folder of `target`. Returns what it did.
 */
function cleanUp(target: string, paths: SwapPaths, previous: Journal | undefined): string[] {
  const notes: string[] = [];
  const run = previous ? `a run (pid ${previous.pid}, started ${previous.started})` : 'an earlier run';
  let folders = temporaryFolders(paths);
  if (!tryFs('read', target, () => fs.lstatSync(target, { throwIfNoEntry: false }))) {
    const old = folders.find((f) => f.old);
    if (old) {
      tryFs('restore', target, () => fs.renameSync(path.join(paths.parent, old.name), target));
      notes.push(`restored ${target}: ${run} was interrupted while replacing it`);
      folders = folders.filter((f) => f !== old);
    }
  } else if (previous && !folders.some((f) => f.name === previous.newFolder) && folders.some((f) => f.name === previous.oldFolder)) {
    notes.push(`completed the replacement of ${target} that ${run} had begun`);
  }
  for (const f of folders) {
    const full = path.join(paths.parent, f.name);
    const size = folderSize(full);
    tryFs('remove the leftover', full, () => fs.rmSync(full, { recursive: true, force: true }));
    notes.push(`removed ${full}, left by an interrupted run (${size})`);
  }
  if (previous && notes.length === 0) notes.push(`${run} was interrupted before it changed ${target}`);
  return notes;
}

/**
 * What `check` must report about `target` besides its content: a run interrupted while
 * replacing it (or one writing it now), and temporary folders left beside it. Empty when clean.
 */
export function outputProblems(target: string): string[] {
  const paths = swapPaths(target);
  const problems: string[] = [];
  const missing = !tryFs('read', target, () => fs.lstatSync(target, { throwIfNoEntry: false }));
  const hasJournal = tryFs('read', paths.journal, () => fs.lstatSync(paths.journal, { throwIfNoEntry: false })) !== undefined;
  const journal = hasJournal ? readJournal(paths.journal) : undefined;
  const folders = temporaryFolders(paths);
  if ((journal && isAlive(journal)) || (hasJournal && !journal && isYoung(paths.journal))) {
    problems.push(`${target}: a synth${journal ? ` (pid ${journal.pid})` : ''} is writing it now: run check again when it is done`);
    return problems;
  }
  const old = folders.find((f) => f.old);
  if (hasJournal || (missing && old)) {
    const who = journal ? `a synth (pid ${journal.pid}, started ${journal.started})` : 'a synth';
    problems.push(missing
      ? `${target}: missing: ${who} was killed while replacing it${old ? `; the previous output is in ${path.join(paths.parent, old.name)}: run synth to restore it` : ': run synth'}`
      : `${target}: ${who} was killed while replacing it: run synth to finish (${target} itself is whole)`);
  }
  for (const f of folders) {
    if (missing && f === old) continue;
    const full = path.join(paths.parent, f.name);
    problems.push(`${full}: a temporary folder left by an interrupted run (${folderSize(full)}): the next synth removes it`);
  }
  return problems;
}

/** Refuses a `target` that we did not write: a file, a symbolic link, a folder with files but no marker. */
function refuseWhatIsInTheWay(target: string, ownedWhen: string[], outOption: string): void {
  const stat = tryFs('read', target, () => fs.lstatSync(target, { throwIfNoEntry: false }));
  if (!stat) return;
  const keep = `it is left as it is; move it away, or give ${outOption} another folder`;
  if (!stat.isDirectory()) {
    throw new FileSystemError('replace', target, { words: `is ${describeType(stat)}, not a folder cdk8s-zerotrust wrote`, advice: keep });
  }
  const entries = tryFs('read', target, () => fs.readdirSync(target));
  if (entries.length > 0 && !ownedWhen.some((m) => entries.includes(m))) {
    throw new FileSystemError('replace', target, { words: `is a folder with files but no ${ownedWhen.join(' or ')}: not a folder cdk8s-zerotrust wrote`, advice: keep });
  }
}

/** Writes the tree into `fresh` (a new folder); an error removes it and names `target`. */
function writeFolder(target: string, fresh: string, files: Map<string, string>, options: WriteTreeOptions): void {
  const folderMode = options.folderMode ?? 0o777;
  const fileMode = options.fileMode ?? 0o666;
  const advice = (e: unknown) => {
    const code = errorCode(e);
    const fix = code === 'ENOSPC' || code === 'EDQUOT' ? 'free some space and run again' : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'make the folder writable, or choose another --out' : 'run again';
    return `${target} is unchanged; ${fix}`;
  };
  try {
    fs.mkdirSync(fresh, { mode: folderMode });
    if (options.folderMode !== undefined) fs.chmodSync(fresh, folderMode);
    const made = new Set<string>();
    let i = 0;
    for (const [rel, content] of files) {
      const full = path.join(fresh, rel);
      if (!full.startsWith(fresh + path.sep)) throw new FileSystemError('write', full, { words: 'the file path leaves the output folder', advice: 'this is a bug' });
      const dir = path.dirname(full);
      if (!made.has(dir)) {
        makeFolders(dir, folderMode);
        made.add(dir);
      }
      fs.writeFileSync(full, content, { mode: fileMode, flag: 'wx' });
      if (++i === Math.ceil(files.size / 2)) killPoint('during-write');
    }
  } catch (e) {
    fs.rmSync(fresh, { recursive: true, force: true });
    if (e instanceof FileSystemError) throw e;
    throw new FileSystemError('write', target, { cause: e, advice: advice(e) });
  }
}

/** `a regular file`, `a symbolic link`, `a character device`, ... */
function describeType(stat: fs.Stats): string {
  if (stat.isFile()) return 'a regular file';
  if (stat.isSymbolicLink()) return 'a symbolic link';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  return 'a special file';
}

/** `12 files, 3.4 MB` */
function folderSize(dir: string): string {
  let filesCount = 0;
  let bytes = 0;
  try {
    for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[]) {
      if (!e.isFile()) continue;
      filesCount++;
      bytes += fs.lstatSync(path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name), { throwIfNoEntry: false })?.size ?? 0;
    }
  } catch {
    // a folder we cannot list is still reported, without its size
  }
  return `${filesCount} file${filesCount === 1 ? '' : 's'}, ${(bytes / 1e6).toFixed(1)} MB`;
}

/**
 * The resources listed by the `kustomization.yaml` of an existing output folder (the app files
 * and `cluster.yaml`); undefined when there is none. For counting what a new output removes.
 */
export function existingResources(dir: string): string[] | undefined {
  let text: string;
  try {
    text = readRegularFile(path.join(dir, 'kustomization.yaml'), 16 * 1024 * 1024).toString('utf8');
  } catch {
    return undefined;
  }
  const resources: string[] = [];
  let inList = false;
  for (const line of text.split('\n')) {
    if (/^resources:\s*$/.test(line)) { inList = true; continue; }
    if (inList) {
      const m = /^\s+-\s+(.+?)\s*$/.exec(line);
      if (m) resources.push(m[1].replace(/^(['"])(.*)\1$/, '$2'));
      else if (!/^\s*$/.test(line)) inList = false;
    }
  }
  return resources;
}

/** Files of the output larger than this are compared by size only (no line diff). */
const MAX_COMPARED_BYTES = 16 * 1024 * 1024;

/**
 * Stage 7 for `check`, writing nothing: the differences between the files under `dir` and the
 * expected files, readable as a short diff (`missing:`, `changed:` with the lines, `extra:`).
 * Only regular files are read, with a size limit; an unreadable folder or file is a
 * `FileSystemError`.
 */
export function compareTree(dir: string, files: Map<string, string>): string[] {
  const out: string[] = [];
  const stat = tryFs('read the output folder', dir, () => fs.lstatSync(dir, { throwIfNoEntry: false }));
  if (stat && !stat.isDirectory()) {
    throw new FileSystemError('compare with', dir, { words: `is ${describeType(stat)}, not a folder`, advice: 'give --out the folder synth writes into' });
  }
  const onDisk = new Set(stat ? listTree(dir) : []);
  for (const [rel, content] of files) {
    const full = path.join(dir, rel);
    if (!onDisk.has(rel)) { out.push(`missing: ${full}`); continue; }
    let actual: string;
    try {
      actual = readRegularFile(full, MAX_COMPARED_BYTES).toString('utf8');
    } catch (e) {
      if (e instanceof ReadRefusal) { out.push(`changed: ${full} (${e.message})`); continue; }
      throw new FileSystemError('read', full, { cause: e });
    }
    if (actual !== content) out.push(`changed: ${full}\n${lineDiff(actual, content)}`);
  }
  for (const rel of onDisk) if (!files.has(rel)) out.push(`extra: ${path.join(dir, rel)}`);
  return out;
}

/** Lists every file under dir, relative, with '/' separators. */
function listTree(dir: string): string[] {
  const entries = tryFs('read the output folder', dir, () => fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[]);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name)).split(path.sep).join('/'))
    .sort();
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
