import * as yaml from 'js-yaml';
import type { AppSpec } from '../../src/spec/app-spec';
import { SpecDocument } from '../../src/engine/load';
import { PipelineStage, runPipeline } from '../../src/engine/pipeline';
import { formatIssue } from '../../src/engine/issues';
import { appSpec, ofKind } from '../util';

const doc = (spec: AppSpec): SpecDocument => ({ file: `${spec.metadata.name}.yaml`, index: 0, doc: spec });
const app = (name: string, spec: Partial<AppSpec['spec']> = {}, metadata: Partial<AppSpec['metadata']> = {}) => doc(appSpec(spec, { name, ...metadata }));
/** The errors and warnings of a validation run, as the CLI prints them. */
const lines = (...docs: SpecDocument[]) => runPipeline({ docs, issues: [] }, { stopAfter: PipelineStage.VALIDATE }).issues
  .filter((i) => i.field !== 'spec.route.host' || !/GitOps/.test(i.message)).map(formatIssue);
/** Every object of a full run, by file. */
function synth(...docs: SpecDocument[]) {
  const result = runPipeline({ docs, issues: [] });
  expect(result.issues.filter((i) => !i.warning)).toEqual([]);
  return [...result.files].filter(([f]) => f.endsWith('.yaml') && f !== 'kustomization.yaml').map(([file, text]) => ({ file, objects: yaml.loadAll(text) as any[] }));
}

describe('shared ServiceAccount', () => {
  test('two apps of one namespace running as one ServiceAccount write it once, from the first app by name', () => {
    const files = synth(app('web', { serviceAccount: 'shop' }), app('api', { serviceAccount: 'shop' }));
    const accounts = files.flatMap((f) => ofKind(f.objects, 'ServiceAccount').map((o) => `${f.file}: ${o.metadata.namespace}/${o.metadata.name}`));
    expect(accounts).toEqual(['shop/api.yaml: shop/shop']);
    const pods = files.flatMap((f) => ofKind(f.objects, 'Deployment')).map((d) => d.spec.template.spec.serviceAccountName);
    expect(pods).toEqual(['shop', 'shop']);
  });

  test('an app sharing the ServiceAccount another app runs as by its name writes none when that app names it too', () => {
    const files = synth(app('web', { serviceAccount: 'web' }), app('worker', { serviceAccount: 'web', ports: [] }));
    expect(files.map((f) => [f.file, ofKind(f.objects, 'ServiceAccount').map((o) => o.metadata.name)])).toEqual([['shop/web.yaml', ['web']], ['shop/worker.yaml', []]]);
  });

  test('apps of different namespaces with the same serviceAccount each write their own', () => {
    const files = synth(app('web', { serviceAccount: 'sa' }), app('api', { serviceAccount: 'sa' }, { namespace: 'other' }));
    expect(files.flatMap((f) => ofKind(f.objects, 'ServiceAccount')).map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['other/sa', 'shop/sa']);
  });

  test('fails an app that takes another app\'s own ServiceAccount, naming both specs', () => {
    expect(lines(app('web'), app('worker', { serviceAccount: 'web', ports: [] }))).toEqual([
      'worker.yaml: worker: spec.serviceAccount: "web" is the ServiceAccount of web (web.yaml), which sets no serviceAccount (it runs as its own name): running as it gives this app web\'s identity (mesh certificate, RBAC); set serviceAccount: web on web too to share it deliberately, or choose another name',
    ]);
  });

  test('fails sharers whose labels or annotations differ from the owner\'s, naming the owner and its file', () => {
    expect(lines(
      app('web', { serviceAccount: 'shop' }, { labels: { team: 'a' } }),
      app('api', { serviceAccount: 'shop' }, { labels: { team: 'b' }, annotations: { note: 'x' } }),
    )).toEqual([
      'web.yaml: web: metadata.labels: differ from those of api (api.yaml), which shares ServiceAccount "shop" and writes it (the first app by name writes a shared ServiceAccount): the one object can carry only one set of labels; give the apps the same metadata.labels, or separate ServiceAccounts',
      'web.yaml: web: metadata.annotations: differ from those of api (api.yaml), which shares ServiceAccount "shop" and writes it (the first app by name writes a shared ServiceAccount): the one object can carry only one set of annotations; give the apps the same metadata.annotations, or separate ServiceAccounts',
    ]);
    expect(lines(app('web', { serviceAccount: 'shop' }, { labels: { team: 'a', tier: 'x' } }), app('api', { serviceAccount: 'shop' }, { labels: { tier: 'x', team: 'a' } }))).toEqual([]);
  });
});

describe('routes claiming one host', () => {
  const route = (name: string, r: object, metadata: object = {}) => app(name, { route: r as any }, metadata);

  test('fails two routes with the same host and path in one namespace (HostAlreadyClaimed), naming both specs', () => {
    expect(lines(route('web', { host: 'shop.example.com', path: '/api' }), route('api', { host: 'shop.example.com', path: '/api' }))).toEqual([
      'api.yaml: api: spec.route.path: host "shop.example.com" and path "/api" are also claimed: the router admits one route per host and path and refuses the other (HostAlreadyClaimed); the other route is web\'s in web.yaml: one of the two apps is not reachable; use another host or path',
    ]);
  });

  test('passes one host with different paths in one namespace, a prefix of another path included', () => {
    expect(lines(route('web', { host: 'shop.example.com' }), route('api', { host: 'shop.example.com', path: '/api' }), route('v1', { host: 'shop.example.com', path: '/api/v1' }))).toEqual([]);
  });

  test('fails no path and "/" on one host: both take every request', () => {
    expect(lines(route('web', { host: 'shop.example.com' }), route('api', { host: 'shop.example.com', path: '/' }))).toEqual([
      expect.stringMatching(/^api\.yaml: api: spec\.route\.host: host "shop\.example\.com" with no path \(or "\/", the same: every request\) is also claimed: .* the other route is web's in web\.yaml/),
    ]);
  });

  test('fails one host in two namespaces, whatever the paths (the router gives a host to one namespace)', () => {
    expect(lines(route('web', { host: 'shop.example.com', path: '/a' }), route('api', { host: 'shop.example.com', path: '/b' }, { namespace: 'other' }))).toEqual([
      'api.yaml: api: spec.route.host: host "shop.example.com" is also claimed in namespace "shop": the router gives a host to the namespace that claims it first and refuses the other\'s routes (HostAlreadyClaimed); the other route is web\'s in web.yaml: one of the two apps is not reachable; use another host',
    ]);
  });

  test('fails a passthrough route beside another route of its host', () => {
    const https = { ports: [{ name: 'https', port: 8443, protocol: 'https' as const }], tls: { source: 'serviceCA' as const } };
    expect(lines(route('web', { host: 'shop.example.com', path: '/a' }), app('api', { ...https, route: { host: 'shop.example.com', termination: 'passthrough' } }))).toEqual([
      expect.stringMatching(/^api\.yaml: api: spec\.route\.host: host "shop\.example\.com" has this passthrough route: .*owns its host whole.*web's in web\.yaml/),
    ]);
  });

  test('fails a wildcard route over a host of another namespace, and a host under another namespace\'s wildcard', () => {
    expect(lines(route('web', { host: 'www.example.com', wildcardPolicy: 'Subdomain' }), route('api', { host: 'api.example.com' }, { namespace: 'other' }))).toEqual([
      expect.stringMatching(/^api\.yaml: api: spec\.route\.host: the wildcard route for \*\.example\.com \(host "www\.example\.com", wildcardPolicy Subdomain\) is in namespace "shop": the router refuses host "api\.example\.com" from another namespace/),
    ]);
    expect(lines(route('web', { host: 'api.example.com' }), route('api', { host: 'www.example.com', wildcardPolicy: 'Subdomain' }, { namespace: 'other' }))).toEqual([
      expect.stringMatching(/^api\.yaml: api: spec\.route\.wildcardPolicy: a wildcard for \*\.example\.com would cover host "api\.example\.com" of namespace "shop"/),
    ]);
    // in one namespace a wildcard and the hosts under it coexist
    expect(lines(route('web', { host: 'www.example.com', wildcardPolicy: 'Subdomain' }), route('api', { host: 'api.example.com' }))).toEqual([]);
  });

  test('fails two routes without host whose generated hosts are the same (a-b in c, a in b-c)', () => {
    expect(lines(route('a-b', {}, { namespace: 'c' }), route('a', {}, { namespace: 'b-c' }))).toEqual([
      'a.yaml: a: spec.route.host: the generated host "a-b-c.<apps domain>" (<name>-<namespace>.<apps domain>) is also claimed in namespace "c": the router gives a host to the namespace that claims it first and refuses the other\'s routes (HostAlreadyClaimed); the other route is a-b\'s in a-b.yaml: one of the two apps is not reachable; use another host',
    ]);
  });

  test('warns (does not fail) about routes of one host on different router shards', () => {
    const issues = runPipeline({ docs: [route('web', { host: 'shop.example.com', shardLabels: { shard: 'a' } }), route('api', { host: 'shop.example.com', shardLabels: { shard: 'b' } })], issues: [] }, { stopAfter: PipelineStage.VALIDATE }).issues;
    expect(issues.filter((i) => i.file === 'api.yaml')).toEqual([expect.objectContaining({ field: 'spec.route.host', warning: true, message: expect.stringMatching(/on another router shard/) })]);
  });
});

describe('ingresses claiming one host and path', () => {
  test('fails two Ingresses of one class with the same host and path, in any namespaces', () => {
    expect(lines(app('web', { ingress: { host: 'shop.example.com' } }), app('api', { ingress: { host: 'shop.example.com', path: '/' } }, { namespace: 'other' }))).toEqual([
      'api.yaml: api: spec.ingress.host: host "shop.example.com" and path "/" are also claimed by web\'s Ingress in web.yaml: ingress-nginx refuses the second Ingress with the same host and path in any namespace ("already defined in ingress"); use another host or path',
    ]);
  });

  test('passes other paths', () => {
    expect(lines(app('web', { ingress: { host: 'shop.example.com' } }), app('api', { ingress: { host: 'shop.example.com', path: '/api' } }))).toEqual([]);
  });
});
