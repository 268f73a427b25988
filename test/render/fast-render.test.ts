import * as path from 'node:path';
import { App, Chart, IResolver, JsonPatch, LazyResolver, NumberStringUnionResolver, ImplicitTokenResolver, Lazy } from 'cdk8s';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';
import { SecureApp } from '../../src/constructs/secure-app';
import { forEnvironment, loadSpecFiles, toYaml } from '../../src/engine/synth';
import { classifyDocuments } from '../../src/engine/load';
import { resolveEnvironment } from '../../src/engine/environments';
import { pipelineContext } from '../../src/engine/pipeline';
import { ClusterContext } from '../../src/spec/cluster-context';
import { AppDirectory } from '../../src/spec/app-directory';
import { fastRendering } from '../../src/render/fast-render';
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

describe('fastRendering', () => {
  test.each(cases)('%s renders byte-identically to the generic cdk8s path', (_name, spec, baseDir, cluster, directory) => {
    expect(render(spec, false, baseDir, cluster, directory)).toBe(render(spec, true, baseDir, cluster, directory));
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

  test('produces Lazy values and keeps the generated class name', () => {
    const Sa = fastRendering(k8s.KubeServiceAccount);
    expect(Sa.name).toBe('KubeServiceAccount');
    expect(fastRendering(k8s.KubeServiceAccount)).toBe(Sa);
    const sa = new Sa(new Chart(new App(), 'c'), 'sa', { metadata: { name: 'x' }, automountServiceAccountToken: Lazy.any({ produce: () => false }) });
    expect(sa.toJson()).toEqual({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'x' }, automountServiceAccountToken: false });
  });
});
