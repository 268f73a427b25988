import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { compareTree } from '../src/engine/write';
import { BASE_ENV, loadSpecFiles, synthesizeDocuments } from '../src/engine/synth';
import { ROOT, oneOf, ofKind } from './util';

const EXAMPLES = path.join(ROOT, 'examples');
const DIST = path.join(ROOT, 'dist');

function synthExample(file: string, env?: string): { files: Map<string, string>; objects: any[] } {
  // Every example is synthesized with the examples' Cluster document (platform and mesh settings).
  const { docs, issues } = loadSpecFiles([path.join(EXAMPLES, file), path.join(EXAMPLES, 'cluster.yaml')]);
  expect(issues).toEqual([]);
  const result = synthesizeDocuments(docs, { env });
  expect(result.issues).toEqual([]);
  const objects = [...result.files].filter(([rel]) => rel.endsWith('.yaml') && rel !== 'kustomization.yaml').flatMap(([, c]) => yaml.loadAll(c) as any[]);
  return { files: result.files, objects };
}

describe('examples', () => {
  test.each(fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml') && f !== 'cluster.yaml').sort())('%s matches its snapshot', (file) => {
    const { files } = synthExample(file);
    expect(Object.fromEntries(files)).toMatchSnapshot();
  });

  test('flask behind passthrough: the pod terminates TLS with the service-CA certificate', () => {
    const { objects } = synthExample('flask-passthrough.yaml');
    const route = oneOf(objects, 'Route');
    expect(route.spec.tls).toEqual({ termination: 'passthrough', insecureEdgeTerminationPolicy: 'Redirect' });
    expect(route.spec.path).toBeUndefined();
    expect(oneOf(objects, 'Service').metadata.annotations).toEqual({ 'service.beta.openshift.io/serving-cert-secret-name': 'flask-tls-tls' });
    const pod = oneOf(objects, 'Deployment').spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'tls', secret: { secretName: 'flask-tls-tls' } });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'tls', mountPath: '/etc/tls', readOnly: true });
  });

  test('flask behind edge: externalCertificate with a Role letting the router read only that Secret', () => {
    const { objects } = synthExample('flask-edge.yaml');
    const route = oneOf(objects, 'Route');
    expect(route.spec.tls).toEqual({ termination: 'edge', insecureEdgeTerminationPolicy: 'Redirect', externalCertificate: { name: 'flask-route-tls' } });
    expect(route.metadata.annotations).toEqual({
      'haproxy.router.openshift.io/hsts_header': 'max-age=31536000;includeSubDomains',
      'haproxy.router.openshift.io/timeout': '30s',
    });
    expect(oneOf(objects, 'Role').rules).toEqual([{ apiGroups: [''], resources: ['secrets'], resourceNames: ['flask-route-tls'], verbs: ['get', 'list', 'watch'] }]);
    expect(oneOf(objects, 'RoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'router', namespace: 'openshift-ingress' }]);
  });

  test('flask edge in prod: the environment overrides replicas and host', () => {
    const { objects } = synthExample('flask-edge.yaml', 'prod');
    expect(oneOf(objects, 'Deployment').spec.replicas).toBe(4);
    expect(oneOf(objects, 'Route').spec.host).toBe('flask.apps.prod.example.com');
  });

  test('app1 -> app2: GET only, TrafficTarget in the destination namespace', () => {
    const { objects } = synthExample('shop-app1-app2.yaml');
    const target = oneOf(objects, 'TrafficTarget');
    expect(target.metadata.namespace).toBe('shop');
    expect(target.spec).toEqual({
      destination: { kind: 'ServiceAccount', name: 'app2', namespace: 'shop' },
      sources: [{ kind: 'ServiceAccount', name: 'app1', namespace: 'shop' }],
      rules: [{ kind: 'HTTPRouteGroup', name: target.metadata.name, matches: ['all-gets'] }],
    });
    expect(oneOf(objects, 'HTTPRouteGroup', target.metadata.name).spec.matches).toEqual([{ name: 'all-gets', pathRegex: '.*', methods: ['GET'] }]);
    // The sidecar sees HTTP (so it can enforce GET): an edge route, admitted into the mesh by a derived IngressBackend.
    expect(oneOf(objects, 'Route').spec.tls.termination).toBe('edge');
    expect(oneOf(objects, 'IngressBackend').spec.sources).toEqual([{ kind: 'Service', name: 'router-internal-default', namespace: 'openshift-ingress' }]);
  });

  test('ingress backends: http from the controller Service, https with mTLS from its principal', () => {
    const { objects } = synthExample('bookstore-ingress.yaml');
    const backends = ofKind(objects, 'IngressBackend');
    const plain = backends.find((b) => b.metadata.name === 'bookstore');
    expect(plain.spec).toEqual({
      backends: [{ name: 'bookstore', port: { number: 14001, protocol: 'http' } }],
      sources: [{ kind: 'Service', name: 'ingress-nginx-controller', namespace: 'ingress-nginx' }],
    });
    const mtls = backends.find((b) => b.metadata.name === 'bookbuyer');
    expect(mtls.spec.backends).toEqual([{ name: 'bookbuyer', port: { number: 14001, protocol: 'https' }, tls: { skipClientCertValidation: false } }]);
    expect(mtls.spec.sources).toContainEqual({ kind: 'AuthenticatedPrincipal', name: 'ingress-nginx.ingress-nginx.cluster.local' });
    const ingress = ofKind(objects, 'Ingress').find((i) => i.metadata.name === 'bookbuyer');
    expect(ingress.metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS',
      'nginx.ingress.kubernetes.io/proxy-ssl-secret': 'osm-system/osm-nginx-client-cert',
      'nginx.ingress.kubernetes.io/proxy-ssl-name': 'bookbuyer.bookstore.cluster.local',
    });
  });
});

describe('dist/', () => {
  const envs = fs.existsSync(DIST) ? fs.readdirSync(DIST).filter((d) => !d.startsWith('.')).sort() : [];

  test('is committed with the base and prod renderings', () => {
    expect(envs).toEqual([BASE_ENV, 'prod']);
  });

  test.each(envs)('%s is fresh (byte-identical to a new synth of examples/)', (env) => {
    const { docs } = loadSpecFiles([EXAMPLES]);
    const result = synthesizeDocuments(docs, { env: env === BASE_ENV ? undefined : env });
    expect(compareTree(path.join(DIST, env), result.files)).toEqual([]);
  });

  test('every kind the product promises appears in dist/', () => {
    const kinds = new Set<string>();
    for (const env of envs) {
      for (const rel of fs.readdirSync(path.join(DIST, env), { recursive: true }) as string[]) {
        if (!rel.endsWith('.yaml') || rel.endsWith('kustomization.yaml')) continue;
        for (const o of yaml.loadAll(fs.readFileSync(path.join(DIST, env, rel), 'utf8')) as any[]) kinds.add(o.kind);
      }
    }
    for (const kind of ['ServiceAccount', 'Deployment', 'Service', 'Route', 'IngressBackend', 'TrafficTarget', 'HTTPRouteGroup', 'NetworkPolicy']) {
      expect(kinds).toContain(kind);
    }
  });
});
