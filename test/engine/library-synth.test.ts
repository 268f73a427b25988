import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiObject, App, AppProps, Chart, YamlOutputType } from 'cdk8s';
import { Construct } from 'constructs';
import { SecureApp } from '../../src/constructs/secure-app';
import { classifyDocuments } from '../../src/engine/load';
import { resolveEnvironment } from '../../src/engine/environments';
import { pipelineContext } from '../../src/engine/pipeline';
import { forEnvironment, loadSpecFiles } from '../../src/engine/synth';
import { synthesizeCharts } from '../../src/engine/library-synth';
import type { AppSpec } from '../../src/spec/app-spec';
import { ROOT } from '../util';

const { docs } = loadSpecFiles([path.join(ROOT, 'examples')]);
const examples = classifyDocuments(docs);
const context = pipelineContext({}, resolveEnvironment(examples, 'prod'));
const specs = examples.apps.map((d) => ({ spec: forEnvironment(d.doc, 'prod') as AppSpec, baseDir: path.dirname(d.file) }));
const secureApp = (scope: Construct, id: string, i: number) =>
  new SecureApp(scope, id, { spec: specs[i].spec, baseDir: specs[i].baseDir, cluster: context.cluster, directory: context.directory });

/** Every file under a folder (relative path -> bytes). */
function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full); else out.set(path.relative(dir, full), fs.readFileSync(full, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

/** Builds the same App twice; one is written by App.synth, the other by synthesizeCharts; returns both trees. */
function both(build: (app: App) => void, props: AppProps = {}): [Map<string, string>, Map<string, string>, string[]] {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'library-synth-'));
  try {
    const viaCdk8s = new App({ ...props, outdir: path.join(base, 'cdk8s') });
    build(viaCdk8s);
    viaCdk8s.synth();
    const ours = new App({ ...props, outdir: path.join(base, 'ours') });
    build(ours);
    const written = synthesizeCharts(ours).map((f) => path.relative(ours.outdir, f));
    return [tree(viaCdk8s.outdir), tree(ours.outdir), written];
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
}

class Plain extends ApiObject {
  constructor(scope: Construct, id: string, name: string) {
    super(scope, id, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { text: 'multi\nline\n', n: '8080', yes: 'yes' } } as any);
  }
}

describe('synthesizeCharts writes what App.synth writes', () => {
  test('one Chart per app (every example app, prod)', () => {
    const [expected, actual, written] = both((app) => specs.forEach((s, i) => secureApp(new Chart(app, s.spec.metadata.name), 'App', i)));
    expect(expected.size).toBe(specs.length);
    expect(actual).toEqual(expected);
    expect(written.sort()).toEqual([...expected.keys()].sort());
  });

  test('one Chart with every app', () => {
    const [expected, actual] = both((app) => {
      const chart = new Chart(app, 'all');
      specs.forEach((_, i) => secureApp(chart, `app${i}`, i));
    });
    expect(actual).toEqual(expected);
  });

  test('charts that depend on each other, nested charts, integer-like ids, construct dependencies', () => {
    const [expected, actual] = both((app) => {
      const a = new Chart(app, '10');
      const b = new Chart(app, '2');
      const c = new Chart(app, 'c');
      const nested = new Chart(c, 'inner');
      const x = new Plain(a, 'x', 'x');
      const y = new Plain(b, 'y', 'y');
      new Plain(nested, 'z', 'z');
      const w = new Plain(c, 'w', 'w');
      x.node.addDependency(y);
      w.node.addDependency(new Plain(c, 'v', 'v'));
      secureApp(c, 'App', 0);
    });
    expect([...expected.keys()].some((f) => /^\d{4}-/.test(f))).toBe(true);
    expect(actual).toEqual(expected);
  });

  test('integer-like chart ids without dependencies keep cdk8s order', () => {
    const [expected, actual] = both((app, ids = ['b', '10', '2', 'a']) => ids.forEach((id) => new Plain(new Chart(app, id), 'o', `o-${id}`)), { yamlOutputType: YamlOutputType.FILE_PER_APP });
    expect(actual).toEqual(expected);
  });

  test.each([YamlOutputType.FILE_PER_APP, YamlOutputType.FILE_PER_RESOURCE, YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE])('output type %s, and construct metadata', (yamlOutputType) => {
    const [expected, actual] = both((app) => {
      secureApp(new Chart(app, 'one'), 'App', 1);
      secureApp(new Chart(app, 'two'), 'App', 2);
    }, { yamlOutputType, outputFileExtension: '.yaml', recordConstructMetadata: true });
    expect(expected.has('construct-metadata.json')).toBe(true);
    expect(actual).toEqual(expected);
  });

  test('a Chart that overrides toJson is asked for it', () => {
    class Custom extends Chart {
      public toJson(): any[] { return [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'custom' } }]; }
    }
    const [expected, actual] = both((app) => { new Custom(app, 'custom'); secureApp(new Chart(app, 'other'), 'App', 0); });
    expect(actual.get('custom.k8s.yaml')).toContain('name: custom');
    expect(actual).toEqual(expected);
  });

  test('refuses an App whose constructs fail validation, with App.synth\'s message', () => {
    const build = (app: App) => new Chart(app, 'c').node.addValidation({ validate: () => ['broken'] });
    const viaCdk8s = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'library-synth-')) });
    try {
      build(viaCdk8s);
      const ours = new App({ outdir: viaCdk8s.outdir });
      build(ours);
      expect(() => synthesizeCharts(ours)).toThrow(new Error('Validation failed with the following errors:\n  [c] broken'));
      expect(() => viaCdk8s.synth()).toThrow(new Error('Validation failed with the following errors:\n  [c] broken'));
    } finally {
      fs.rmSync(viaCdk8s.outdir, { recursive: true, force: true });
    }
  });
});
