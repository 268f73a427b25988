import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';
import * as yaml from 'js-yaml';
import * as fc from 'fast-check';
import { AliasBudget, ReadRefusal, formatManifestProblem, loadManifests, mayShareNodes } from '../../src/analysis/manifests';
import type { LoadedManifests } from '../../src/analysis/manifests';

/** The folders the tests make, removed after them. */
const made: string[] = [];
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});
const madeFolder = (prefix: string) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
};

/** A fresh folder with these files (paths relative to it, folders created). */
function folder(files: { [file: string]: string }): string {
  const dir = madeFolder('zt-manifests-');
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

const kinds = (r: LoadedManifests) => r.objects.map((o) => `${o.object.kind}/${o.object.metadata.name}`);
const problemOf = (r: LoadedManifests, file: string) => {
  const found = r.problems.filter((p) => p.file === file);
  if (found.length !== 1) throw new Error(`expected one problem for ${file}, got ${JSON.stringify(r.problems)}`);
  return found[0];
};

/**
 * loadManifests run in a child process that is killed after `timeoutMs`: a read that blocks (a
 * FIFO opened for reading waits for a writer) would block jest itself, which no test timeout stops.
 */
function loadInChild(dir: string, timeoutMs = 10_000): LoadedManifests {
  const source = fs.readFileSync(path.join(__dirname, '../../src/analysis/manifests.ts'), 'utf8');
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  const file = path.join(madeFolder('zt-loader-'), 'manifests.js');
  fs.writeFileSync(file, js);
  const script = `process.stdout.write(JSON.stringify(require(${JSON.stringify(file)}).loadManifests(${JSON.stringify(dir)})))`;
  const env = { ...process.env, NODE_PATH: path.join(__dirname, '../../node_modules') };
  const run = spawnSync(process.execPath, ['-e', script], { env, timeout: timeoutMs, killSignal: 'SIGKILL', encoding: 'utf8' });
  if (run.signal || run.status !== 0) throw new Error(`the loader did not finish (${run.signal ?? `exit ${run.status}`}): ${run.stderr}`);
  return JSON.parse(run.stdout);
}

const pod = (name: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  containers: [{name: c, image: i}]\n`;

describe('loadManifests', () => {
  test('reads *.yaml, *.yml and *.json recursively in sorted order, and nothing else', () => {
    const dir = folder({
      'b.yaml': pod('b'),
      'a/z.yml': pod('az'),
      'a/c.json': JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'ac' } }),
      'README.md': pod('readme'),
      'notes.txt': 'not: [yaml',
    });
    const r = loadManifests(dir);
    expect(r.problems).toEqual([]);
    expect(kinds(r)).toEqual(['Service/ac', 'Pod/az', 'Pod/b']);
    expect(r.objects.map((o) => o.file)).toEqual(['a/c.json', 'a/z.yml', 'b.yaml']);
  });

  test('reads one file when given a file', () => {
    const dir = folder({ 'one.yaml': pod('one') });
    const r = loadManifests(path.join(dir, 'one.yaml'));
    expect(r.objects.map((o) => o.file)).toEqual(['one.yaml']);
  });

  test('multi-document YAML keeps document indexes across empty documents', () => {
    const dir = folder({ 'm.yaml': `${pod('first')}---\n---\n# only a comment\n---\n${pod('fourth')}` });
    const r = loadManifests(dir);
    expect(r.problems).toEqual([]);
    expect(r.objects.map((o) => [o.object.metadata.name, o.index])).toEqual([['first', 0], ['fourth', 3]]);
  });

  test('flattens a List and any *List with items; items carry the List document index', () => {
    const list = { apiVersion: 'v1', kind: 'List', metadata: {}, items: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 's1' } }, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p1' } }] };
    const podList = 'apiVersion: v1\nkind: PodList\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: p2}\n';
    const dir = folder({ 'list.json': JSON.stringify(list), 'pods.yaml': `${pod('before')}---\n${podList}` });
    const r = loadManifests(dir);
    expect(r.problems).toEqual([]);
    expect(r.objects.map((o) => [o.file, o.object.metadata.name, o.index])).toEqual([['list.json', 's1', 0], ['list.json', 'p1', 0], ['pods.yaml', 'before', 0], ['pods.yaml', 'p2', 1]]);
  });

  test('YAML merge keys are applied and timestamps stay strings', () => {
    const dir = folder({ 'm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  labels: &l {app: web}\n  annotations:\n    <<: *l\n    date: 2024-01-01\n' });
    const [o] = loadManifests(dir).objects;
    expect(o.object.metadata.annotations).toEqual({ app: 'web', date: '2024-01-01' });
  });

  test('fails on a YAML syntax error with file, document, line and column, and reads the other files', () => {
    const dir = folder({ 'bad.yaml': `${pod('ok')}---\nkind: Pod\nmetadata: {name: x}}\n`, 'good.yaml': pod('good') });
    const r = loadManifests(dir);
    const p = problemOf(r, 'bad.yaml');
    expect(p).toMatchObject({ index: 1, line: 9, column: 20 });
    expect(p.message).toMatch(/^not valid YAML \(document 2\): bad indentation/);
    expect(formatManifestProblem(p)).toMatch(/^bad\.yaml:9:20: not valid YAML/);
    expect(kinds(r)).toEqual(['Pod/good']);
  });

  test('counts documents from a leading --- and comments', () => {
    const dir = folder({ 'bad.yaml': `# header\n---\n${pod('ok')}---\n${pod('ok2')}---\nkind: [\n` });
    expect(problemOf(loadManifests(dir), 'bad.yaml')).toMatchObject({ index: 2 });
  });

  test('fails on a JSON syntax error with line and column', () => {
    const dir = folder({ 'bad.json': '{\n  "apiVersion": "v1",\n  }\n' });
    const p = problemOf(loadManifests(dir), 'bad.json');
    expect(p).toMatchObject({ index: 0, line: 3, column: 3 });
    expect(p.message).toMatch(/^not valid JSON: .*a \.json file holds one object/);
  });

  test('fails on documents that are not objects with apiVersion, kind and metadata.name, and keeps going', () => {
    const dir = folder({
      'mixed.yaml': [
        'just a string',
        '- a\n- list',
        'kind: Pod\nmetadata: {name: x}',
        'apiVersion: v1\nkind: Pod\nmetadata: {}',
        pod('kept'),
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {version: 1.0}',
      ].join('\n---\n'),
    });
    const r = loadManifests(dir);
    expect(kinds(r)).toEqual(['Pod/kept']);
    expect(r.problems.map((p) => [p.index, p.message.split(':')[0]])).toEqual([
      [0, 'document 1 is a string, not an object'],
      [1, 'document 2 is a list, not an object'],
      [2, 'document 3 has no apiVersion'],
      [3, 'document 4 (Pod) has no metadata.name'],
      [5, 'document 6 (Pod p) has metadata.labels.version set to the number 1'],
    ]);
    expect(r.problems[0].message).toContain('each document must be a Kubernetes object with apiVersion, kind and metadata.name');
  });

  test('fails on a bad List item, naming it, and reads the other items', () => {
    const dir = folder({ 'l.yaml': `apiVersion: v1\nkind: List\nitems:\n- 42\n- ${JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ok' } })}\n` });
    const r = loadManifests(dir);
    expect(kinds(r)).toEqual(['Pod/ok']);
    expect(problemOf(r, 'l.yaml').message).toMatch(/^item 1 of the List in document 1 is the number 42, not an object/);
  });

  test('skips kustomization files and Kustomization documents silently', () => {
    const dir = folder({
      'kustomization.yaml': 'resources:\n- pod.yaml\n',
      'sub/Kustomization.yml': 'not even: [valid',
      'component.yaml': 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n',
      'pod.yaml': `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n---\n${pod('p')}`,
    });
    const r = loadManifests(dir);
    expect(r.problems).toEqual([]);
    expect(kinds(r)).toEqual(['Pod/p']);
  });

  test('fails on a file over the size limit without parsing it', () => {
    const dir = folder({ 'big.yaml': pod('big') + '#'.repeat(200), 'small.yaml': pod('small') });
    const r = loadManifests(dir, { maxFileBytes: 150 });
    expect(problemOf(r, 'big.yaml').message).toMatch(/^is \d+ bytes, larger than the limit of 150 bytes/);
    expect(kinds(r)).toEqual(['Pod/small']);
  });

  test('fails on a FIFO without opening it (does not hang), directly or through a symbolic link', () => {
    const dir = folder({ 'pod.yaml': pod('p') });
    execFileSync('mkfifo', [path.join(dir, 'pipe.yaml')]);
    fs.symlinkSync(path.join(dir, 'pipe.yaml'), path.join(dir, 'link-to-pipe.yaml'));
    const r = loadInChild(dir);
    expect(problemOf(r, 'pipe.yaml').message).toBe('a FIFO, not a regular file: only regular files and symbolic links to them are read');
    expect(problemOf(r, 'link-to-pipe.yaml').message).toMatch(/^a FIFO, not a regular file/);
    expect(kinds(r)).toEqual(['Pod/p']);
  }, 20_000);

  test('follows symbolic links to files but not to directories, and reports dangling links', () => {
    const dir = folder({ 'real/pod.yaml': pod('p') });
    fs.symlinkSync(path.join(dir, 'real/pod.yaml'), path.join(dir, 'link.yaml'));
    fs.symlinkSync(path.join(dir, 'real'), path.join(dir, 'loop'));
    fs.symlinkSync(path.join(dir, 'nowhere.yaml'), path.join(dir, 'dangling.yaml'));
    const r = loadManifests(dir);
    expect(r.objects.map((o) => o.file)).toEqual(['link.yaml', 'real/pod.yaml']);
    expect(problemOf(r, 'loop').message).toMatch(/^a symbolic link to a directory, not followed/);
    expect(problemOf(r, 'dangling.yaml').message).toMatch(/^a symbolic link to nothing/);
  });

  test('fails quickly on a YAML alias bomb', () => {
    const lines = ['apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: bomb}', 'data:', '  a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i <= 9; i++) lines.push(`  a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
    const dir = folder({ 'bomb.yaml': lines.join('\n'), 'pod.yaml': pod('p') });
    const started = Date.now();
    const r = loadManifests(dir);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(problemOf(r, 'bomb.yaml')).toMatchObject({ index: 0 });
    expect(problemOf(r, 'bomb.yaml').message).toMatch(/^document 1 expands to more than \d+ nodes through YAML aliases: refused \(aliases may add at most 1000000 nodes to a file\)$/);
    expect(kinds(r)).toEqual(['Pod/p']);
  }, 5000);

  test('fails on aliases that add more than the limit over a whole file, document by document', () => {
    const doc = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\nx: &a [${Array(25).fill('1').join(',')}]\ny: [${Array(25).fill('*a').join(',')}]\n`;
    const dir = folder({ 'many.yaml': [doc('one'), doc('two'), doc('three')].join('---\n') });
    const r = loadManifests(dir, { maxAliasNodes: 1000 });
    expect(kinds(r)).toEqual(['ConfigMap/one', 'ConfigMap/two']);
    expect(problemOf(r, 'many.yaml')).toMatchObject({ index: 2 });
  });

  test('reads documents whose aliases stay within the limit', () => {
    const dir = folder({ 'a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  labels: &l {app: web}\n  annotations: *l\n' });
    expect(loadManifests(dir, { maxAliasNodes: 10 }).problems).toEqual([]);
  });

  test('fails on a recursive alias and on absurd nesting', () => {
    const deep = `${'['.repeat(1500)}${']'.repeat(1500)}`;
    const dir = folder({ 'rec.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: r}\ndata: &d {self: *d}\n', 'deep.json': deep });
    const r = loadManifests(dir);
    expect(problemOf(r, 'rec.yaml').message).toMatch(/contains itself through a YAML alias/);
    expect(problemOf(r, 'deep.json').message).toMatch(/nested deeper than 1000 levels/);
  });

  test('reads a file whose strings hold a * but no alias, counting it as a plain tree', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: star}\ndata: {host: "*.example.com", regex: .*}\n';
    expect(mayShareNodes(text)).toBe(false);
    const r = loadManifests(folder({ 'star.yaml': text }), { maxAliasNodes: 0 });
    expect(r.problems).toEqual([]);
    expect(kinds(r)).toEqual(['ConfigMap/star']);
  });

  test('a document counts the same nodes whether or not it may share them (the walk without memo is for trees)', () => {
    const tree = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.string({ maxLength: 3 }), fc.integer(), fc.constant(null), tie('array'), tie('object')),
      array: fc.array(tie('value'), { maxLength: 5 }),
      object: fc.dictionary(fc.string({ maxLength: 3 }), tie('value'), { maxKeys: 5 }),
    })).value;
    const nodes = (v: unknown): number => (typeof v === 'object' && v !== null ? 1 + Object.values(v).reduce((n: number, c) => n + nodes(c), 0) : 1);
    const fits = (v: unknown, limit: number, shared: boolean) => {
      try {
        new AliasBudget(0, limit, shared).spend(v);
        return true;
      } catch (e) {
        if (!(e instanceof ReadRefusal)) throw e;
        return false;
      }
    };
    fc.assert(fc.property(tree, (v) => {
      const n = nodes(v);
      for (const shared of [true, false]) {
        expect(fits(v, n, shared)).toBe(true);
        expect(fits(v, n - 1, shared)).toBe(false);
      }
    }), { numRuns: 500 });
  });

  test('aliases after each character that may precede one share objects, and are flagged', () => {
    const texts: Array<[string, (v: any) => [unknown, unknown]]> = [
      ['a: &x [1]\nb: *x\n', (v) => [v.a, v.b]],
      ['a: &x [1]\nb:\t*x\n', (v) => [v.a, v.b]],
      ['- &x [1]\n- *x\n', (v) => [v[0], v[1]]],
      ['[&x [1],*x]', (v) => [v[0], v[1]]],
      ['[&x [1], *x]', (v) => [v[0], v[1]]],
      ['{"a": &x [1], "b":*x}', (v) => [v.a, v.b]],
      ['{a: &x [1], ? *x : 1, c:*x}', (v) => [v.a, v.c]], // *x as a key becomes a string; as c's value it is the object
      ['a: &x [1]\nb: [*x]\n', (v) => [v.a, v.b[0]]],
      ['a: &x [1]\nb: {c: *x}\n', (v) => [v.a, v.b.c]],
      ['a: &x [1]\nb: {c:*x}\n', (v) => [v.a, v.b.c]],
    ];
    for (const [text, pick] of texts) {
      const [first, second] = pick(yaml.load(text));
      if (typeof second === 'object') expect([text, first === second]).toEqual([text, true]);
      expect([text, mayShareNodes(text)]).toEqual([text, true]);
    }
  });

  test('YAML text may share nodes only with a * where a node starts', () => {
    for (const t of ['a: &x {b: 1}\nc: *x\n', '*x', '\uFEFF*x', '- *x', 'a:\t*x', '[a,*x]', '{a:*x}', 'a: [b,\n  *x]', 'a: b *c']) expect([t, mayShareNodes(t)]).toEqual([t, true]);
    for (const t of ['a: "*.example.com"\n', 'pathRegex: .*\n', 'methods: ["*"]\n', "a: '*'\n", 'a: &x {b: 1}\n', 'a: x*y\n']) expect([t, mayShareNodes(t)]).toEqual([t, false]);
  });

  test('mayShareNodes answers as the regular expression it stands for, on any text', () => {
    const text = fc.string({ unit: fc.constantFrom('*', ' ', '\t', '\n', '\r', '[', '{', ',', ':', '\uFEFF', '\u00a0', 'a', '.', '"', '-'), maxLength: 12 });
    fc.assert(fc.property(text, (t) => expect(mayShareNodes(t)).toBe(/(?:^|[\s[{,:])\*/.test(t))), { numRuns: 5000 });
  });

  test('whenever js-yaml returns one object in two places, the text may share nodes', () => {
    // Values with shared subtrees, written by js-yaml with anchors and aliases, in block and flow styles.
    const leaf = fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.constant('*'), fc.constant('.*'));
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object')),
      array: fc.array(tie('node'), { maxLength: 4 }),
      object: fc.dictionary(fc.string({ maxLength: 3 }), tie('node'), { maxKeys: 4 }),
    })).node;
    const shares = (v: unknown, seen = new Set<object>()): boolean => {
      if (typeof v !== 'object' || v === null) return false;
      if (seen.has(v)) return true;
      seen.add(v);
      return Object.values(v).some((c) => shares(c, seen));
    };
    fc.assert(fc.property(value, value, fc.integer({ min: -1, max: 3 }), (a, b, flowLevel) => {
      const doc = { a, b, again: a, list: [b, a] };
      const text = yaml.dump(doc, { flowLevel });
      let parsed: unknown;
      try {
        parsed = yaml.load(text);
      } catch {
        return; // js-yaml's dump writes some flow-style keys its loader refuses (e.g. "(:{"): nothing is shared then
      }
      if (shares(parsed)) expect(mayShareNodes(text)).toBe(true);
    }), { numRuns: 1000 });
  });

  test('fails on a folder that does not exist', () => {
    const r = loadManifests('/nonexistent/zt-folder');
    expect(r.problems).toEqual([{ file: '/nonexistent/zt-folder', message: 'cannot be read (ENOENT): give a folder of manifests or one manifest file' }]);
  });
});
