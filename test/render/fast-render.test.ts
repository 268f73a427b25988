import * as path from 'node:path';
import { ApiObject, App, Chart, IResolver, JsonPatch, LazyResolver, NumberStringUnionResolver, ImplicitTokenResolver, Lazy } from 'cdk8s';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';
import { SecureApp } from '../../src/constructs/secure-app';
import { forEnvironment, loadSpecFiles, toYaml } from '../../src/engine/synth';
import { classifyDocuments } from '../../src/engine/load';
import { resolveEnvironment } from '../../src/engine/environments';
import { pipelineContext } from '../../src/engine/pipeline';
import { ClusterContext } from '../../src/spec/cluster-context';
import { AppDirectory } from '../../src/spec/app-directory';
import * as fs from 'node:fs';
import fc from 'fast-check';
import { RENAMED_PROPS_FIELDS, classesWithoutConverter, fastRendering, fieldOrderOf, renderSharingProps, sortKeysInPlace } from '../../src/render/fast-render';
import { isBuiltPlain } from '../../src/render/built-plain';
import '../../src/constructs';
import { ROOT, appSpec } from '../util';

/** A resolver that changes nothing but is not one of cdk8s' own: forces the generic path. */
class PassThroughResolver implements IResolver {
  public resolve(): void { /* nothing */ }
}

function render(spec: any, generic: boolean, baseDir = ROOT, cluster?: ClusterContext, directory?: AppDirectory): string {
  const resolvers: IResolver[] = [new LazyResolver(), new ImplicitTokenResolver(), new NumberStringUnionResolver()];
  if (generic) resolvers.push(new PassThroughResolver());
  const app = new App({ outdir: undefined, resolvers });
  const chart = new Chart(app, 'c', { disableResourceNameHashes: true });
  new SecureApp(chart, 'App', { spec, baseDir, cluster, directory });
  return toYaml(chart.toJson());
}

const { docs } = loadSpecFiles([path.join(ROOT, 'examples')]);
const examples = classifyDocuments(docs);
const everyOptionCluster = ClusterContext.fromSpec({
  platform: 'openshift',
  mesh: { ingressGateway: { secret: { name: 'gw', namespace: 'osm-system' }, subjectAltNames: ['gw.ingress.cluster.local'] }, monitoredNamespaces: ['shop', 'openshift-ingress', 'ingress-nginx'] },
});
type Case = [string, any, string, ClusterContext | undefined, AppDirectory | undefined];
const cases: Case[] = [
  ...[undefined, 'prod'].flatMap((env) => {
    const context = pipelineContext({}, resolveEnvironment(examples, env));
    return examples.apps.map((d): Case => [`${path.basename(d.file)}#${d.index} ${env ?? 'base'}`, forEnvironment(d.doc, env), path.dirname(d.file), context.cluster, context.directory]);
  }),
  ['every option', appSpec({
    replicas: 3, env: { B: '2', A: '1' }, command: ['run'], args: ['--x'],
    probes: { readiness: { httpGet: { path: '/r', port: 'https', scheme: 'HTTPS' } }, startup: { tcpSocket: { port: 8443 }, failureThreshold: 30 } },
    ports: [{ name: 'https', port: 443, targetPort: 8443, protocol: 'https', bypassMesh: true }, { name: 'grpc', port: 9090, protocol: 'grpc' }],
    tls: { source: 'certManager', issuer: { name: 'ca', kind: 'ClusterIssuer' } },
    route: { host: 'a.example.com', termination: 'reencrypt', destinationCA: { file: 'test/fixtures/ca.pem' }, certificate: { secretName: 'c' }, timeout: '5s', hsts: { maxAge: 5 }, allowedSourceRanges: ['10.0.0.0/8'], alternateBackends: [{ name: 'b', weight: 5 }], shardLabels: { z: 'y', a: 'b' } },
    ingress: { host: 'a.example.com', port: 'grpc', backendTls: {}, tlsSecretName: 't', clientAuth: { caSecret: 'shop/ca', depth: 2, passCertificateToUpstream: true } },
    mesh: { allow: [{ from: [{ serviceAccount: 'a', namespace: 'b' }], ports: ['grpc'], http: [{ name: 'h', pathRegex: '/pkg.Svc/.*', methods: ['POST'] }] }], ingress: { port: 'grpc', mtls: true, from: [{ principal: 'p.q.cluster.local' }, { ipRange: '10.0.0.0/8' }] } },
    egress: { kubernetesApi: true, to: [{ name: 'db', ipRanges: ['10.0.5.0/24'], ports: [{ port: 5432, protocol: 'tcp-server-first' }] }, { name: 'api', hosts: ['api.example.com'], ports: [{ port: 443, protocol: 'https' }] }] },
  }, { labels: { zeta: '1', alpha: '2' }, annotations: { 'argocd.argoproj.io/sync-wave': '1' } }), ROOT, everyOptionCluster, undefined],
];

/** Each object of a fresh chart of the app as YAML: rendered once plainly, once sharing with its props (as the pipeline does), then plainly again. */
function renderThrice(spec: any, baseDir: string, cluster?: ClusterContext, directory?: AppDirectory): string[] {
  const app = new App({ outdir: undefined, resolvers: [new LazyResolver(), new NumberStringUnionResolver()] });
  const chart = new Chart(app, 'c', { disableResourceNameHashes: true });
  new SecureApp(chart, 'App', { spec, baseDir, cluster, directory });
  const objects = chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
  const pass = (share: boolean) => toYaml(objects.map((o) => (share ? renderSharingProps(() => o.toJson()) : o.toJson())));
  return [pass(false), pass(true), pass(false)];
}

describe('fastRendering', () => {
  test.each(cases)('%s renders byte-identically to the generic cdk8s path', (_name, spec, baseDir, cluster, directory) => {
    expect(render(spec, false, baseDir, cluster, directory)).toBe(render(spec, true, baseDir, cluster, directory));
  });

  test.each(cases)('%s renders the same while sharing with its props, and leaves its props as they were', (_name, spec, baseDir, cluster, directory) => {
    const [before, shared, after] = renderThrice(spec, baseDir, cluster, directory);
    expect(shared).toBe(before);
    expect(after).toBe(before); // nothing the shared rendering did changed the props
  });

  test('sharing with the props: a struct already as rendered is the props\' own, one that is not is a copy; without sharing, all are copies', () => {
    const data = { a: '1', b: '2' };
    const unordered = { b: '2', a: '1' };
    const withEmpty = { a: '1', b: undefined };
    const chart = new Chart(new App(), 'c');
    const cm = new (fastRendering(k8s.KubeConfigMap, { alphabeticalConverter: true }))(chart, 'cm', { metadata: { name: 'x', labels: { app: 'x' } }, data });
    const shared = renderSharingProps(() => cm.toJson());
    expect(shared.data).toBe(data);
    expect(cm.toJson().data).not.toBe(data);
    expect(cm.toJson()).toEqual(shared);
    const other = new (fastRendering(k8s.KubeConfigMap, { alphabeticalConverter: true }))(chart, 'cm2', { metadata: { name: 'y' }, data: unordered, binaryData: withEmpty as any });
    const copied = renderSharingProps(() => other.toJson());
    expect(copied.data).not.toBe(unordered);
    expect(Object.keys(copied.data)).toEqual(['a', 'b']);
    expect(copied.binaryData).toEqual({ a: '1' });
    expect(Object.keys(unordered)).toEqual(['b', 'a']); // the props are not sorted in place
  });

  test('sharing with the props: a fieldOrder reorders a copy, never the props\' structs', () => {
    const generated = classesWithoutConverter().find((c) => c.name === 'TrafficTarget')!;
    const Tt = fastRendering(generated, { alphabeticalConverter: true, fieldOrder: fieldOrderOf(generated) });
    const rule = { kind: 'HTTPRouteGroup', matches: ['get'], name: 'r' }; // alphabetical: as toPlain would build it
    const rules = [rule];
    const spec = { destination: { kind: 'ServiceAccount', name: 'd', namespace: 'n' }, rules, sources: [{ kind: 'ServiceAccount', name: 's', namespace: 'n' }] };
    const tt = new Tt(new Chart(new App(), 'c'), 't', { metadata: { name: 't' }, spec });
    const shared = renderSharingProps(() => tt.toJson());
    expect(Object.keys(shared.spec.rules[0])).toEqual(['kind', 'name', 'matches']);
    expect(shared.spec.destination).toBe(spec.destination);
    expect(spec.rules).toBe(rules);
    expect(rules[0]).toBe(rule);
    expect(Object.keys(rule)).toEqual(['kind', 'matches', 'name']);
  });

  test('sorts keys as Array.prototype.sort does, for few keys (its own insertion sort) and many (the built-in sort)', () => {
    // Keys of any UTF-16 code units (surrogates, upper case before lower case, prefixes), repeated or not.
    const key = fc.oneof(fc.string({ unit: 'binary', maxLength: 6 }), fc.constantFrom('a', 'A', 'ab', 'b', '_', 'Z', '\uD83D', '\uFFFF', '10', '9'));
    fc.assert(fc.property(fc.array(key, { maxLength: 40 }), (keys) => {
      const copy = [...keys];
      expect(sortKeysInPlace(copy)).toBe(copy); // in place
      expect(copy).toEqual([...keys].sort());
    }), { numRuns: 2000 });
  });

  test('falls back to the generic path when a JSON patch is added', () => {
    const chart = new Chart(new App(), 'c');
    const Sa = fastRendering(k8s.KubeServiceAccount);
    const sa = new Sa(chart, 'sa', { metadata: { name: 'x' }, automountServiceAccountToken: false });
    sa.addJsonPatch(JsonPatch.replace('/automountServiceAccountToken', true));
    expect(sa.toJson().automountServiceAccountToken).toBe(true);
  });

  test('falls back for values it does not know, such as implicit tokens', () => {
    const chart = new Chart(new App(), 'c');
    const Sa = fastRendering(k8s.KubeServiceAccount);
    const sa = new Sa(chart, 'sa', { metadata: { name: 'x' }, automountServiceAccountToken: { resolve: () => true } as any });
    expect(sa.toJson().automountServiceAccountToken).toBe(true);
  });

  test('renders chart labels and namespace, and metadata changed after construction', () => {
    const chart = new Chart(new App(), 'c', { namespace: 'ns', labels: { team: 'a' } });
    const Sa = fastRendering(k8s.KubeServiceAccount);
    const sa = new Sa(chart, 'sa', { metadata: { name: 'x', labels: { app: 'y' }, annotations: {} } });
    expect(sa.toJson().metadata).toEqual({ name: 'x', namespace: 'ns', labels: { app: 'y', team: 'a' } });
    sa.metadata.addAnnotation('note', 'z');
    sa.metadata.addLabel('extra', '1');
    expect(sa.toJson().metadata).toEqual({ name: 'x', namespace: 'ns', labels: { app: 'y', extra: '1', team: 'a' }, annotations: { note: 'z' } });
  });


  test('renders metadata as the generic path does, key order included, with and without attributes beyond the six cdk8s writes over them', () => {
    const metadatas: any[] = [
      { name: 'plain' },
      { name: 'empty-maps', labels: {}, annotations: {}, finalizers: [], ownerReferences: [] },
      { name: 'full', namespace: 'other', labels: { z: '1', a: '2' }, annotations: { y: '1', b: '2' }, finalizers: ['f/b', 'f/a'], ownerReferences: [{ uid: 'u', name: 'o', kind: 'K', apiVersion: 'v1' }] },
      { name: 'extra', generateName: 'g-', uid: 'u1', labels: { x: '1' } },
      { name: 'empty-extra', deletionGracePeriodSeconds: undefined, managedFields: [] },
    ];
    /** Each metadata on an object of a converted and of a directly rendered class, as JSON, rendered plainly and sharing with the props. */
    const renderAll = (generic: boolean): string[] => {
      const resolvers: IResolver[] = [new LazyResolver(), new NumberStringUnionResolver()];
      if (generic) resolvers.push(new PassThroughResolver());
      const chart = new Chart(new App({ outdir: undefined, resolvers }), 'c', { namespace: 'ns', labels: { team: 'a' } });
      const out: string[] = [];
      for (const Cls of [fastRendering(k8s.KubeServiceAccount), fastRendering(k8s.KubeConfigMap, { alphabeticalConverter: true })]) {
        metadatas.forEach((metadata, i) => {
          const o = new Cls(chart, `${Cls.name}${i}`, { metadata: { ...metadata } });
          if (i === 0) o.metadata.add('generateName', 'late-'); // an attribute added after construction
          out.push(JSON.stringify(o.toJson()), JSON.stringify(renderSharingProps(() => o.toJson())));
        });
      }
      return out;
    };
    const fast = renderAll(false);
    expect(fast).toEqual(renderAll(true));
    expect(fast).toHaveLength(20);
    // Both ways of rendering metadata were taken: the six fields alone, and with other attributes.
    expect(JSON.parse(fast[2]).metadata).toEqual({ name: 'empty-maps', namespace: 'ns', labels: { team: 'a' } });
    expect(Object.keys(JSON.parse(fast[14]).metadata)).toEqual(['annotations', 'finalizers', 'labels', 'name', 'namespace', 'ownerReferences']);
    expect(JSON.parse(fast[0]).metadata.generateName).toBe('late-');
    expect(JSON.parse(fast[16]).metadata).toEqual({ generateName: 'g-', labels: { team: 'a', x: '1' }, name: 'extra', namespace: 'ns', uid: 'u1' });
  });
  test('renders a field its converter renames through the converter', () => {
    const Svc = fastRendering(k8s.KubeService, { alphabeticalConverter: true });
    const svc = new Svc(new Chart(new App(), 'c'), 'svc', { metadata: { name: 'x' }, spec: { clusterIp: 'None', ports: [{ port: 80, targetPort: k8s.IntOrString.fromString('http') }] } });
    expect(JSON.stringify(svc.toJson())).toBe(JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' }, spec: { clusterIP: 'None', ports: [{ port: 80, targetPort: 'http' }] } }));
  });

  test('renders without the converter a renamed field that has no value, which the converter leaves out too', () => {
    const Svc = fastRendering(k8s.KubeService, { alphabeticalConverter: true });
    const chart = new Chart(new App(), 'c');
    for (const clusterIp of [undefined, null]) {
      const manifest = new Svc(chart, `svc${clusterIp}`, { metadata: { name: 'x' }, spec: { clusterIp: clusterIp as any, type: 'ClusterIP' } }).toJson();
      expect(isBuiltPlain(manifest)).toBe(true);
      expect(JSON.stringify(manifest)).toBe(JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' }, spec: { type: 'ClusterIP' } }));
    }
  });

  test('renders in the converter\'s order without it: metadata first, then fields and nested fields in alphabetical order, unions as values', () => {
    const props: k8s.KubeDeploymentProps = {
      spec: { selector: { matchLabels: { b: '2', a: '1' } }, template: { spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }], livenessProbe: { httpGet: { port: k8s.IntOrString.fromNumber(80), path: '/' } } }] } }, replicas: 2 },
      metadata: { name: 'd' },
    };
    const Direct = fastRendering(k8s.KubeDeployment, { alphabeticalConverter: true });
    const Converted = fastRendering(k8s.KubeDeployment);
    expect(Direct).not.toBe(Converted);
    const direct = new Direct(new Chart(new App(), 'c'), 'd', props).toJson();
    expect(JSON.stringify(direct)).toBe(JSON.stringify(new Converted(new Chart(new App(), 'c'), 'd', props).toJson()));
    expect(Object.keys(direct)).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
    expect(direct.spec.template.spec.containers[0].livenessProbe.httpGet.port).toBe(80);
  });

  test('a manifest rendered without its converter is plain data of its own (isBuiltPlain), asked right after its render; converted ones are not', () => {
    const chart = new Chart(new App(), 'c');
    const Direct = fastRendering(k8s.KubeServiceAccount, { alphabeticalConverter: true });
    const Converted = fastRendering(k8s.KubeServiceAccount);
    const sa = new Direct(chart, 'a', { metadata: { name: 'a', labels: { a: '1' } } });
    const first = sa.toJson();
    expect(isBuiltPlain(first)).toBe(true);
    // Built for the render, shared with nothing: changing the object's metadata or nested props afterwards leaves it as it was.
    const before = JSON.stringify(first);
    sa.metadata.addLabel('b', '2');
    sa.metadata.addAnnotation('c', '3');
    expect(JSON.stringify(first)).toBe(before);
    const subjects = [{ kind: 'ServiceAccount', name: 's', namespace: 'n' }];
    const binding = new (fastRendering(k8s.KubeRoleBinding, { alphabeticalConverter: true }))(chart, 'rb', { metadata: { name: 'rb' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' }, subjects });
    const bound = binding.toJson();
    expect(isBuiltPlain(bound)).toBe(true);
    subjects[0].name = 'changed';
    subjects.push({ kind: 'ServiceAccount', name: 't', namespace: 'n' });
    expect(bound.subjects).toEqual([{ kind: 'ServiceAccount', name: 's', namespace: 'n' }]);
    const plainOnly = (v: unknown): boolean => (Array.isArray(v) ? v.every(plainOnly) : typeof v === 'object' && v !== null ? Object.getPrototypeOf(v) === Object.prototype && Object.values(v).every(plainOnly) : ['string', 'number', 'boolean'].includes(typeof v));
    expect(plainOnly(first)).toBe(true);
    const converted = new Converted(chart, 'b', { metadata: { name: 'b' } }).toJson();
    expect(isBuiltPlain(converted)).toBe(false);
    expect(isBuiltPlain(bound)).toBe(false); // only the last render is remembered
    const renamed = fastRendering(k8s.KubeService, { alphabeticalConverter: true });
    expect(isBuiltPlain(new renamed(chart, 's', { metadata: { name: 's' }, spec: { clusterIp: 'None' } }).toJson())).toBe(false); // through its converter
    expect(isBuiltPlain(undefined)).toBe(false);
  });

  test('a key __proto__ in the props (a ConfigMap data key) is rendered as a key on both paths', () => {
    const props = { metadata: { name: 'c' }, data: JSON.parse('{"__proto__":"x","a":"y"}') };
    const chart = new Chart(new App(), 'c');
    for (const Cls of [fastRendering(k8s.KubeConfigMap, { alphabeticalConverter: true }), fastRendering(k8s.KubeConfigMap)]) {
      const manifest = new Cls(chart, `m${Cls === fastRendering(k8s.KubeConfigMap) ? 1 : 0}`, props).toJson();
      expect(Object.getOwnPropertyDescriptor(manifest.data, '__proto__')?.value).toBe('x');
      expect(Object.keys(manifest.data)).toEqual(['__proto__', 'a']);
    }
  });

  test('writes the structs a fieldOrder names in that order, and converts props whose struct there has a field the order leaves out', () => {
    // The generated class of imports/access.smi-spec.io, as SmiTrafficTarget renders it (with its fieldOrder).
    const generated = classesWithoutConverter().find((c) => c.name === 'TrafficTarget')!;
    expect(fieldOrderOf(generated)).toEqual({ 'spec.rules[]': ['kind', 'name', 'matches'] });
    const Tt = fastRendering(generated, { alphabeticalConverter: true, fieldOrder: fieldOrderOf(generated) }); // the subclass made for SmiTrafficTarget
    expect(() => fastRendering(generated, { alphabeticalConverter: true })).toThrow('TrafficTarget: already rendered without its converter with another fieldOrder');
    const spec = {
      destination: { kind: 'ServiceAccount', name: 'd', namespace: 'n' },
      rules: [{ kind: 'HTTPRouteGroup', name: 'r', matches: ['get'] }],
      sources: [{ kind: 'ServiceAccount', name: 's', namespace: 'n' }],
    };
    const generic = new Chart(new App({ resolvers: [new LazyResolver(), new NumberStringUnionResolver(), new PassThroughResolver()] }), 'g');
    const chart = new Chart(new App(), 'c');
    const direct = new Tt(chart, 't', { metadata: { name: 't' }, spec }).toJson();
    expect(isBuiltPlain(direct)).toBe(true);
    expect(Object.keys(direct.spec.rules[0])).toEqual(['kind', 'name', 'matches']);
    expect(JSON.stringify(direct)).toBe(JSON.stringify(new Tt(generic, 't', { metadata: { name: 't' }, spec }).toJson()));
    const unknown = { ...spec, rules: [{ ...spec.rules[0], extra: 'x' }] };
    const converted = new Tt(chart, 'u', { metadata: { name: 'u' }, spec: unknown }).toJson();
    expect(isBuiltPlain(converted)).toBe(false);
    expect(JSON.stringify(converted.spec.rules)).toBe('[{"kind":"HTTPRouteGroup","name":"r","matches":["get"]}]'); // the converter writes only what it knows
    // Not a struct where the converter expects one: what the converter makes of it, as on the generic path.
    const strange = { ...spec, rules: ['x'] as any[] };
    const odd = new Tt(chart, 'v', { metadata: { name: 'v' }, spec: strange }).toJson();
    expect(isBuiltPlain(odd)).toBe(false);
    expect(JSON.stringify(odd)).toBe(JSON.stringify(new Tt(generic, 'v', { metadata: { name: 'v' }, spec: strange }).toJson()));
  });

  test('fails when a fieldOrder is given for a class rendered through its converter', () => {
    expect(() => fastRendering(k8s.KubeSecret, { fieldOrder: { data: ['a'] } })).toThrow('KubeSecret: fieldOrder is for a class rendered without its converter (alphabeticalConverter)');
  });

  test('produces Lazy values and keeps the generated class name', () => {
    const Sa = fastRendering(k8s.KubeServiceAccount);
    expect(Sa.name).toBe('KubeServiceAccount');
    expect(fastRendering(k8s.KubeServiceAccount)).toBe(Sa);
    const sa = new Sa(new Chart(new App(), 'c'), 'sa', { metadata: { name: 'x' }, automountServiceAccountToken: Lazy.any({ produce: () => false }) });
    expect(sa.toJson()).toEqual({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'x' }, automountServiceAccountToken: false });
  });

  /**
   * What `alphabeticalConverter` relies on, read from the converters cdk8s-plus-28 generated: the
   * object's props converter writes `metadata` first and the other fields in alphabetical order,
   * every struct converter it reaches writes its fields in alphabetical order, each field under the
   * name it reads, and each field's value is one of the forms the sorted plain props already have
   * (copied as is, a list or map of them, a nested struct, a number-or-string union's value).
   */
  describe('the converters of the classes rendered without them', () => {
    /**
     * The compiled source of the module that defines a generated class: cdk8s-plus-28's, or one of
     * imports/ (read as compiled to lib/imports/, the form cdk8s-plus-28's is in; `npm test` compiles first).
     */
    const sourceOf = (cls: object): string => {
      const module = Object.values(require.cache).find((m) => m?.exports && Object.values(m.exports).includes(cls));
      if (!module) throw new Error('the module of a class rendered without its converter was not found');
      const compiled = module.filename.startsWith(path.join(ROOT, 'imports') + path.sep)
        ? path.join(ROOT, 'lib', path.relative(ROOT, module.filename)).replace(/\.ts$/, '.js')
        : module.filename;
      return fs.readFileSync(compiled, 'utf8');
    };
    const converterIn = (source: string) => (name: string): string => {
      const m = new RegExp(`\\nfunction ${name}\\(obj\\) \\{\\n([\\s\\S]*?)\\n\\}\\n`).exec(source);
      if (!m) throw new Error(`${name} not found`);
      return m[1];
    };
    const MAP = (inner: string) => `((X) === undefined) ? undefined : (Object.entries(X).reduce((r, i) => (i[1] === undefined) ? r : ({ ...r, [i[0]]: ${inner} }), {}))`;
    // A Date (`X?.toISOString()`) is never in the plain props: the fast path renders it through the generic path.
    const FORMS = new Set(['X', 'X?.map(y => y)', 'X?.value', 'X?.toISOString()', MAP('i[1]'), MAP('i[1]?.map(y => y)'), MAP('i[1]?.value'), `X?.map(y => ${MAP('i[1]').replace(/X/g, 'y')})`]);
    /**
     * The problems of one converter (writing the struct at `path`, '' for the object's props) and
     * of every converter it calls; `order`: the class's `fieldOrder`, whose paths met are added to `met`.
     */
    const check = (converter: (name: string) => string, name: string, path: string, order: { readonly [path: string]: string[] }, met: Set<string>, seen: Set<string>, problems: string[]): void => {
      if (seen.has(`${name}@${path}`)) return;
      seen.add(`${name}@${path}`);
      if (path.split('.').length > 32) { problems.push(`${name}: at ${path}, a struct nested in itself`); return; }
      const top = path === '';
      const body = converter(name);
      if (/return obj\?\.value;|return obj;/.test(body)) return; // IntOrString, Quantity
      const result = /const result = \{\n([\s\S]*?)\n {4}\};/.exec(body);
      if (!result) { problems.push(`${name}: no result object`); return; }
      const fields = [...result[1].matchAll(/^ {8}'([^']+)': (.*),$/gm)].map(([, key, expr]) => ({ key, expr }));
      const keys = fields.map((f) => f.key);
      if (order[path]) met.add(path);
      const expected = top ? ['metadata', ...keys.filter((k) => k !== 'metadata').sort()] : order[path] ?? [...keys].sort();
      if (keys.join() !== expected.join()) problems.push(`${name}: fields in the order ${keys.join(', ')}`);
      for (const { key, expr } of fields) {
        const read = [...expr.matchAll(/obj\.([\w$]+)/g)].map((m) => m[1]);
        if (read.length === 0 || read.some((r) => r !== read[0])) { problems.push(`${name}.${key}: reads ${read.join(', ') || 'nothing'}`); continue; }
        // A field written under another name than it is read (`clusterIp` as `clusterIP`): props with it go through the converter.
        if (read[0] !== key && !RENAMED_PROPS_FIELDS.has(read[0])) problems.push(`${name}.${key}: reads ${read[0]}, not in RENAMED_PROPS_FIELDS`);
        const form = expr.replace(/obj\.[\w$]+/g, 'X');
        if (FORMS.has(form)) continue;
        const at = path ? `${path}.${key}` : key;
        const struct = /^(toJson_\w+)\(X\)$/.exec(form);
        const list = /^X\?\.map\(y => (toJson_\w+)\(y\)\)$/.exec(form);
        const map = form.startsWith(MAP('').slice(0, -4)) ? /\[i\[0\]\]: (toJson_\w+)\(i\[1\]\) \}\), \{\}\)\)$/.exec(form) : null;
        if (struct) check(converter, struct[1], at, order, met, seen, problems);
        else if (list) check(converter, list[1], `${at}[]`, order, met, seen, problems);
        else if (map) check(converter, map[1], `${at}{}`, order, met, seen, problems); // a path fieldOrder cannot name: any entry there is a problem
        else problems.push(`${name}.${key}: ${form}`);
      }
    };
    const classes = classesWithoutConverter();

    test('every Kubernetes kind the constructs write is rendered without its converter', () => {
      expect(classes.map((c) => c.name).sort()).toEqual(expect.arrayContaining(['KubeDeployment', 'KubeNetworkPolicy', 'KubeRoleBinding', 'KubeService', 'KubeServiceAccount']));
    });

    test.each(classes.map((c) => [c.name, c] as const))('%s: its converters write what the sorted plain props are', (name, cls) => {
      expect(cls.manifest.toString()).toMatch(new RegExp(`\\.\\.\\.${name}\\.GVK,\\s*\\.\\.\\.toJson_${name}Props\\(`));
      const problems: string[] = [];
      const order = fieldOrderOf(cls);
      const met = new Set<string>();
      check(converterIn(sourceOf(cls)), `toJson_${name}Props`, '', order, met, new Set(), problems);
      for (const p of Object.keys(order)) if (!met.has(p) || p.includes('{}')) problems.push(`fieldOrder ${p}: no struct of the converter is there`);
      expect(problems).toEqual([]);
    });
  });
});
