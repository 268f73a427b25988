import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as pipeline from '../../src/engine/pipeline';
import { main } from '../../src/cli/cli';
import { KILL_AT_VARIABLE, KILL_POINTS } from '../../src/engine/write';
import { ROOT } from '../util';

/**
 * Hostile input and OS faults (issue 18, one test per row of its table) and data loss (issue 14),
 * through the CLI. Rows that could hang, crash or print a trace run the compiled CLI (bin/, lib/:
 * `tsc -p .` first, as `npm test` does) in a child process with a timeout; the fault tests kill
 * real child processes with SIGKILL, at each step of the swap (CDK8S_ZEROTRUST_TEST_KILL_AT) and
 * at random moments, then assert what the next `check` and `synth` do.
 */

const BIN = path.join(ROOT, 'bin', 'cdk8s-zerotrust');
const IS_ROOT = process.getuid?.() === 0;
/**
 * Root ignores permissions: permission tests then run the child as nobody (setpriv), which needs
 * setpriv and a checkout nobody can read (not a clone under a 0700 folder such as `mktemp -d`'s).
 */
const CAN_DROP = !IS_ROOT || spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, '--version']).status === 0;
/** Said in the name of a permission test that is skipped, so the skip is visible. */
const DROP_NOTE = CAN_DROP ? '' : ' (skipped: run as root, and nobody cannot read this checkout or has no setpriv)';

const APP = (name = 'web', extra = '', namespace = 'shop') => `apiVersion: cdk8s-zerotrust/v1alpha1
kind: App
metadata: { name: ${name}, namespace: ${namespace} }
spec:
  image: quay.io/acme/web:1.0.0
  ports: [{ name: http, port: 8080 }]
${extra}`;
const APPS = (n: number, prefix = 'app') => Array.from({ length: n }, (_, i) => APP(`${prefix}${i}`, '', `ns${i % 10}`)).join('---\n');

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly out: string;
  readonly err: string;
  readonly ms: number;
}

interface CliOptions {
  readonly env?: { [name: string]: string };
  /** Run as nobody when the tests run as root (permissions are not checked for root). */
  readonly nobody?: boolean;
  readonly timeout?: number;
  /** The child's V8 heap limit in MB. */
  readonly heapMb?: number;
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-safety-'));
  fs.chmodSync(dir, 0o755); // readable by nobody, for the permission tests
  fs.mkdirSync(path.join(dir, 'specs'));
  fs.writeFileSync(path.join(dir, 'specs', 'web.yaml'), APP());
});
afterEach(() => {
  spawnSync('chmod', ['-R', 'u+rwx', dir]);
  fs.rmSync(dir, { recursive: true, force: true });
});

const p = (...parts: string[]) => path.join(dir, ...parts);

/** The compiled CLI in a child process. */
function cli(args: string[], options: CliOptions = {}): Run {
  const nodeArgs = [...(options.heapMb ? [`--max-old-space-size=${options.heapMb}`] : []), BIN, ...args];
  const [command, argv] = options.nobody && IS_ROOT
    ? ['setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs];
  const started = Date.now();
  const r = spawnSync(command, argv, { cwd: dir, encoding: 'utf8', timeout: options.timeout ?? 30_000, killSignal: 'SIGKILL', env: { ...process.env, ...options.env } });
  return { code: r.status, signal: r.signal, out: r.stdout, err: r.stderr, ms: Date.now() - started };
}

/** The CLI in this process (for what cannot hang or crash). */
function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** No stack trace, no Node error dump. */
const NO_TRACE = /^\s+at |node:internal|Error: E[A-Z]+:/m;

/** Names beside the output folder that are not the environment folders. */
const leftovers = (out: string) => (fs.existsSync(out) ? fs.readdirSync(out).filter((n) => n.startsWith('.')) : []);
const tree = (folder: string) => (fs.readdirSync(folder, { recursive: true }) as string[]).sort();

describe('issue 18: hostile input and OS faults, one test per row', () => {
  test.each([
    ['replicas', 'replicas: *a8'],
    ['env', 'env: { A: *a8 }'],
    ['args', 'args: *a8'],
    ['an environment', 'environments: { prod: { replicas: *a8 } }'],
  ])('a 13-line YAML alias bomb in %s fails at once with a message, in little memory', (_, field) => {
    const bomb = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (__, i) => `a${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(', ')}]`),
      'apiVersion: cdk8s-zerotrust/v1alpha1', 'kind: App', 'metadata: { name: web, namespace: shop }',
      `spec: { image: "quay.io/acme/web:1.0.0", ports: [{ name: http, port: 8080 }], ${field} }`].join('\n');
    expect(bomb.split('\n')).toHaveLength(13);
    fs.writeFileSync(p('specs', 'web.yaml'), bomb);
    const r = cli(['validate', p('specs')], { heapMb: 128, timeout: 20_000 });
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 1, signal: null });
    expect(r.err).toMatch(/web\.yaml: -: document 1 expands to more than \d+ nodes through YAML aliases: refused/);
    expect(r.err).not.toMatch(NO_TRACE);
    expect(r.ms).toBeLessThan(10_000);
  });

  test('a named pipe pipe.yaml in a spec folder is an error naming it, and does not hang', () => {
    expect(spawnSync('mkfifo', [p('specs', 'pipe.yaml')]).status).toBe(0);
    const r = cli(['validate', p('specs')], { timeout: 15_000 });
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 1, signal: null });
    expect(r.err).toContain(`${p('specs', 'pipe.yaml')}: -: not read: a FIFO, not a regular file: only regular files and symbolic links to them are read`);
  });

  test('/dev/zero given as a spec is an error, not an abort', () => {
    const r = cli(['validate', '/dev/zero', p('specs')], { timeout: 15_000, heapMb: 128 });
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 1, signal: null });
    expect(r.err).toContain('/dev/zero: -: not read: a character device, not a regular file');
  });

  (CAN_DROP ? test : test.skip)(`an unreadable subfolder or spec file is one line with the errno in words, not a stack trace${DROP_NOTE}`, () => {
    fs.mkdirSync(p('specs', 'team'));
    fs.writeFileSync(p('specs', 'team', 'a.yaml'), APP('a'));
    fs.chmodSync(p('specs', 'team'), 0o000);
    fs.writeFileSync(p('secret.yaml'), APP('b'));
    fs.chmodSync(p('secret.yaml'), 0o000);
    const r = cli(['validate', p('specs'), p('secret.yaml')], { nobody: true });
    expect(r.code).toBe(1);
    expect(r.err.split('\n')).toEqual([
      `${p('specs', 'team')}: -: cannot read the folder: permission denied (EACCES): check the permissions of the path and of the folders above it`,
      `${p('secret.yaml')}: -: cannot read the spec file: permission denied (EACCES): check the permissions of the path and of the folders above it`,
      'cdk8s-zerotrust: 2 problems found; nothing written',
      '',
    ]);
  });

  test('--out naming a file or /dev/null is one line, not a stack trace, and the file is untouched', () => {
    fs.writeFileSync(p('notes'), 'keep me');
    const file = cli(['synth', p('specs'), '--out', p('notes')]);
    expect({ code: file.code, err: file.err }).toEqual({ code: 1, err: `cdk8s-zerotrust: cannot write into ${p('notes')}: is a regular file, not a folder: it is left as it is; give --out a folder\n` });
    expect(fs.readFileSync(p('notes'), 'utf8')).toBe('keep me');
    const devnull = cli(['synth', p('specs'), '--out', '/dev/null']);
    expect({ code: devnull.code, err: devnull.err }).toEqual({ code: 1, err: 'cdk8s-zerotrust: cannot write into /dev/null: is a character device, not a folder: it is left as it is; give --out a folder\n' });
    const check = cli(['check', p('specs'), '--out', p('notes')]);
    expect(check.code).toBe(1);
    expect(check.err).not.toMatch(NO_TRACE);
  });

  (CAN_DROP ? test : test.skip)(`a read-only output folder is one line, and the old output stays${DROP_NOTE}`, () => {
    expect(cli(['synth', p('specs'), '--out', p('dist')]).code).toBe(0);
    const before = tree(p('dist', 'base'));
    fs.writeFileSync(p('specs', 'web.yaml'), APP('web', '  replicas: 5\n'));
    fs.chmodSync(p('dist'), 0o555);
    const r = cli(['synth', p('specs'), '--out', p('dist')], { nobody: true });
    expect({ code: r.code, err: r.err }).toEqual({
      code: 1,
      err: `cdk8s-zerotrust: cannot start replacing ${p('dist', 'base')}: permission denied (EACCES): ${p('dist', 'base')} is unchanged; check the permissions of ${p('dist')}\n`,
    });
    expect(tree(p('dist', 'base'))).toEqual(before);
    const fresh = cli(['synth', p('specs'), '--out', p('dist', 'sub')], { nobody: true });
    expect(fresh.err).toBe(`cdk8s-zerotrust: cannot create the output folder ${p('dist', 'sub')}: permission denied (EACCES): choose another --out\n`);
  });

  test('--out DIR where DIR/base is a regular file: refused, the file is kept', () => {
    fs.mkdirSync(p('dist'));
    fs.writeFileSync(p('dist', 'base'), 'a file of mine');
    const r = cli(['synth', p('specs'), '--out', p('dist')]);
    expect({ code: r.code, err: r.err }).toEqual({
      code: 1,
      err: `cdk8s-zerotrust: cannot replace ${p('dist', 'base')}: is a regular file, not a folder cdk8s-zerotrust wrote: it is left as it is; move it away, or give --out another folder\n`,
    });
    expect(fs.readFileSync(p('dist', 'base'), 'utf8')).toBe('a file of mine');
    expect(fs.readdirSync(p('dist'))).toEqual(['base']);
  });

  test('killed exactly between the two renames: check reports it, the next synth restores and cleans up', () => {
    expect(cli(['synth', p('specs'), '--out', p('dist')]).code).toBe(0);
    const before = fs.readFileSync(p('dist', 'base', 'shop', 'web.yaml'), 'utf8');
    fs.writeFileSync(p('specs', 'web.yaml'), APP('web', '  replicas: 5\n'));
    const killed = cli(['synth', p('specs'), '--out', p('dist')], { env: { [KILL_AT_VARIABLE]: 'after-rename-old' } });
    expect(killed.signal).toBe('SIGKILL');
    expect(fs.existsSync(p('dist', 'base'))).toBe(false);
    const check = cli(['check', p('specs'), '--out', p('dist')]);
    expect(check.code).toBe(1);
    expect(check.err).toMatch(new RegExp(`${p('dist', 'base')}: missing: a synth \\(pid \\d+, started [^)]+\\) was killed while replacing it; the previous output is in ${p('dist')}/\\.base\\.cdk8s-zerotrust-old-\\d+-[0-9a-f]+: run synth to restore it`));
    expect(check.err).toMatch(/\.base\.cdk8s-zerotrust-new-\d+-[0-9a-f]+: a temporary folder left by an interrupted run \(\d+ files, [\d.]+ MB\): the next synth removes it/);
    fs.writeFileSync(p('specs', 'web.yaml'), APP()); // the next synth: the restored output is replaced as usual
    const synth = cli(['synth', p('specs'), '--out', p('dist')]);
    expect(synth.code).toBe(0);
    expect(synth.err).toMatch(/cdk8s-zerotrust: restored .*base: a run \(pid \d+, started .*\) was interrupted while replacing it/);
    expect(synth.err).toMatch(/cdk8s-zerotrust: removed .*\.base\.cdk8s-zerotrust-new-.*, left by an interrupted run/);
    expect(fs.readFileSync(p('dist', 'base', 'shop', 'web.yaml'), 'utf8')).toBe(before);
    expect(leftovers(p('dist'))).toEqual([]);
    expect(cli(['check', p('specs'), '--out', p('dist')]).code).toBe(0);
  });

  test('killed at every step of the swap: the previous or the new output is whole or restorable; check reports; the next synth recovers', () => {
    expect(cli(['synth', p('specs'), '--out', p('dist')]).code).toBe(0);
    const old = fs.readFileSync(p('dist', 'base', 'shop', 'web.yaml'), 'utf8');
    for (const step of KILL_POINTS) {
      fs.writeFileSync(p('specs', 'web.yaml'), APP('web', '  replicas: 7\n'));
      const killed = cli(['synth', p('specs'), '--out', p('dist')], { env: { [KILL_AT_VARIABLE]: step } });
      expect({ step, signal: killed.signal }).toEqual({ step, signal: 'SIGKILL' });
      const base = p('dist', 'base', 'shop', 'web.yaml');
      const restorable = leftovers(p('dist')).some((n) => /-old-/.test(n));
      const content = fs.existsSync(base) ? fs.readFileSync(base, 'utf8') : undefined;
      expect({ step, whole: content !== undefined ? content === old || content.includes('replicas: 7') : restorable }).toEqual({ step, whole: true });
      const check = cli(['check', p('specs'), '--out', p('dist')]);
      expect({ step, code: check.code, reported: /killed while replacing it|left by an interrupted run/.test(check.err) }).toEqual({ step, code: 1, reported: true });
      const synth = cli(['synth', p('specs'), '--out', p('dist')]);
      expect({ step, code: synth.code, leftovers: leftovers(p('dist')) }).toEqual({ step, code: 0, leftovers: [] });
      expect(fs.readFileSync(base, 'utf8')).toContain('replicas: 7');
      expect(cli(['check', p('specs'), '--out', p('dist')]).code).toBe(0);
      fs.writeFileSync(p('specs', 'web.yaml'), APP());
      expect(cli(['synth', p('specs'), '--out', p('dist')]).code).toBe(0);
      expect(fs.readFileSync(base, 'utf8')).toBe(old);
    }
  });

  test('killed at random moments of large synths, then one good run: no temporary folder is left, and check saw them before', async () => {
    fs.writeFileSync(p('specs', 'web.yaml'), APPS(400));
    expect(cli(['synth', p('specs'), '--out', p('dist')], { timeout: 60_000 }).code).toBe(0);
    const complete = () => {
      const resources = fs.readFileSync(p('dist', 'base', 'kustomization.yaml'), 'utf8').split('\n').filter((l) => l.startsWith('  - ')).map((l) => l.slice(4));
      return resources.length === 400 && resources.every((r) => fs.existsSync(p('dist', 'base', r)));
    };
    let seed = 18;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    fs.writeFileSync(p('specs', 'web.yaml'), APPS(400).replace(/port: 8080/g, 'port: 8081'));
    let interrupted = 0;
    for (let i = 0; i < 4; i++) {
      const child = spawn(process.execPath, [BIN, 'synth', p('specs'), '--out', p('dist')], { cwd: dir, stdio: 'ignore' });
      await killWhileWriting(child, p('dist', '.base.cdk8s-zerotrust-journal'), random() * 100);
      if (fs.existsSync(p('dist', '.base.cdk8s-zerotrust-journal'))) interrupted++;
      // the previous output is whole, or restorable from the old folder beside it
      expect(fs.existsSync(p('dist', 'base')) ? complete() : leftovers(p('dist')).some((n) => /-old-/.test(n))).toBe(true);
    }
    expect(interrupted).toBeGreaterThan(0); // at least one kill landed while the swap was under way
    const found = leftovers(p('dist'));
    const check = cli(['check', p('specs'), '--out', p('dist')]);
    expect(check.code).toBe(1);
    if (found.length > 0) expect(check.err).toMatch(/killed while replacing it|left by an interrupted run/);
    const good = cli(['synth', p('specs'), '--out', p('dist')], { timeout: 60_000 });
    expect(good.code).toBe(0);
    expect(leftovers(p('dist'))).toEqual([]);
    expect(complete()).toBe(true);
    expect(cli(['check', p('specs'), '--out', p('dist')], { timeout: 60_000 }).code).toBe(0);
  }, 120_000);

  test('a Latin-1 byte in an env value is an error with the file, line and column', () => {
    fs.writeFileSync(p('specs', 'web.yaml'), Buffer.concat([Buffer.from(APP('web', '  env: { GREETING: "caf')), Buffer.from([0xe9]), Buffer.from('" }\n')]));
    const r = run(['validate', p('specs')]);
    expect(r).toEqual({ code: 1, out: '', err: `${p('specs', 'web.yaml')}: -: not valid UTF-8 at line 7, column 24: byte 0xe9 (é in Latin-1) does not start or continue a UTF-8 character: save the file as UTF-8\ncdk8s-zerotrust: 1 problem found; nothing written` });
  });

  test('a NUL in an env value is an error, escaped ("\\0") or raw', () => {
    fs.writeFileSync(p('specs', 'web.yaml'), APP('web', '  env: { A: "x\\0y" }\n'));
    expect(run(['synth', p('specs'), '--out', p('dist')]).err).toMatch(/web\.yaml: web: spec\.env\.A: contains a NUL character \(\\0\) at position 2: Kubernetes and container runtimes cannot carry it/);
    fs.writeFileSync(p('specs', 'web.yaml'), APP('web', '  env: { A: "x\0y" }\n'));
    expect(run(['synth', p('specs'), '--out', p('dist')]).err).toMatch(/web\.yaml: -: contains the control character U\+0000 \(NUL\) at line 7, column 15/);
    expect(fs.existsSync(p('dist'))).toBe(false);
  });

  test('a 3 MiB env value is an error naming the app, the object and its size', () => {
    fs.writeFileSync(p('specs', 'web.yaml'), APP('web', `  env: { BIG: "${'x'.repeat(3 * 1024 * 1024)}" }\n`));
    const r = run(['synth', p('specs'), '--out', p('dist')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/web\.yaml: web: Deployment shop\/web is 3\.0 MiB \(\d+ bytes as JSON\): the API server refuses objects over 1\.5 MiB/);
    expect(fs.existsSync(p('dist'))).toBe(false);
  });

  test('an ESC sequence in metadata.name never reaches the terminal raw', () => {
    fs.writeFileSync(p('specs', 'web.yaml'), APP('"we\\e]0;pwned\\ab\\e[2J\\u009b31m\\u202eRED"'));
    const r = cli(['validate', p('specs')]);
    expect(r.code).toBe(1);
    expect(r.err).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    expect(r.err).toContain('we\\e]0;pwned\\x07b\\e[2J\\x9b31m\\u202eRED: metadata.name:');
  });

  test('the output folder inside the spec folder, run twice: our own output is not read as specs', () => {
    const out = p('specs', 'dist');
    expect(run(['synth', p('specs'), '--out', out]).code).toBe(0);
    expect(run(['synth', p('specs'), '--out', out, '--env', 'prod', '--allow-empty']).code).toBe(0);
    const again = run(['synth', p('specs'), '--out', out]);
    expect(again).toMatchObject({ code: 0, err: '' });
    expect(run(['check', p('specs'), '--out', out])).toMatchObject({ code: 0, err: '' });
    expect(run(['validate', out]).err).toMatch(/dist: -: no \*\.yaml or \*\.yml file in this folder or its subfolders/);
    expect(run(['validate', path.join(out, 'base')]).err).toMatch(/base: -: is an output folder of cdk8s-zerotrust/);
  });
});

/** Kills `child` with SIGKILL `delayMs` after `journal` appears (its write has begun), or when it exits. */
async function killWhileWriting(child: ChildProcess, journal: string, delayMs: number): Promise<void> {
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let done = false;
  void exited.then(() => { done = true; });
  while (!done && !fs.existsSync(journal)) await new Promise((r) => setTimeout(r, 2));
  if (!done) await new Promise((r) => setTimeout(r, delayMs));
  if (!done) child.kill('SIGKILL');
  await exited;
}

describe('issue 14: a typo never empties or silently shrinks the output', () => {
  const synth = (...args: string[]) => run(['synth', ...args, '--out', p('dist')]);

  test('zero apps (an empty spec file) is an error and writes nothing, unless --allow-empty', () => {
    expect(synth(p('specs')).code).toBe(0);
    const before = tree(p('dist', 'base'));
    fs.writeFileSync(p('specs', 'web.yaml'), '');
    const r = synth(p('specs'));
    expect(r.code).toBe(1);
    expect(r.err.split('\n')).toEqual([
      `${p('specs', 'web.yaml')}: -: warning: holds no YAML document (an empty file): nothing is synthesized from it`,
      `cdk8s-zerotrust: no app in ${p('specs')}: nothing written (an empty output folder deletes every app when a GitOps tool prunes); check the paths, or pass --allow-empty if no app is what you want`,
    ]);
    expect(tree(p('dist', 'base'))).toEqual(before);
    expect(run(['check', p('specs'), '--out', p('dist')]).code).toBe(1);
    expect(run(['validate', p('specs')]).code).toBe(1);
    const allowed = synth(p('specs'), '--allow-empty');
    expect(allowed.code).toBe(0);
    expect(allowed.err).toMatch(/warning: .*base loses 1 of its 1 app \(shop\/web\.yaml\)/);
    expect(fs.readFileSync(p('dist', 'base', 'kustomization.yaml'), 'utf8')).toContain('resources: []');
  });

  test('an environment that no spec defines is an error, unless --allow-empty', () => {
    fs.writeFileSync(p('specs', 'web.yaml'), APP('web', '  environments: { prod: { replicas: 3 } }\n'));
    const r = synth(p('specs'), '--env', 'prdo');
    expect(r).toEqual({ code: 1, out: '', err: 'cdk8s-zerotrust: --env prdo: no spec defines the environment "prdo" (the specs define prod): nothing written; check the name, or pass --allow-empty to write the base specs as prdo' });
    expect(fs.existsSync(p('dist'))).toBe(false);
    expect(synth(p('specs'), '--env', 'prod').code).toBe(0);
    expect(synth(p('specs'), '--env', 'prdo', '--allow-empty').code).toBe(0);
  });

  test('a wrong path among several, a glob that matched nothing, a folder without specs: errors, and the output stays', () => {
    fs.mkdirSync(p('other'));
    fs.writeFileSync(p('other', 'app.yaml'), APP('other'));
    expect(synth(p('specs'), p('other')).code).toBe(0);
    const before = tree(p('dist', 'base'));
    fs.mkdirSync(p('empty'));
    fs.writeFileSync(p('empty', 'README.md'), 'specs moved');
    const r = synth(p('specs'), p('othr'), p('specs', '*.yml'), p('empty'));
    expect(r.code).toBe(1);
    expect(r.err.split('\n')).toEqual([
      `${p('othr')}: -: no such file or directory`,
      `${p('specs', '*.yml')}: -: no such file or directory: a pattern that matched nothing (the shell passes it on unexpanded): check it`,
      `${p('empty')}: -: no *.yaml or *.yml file in this folder or its subfolders: give the folder that holds the specs`,
      'cdk8s-zerotrust: 3 problems found; nothing written',
    ]);
    expect(tree(p('dist', 'base'))).toEqual(before);
  });

  test('losing apps compared with the existing output is reported; losing more than half is a warning', () => {
    fs.writeFileSync(p('specs', 'web.yaml'), APPS(4));
    expect(synth(p('specs')).code).toBe(0);
    fs.writeFileSync(p('specs', 'web.yaml'), APPS(3));
    expect(synth(p('specs')).err).toBe(`cdk8s-zerotrust: ${p('dist', 'base')} loses 1 app of 4: ns3/app3.yaml`);
    fs.writeFileSync(p('specs', 'web.yaml'), APPS(1));
    expect(run(['check', p('specs'), '--out', p('dist')]).err).toMatch(/cdk8s-zerotrust: warning: .*base loses 2 of its 3 apps \(ns1\/app1\.yaml, ns2\/app2\.yaml\): if a spec path, a glob or --env is wrong, fix it and run again/);
    const r = synth(p('specs'));
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/warning: .*loses 2 of its 3 apps/);
  });
});

describe('issue 14: fault tests for the output folder', () => {
  test('an out dir that is a file: a clear error, nothing replaced (see also the issue 18 rows)', () => {
    fs.writeFileSync(p('dist'), 'x');
    expect(run(['synth', p('specs'), '--out', p('dist')])).toEqual({ code: 1, out: '', err: `cdk8s-zerotrust: cannot write into ${p('dist')}: is a regular file, not a folder: it is left as it is; give --out a folder` });
  });

  test('a full disk: a clear error, the old output kept, no temporary folder left', () => {
    if (!IS_ROOT) return; // needs a small file system: mounted as root only (the other fault tests cover the rest)
    const disk = p('disk');
    fs.mkdirSync(disk);
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', disk]).status !== 0) return; // no mount privilege here
    try {
      expect(run(['synth', p('specs'), '--out', disk]).code).toBe(0);
      const before = tree(path.join(disk, 'base'));
      fs.writeFileSync(p('specs', 'web.yaml'), `${APP()}---\n${APPS(300)}`);
      const r = cli(['synth', p('specs'), '--out', disk], { timeout: 60_000 });
      expect(r.code).toBe(1);
      expect(r.err).toBe(`cdk8s-zerotrust: cannot write ${path.join(disk, 'base')}: no space left on the device (ENOSPC): ${path.join(disk, 'base')} is unchanged; free some space and run again\n`);
      expect(tree(path.join(disk, 'base'))).toEqual(before);
      expect(leftovers(disk)).toEqual([]);
    } finally {
      spawnSync('umount', [disk]);
    }
  });

  test('an error that is not the system\'s is reported as a bug, with the trace only under --debug', () => {
    const spy = jest.spyOn(pipeline, 'runPipeline').mockImplementation(() => { throw new TypeError('boom'); });
    try {
      const r = run(['validate', p('specs')]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/^cdk8s-zerotrust: internal error: boom\ncdk8s-zerotrust: this is a bug in cdk8s-zerotrust [\d.]+, not in your specs: please report it with the command line \(--debug shows the trace\)$/);
      const debug = run(['validate', p('specs'), '--debug']);
      expect(debug.err).toMatch(/^TypeError: boom\n\s+at /m);
    } finally {
      spy.mockRestore();
    }
  });
});
