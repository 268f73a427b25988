import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as yaml from 'js-yaml';

/**
 * The packed package as a library user gets it: `npm pack`, installed from the npm cache (no
 * network) into apps laid out as `cdk8s init typescript-app` lays them out (its tsconfig: no
 * skipLibCheck; its @types/node and TypeScript), once per set of peer versions in
 * scripts/consumer-test.js: what package-lock.json pins, and the lowest of every peer range.
 * In each, `tsc` compiles app/main.ts (SecureApp beside cdk8s-plus-28 constructs in one Chart,
 * the `ApiObject.of` escape hatch) and every typing the package ships; `node main.js` synthesizes;
 * the packaged CLI runs what `npm run synth` runs. Both outputs must be byte-identical across the
 * versions (and the CLI's to the committed dist/).
 *
 * The cache is filled by `node scripts/consumer-test.js warm` (.ci/run does it before `npm test`).
 * Outside CI the suite is skipped, with the reason printed, when the cache lacks a package; with
 * CI set it always runs.
 */
const consumer = require('../../scripts/consumer-test.js');

const ROOT: string = consumer.ROOT;
const MAIN_TS = path.join(__dirname, 'app', 'main.ts');

interface Entry { readonly name: string; readonly cdk8s: string; readonly constructs: string; readonly 'cdk8s-plus-28': string }
interface RunResult { readonly status: number; readonly stdout: string; readonly out: string }
const run: (cmd: string, args: string[], cwd: string) => Promise<RunResult> = consumer.run;
const entries: Entry[] = consumer.matrix();

const inCI = /^(?!0$|false$).+/i.test(process.env.CI ?? '');
const gap: string | undefined = inCI ? undefined : consumer.cacheGap();
if (gap) console.warn(`consumer test skipped: ${gap}`);
const suite = gap ? describe.skip : describe;

/**
 * The CLI commands of package.json's `synth` script (`node bin/cdk8s-zerotrust ARGS`, joined by
 * `&&`), as argument lists: what renders the committed dist/.
 */
function synthCommands(): string[][] {
  const script: string = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.synth ?? '';
  const commands = script.split('&&').map((c) => c.trim().split(/\s+/)).filter((c) => c[0] === 'node' && c[1] === 'bin/cdk8s-zerotrust').map((c) => c.slice(2));
  if (!commands.length || commands.some((c) => !c.includes('--out'))) throw new Error(`package.json scripts.synth: ${JSON.stringify(script)} has no \`node bin/cdk8s-zerotrust ... --out DIR\` command`);
  return commands;
}

/** Fails with the command's output unless it exited 0. */
function expectOk(r: RunResult, what: string): void {
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}:\n${r.out}`);
}

/** Every file under `dir`, relative, sorted, with its content. */
function tree(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else files.set(path.relative(dir, full), fs.readFileSync(full));
    }
  };
  walk(dir);
  return files;
}

/** Files that differ between two trees (missing on one side, or different bytes). */
function treeDiff(a: Map<string, Buffer>, b: Map<string, Buffer>): string[] {
  const names = [...new Set([...a.keys(), ...b.keys()])].sort();
  return names.filter((n) => !a.has(n) || !b.has(n) || !a.get(n)!.equals(b.get(n)!));
}

/**
 * Packs the package as `npm pack` does after its prepack build, without touching the work tree:
 * compiles into a staging copy (the files package.json lists) and packs that. Returns the tarball.
 */
async function pack(work: string): Promise<string> {
  const stage = path.join(work, 'package');
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const tsc = await run(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(ROOT, 'tsconfig.json'), '--outDir', path.join(stage, 'lib')], ROOT);
  if (tsc.status !== 0) throw new Error(`the package does not compile (tsc -p tsconfig.json):\n${tsc.out}`);
  for (const f of ['package.json', 'README.md', 'LICENSE', ...pkg.files.filter((f: string) => f !== 'lib')]) {
    if (fs.existsSync(path.join(ROOT, f))) fs.cpSync(path.join(ROOT, f), path.join(stage, f), { recursive: true });
  }
  const packed = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], stage);
  if (packed.status !== 0) throw new Error(`npm pack failed:\n${packed.out}`);
  return path.join(work, JSON.parse(packed.stdout)[0].filename);
}

suite('the packed package in a cdk8s init typescript-app project', () => {
  let work: string;
  const apps = new Map<string, string>();

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-consumer-'));
    const tarball = await pack(work);
    await Promise.all(entries.map(async (entry) => {
      const dir = path.join(work, entry.name);
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(consumer.appPackageJson(entry, `file:${tarball}`), null, 2)}\n`);
      fs.copyFileSync(path.join(consumer.TEMPLATE, 'tsconfig.json'), path.join(dir, 'tsconfig.json'));
      fs.copyFileSync(MAIN_TS, path.join(dir, 'main.ts'));
      const r = await consumer.installOffline(dir);
      if (r.status !== 0) {
        // npm reports a cache miss under a tarball dependency as ERESOLVE; ask the cache directly.
        const why: string | undefined = consumer.cacheGap();
        throw new Error(`npm install --offline of the ${entry.name} app failed${why ? `: ${why}` : ''}:\n${r.out}`);
      }
      apps.set(entry.name, dir);
    }));
  }, 240_000);

  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  const tscIn = (dir: string, ...args: string[]) => run(process.execPath, [path.join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), ...args], dir);

  test.each(entries.map((e) => [e.name, e.cdk8s, e]))('%s (cdk8s %s): the installed peers are the ones asked for', async (_n, _v, entry) => {
    const dir = apps.get(entry.name)!;
    const installed = Object.fromEntries(consumer.PEERS.map((p: string) => [p, JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', p, 'package.json'), 'utf8')).version]));
    expect(installed).toEqual(Object.fromEntries(consumer.PEERS.map((p: string) => [p, entry[p as keyof Entry]])));
    // one copy of each: npm nested none under the package (a second cdk8s breaks rendering)
    for (const p of consumer.PEERS) expect(fs.existsSync(path.join(dir, 'node_modules', 'cdk8s-zerotrust', 'node_modules', p))).toBe(false);
  });

  test.each(entries.map((e) => [e.name, e.cdk8s, e]))('%s (cdk8s %s): tsc compiles main.ts and every typing the package ships', async (_n, _v, entry) => {
    const dir = apps.get(entry.name)!;
    const build = await tscIn(dir, '--build');
    expect({ status: build.status, out: build.out }).toEqual({ status: 0, out: '' });
    // All of them, not only those main.ts reaches: a typing unreachable today is one export away.
    const tsconfig = JSON.parse(fs.readFileSync(path.join(dir, 'tsconfig.json'), 'utf8'));
    fs.writeFileSync(path.join(dir, 'tsconfig.typings.json'), JSON.stringify({
      compilerOptions: { ...tsconfig.compilerOptions, noEmit: true },
      include: ['node_modules/cdk8s-zerotrust/lib/src/**/*.d.ts', 'node_modules/cdk8s-zerotrust/lib/imports/**/*.d.ts'],
    }));
    const typings = await tscIn(dir, '-p', 'tsconfig.typings.json');
    expect({ status: typings.status, out: typings.out }).toEqual({ status: 0, out: '' });
  });

  test('node main.js writes SecureApp and cdk8s-plus objects, byte-identical on every cdk8s version', async () => {
    const outputs = new Map<string, Buffer>();
    for (const entry of entries) {
      const dir = apps.get(entry.name)!;
      if (!fs.existsSync(path.join(dir, 'main.js'))) await tscIn(dir, '--build');
      expectOk(await run(process.execPath, ['main.js'], dir), `${entry.name}: node main.js`);
      outputs.set(entry.name, fs.readFileSync(path.join(dir, 'dist', 'shop.k8s.yaml')));
    }
    const [first, ...rest] = entries.map((e) => outputs.get(e.name)!);
    for (const [i, other] of rest.entries()) expect({ app: entries[i + 1].name, yaml: other.toString() }).toEqual({ app: entries[i + 1].name, yaml: first.toString() });

    const objects = yaml.loadAll(first.toString()) as any[];
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(expect.arrayContaining([
      'ServiceAccount/web', 'Service/web', 'Deployment/web', 'Ingress/web', 'ConfigMap/worker-config', 'Deployment/worker',
    ]));
    const web = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'web');
    expect(web.spec.template.spec.priorityClassName).toBe('business-critical');
    expect(web.metadata.annotations).toEqual({ 'example.com/owner': 'team-shop' });
  });

  test('the packaged CLI synthesizes as `npm run synth` does, byte-identically on every cdk8s version, with the fast and the generic rendering, and to dist/', async () => {
    const trees: Array<Map<string, Buffer>> = [];
    for (const entry of entries) {
      const dir = apps.get(entry.name)!;
      const cli = path.join(dir, 'node_modules', 'cdk8s-zerotrust', 'bin', 'cdk8s-zerotrust');
      const out = path.join(dir, 'out');
      for (const args of synthCommands()) {
        const withOut = args.map((a, i) => (args[i - 1] === '--out' ? out : a));
        expectOk(await run(process.execPath, [cli, ...withOut, '--quiet'], ROOT), `${entry.name}: cdk8s-zerotrust ${args.join(' ')}`);
      }
      trees.push(tree(out));
    }
    expect(trees[0].size).toBeGreaterThan(0);
    for (const [i, t] of trees.slice(1).entries()) expect({ app: entries[i + 1].name, differ: treeDiff(trees[0], t) }).toEqual({ app: entries[i + 1].name, differ: [] });
    // and to what the repository commits as dist/ (itself checked against src/ by the examples test)
    expect({ app: 'dist/', differ: treeDiff(trees[0], tree(path.join(ROOT, 'dist'))) }).toEqual({ app: 'dist/', differ: [] });
    // The fast rendering reads cdk8s internals: on every cdk8s version, the generic path
    // (CDK8S_ZEROTRUST_GENERIC_RENDER=1, cdk8s' own ApiObject.toJson) must give the same bytes.
    for (const entry of entries) {
      const dir = apps.get(entry.name)!;
      const cli = path.join(dir, 'node_modules', 'cdk8s-zerotrust', 'bin', 'cdk8s-zerotrust');
      const out = path.join(dir, 'out-generic');
      process.env.CDK8S_ZEROTRUST_GENERIC_RENDER = '1';
      try {
        for (const args of synthCommands()) {
          const withOut = args.map((a, i) => (args[i - 1] === '--out' ? out : a));
          expectOk(await run(process.execPath, [cli, ...withOut, '--quiet'], ROOT), `${entry.name}: CDK8S_ZEROTRUST_GENERIC_RENDER=1 cdk8s-zerotrust ${args.join(' ')}`);
        }
      } finally {
        delete process.env.CDK8S_ZEROTRUST_GENERIC_RENDER;
      }
      expect({ app: `${entry.name}, generic rendering`, differ: treeDiff(trees[0], tree(out)) }).toEqual({ app: `${entry.name}, generic rendering`, differ: [] });
    }
  });
});
