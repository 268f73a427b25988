import { resolveEnvironment } from '../../src/engine/environments';
import { classifyDocuments, SpecDocument } from '../../src/engine/load';
import { PipelineStage, crossCheck, pipelineContext, runPipeline, validateApp } from '../../src/engine/pipeline';
import * as path from 'node:path';
import { loadSpecFiles, synthesizeDocuments, validateDocuments } from '../../src/engine/synth';
import * as validateSpec from '../../src/constructs/validate-spec';
import { ROOT, appSpec } from '../util';

const doc = (file: string, d: unknown, index = 0): SpecDocument => ({ file, index, doc: d });
const withEnvs = (environments: object, name = 'web') => doc(`${name}.yaml`, appSpec({ environments } as any, { name }));

describe('pipeline stages', () => {
  test('load: documents of every kind not yet known are app documents, in order', () => {
    const docs = [doc('a.yaml', appSpec()), doc('b.yaml', { kind: 'Other' }), doc('c.yaml', 'text')];
    expect(classifyDocuments(docs).apps).toEqual(docs);
  });

  test('resolve environment: the run\'s environment where a document defines it, the base spec elsewhere', () => {
    const { apps } = resolveEnvironment(classifyDocuments([withEnvs({ prod: { replicas: 5 }, dev: {} }), withEnvs({}, 'other')]), 'prod');
    expect(apps.map((a) => [a.name, a.environment, a.environments, (a.spec as any).spec.replicas, (a.spec as any).spec.environments])).toEqual([
      ['web', 'prod', ['dev', 'prod'], 5, undefined],
      ['other', undefined, [], undefined, undefined],
    ]);
  });

  test('resolve environment: a malformed spec.environments is an issue of its document, and the base spec is used', () => {
    const [app] = resolveEnvironment(classifyDocuments([withEnvs({ prod: 3 })]), 'prod').apps;
    expect(app.environment).toBeUndefined();
    expect(app.issues).toEqual([{ file: 'web.yaml', app: 'web', field: 'spec.environments', message: 'must map environment names to partial specs, e.g. { prod: { replicas: 4 } }' }]);
  });

  test('validate: the base spec first, then the other environments, the rendered variant last', () => {
    const d = withEnvs({ a: { replicas: 'x' }, prod: { replicas: 'y' }, z: { replicas: 'z' } });
    const order = (env: string | undefined, build: boolean) => {
      const [app] = resolveEnvironment(classifyDocuments([d]), env).apps;
      return validateApp(app, pipelineContext({}), build).issues.map((i) => i.app);
    };
    const envs = (...names: string[]) => names.map((n) => `web (environment ${n})`);
    expect(order(undefined, false)).toEqual(envs('a', 'prod', 'z'));
    expect(order(undefined, true)).toEqual(envs('a', 'prod', 'z'));
    expect(order('prod', true)).toEqual(envs('a', 'z', 'prod'));
    expect(order('prod', false)).toEqual(envs('a', 'z', 'prod'));
  });

  test('validate: environments are not checked while the base spec has errors', () => {
    const [app] = resolveEnvironment(classifyDocuments([doc('web.yaml', appSpec({ image: 'nginx', environments: { prod: { replicas: 'y' } } } as any))]), 'prod').apps;
    expect(validateApp(app, pipelineContext({}), true).issues.map((i) => `${i.app}: ${i.field}`)).toEqual(['web: spec.image']);
  });

  test('validate: builds the constructs of the rendered variant only when the run renders', () => {
    const [app] = resolveEnvironment(classifyDocuments([withEnvs({ prod: { replicas: 3 } })]), 'prod').apps;
    expect(validateApp(app, pipelineContext({}), false).chart).toBeUndefined();
    expect(validateApp(app, pipelineContext({}), true).chart).toBeDefined();
  });

  test('cross-check: sees the documents as resolved for the run', () => {
    const owner = (name: string) => doc(`${name}.yaml`, appSpec({ environments: { prod: { ownsNamespace: true } } } as any, { name }));
    expect(crossCheck(resolveEnvironment(classifyDocuments([owner('a'), owner('b')]), undefined))).toEqual([]);
    expect(crossCheck(resolveEnvironment(classifyDocuments([owner('a'), owner('b')]), 'prod')).map((i) => i.field)).toEqual(['spec.ownsNamespace']);
  });
});

describe('runPipeline', () => {
  const docs = [withEnvs({ prod: { replicas: 3 } }), withEnvs({}, 'other')];

  test('stopped after validation, renders and writes nothing', () => {
    const result = runPipeline({ docs, issues: [] }, { stopAfter: PipelineStage.VALIDATE });
    expect(result).toMatchObject({ issues: [], apps: 0, objects: 0 });
    expect(result.files.size).toBe(0);
    expect(result.resolved.apps.map((a) => a.name)).toEqual(['web', 'other']);
  });

  test('run to the end, gives the files of synthesizeDocuments', () => {
    const result = runPipeline({ docs, issues: [] }, { env: 'prod' });
    expect([...result.files.keys()]).toEqual(['shop/other.yaml', 'shop/web.yaml', 'kustomization.yaml', 'TRUST.md', 'trust.svg']);
    expect(result.files).toEqual(synthesizeDocuments(docs, { env: 'prod' }).files);
    expect(result.apps).toBe(2);
  });

  test('a run whose files did not all load is a validation run: it checks what loaded and renders nothing', () => {
    const missing = { file: 'gone.yaml', app: '-', field: '', message: 'no such file or directory' };
    const bad = doc('bad.yaml', appSpec({ image: 'nginx' }, { name: 'bad' }));
    const result = runPipeline({ docs: [...docs, bad], issues: [missing] });
    expect(result.issues.map((i) => `${i.file}: ${i.field}`)).toEqual(['gone.yaml: ', 'bad.yaml: spec.image']);
    expect(result.files.size).toBe(0);
  });

  test('validateDocuments is the pipeline stopped after validation, warnings flagged in place', () => {
    const bad = [doc('bad.yaml', appSpec({ image: 'nginx' }, { name: 'bad' })), ...docs, docs[0]];
    expect(validateDocuments(bad)).toEqual(runPipeline({ docs: bad, issues: [] }, { stopAfter: PipelineStage.VALIDATE }).issues);
    expect(validateDocuments(bad).map((i) => i.field)).toEqual(['spec.image', 'metadata.name']);
  });

  test('never changes the documents it reads: every example, deep-frozen, gives the same files (rendering shares parts of them)', () => {
    const { docs: examples } = loadSpecFiles([path.join(ROOT, 'examples')]);
    const freeze = (v: any): any => {
      if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
        Object.freeze(v);
        for (const k of Object.keys(v)) freeze(v[k]);
      }
      return v;
    };
    for (const env of [undefined, 'prod']) {
      const expected = synthesizeDocuments(structuredClone(examples), { env });
      expect(expected.issues.filter((i) => !i.warning)).toEqual([]);
      expect(synthesizeDocuments(freeze(structuredClone(examples)), { env }).files).toEqual(expected.files);
    }
  });

  test('an app with errors in its identity stays out of what the others read; each document is asked once', () => {
    // api's port is out of range: web, which api admits, does not see api (its egress to api is not derived), and the
    // cross-app checks do not read api's declarations; api's own problem is reported with it.
    const api = doc('api.yaml', appSpec({ ports: [{ name: 'http', port: -1 }], allow: [{ from: [{ app: 'web' }] }] }, { name: 'api' }));
    const web = doc('web.yaml', appSpec());
    const asked = jest.spyOn(validateSpec, 'usableByOthers');
    try {
      const result = runPipeline({ docs: [api, web], issues: [] });
      expect(asked.mock.calls.map(([d]) => (d as any).metadata.name)).toEqual(['api', 'web']);
      expect(result.issues.filter((i) => !i.warning).map((i) => `${i.app}: ${i.field}`)).toEqual(['api: spec.ports[0].port']);
      expect(result.files.size).toBe(0);
    } finally {
      asked.mockRestore();
    }
  });

  test('gives the context it validated in: the cluster and the apps others may read, as pipelineContext makes them, nobody asked twice', () => {
    // verify --specs reads its specs from here instead of making the context again
    const api = doc('api.yaml', appSpec({ ports: [{ name: 'http', port: -1 }] }, { name: 'api' }));
    const routed = doc('web.yaml', appSpec({ route: { host: 'web.example.com', termination: 'edge' } } as any));
    const asked = jest.spyOn(validateSpec, 'usableByOthers');
    try {
      const result = runPipeline({ docs: [api, routed], issues: [] }, { stopAfter: PipelineStage.VALIDATE });
      expect(asked).toHaveBeenCalledTimes(2);
      expect(result.context.directory.all.map((a) => a.spec.metadata.name)).toEqual(['web']);
      expect(result.context.cluster.platform.name).toBe('openshift');
      const made = pipelineContext({}, result.resolved);
      expect(result.context.directory.all.map((a) => a.spec)).toEqual(made.directory.all.map((a) => a.spec));
      expect(result.context.cluster.platform.name).toBe(made.cluster.platform.name);
    } finally {
      asked.mockRestore();
    }
  });

  test('gives the context it validated in for a clean run of the examples with their Cluster document and an environment', () => {
    const { docs: examples } = loadSpecFiles([path.join(ROOT, 'examples')]);
    const result = runPipeline({ docs: examples, issues: [] }, { env: 'prod', stopAfter: PipelineStage.VALIDATE });
    expect(result.issues.filter((i) => !i.warning)).toEqual([]);
    const made = pipelineContext({}, resolveEnvironment(classifyDocuments(examples), 'prod'));
    expect(result.context.cluster).toEqual(made.cluster);
    expect(result.context.mesh.constructor).toBe(made.mesh.constructor);
    expect(result.context.directory.all.map((a) => a.spec)).toEqual(made.directory.all.map((a) => a.spec));
    expect(result.context.directory.all.length).toBe(result.resolved.apps.length);
  });
});
