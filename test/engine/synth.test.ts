import { App, Chart } from 'cdk8s';
import * as yaml from 'js-yaml';
import { SecureApp } from '../../src/constructs/secure-app';
import { deepMerge, forEnvironment, synthesizeApp, synthesizeDocuments, toYaml } from '../../src/engine/synth';
import { appSpec } from '../util';

describe('synth', () => {
  test('deepMerge keeps a key __proto__ (a YAML parser makes it an own property) as a key, never as the prototype', () => {
    const merged = deepMerge(JSON.parse('{"env":{"__proto__":"base","A":"1"}}'), JSON.parse('{"env":{"__proto__":"prod"},"__proto__":{"route":{"host":"x"}}}')) as any;
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(merged.route).toBeUndefined();
    expect(Object.keys(merged)).toEqual(['env', '__proto__']);
    expect(Object.getOwnPropertyDescriptor(merged, '__proto__')?.value).toEqual({ route: { host: 'x' } });
    expect(Object.getOwnPropertyDescriptor(merged.env, '__proto__')?.value).toBe('prod');
    expect(merged.env.A).toBe('1');
  });

  test('deepMerge merges objects, replaces arrays and scalars, and removes keys set to null', () => {
    expect(deepMerge({ a: { b: 1, c: [1, 2] }, d: 1, e: 1 }, { a: { c: [3] }, d: 2, e: null })).toEqual({ a: { b: 1, c: [3] }, d: 2 });
  });

  test('forEnvironment applies the named override and drops environments', () => {
    const doc = appSpec({ replicas: 2, environments: { prod: { replicas: 5 } } });
    expect((forEnvironment(doc, 'prod') as any).spec).toEqual({ ...doc.spec, replicas: 5, environments: undefined });
    expect((forEnvironment(doc, 'dev') as any).spec.replicas).toBe(2);
    expect((forEnvironment(doc, undefined) as any).spec.environments).toBeUndefined();
  });

  test('the per-app path gives the same objects as a full cdk8s App.synth', () => {
    const spec = appSpec({ route: { host: 'web.example.com' }, mesh: { allow: [{ from: [{ serviceAccount: 'a', namespace: 'b' }] }] } });
    const app = new App({ outdir: undefined });
    const chart = new Chart(app, 'web', { disableResourceNameHashes: true });
    new SecureApp(chart, 'App', { spec });
    expect(synthesizeApp(spec)).toEqual(yaml.loadAll(app.synthYaml()));
  });

  test('output is deterministic and sorted by namespace then app', () => {
    const docs = ['b', 'a'].map((name, index) => ({ file: `${name}.yaml`, index, doc: appSpec({}, { name, namespace: name === 'a' ? 'zz' : 'aa' }) }));
    const first = synthesizeDocuments(docs);
    const second = synthesizeDocuments([...docs].reverse());
    expect([...first.files.keys()]).toEqual(['aa/b.yaml', 'zz/a.yaml', 'kustomization.yaml', 'TRUST.md', 'trust.svg']);
    expect(Object.fromEntries(first.files)).toEqual(Object.fromEntries(second.files));
    expect(first.apps).toBe(2);
  });

  test('reports progress after each document and at the end', () => {
    const calls: Array<[number, number]> = [];
    synthesizeDocuments(['a', 'b'].map((name, index) => ({ file: 'x.yaml', index, doc: appSpec({}, { name }) })), { onProgress: (d, t) => calls.push([d, t]) });
    expect(calls).toEqual([[0, 2], [1, 2], [2, 2]]);
  });

  test('toYaml writes a multi-document stream with no anchors and no folded lines', () => {
    const shared = { long: 'x'.repeat(200) };
    const out = toYaml([{ a: shared }, { b: shared }]);
    expect(out).toBe(`a:\n  long: ${'x'.repeat(200)}\n---\nb:\n  long: ${'x'.repeat(200)}\n`);
  });

  test('fails every document with its file and app, and synthesizes nothing', () => {
    const result = synthesizeDocuments([
      { file: 'a.yaml', index: 0, doc: appSpec({ image: 'nginx' }, { name: 'a' }) },
      { file: 'b.yaml', index: 0, doc: { kind: 'App' } },
    ]);
    expect(result.files.size).toBe(0);
    expect(result.issues).toEqual([
      { file: 'a.yaml', app: 'a', field: 'spec.image', message: 'image "nginx" has no tag; pin a version tag or a @sha256 digest' },
      { file: 'b.yaml', app: 'document 1', field: 'metadata', message: 'is required' },
      { file: 'b.yaml', app: 'document 1', field: 'spec', message: 'is required' },
    ]);
  });
});
