import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expandSpecPaths, loadSpecFiles } from '../../src/engine/load';
import { readSpecFile, stringProblem, utf8Problem } from '../../src/engine/safe-read';
import { escapeControl, escapeLines } from '../../src/engine/safe-text';
import { ROOT } from '../util';

/**
 * The bounded reader of spec files (issue 18): regular files only, a size limit, UTF-8, YAML
 * aliases counted before anything walks the data, no NUL, and escaped messages.
 */

const APP = (extra = '', name = 'web') => `apiVersion: cdk8s-zerotrust/v1alpha1
kind: App
metadata: { name: ${name}, namespace: shop }
spec:
  image: quay.io/acme/web:1.0.0
  ports: [{ name: http, port: 8080 }]
${extra}`;

/** 13 lines, 10^9 leaves when expanded. */
export const ALIAS_BOMB = (field: string) => `a0: &a0 [x, x, x, x, x, x, x, x, x, x]
a1: &a1 [*a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0]
a2: &a2 [*a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1]
a3: &a3 [*a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2]
a4: &a4 [*a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3]
a5: &a5 [*a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4]
a6: &a6 [*a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5]
a7: &a7 [*a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6]
a8: &a8 [*a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7]
apiVersion: cdk8s-zerotrust/v1alpha1
kind: App
metadata: { name: web, namespace: shop }
spec: { image: "quay.io/acme/web:1.0.0", ports: [{ name: http, port: 8080 }], ${field} }
`;

let dir: string;
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-load-')); });
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const write = (rel: string, content: string | Buffer) => {
  const full = path.join(dir, rel);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, content);
  return full;
};
const messages = (file: string) => readSpecFile(file).issues.map((i) => `${i.app}: ${i.field ? `${i.field}: ` : ''}${i.message}`);

describe('readSpecFile', () => {
  test('reads a spec, and a symbolic link to one', () => {
    const file = write('web.yaml', APP());
    fs.symlinkSync(file, path.join(dir, 'link.yaml'));
    for (const f of [file, path.join(dir, 'link.yaml')]) {
      const r = readSpecFile(f);
      expect(r.issues).toEqual([]);
      expect(r.documents.map((d) => (d.doc as any).metadata.name)).toEqual(['web']);
    }
  });

  test('refuses a file over the size limit without parsing it', () => {
    const file = write('big.yaml', `${APP()}# ${'x'.repeat(5000)}\n`);
    expect(readSpecFile(file, { maxFileBytes: 4096 }).issues[0].message).toMatch(/^not read: is \d+ bytes, larger than the limit of 4096 bytes/);
  });

  test.each(['replicas: *a8', 'env: { A: *a8 }', 'args: *a8', 'environments: { prod: { replicas: *a8 } }'])('refuses a 13-line alias bomb in %s at once', (field) => {
    const file = write('bomb.yaml', ALIAS_BOMB(field));
    const started = Date.now();
    const r = readSpecFile(file);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(r.documents).toEqual([]);
    expect(r.issues.map((i) => i.message)).toEqual([expect.stringMatching(/^document 1 expands to more than \d+ nodes through YAML aliases: refused/)]);
  });

  test('reads a spec whose aliases stay within the budget', () => {
    const file = write('anchors.yaml', `${APP('  env: &env { A: "1", B: "2" }\n  environments: { prod: { env: *env }, dev: { env: *env } }\n')}`);
    expect(readSpecFile(file).issues).toEqual([]);
  });

  test('refuses a spec that contains itself through an alias, naming it as such', () => {
    const file = write('self.yaml', APP('  env: &e { A: *e }\n'));
    expect(readSpecFile(file).issues.map((i) => i.message)).toEqual(['document 1 contains itself through a YAML alias: recursive documents are refused']);
  });

  test('refuses absurd nesting without overflowing the stack', () => {
    const flow = messages(write('deep.yaml', `${'['.repeat(100000)}${']'.repeat(100000)}\n`))[0];
    expect(flow).toMatch(/^(-|document 1): (not valid YAML at line 1, column \d+: nesting exceeded maxDepth|is nested too deeply)/);
    const block = messages(write('deep2.yaml', `${Array.from({ length: 2000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n')} x\n`))[0];
    expect(block).toMatch(/nested (too deeply|deeper than)|maxDepth/);
  });

  test('requires UTF-8: a Latin-1 byte is an error with its line and column; a byte order mark is fine', () => {
    const latin1 = write('latin1.yaml', Buffer.concat([Buffer.from(APP('  env: { GREETING: "caf')), Buffer.from([0xe9]), Buffer.from('" }\n')]));
    expect(messages(latin1)).toEqual(['-: not valid UTF-8 at line 7, column 24: byte 0xe9 (é in Latin-1) does not start or continue a UTF-8 character: save the file as UTF-8']);
    const bom = write('bom.yaml', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(APP('  env: { GREETING: "café" }\n'))]));
    const read = readSpecFile(bom);
    expect(read.issues).toEqual([]);
    expect((read.documents[0].doc as any).spec.env.GREETING).toBe('café');
    expect(messages(write('utf16.yaml', Buffer.from(`\ufeff${APP()}`, 'utf16le')))).toEqual(['-: is UTF-16 (it starts with a UTF-16 byte order mark): save it as UTF-8']);
  });

  test('utf8Problem is strict: overlong forms, encoded surrogates and truncated sequences are refused', () => {
    expect(utf8Problem(Buffer.from('héllo\nwörld'))).toBeUndefined();
    expect(utf8Problem(Buffer.from([0x61, 0xc0, 0xaf]))).toMatch(/line 1, column 2: byte 0xc0/);
    expect(utf8Problem(Buffer.from([0x0a, 0x0a, 0xed, 0xa0, 0x80]))).toMatch(/line 3, column 1: byte 0xed/);
    expect(utf8Problem(Buffer.from([0x61, 0x62, 0xe2, 0x82]))).toMatch(/line 1, column 3: byte 0xe2/);
  });

  test('refuses NUL in any string (an env value, a key), escaped or raw, naming the field', () => {
    expect(messages(write('nul.yaml', APP('  env: { A: "x\\0y" }\n')))).toEqual([
      "web: spec.env.A: contains a NUL character (\\0) at position 2: Kubernetes and container runtimes cannot carry it (a process's environment and arguments end at the first NUL): remove it",
    ]);
    expect(messages(write('nulkey.yaml', APP('  env: { "A\\0": "x" }\n')))[0]).toMatch(/^web: spec\.env\.A\0: contains a NUL character/);
    expect(messages(write('raw.yaml', Buffer.from(APP('  env: { A: "x\0y" }\n'))))).toEqual(['-: contains the control character U+0000 (NUL) at line 7, column 15: YAML and Kubernetes cannot carry it: remove it']);
    expect(messages(write('esc.yaml', Buffer.from(APP('  env: { A: "x\u001b[31m" }\n'))))).toEqual(['-: contains the control character U+001B at line 7, column 15: YAML and Kubernetes cannot carry it: remove it']);
  });

  test('refuses half a surrogate pair, which UTF-8 cannot encode', () => {
    expect(messages(write('surrogate.yaml', APP('  env: { A: "x\\ud800" }\n')))[0]).toMatch(/^web: spec\.env\.A: contains \\ud800, half of a UTF-16 surrogate pair/);
    expect(stringProblem('😀 fine')).toBeUndefined();
  });

  test('a file with no document is a warning, not an error', () => {
    expect(readSpecFile(write('empty.yaml', '# nothing here\n---\n')).issues).toEqual([
      { file: path.join(dir, 'empty.yaml'), app: '-', field: '', warning: true, message: 'holds no YAML document (an empty file): nothing is synthesized from it' },
    ]);
  });

  test('refuses a FIFO, a device and a socket without opening them (in a child process: a blocking open would hang jest)', () => {
    const fifo = path.join(dir, 'pipe.yaml');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const script = `const { readSpecFile } = require(${JSON.stringify(path.join(ROOT, 'lib/src/engine/safe-read'))});
      process.stdout.write(JSON.stringify([${JSON.stringify(fifo)}, '/dev/zero'].map((f) => readSpecFile(f).issues[0].message)));`;
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10_000, killSignal: 'SIGKILL' });
    expect(run.signal).toBeNull();
    expect(JSON.parse(run.stdout)).toEqual([
      'not read: a FIFO, not a regular file: only regular files and symbolic links to them are read',
      'not read: a character device, not a regular file: only regular files and symbolic links to them are read',
    ]);
  });
});

describe('expandSpecPaths and loadSpecFiles', () => {
  test('a folder with no *.yaml is an error; *.YAML counts', () => {
    fs.mkdirSync(path.join(dir, 'none'));
    write('none/README.md', 'no specs');
    write('upper/WEB.YAML', APP());
    const r = expandSpecPaths([path.join(dir, 'none'), path.join(dir, 'upper')]);
    expect(r.files).toEqual([path.join(dir, 'upper', 'WEB.YAML')]);
    expect(r.issues.map((i) => `${i.file}: ${i.message}`)).toEqual([`${path.join(dir, 'none')}: no *.yaml or *.yml file in this folder or its subfolders: give the folder that holds the specs`]);
  });

  test('a path that does not exist is an error; an unexpanded glob is named as one', () => {
    write('web.yaml', APP());
    const r = expandSpecPaths([path.join(dir, 'web.yaml'), path.join(dir, 'nope.yaml'), path.join(dir, '*.yml')]);
    expect(r.issues.map((i) => i.message)).toEqual([
      'no such file or directory',
      'no such file or directory: a pattern that matched nothing (the shell passes it on unexpanded): check it',
    ]);
  });

  test('skips our output folders and temporary folders inside a spec folder, and refuses an output folder given as specs', () => {
    write('specs/web.yaml', APP());
    write('specs/dist/base/kustomization.yaml', 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [shop/web.yaml]\n');
    write('specs/dist/base/TRUST.md', '# Who may call whom (base)\n\nGenerated by cdk8s-zerotrust from an analysis\n');
    write('specs/dist/base/shop/web.yaml', 'apiVersion: v1\nkind: Service\n');
    write('specs/dist/.base.cdk8s-zerotrust-new-123-abcd/shop/web.yaml', 'apiVersion: v1\nkind: Service\n');
    expect(expandSpecPaths([path.join(dir, 'specs')])).toEqual({ files: [path.join(dir, 'specs', 'web.yaml')], issues: [] });
    expect(expandSpecPaths([path.join(dir, 'specs', 'dist', 'base')]).issues[0].message).toMatch(/^is an output folder of cdk8s-zerotrust/);
  });

  test('follows a symbolic link to a folder once, even when it loops', () => {
    write('specs/team/web.yaml', APP());
    fs.symlinkSync(path.join(dir, 'specs'), path.join(dir, 'specs', 'team', 'loop'));
    fs.symlinkSync(path.join(dir, 'specs', 'team'), path.join(dir, 'specs', 'again'));
    expect(expandSpecPaths([path.join(dir, 'specs')])).toEqual({ files: [path.join(dir, 'specs', 'again', 'web.yaml')], issues: [] });
  });

  test('every problem of the files is an issue; warnings are apart', () => {
    write('specs/empty.yaml', '');
    write('specs/bad.yaml', 'a: [\n');
    write('specs/web.yaml', APP());
    const r = loadSpecFiles([path.join(dir, 'specs')]);
    expect(r.docs.map((d) => d.file)).toEqual([path.join(dir, 'specs', 'web.yaml')]);
    expect(r.issues.map((i) => i.message)).toEqual([expect.stringMatching(/^not valid YAML at line 2, column 1/)]);
    expect(r.warnings?.map((i) => i.file)).toEqual([path.join(dir, 'specs', 'empty.yaml')]);
  });
});

describe('escaping', () => {
  test('escapeControl leaves one printable line; escapeLines keeps newlines and tabs', () => {
    expect(escapeControl('we\u001b]0;pwned\u0007\r\n\u009b31m\u202eabc\0')).toBe('we\\e]0;pwned\\x07\\r\\n\\x9b31m\\u202eabc\\0');
    expect(escapeLines('a\tb\nc\u001b[2J')).toBe('a\tb\nc\\e[2J');
    expect(escapeControl('café 😀 ok')).toBe('café 😀 ok');
  });
});

/** A deterministic pseudo-random generator (mulberry32), so that failures reproduce. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = Number(process.env.ZT_FUZZ_SEED ?? 18);
const RUNS = Number(process.env.ZT_FUZZ_RUNS ?? 300);

/** Mutations of a valid spec: byte-level and alias-heavy. */
function mutate(base: Buffer, rnd: () => number): Buffer {
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
  const at = () => Math.floor(rnd() * (base.length + 1));
  switch (Math.floor(rnd() * 8)) {
    case 0: { // random bytes somewhere
      const bytes = Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 8) }, () => Math.floor(rnd() * 256)));
      const i = at();
      return Buffer.concat([base.subarray(0, i), bytes, base.subarray(i)]);
    }
    case 1: { // flip bits
      const b = Buffer.from(base);
      for (let k = 0; k < 1 + rnd() * 4; k++) b[Math.floor(rnd() * b.length)] ^= 1 << Math.floor(rnd() * 8);
      return b;
    }
    case 2: return base.subarray(0, at()); // truncated
    case 3: { // control characters and escapes in a value
      const i = at();
      return Buffer.concat([base.subarray(0, i), Buffer.from(pick(['\0', '\u001b[31m', '"\\0"', '"\\e"', '"\\ud800"', '\r', '\x7f', '\ufeff'])), base.subarray(i)]);
    }
    case 4: { // an alias bomb of random depth and width in a random field
      const width = 2 + Math.floor(rnd() * 12);
      const depth = 1 + Math.floor(rnd() * 10);
      const lines = [`a0: &a0 [${Array(width).fill('x').join(', ')}]`];
      for (let d = 1; d <= depth; d++) lines.push(`a${d}: &a${d} [${Array(width).fill(`*a${d - 1}`).join(', ')}]`);
      const field = pick(['replicas', 'args', 'command', 'env', 'ports', 'environments']);
      return Buffer.from(`${lines.join('\n')}\n${base.toString('latin1')}\n`.replace(/\nspec:\n/, `\nspec:\n  ${field}: *a${depth}\n`), 'latin1');
    }
    case 5: { // merge keys over aliases
      const n = 2 + Math.floor(rnd() * 30);
      const lines = ['b0: &b0 { k0: v }'];
      for (let d = 1; d < n; d++) lines.push(`b${d}: &b${d} { <<: [*b${d - 1}, *b${Math.floor(rnd() * d)}], k${d}: v }`);
      return Buffer.concat([Buffer.from(`${lines.join('\n')}\n`), base]);
    }
    case 6: return Buffer.from(`${'- '.repeat(Math.floor(rnd() * 3000))}x\n`); // deep block nesting
    default: { // duplicated and reordered lines
      const ls = base.toString('latin1').split('\n');
      const i = Math.floor(rnd() * ls.length);
      ls.splice(Math.floor(rnd() * ls.length), 0, ls[i]);
      return Buffer.from(ls.join('\n'), 'latin1');
    }
  }
}

describe('spec loader under mutation (seeded; ZT_FUZZ_SEED and ZT_FUZZ_RUNS for longer runs)', () => {
  test(`never throws, and stays within time and memory bounds (seed ${SEED}, ${RUNS} runs)`, () => {
    const rnd = prng(SEED);
    const base = Buffer.from(APP('  replicas: 2\n  args: [serve]\n  env: { A: "1" }\n  environments: { prod: { replicas: 3 } }\n'));
    const started = Date.now();
    const heapBefore = process.memoryUsage().heapUsed;
    let slowest = 0;
    const outcomes = { read: 0, refused: 0 };
    for (let run = 0; run < RUNS; run++) {
      const file = write(`m${run % 10}.yaml`, mutate(base, rnd));
      const t = Date.now();
      let r;
      try {
        r = readSpecFile(file);
      } catch (e) {
        throw new Error(`run ${run} (seed ${SEED}) threw: ${(e as Error).stack}\ninput: ${JSON.stringify(fs.readFileSync(file, 'latin1'))}`);
      }
      slowest = Math.max(slowest, Date.now() - t);
      outcomes[r.issues.some((i) => !i.warning) ? 'refused' : 'read']++;
      for (const i of r.issues) expect(escapeControl(i.message)).not.toMatch(/[\u0000-\u001f]/);
    }
    expect(slowest).toBeLessThan(1000);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(300 * 1024 * 1024);
    expect(outcomes.read).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  });
});
