import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from '../util';

/**
 * Cold start: a command loads only what it needs (README "Performance"). Runs the built CLI
 * (lib/, as `npm test` builds it first) in a fresh process and lists the modules it loaded.
 */
function modulesLoaded(args: string[]): string[] {
  const script = `
    const { main } = require(${JSON.stringify(path.join(ROOT, 'lib', 'src', 'cli', 'cli.js'))});
    const io = { out: () => {}, err: () => {} };
    const status = main(${JSON.stringify(args)}, io);
    process.stdout.write(JSON.stringify({ status, modules: Object.keys(require.cache) }));`;
  const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' }));
  expect(out.status).toBe(0);
  return out.modules.map((m: string) => path.relative(ROOT, m));
}

/**
 * What validation must not load: cdk8s (and its yaml package), cdk8s-plus and the generated CRD
 * classes. Constructs load them; validation builds none (the mesh providers load their construct
 * classes in bind and bindCluster).
 */
const CONSTRUCT_MODULES = /(^|\/)node_modules\/(cdk8s|cdk8s-plus-28|yaml)\/|^lib\/imports\//;
const constructModules = (loaded: string[]) => loaded.map((m) => m.split(path.sep).join('/')).filter((m) => CONSTRUCT_MODULES.test(m));

/** The modules a fresh process has loaded after running `script` (which may use ROOT, EXAMPLES and lib(path)). */
function modulesLoadedBy(script: string): string[] {
  const prelude = `
    const path = require('node:path');
    const ROOT = ${JSON.stringify(ROOT)};
    const EXAMPLES = path.join(ROOT, 'examples');
    const lib = (m) => require(path.join(ROOT, 'lib', 'src', m));`;
  const report = `;process.stdout.write(JSON.stringify(Object.keys(require.cache)));`;
  const out = JSON.parse(execFileSync(process.execPath, ['-e', prelude + script + report], { cwd: ROOT, encoding: 'utf8' }));
  return out.map((m: string) => path.relative(ROOT, m));
}

const built = fs.existsSync(path.join(ROOT, 'lib', 'src', 'cli', 'cli.js'));

(built ? describe : describe.skip)('lazy loading (built CLI)', () => {
  const spec = path.join(ROOT, 'examples');

  test('validate loads neither the analysis, the trust drawing nor the dev certificates', () => {
    const loaded = modulesLoaded(['validate', spec, '--quiet']);
    for (const m of ['lib/src/engine/verify.js', 'lib/src/analysis/reachability.js', 'lib/src/engine/trust-graph.js', 'lib/src/engine/dev-certs.js', 'lib/src/engine/certificates.js']) {
      expect(loaded).not.toContain(m);
    }
  });

  test('validate loads neither cdk8s, its yaml package, cdk8s-plus nor the generated CRD classes', () => {
    expect(constructModules(modulesLoaded(['validate', spec, '--quiet']))).toEqual([]);
  });

  test('validating specs with the library (validateAppSpec, validateClusterSpec, meshIntent; OSM and Istio) loads no construct module', () => {
    const loaded = modulesLoadedBy(`
      const fs = require('node:fs');
      const yaml = require('js-yaml');
      const { validateAppSpec } = lib('constructs/validate-spec.js');
      const { validateClusterSpec } = lib('constructs/validate-cluster-spec.js');
      const { meshIntent } = lib('constructs/mesh/mesh-intent.js');
      const { meshProviderFor } = lib('constructs/mesh/mesh-providers.js');
      const { ClusterContext } = lib('spec/cluster-context.js');
      const { AppDirectory } = lib('spec/app-directory.js');
      const docs = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml')).flatMap((f) => yaml.loadAll(fs.readFileSync(path.join(EXAMPLES, f), 'utf8')));
      const apps = docs.filter((d) => d.kind === 'App');
      const clusterSpec = docs.find((d) => d.kind === 'Cluster').spec;
      let checked = 0;
      for (const provider of ['osm', 'istio']) {
        const doc = { apiVersion: 'cdk8s-zerotrust/v1alpha1', kind: 'Cluster', metadata: { name: provider }, spec: { ...clusterSpec, mesh: { ...clusterSpec.mesh, provider } } };
        validateClusterSpec(doc);
        const cluster = ClusterContext.fromSpec(doc.spec);
        const directory = new AppDirectory(apps);
        const mesh = meshProviderFor(cluster);
        for (const app of apps) {
          validateAppSpec(app, { baseDir: EXAMPLES, cluster, directory, mesh });
          const intent = meshIntent(app, cluster, directory);
          if (intent) { mesh.validate(intent); checked++; }
        }
      }
      if (checked === 0) throw new Error('no meshed app in the examples');`);
    expect(loaded).toContain('lib/src/constructs/mesh/istio/istio-mesh.js');
    expect(constructModules(loaded)).toEqual([]);
  });

  test('synth loads the analysis and the trust drawing, not the dev certificates', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'lazy-loading-'));
    try {
      const loaded = modulesLoaded(['synth', spec, '--out', out, '--quiet']);
      expect(loaded).toContain('lib/src/engine/verify.js');
      expect(loaded).toContain('lib/src/engine/trust-graph.js');
      expect(loaded).not.toContain('lib/src/engine/dev-certs.js');
      // The mesh provider loads its construct classes when it binds an app.
      expect(loaded).toContain('lib/src/constructs/mesh/osm/smi-traffic-target.js');
      expect(constructModules(loaded)).toEqual(expect.arrayContaining([expect.stringMatching(/(^|\/)node_modules\/cdk8s\/lib\/index\.js$/), 'lib/imports/access.smi-spec.io.js']));
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
