#!/usr/bin/env node
/*
 * npm run bench: synthesis speed and memory, as ratios measured in one run on this machine, with
 * the targets of issue 15 (and those of issue 4 that still apply). Exits 1 when a target is missed,
 * and prints every target it misses.
 *
 * What is measured, each in a fresh child process (cold, like a CLI run):
 *
 *   cli      the CLI engine: validate + synthesize N app specs (17 objects each) plus a Cluster
 *            document, cross-check them, analyse the whole output (as `verify` does), draw the
 *            trust graph, and write the folder (writeTreeAtomically), from specs in memory, with
 *            the heap bound the CLI's process sets (src/cli/heap.ts).
 *   own      the stricter floor: build the very same plain objects (a fresh deep copy of what the
 *            CLI renders), write each app's objects with our own emitter (dumpYaml) as one stream
 *            and write the files to disk in the same layout (plain writeFileSync, no swap); one app
 *            at a time, timed per app (parsing the objects from the CLI's output is not timed);
 *            once per process, cold like the CLI's run.
 *   js-yaml  the floor of issue 4: the same, with js-yaml's dump instead of dumpYaml, in a process
 *            of its own.
 *   lib-one  the library path, one Chart: a user's cdk8s App with one Chart holding N SecureApps
 *            (given the run's cluster and app directory), written by synthesizeCharts(app).
 *   lib-per  the library path, one Chart per app (the usual layout), synthesizeCharts(app).
 *   plus     the per-chart cdk8s-plus-28 way of issue 4: one App, one Chart per app with cdk8s-plus
 *            ServiceAccount/Deployment/Service/NetworkPolicy + Route/TrafficTarget/HTTPRouteGroup,
 *            App.synth() (informative, and the >= 10x target of issue 4 at 3000 apps).
 *   cold     `node bin/cdk8s-zerotrust validate <one spec>` against `node -e "require('cdk8s')"`,
 *            whole processes, alternated, median of each.
 *
 * The specs: app i in namespace team(i % 50) admits app i+1 through the mesh (a chain, no cycle);
 * in the "cycles" set, apps 2k and 2k+1 admit each other (the small cycles real callers form).
 * The floors get their objects from a JSON file the first CLI run of a size leaves (not timed), and
 * check their bytes against the CLI's files on a sample.
 *
 * Kinds that are compared run in rounds (cli, own, js-yaml; then cli, js-yaml, own; ...), REPEAT
 * rounds, one process per run, so that load on the shared machine affects them alike. A ratio is
 * the median of the ratios of runs of the same round (the CLI's run i against the floor's run i),
 * so that a slow spell of the machine, which lasts longer than a round, falls on both sides of a
 * pair; times are the median of each kind's runs, and the highest peak RSS is kept.
 *
 * Targets (issue 15): cli <= 2x the own floor and <= 1.5x the js-yaml floor at 100, 1000, 5000 and
 * 20,000 apps (the cycles set included); ms per app at 20,000 (both sets) within 1.3x of 1000;
 * library path (both layouts) within 1.5x of the CLI at 1000 and 5000 apps; cold start of validate
 * <= 1.5x the cdk8s require; peak RSS at 20,000 apps <= 1 GB. Issue 4: peak RSS at 5000 apps
 * <= 512 MB; >= 10x faster than per-chart cdk8s-plus at 3000 apps.
 *
 * Where the runs write: a new folder in BENCH_OUT, or by default in /dev/shm when it is a tmpfs (else
 * the OS temporary directory), given to every run as TMPDIR (`benchFolder`); the bench prints it
 * and what writing 1,000 files there costs.
 *
 * Environment: BENCH_OUT (see above), BENCH_SIZES (default "100,1000,5000,20000"), BENCH_CYCLES_SIZES ("20000"),
 * BENCH_LIB_SIZES ("1000,5000"), BENCH_PLUS_SIZES ("3000"; empty to skip), BENCH_REPEAT (3; sizes
 * above 5000 get BENCH_REPEAT_LARGE, 3), BENCH_COLD_RUNS (15), BENCH_JSON (a file to write the
 * figures to, for README's table).
 */
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const LIB = path.join(ROOT, 'lib', 'src');

/** N app specs (17 objects each: SA, Service, Deployment, PDB, Route, Role, 2 RoleBindings, HTTPRouteGroup, TrafficTarget, IngressBackend, 6 NetworkPolicies) and the Cluster document. */
function makeDocs(n, cycles) {
  const caller = (i) => (cycles ? (i % 2 === 0 ? (i + 1 < n ? i + 1 : undefined) : i - 1) : (i + 1 < n ? i + 1 : undefined));
  const docs = [];
  for (let i = 0; i < n; i++) {
    const c = caller(i);
    const from = c === undefined ? [] : [{ from: [{ serviceAccount: `app${c}`, namespace: `team${c % 50}` }], http: [{ name: 'gets', methods: ['GET'] }] }];
    docs.push({
      file: `specs/app${i}.yaml`,
      index: 0,
      doc: {
        apiVersion: 'cdk8s-zerotrust/v1alpha1',
        kind: 'App',
        metadata: { name: `app${i}`, namespace: `team${i % 50}`, labels: { team: `team${i % 50}` } },
        spec: {
          image: `quay.io/acme/app${i}:1.${i % 10}.0`,
          ports: [{ name: 'http', port: 8080 }],
          env: { LOG_LEVEL: 'info' },
          route: { host: `app${i}.apps.example.com`, certificate: { secretName: `app${i}-cert` } },
          mesh: { allow: from },
        },
      },
    });
  }
  // OpenShift (the apps have routes) with OSM; the platform team enrols the team namespaces and the router's.
  docs.push({
    file: 'specs/cluster.yaml',
    index: 0,
    doc: {
      apiVersion: 'cdk8s-zerotrust/v1alpha1',
      kind: 'Cluster',
      metadata: { name: 'bench' },
      spec: { platform: 'openshift', mesh: { monitoredNamespaces: [...Array.from({ length: Math.min(n, 50) }, (_, t) => `team${t}`), 'openshift-ingress'] } },
    },
  });
  return docs;
}

const now = () => process.hrtime.bigint();
const since = (t) => Number(process.hrtime.bigint() - t) / 1e6;
const rssMb = () => process.resourceUsage().maxRSS / 1024;

/** A fresh deep copy of plain data: what a generator that builds the objects itself would allocate. */
function build(v) {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = build(v[i]);
    return out;
  }
  const out = {};
  for (const k of Object.keys(v)) out[k] = build(v[k]);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Workers (one measurement each, in a child process); each prints one JSON line.

function cliWorker(n, cycles, cache) {
  const lib = require(LIB);
  const { writeTreeAtomically } = require(path.join(LIB, 'engine', 'write'));
  require(path.join(LIB, 'cli', 'heap')).boundHeapGrowth(); // as the CLI's process does (src/cli/heap.ts)
  // The modules synth loads on first use (pipeline.ts): loaded before the clock starts, as the floors load
  // theirs; loading them is what the cold-start row measures.
  for (const m of ['constructs/secure-app', 'engine/verify', 'engine/trust-graph']) require(path.join(LIB, m));
  const docs = makeDocs(n, cycles);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cli-'));
  const t = now();
  const result = lib.synthesizeDocuments(docs);
  if (result.issues.length) throw new Error(result.issues.slice(0, 5).map(lib.formatIssue).join('\n'));
  writeTreeAtomically(path.join(out, 'base'), result.files);
  const ms = since(t);
  const rss = rssMb();
  const warnings = result.warnings.filter((w) => !/enrolled by someone else/.test(w.message)); // the platform team enrols the namespaces: expected
  if (cache && !fs.existsSync(path.join(cache, 'objects.json'))) {
    // For the floors (not timed): every app file's objects, and the CLI's files to compare bytes with.
    const yaml = require('js-yaml');
    const files = [...result.files].filter(([f]) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    const lines = files.map(([f, content]) => JSON.stringify({ file: f, objects: yaml.loadAll(content) }));
    fs.writeFileSync(path.join(cache, 'objects.json.tmp'), lines.join('\n'));
    fs.renameSync(path.join(cache, 'objects.json.tmp'), path.join(cache, 'objects.json'));
    fs.cpSync(path.join(out, 'base'), path.join(cache, 'cli-output'), { recursive: true });
  }
  fs.rmSync(out, { recursive: true, force: true });
  return { ms, rssMb: rss, objects: result.objects, files: result.files.size, warnings: warnings.length, firstWarning: warnings[0] && lib.formatIssue(warnings[0]) };
}

function floorWorker(n, cache, kind) {
  const { dumpYaml, YAML_DUMP_OPTIONS } = require(path.join(LIB, 'render'));
  const yaml = require('js-yaml');
  // One JSON line per file; each app's objects are parsed (not timed) just before the floor builds, writes and drops them.
  const lines = fs.readFileSync(path.join(cache, 'objects.json'), 'utf8');
  const expected = path.join(cache, 'cli-output');
  const out = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${kind}-`));
  const dump = kind === 'own' ? dumpYaml : (o) => yaml.dump(o, YAML_DUMP_OPTIONS);
  const dirs = new Set();
  const files = [];
  let ms = 0;
  for (let pos = 0; pos < lines.length;) {
    const end = lines.indexOf('\n', pos);
    const app = JSON.parse(lines.slice(pos, end === -1 ? lines.length : end));
    pos = end === -1 ? lines.length : end + 1;
    const t = now();
    const objects = build(app.objects);
    const text = objects.map(dump).join('---\n');
    const dir = path.dirname(app.file);
    if (!dirs.has(dir)) { fs.mkdirSync(path.join(out, dir), { recursive: true }); dirs.add(dir); }
    fs.writeFileSync(path.join(out, app.file), text);
    ms += since(t);
    files.push(app.file);
  }
  const rss = rssMb();
  // The same bytes as the CLI's files (a sample).
  const step = Math.max(1, Math.floor(files.length / 20));
  for (let i = 0; i < files.length; i += step) {
    if (fs.readFileSync(path.join(out, files[i]), 'utf8') !== fs.readFileSync(path.join(expected, files[i]), 'utf8')) throw new Error(`${kind} floor: ${files[i]} differs from the CLI's`);
  }
  fs.rmSync(out, { recursive: true, force: true });
  return { ms, rssMb: rss };
}

function libWorker(n, layout) {
  const lib = require(LIB);
  const { App, Chart } = require('cdk8s');
  const docs = makeDocs(n, false);
  const specs = docs.filter((d) => d.doc.kind === 'App').map((d) => d.doc);
  const clusterDoc = docs.find((d) => d.doc.kind === 'Cluster').doc;
  const out = fs.mkdtempSync(path.join(os.tmpdir(), `bench-lib-${layout}-`));
  const t = now();
  const cluster = lib.ClusterContext.fromSpec(clusterDoc.spec, clusterDoc.metadata.name);
  const directory = new lib.AppDirectory(specs);
  const app = new App({ outdir: out });
  const one = layout === 'one' ? new Chart(app, 'apps') : undefined;
  specs.forEach((spec, i) => new lib.SecureApp(one ?? new Chart(app, spec.metadata.name), one ? `app${i}` : 'App', { spec, cluster, directory }));
  const written = lib.synthesizeCharts(app);
  const ms = since(t);
  const rss = rssMb();
  if (written.length !== (one ? 1 : n)) throw new Error(`library path wrote ${written.length} files`);
  fs.rmSync(out, { recursive: true, force: true });
  return { ms, rssMb: rss };
}

function plusWorker(n) {
  const { App, Chart } = require('cdk8s');
  const plus = require('cdk8s-plus-28');
  const route = require(path.join(ROOT, 'lib', 'imports', 'route.openshift.io'));
  const access = require(path.join(ROOT, 'lib', 'imports', 'access.smi-spec.io'));
  const specs = require(path.join(ROOT, 'lib', 'imports', 'httproutegroup-specs.smi-spec.io'));
  const docs = makeDocs(n, false).filter((d) => d.doc.kind === 'App');
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-plus-'));
  const t = now();
  const app = new App({ outdir: out });
  for (const { doc } of docs) {
    const name = doc.metadata.name;
    const chart = new Chart(app, name, { namespace: doc.metadata.namespace, labels: doc.metadata.labels });
    const sa = new plus.ServiceAccount(chart, 'sa', { metadata: { name } });
    const dep = new plus.Deployment(chart, 'deploy', { metadata: { name }, replicas: 2, serviceAccount: sa });
    dep.addContainer({ name, image: doc.spec.image, portNumber: 8080, envVariables: { LOG_LEVEL: plus.EnvValue.fromValue('info') } });
    const svc = dep.exposeViaService({ name, ports: [{ port: 8080, name: 'http' }] });
    new plus.NetworkPolicy(chart, 'np', { metadata: { name: `${name}-default-deny` }, selector: dep });
    new route.Route(chart, 'route', { metadata: { name }, spec: { host: doc.spec.route.host, to: { kind: route.RouteSpecToKind.SERVICE, name: svc.name }, tls: { termination: route.RouteSpecTlsTermination.EDGE } } });
    new specs.HttpRouteGroup(chart, 'hrg', { metadata: { name }, spec: { matches: [{ name: 'gets', methods: [specs.HttpRouteGroupSpecMatchesMethods.GET] }] } });
    new access.TrafficTarget(chart, 'tt', { metadata: { name }, spec: { destination: { kind: 'ServiceAccount', name }, sources: [{ kind: 'ServiceAccount', name: 'caller', namespace: 'x' }], rules: [{ kind: access.TrafficTargetSpecRulesKind.HTTP_ROUTE_GROUP, name }] } });
  }
  app.synth();
  const ms = since(t);
  fs.rmSync(out, { recursive: true, force: true });
  return { ms, rssMb: rssMb() };
}

function worker(args) {
  const [kind, n, ...rest] = args;
  const size = Number(n);
  let result;
  switch (kind) {
    case 'cli': result = cliWorker(size, rest[0] === 'cycles', rest[1]); break;
    case 'floor': result = floorWorker(size, rest[0], rest[1]); break;
    case 'lib': result = libWorker(size, rest[0]); break;
    case 'plus': result = plusWorker(size); break;
    default: throw new Error(`unknown kind ${kind}`);
  }
  process.stdout.write(JSON.stringify(result));
}

// ---------------------------------------------------------------------------------------------
// The run

/** The render switches of the fast paths, whatever the caller's environment says (and TMPDIR: see `benchFolder`). */
const ENV = { ...process.env, CDK8S_ZEROTRUST_GENERIC_RENDER: '0', CDK8S_ZEROTRUST_JS_YAML: '0' };

/** statfs type of a tmpfs (linux/magic.h TMPFS_MAGIC). */
const TMPFS_MAGIC = 0x01021994;
/** Room a run of N apps needs in the folder, per app: the floors' objects (JSON), the CLI's files kept to compare with, a run's files. */
const BYTES_PER_APP = 64 * 1024;

/**
 * The folder every run writes under (the workers get it as TMPDIR, so os.tmpdir() is it): a new
 * folder in BENCH_OUT when set; otherwise in /dev/shm when it is a tmpfs, else in the OS temporary
 * directory. Every kind writes its files there, so the floors measure building, serializing and
 * writing the files (the system calls, the page cache), not the state of a disk: on this project's
 * VM, creating a file in a new folder of /tmp took from 0.07 to 0.9 ms of kernel time over one
 * day (ext4 placing the new folders of a /tmp that had held tens of thousands of folders), enough
 * to make the floors measure mostly the kernel (README "How to read the floors"). A /dev/shm
 * with less room than the largest size needs (`BYTES_PER_APP`; Docker's is 64 MB) is not used.
 */
function benchFolder(maxApps) {
  let where = process.env.BENCH_OUT ? path.resolve(process.env.BENCH_OUT) : undefined;
  /** What the folder is, for the report (and, unless BENCH_OUT chose it, why). */
  let place = 'BENCH_OUT';
  if (!where) {
    let shm = false;
    let why = 'no tmpfs at /dev/shm';
    try {
      const s = fs.statfsSync('/dev/shm');
      const free = s.bavail * s.bsize;
      shm = s.type === TMPFS_MAGIC && free >= maxApps * BYTES_PER_APP;
      if (s.type === TMPFS_MAGIC && !shm) why = `/dev/shm has ${fmt(free / 2 ** 20)} MB free, ${fmt(maxApps * BYTES_PER_APP / 2 ** 20)} MB needed`;
    } catch { /* no /dev/shm */ }
    where = shm ? '/dev/shm' : os.tmpdir();
    place = shm ? 'a tmpfs' : `the OS temporary directory (${why})`;
  }
  fs.mkdirSync(where, { recursive: true });
  let fsType = 'unknown';
  try {
    const { type } = fs.statfsSync(where);
    fsType = type === TMPFS_MAGIC ? 'tmpfs' : `statfs type 0x${type.toString(16)}`;
  } catch { /* unknown */ }
  return { dir: fs.mkdtempSync(path.join(where, 'zt-bench-')), place, fsType };
}

/** Milliseconds to create and write 1,000 files of 9 KB (an app's file is about 9.2 KB) in 50 new folders under `dir` (median of 3): how costly files are there. */
function fileCost(dir) {
  const text = 'x'.repeat(9 * 1024);
  const times = [];
  for (let r = 0; r < 3; r++) {
    const d = fs.mkdtempSync(path.join(dir, 'files-'));
    const t = now();
    for (let i = 0; i < 1000; i++) {
      const sub = path.join(d, `team${i % 50}`);
      if (i < 50) fs.mkdirSync(sub);
      fs.writeFileSync(path.join(sub, `app${i}.yaml`), text);
    }
    times.push(since(t));
    fs.rmSync(d, { recursive: true, force: true });
  }
  return median(times);
}

function run(...args) {
  // Write back what earlier runs wrote first, so that the disk's write-back does not fall on this run.
  spawnSync('sync');
  const out = execFileSync(process.execPath, ['--expose-gc', __filename, '--worker', ...args.map(String)], { encoding: 'utf8', maxBuffer: 1 << 24, env: ENV, stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out);
}

const peak = (runs) => Math.max(...runs.map((r) => r.rssMb));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
/** The median time of a kind's runs. */
const mid = (runs) => median(runs.map((r) => r.ms));
/** The median of the ratios of runs of the same round: a's run i against b's run i. */
const pairedRatio = (a, b) => median(a.map((r, i) => r.ms / b[i].ms));
const fmt = (v, d = 0) => (v === undefined ? '-' : v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }));

/** One process run's wall time in ms. */
function wall(cmd, args) {
  const t = now();
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', env: ENV });
  const ms = since(t);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

function coldStart(runs) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cold-'));
  const spec = path.join(dir, 'app.yaml');
  const [app, cluster] = makeDocs(1, false).map((d) => d.doc);
  fs.writeFileSync(spec, [app, cluster].map((d) => require('js-yaml').dump(d)).join('---\n'));
  const ours = [];
  const cdk8s = [];
  const validate = [path.join(ROOT, 'bin', 'cdk8s-zerotrust'), 'validate', spec];
  const requireCdk8s = ['-e', "require('cdk8s')"];
  wall(process.execPath, validate); wall(process.execPath, requireCdk8s); // warm the file cache
  for (let i = 0; i < runs; i++) {
    ours.push(wall(process.execPath, validate));
    cdk8s.push(wall(process.execPath, requireCdk8s));
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return { oursMs: median(ours), cdk8sMs: median(cdk8s), ratio: median(ours.map((o, i) => o / cdk8s[i])) };
}

/** The run's figures as README's Performance tables. */
function markdown(rows, libRows, plusRows, cold, coldRuns) {
  const out = [
    '| apps | callers | objects | CLI engine (median) | ms per app | peak RSS | own-emitter floor (median) | paired ratio (<= 2x) | js-yaml floor (median) | paired ratio (<= 1.5x) |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${fmt(r.apps)} | ${r.set} | ${fmt(r.objects)} | ${fmt(r.cliMs)} ms | ${fmt(r.msPerApp, 2)}${r.perAppVs1000 ? ` (${fmt(r.perAppVs1000, 2)}x 1000's)` : ''} | ${fmt(r.cliRss)} MB | ${fmt(r.ownMs)} ms | ${fmt(r.vsOwn, 2)}x | ${fmt(r.jsYamlMs)} ms | ${fmt(r.vsJsYaml, 2)}x |`),
  ];
  if (libRows.length) {
    out.push('', '| apps | CLI engine | library, one Chart | ratio (<= 1.5x) | library, a Chart per app | ratio (<= 1.5x) |', '| ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const r of libRows) out.push(`| ${fmt(r.apps)} | ${fmt(r.cliMs)} ms | ${fmt(r.oneMs)} ms (${fmt(r.oneRss)} MB) | ${fmt(r.oneRatio, 2)}x | ${fmt(r.perMs)} ms (${fmt(r.perRss)} MB) | ${fmt(r.perRatio, 2)}x |`);
  }
  for (const r of plusRows) out.push('', `Per-chart cdk8s-plus-28 \`App.synth()\` at ${fmt(r.apps)} apps: ${fmt(r.plusMs)} ms (one run), the CLI engine ${fmt(r.speedup, 1)}x faster (issue 4: >= 10x).`);
  if (cold) out.push('', `Cold start: \`validate\` of one spec ${fmt(cold.oursMs)} ms, \`node -e "require('cdk8s')"\` ${fmt(cold.cdk8sMs)} ms (medians of ${coldRuns} alternated runs): ${fmt(cold.ratio, 2)}x (<= 1.5x).`);
  return out;
}

function main() {
  const list = (name, def) => (process.env[name] ?? def).split(',').filter(Boolean).map(Number);
  const sizes = list('BENCH_SIZES', '100,1000,5000,20000');
  const cycleSizes = list('BENCH_CYCLES_SIZES', '20000');
  const libSizes = list('BENCH_LIB_SIZES', '1000,5000');
  const plusSizes = list('BENCH_PLUS_SIZES', '3000');
  const repeat = Number(process.env.BENCH_REPEAT ?? 3);
  const repeatLarge = Number(process.env.BENCH_REPEAT_LARGE ?? 3);
  const coldRuns = Number(process.env.BENCH_COLD_RUNS ?? 15);
  console.log(`node ${process.version}, ${os.cpus().length} cpus (${os.cpus()[0]?.model ?? 'unknown'}), ${fmt(os.totalmem() / 2 ** 30)} GB; ${repeat} cold runs of each kind (${repeatLarge} above 5000 apps), in rounds; times are medians, ratios the medians of the ratios of runs of the same round`);
  const folder = benchFolder(Math.max(0, ...sizes, ...cycleSizes, ...libSizes, ...plusSizes));
  const removeFolder = () => fs.rmSync(folder.dir, { recursive: true, force: true });
  // Interrupted, the bench still removes its folder (on a tmpfs it would hold memory until a reboot).
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      removeFolder();
      process.kill(process.pid, signal);
    });
  }
  try {
    ENV.TMPDIR = folder.dir;
    process.env.TMPDIR = folder.dir;
    const files = fileCost(folder.dir);
    console.log(`runs write under ${folder.dir} (${folder.place}${process.env.BENCH_OUT ? '' : '; BENCH_OUT to choose another folder'}); 1,000 files of 9 KB take ${fmt(files)} ms to write there`);
    measure({ sizes, cycleSizes, libSizes, plusSizes, repeat, repeatLarge, coldRuns, folder, files });
  } finally {
    removeFolder();
  }
}

function measure({ sizes, cycleSizes, libSizes, plusSizes, repeat, repeatLarge, coldRuns, folder, files }) {
  const failures = [];
  const miss = (what, value, target) => failures.push(`${what}: ${value} (target ${target})`);

  const rows = [];
  const cases = [...sizes.map((n) => ({ n, cycles: false })), ...cycleSizes.map((n) => ({ n, cycles: true }))];
  const cli = new Map();
  for (const { n, cycles } of cases) {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cache-'));
    const reps = n > 5000 ? repeatLarge : repeat;
    const cliRuns = [];
    const ownRuns = [];
    const jsYamlRuns = [];
    for (let i = 0; i < reps; i++) {
      cliRuns.push(run('cli', n, cycles ? 'cycles' : 'chain', cache));
      for (const kind of i % 2 ? ['js-yaml', 'own'] : ['own', 'js-yaml']) (kind === 'own' ? ownRuns : jsYamlRuns).push(run('floor', n, cache, kind));
    }
    fs.rmSync(cache, { recursive: true, force: true });
    const row = {
      apps: n, set: cycles ? 'cycles' : 'chain', objects: cliRuns[0].objects, cliMs: mid(cliRuns), cliRss: peak(cliRuns),
      ownMs: mid(ownRuns), jsYamlMs: mid(jsYamlRuns), warnings: cliRuns[0].warnings,
      vsOwn: pairedRatio(cliRuns, ownRuns), vsJsYaml: pairedRatio(cliRuns, jsYamlRuns),
    };
    row.msPerApp = row.cliMs / n;
    if (row.vsOwn > 2) miss(`${n} apps (${row.set}): CLI vs own-emitter floor`, `${fmt(row.vsOwn, 2)}x`, '<= 2x');
    if (row.vsJsYaml > 1.5) miss(`${n} apps (${row.set}): CLI vs js-yaml floor`, `${fmt(row.vsJsYaml, 2)}x`, '<= 1.5x');
    if (n >= 20000 && row.cliRss > 1024) miss(`${n} apps (${row.set}): peak RSS`, `${fmt(row.cliRss)} MB`, '<= 1024 MB');
    if (n === 5000 && row.cliRss > 512) miss(`${n} apps (${row.set}): peak RSS`, `${fmt(row.cliRss)} MB`, '<= 512 MB (issue 4)');
    if (row.warnings) console.log(`  note: ${row.warnings} unexpected warnings, e.g. ${cliRuns[0].firstWarning}`);
    cli.set(`${n}${row.set}`, row);
    rows.push(row);
    console.log(`${fmt(n).padStart(6)} apps ${row.set.padEnd(6)} ${fmt(row.objects).padStart(8)} objects | CLI ${fmt(row.cliMs)} ms (${fmt(row.msPerApp, 2)} ms/app, ${fmt(row.cliRss)} MB peak) | own floor ${fmt(row.ownMs)} ms -> ${fmt(row.vsOwn, 2)}x (<= 2x) | js-yaml floor ${fmt(row.jsYamlMs)} ms -> ${fmt(row.vsJsYaml, 2)}x (<= 1.5x)`);
  }
  const base = cli.get('1000chain');
  if (base) {
    for (const r of rows.filter((x) => x.apps >= 20000)) {
      r.perAppVs1000 = r.msPerApp / base.msPerApp;
      console.log(`ms per app at ${fmt(r.apps)} (${r.set}) / at 1000: ${fmt(r.perAppVs1000, 2)}x (<= 1.3x)`);
      if (r.perAppVs1000 > 1.3) miss(`ms per app at ${r.apps} (${r.set}) vs 1000`, `${fmt(r.perAppVs1000, 2)}x`, '<= 1.3x');
    }
  }

  const libRows = [];
  for (const n of libSizes) {
    const reps = n > 5000 ? repeatLarge : repeat;
    const runs = { cli: [], one: [], per: [] };
    for (let i = 0; i < reps; i++) {
      runs.cli.push(run('cli', n, 'chain', ''));
      runs.one.push(run('lib', n, 'one'));
      runs.per.push(run('lib', n, 'per'));
    }
    const row = {
      apps: n, cliMs: mid(runs.cli), oneMs: mid(runs.one), perMs: mid(runs.per), oneRss: peak(runs.one), perRss: peak(runs.per),
      oneRatio: pairedRatio(runs.one, runs.cli), perRatio: pairedRatio(runs.per, runs.cli),
    };
    for (const [layout, ratio] of [['one Chart', row.oneRatio], ['one Chart per app', row.perRatio]]) {
      if (ratio > 1.5) miss(`${n} apps: library path (${layout}) vs CLI`, `${fmt(ratio, 2)}x`, '<= 1.5x');
    }
    libRows.push(row);
    console.log(`${fmt(n).padStart(6)} apps library path | one Chart ${fmt(row.oneMs)} ms (${fmt(row.oneRss)} MB) -> ${fmt(row.oneRatio, 2)}x the CLI (<= 1.5x) | one Chart per app ${fmt(row.perMs)} ms (${fmt(row.perRss)} MB) -> ${fmt(row.perRatio, 2)}x (<= 1.5x) | CLI ${fmt(row.cliMs)} ms`);
  }

  const plusRows = [];
  for (const n of plusSizes) {
    const plus = run('plus', n);
    const ours = cli.get(`${n}chain`) ?? { cliMs: run('cli', n, 'chain', '').ms };
    const speedup = plus.ms / ours.cliMs;
    plusRows.push({ apps: n, plusMs: plus.ms, cliMs: ours.cliMs, speedup });
    console.log(`${fmt(n).padStart(6)} apps per-chart cdk8s-plus App.synth() ${fmt(plus.ms)} ms (1 run) -> CLI ${fmt(speedup, 1)}x faster (>= 10x at 3000)`);
    if (n === 3000 && speedup < 10) miss('3000 apps: CLI vs per-chart cdk8s-plus', `${fmt(speedup, 1)}x faster`, '>= 10x (issue 4)');
  }

  let cold;
  if (coldRuns > 0) {
    cold = coldStart(coldRuns);
    console.log(`cold start: validate of one spec ${fmt(cold.oursMs)} ms, node -e "require('cdk8s')" ${fmt(cold.cdk8sMs)} ms (medians of ${coldRuns}) -> ${fmt(cold.ratio, 2)}x (<= 1.5x)`);
    if (cold.ratio > 1.5) miss('cold start of validate vs require(\'cdk8s\')', `${fmt(cold.ratio, 2)}x`, '<= 1.5x');
  }

  console.log(`\nFor README (node ${process.version}, ${os.cpus().length} cpus, ${new Date().toISOString().slice(0, 10)}; files written to ${folder.place}, 1,000 files in ${fmt(files)} ms):\n`);
  console.log(markdown(rows, libRows, plusRows, cold, coldRuns).join('\n'));
  if (process.env.BENCH_JSON) fs.writeFileSync(process.env.BENCH_JSON, JSON.stringify({ node: process.version, cpus: os.cpus().length, date: new Date().toISOString(), output: folder.place, outputDir: folder.dir, fsType: folder.fsType, thousandFilesMs: files, rows, libRows, plusRows, cold, failures }, null, 2));
  if (failures.length) {
    console.log(`MISSED ${failures.length} target${failures.length === 1 ? '' : 's'}:\n  ${failures.join('\n  ')}`);
    process.exitCode = 1;
  } else {
    console.log('all targets met');
  }
}

if (process.argv[2] === '--worker') worker(process.argv.slice(3));
else if (require.main === module) main();
module.exports = { makeDocs };
