import { buildClusterModel } from '../../../src/analysis/cluster';
import { IstioModel } from '../../../src/analysis/mesh/istio-model';
import type { MeshPeer } from '../../../src/analysis/mesh/mesh-model';
import type { ClusterModel, KubeObject, Workload } from '../../../src/analysis/model';

/**
 * External peers with a ServiceAccount (ExternalPeer.serviceAccount): an ingress controller the
 * platform runs (not in the input) is meshed exactly when its namespace is enrolled; a declared
 * Istio gateway is a gateway proxy of the mesh; the API server is the Service default/kubernetes.
 */

const istio = new IstioModel();
const ns = (name: string, labels: Record<string, string> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const app2 = (): KubeObject[] => [
  { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'app2', namespace: 'shop' }, spec: { selector: { matchLabels: { app: 'app2' } }, template: { metadata: { labels: { app: 'app2' } }, spec: { serviceAccountName: 'app2', containers: [{ name: 'app2', image: 'x', ports: [{ containerPort: 8080 }] }] } } } },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'app2', namespace: 'shop' }, spec: { selector: { app: 'app2' }, ports: [{ name: 'http', port: 80, targetPort: 8080, appProtocol: 'http' }] } },
  { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'shop' }, spec: { mtls: { mode: 'STRICT' } } },
  { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'app2', namespace: 'shop' }, spec: { selector: { matchLabels: { app: 'app2' } }, action: 'ALLOW', rules: [{ from: [{ source: { principals: ['cluster.local/ns/ingress-nginx/sa/ingress-nginx', 'cluster.local/ns/istio-ingress/sa/web-istio'] } }], to: [{ operation: { ports: ['8080'] } }] }] } },
];
const cluster = (...objects: KubeObject[]): ClusterModel => buildClusterModel(objects.map((object, index) => ({ object, file: 'test.yaml', index })));
const wl = (m: ClusterModel, ref: string): Workload => m.workloads.find((w) => w.ref === ref)!;
const CONTROLLER_LABELS = { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' };
const controller = (serviceAccount?: string): MeshPeer => ({ external: { name: 'the ingress controller in ingress-nginx', namespace: 'ingress-nginx', podLabels: CONTROLLER_LABELS, services: ['ingress-nginx/ingress-nginx-controller'], ...(serviceAccount ? { serviceAccount } : {}) } });

describe('IstioModel: external peers with a ServiceAccount', () => {
  test('an ingress controller in an enrolled namespace reaches a STRICT app with Istio mTLS, as its own principal', () => {
    const m = cluster(ns('shop', { 'istio-injection': 'enabled' }), ns('ingress-nginx', { 'istio-injection': 'enabled' }), ...app2());
    const v = istio.connection(m, { source: controller('ingress-nginx'), destination: { workload: wl(m, 'Deployment shop/app2') }, port: 8080, service: 'app2', transport: 'http' });
    expect(v.allowed).toBe(true);
    expect(v.reason).toMatch(/sidecar routes it to Service shop\/app2 port 80 with Istio mTLS .*ALLOW AuthorizationPolicy shop\/app2 admits cluster\.local\/ns\/ingress-nginx\/sa\/ingress-nginx/);
  });

  test('fails: the same controller in a namespace nobody enrols (or without a known ServiceAccount) has no proxy, and STRICT refuses its plaintext', () => {
    const m = cluster(ns('shop', { 'istio-injection': 'enabled' }), ns('ingress-nginx'), ...app2());
    const v = istio.connection(m, { source: controller('ingress-nginx'), destination: { workload: wl(m, 'Deployment shop/app2') }, port: 8080, service: 'app2', transport: 'http' });
    expect(v.allowed).toBe(false);
    expect(v.reason).toMatch(/^source side: the ingress controller in ingress-nginx has no Istio proxy \(neither Namespace ingress-nginx .* are labelled for injection/);
    expect(v.reason).toMatch(/STRICT .* sends plaintext/);
    const enrolled = cluster(ns('shop', { 'istio-injection': 'enabled' }), ns('ingress-nginx', { 'istio-injection': 'enabled' }), ...app2());
    expect(istio.connection(enrolled, { source: controller(), destination: { workload: wl(enrolled, 'Deployment shop/app2') }, port: 8080, service: 'app2' }).allowed).toBe(false);
  });

  test('fails: under a revision, a namespace labelled for another revision leaves the controller outside the mesh', () => {
    const m = cluster(ns('shop', { 'istio.io/rev': 'asm-1-25' }), ns('ingress-nginx', { 'istio-injection': 'enabled' }), ...app2());
    const aks = new IstioModel({ flavour: 'aks', revision: 'asm-1-25' });
    const v = aks.connection(m, { source: controller('ingress-nginx'), destination: { workload: wl(m, 'Deployment shop/app2') }, port: 8080, service: 'app2' });
    expect(v.allowed).toBe(false);
    expect(v.reason).toMatch(/Namespace ingress-nginx is labelled istio-injection=enabled, which only the default revision's webhooks serve/);
  });

  test('a declared Istio gateway (not in the input) with its ServiceAccount is a gateway proxy of the mesh; without one it has no identity', () => {
    const m = cluster(ns('shop', { 'istio-injection': 'enabled' }), ns('istio-ingress'), ...app2());
    const gateway = (serviceAccount?: string): MeshPeer => ({ external: { name: 'gateway istio-ingress/web', namespace: 'istio-ingress', podLabels: { 'gateway.networking.k8s.io/gateway-name': 'web' }, services: ['istio-ingress/web-istio'], ...(serviceAccount ? { serviceAccount } : {}) } });
    const v = istio.connection(m, { source: gateway('web-istio'), destination: { workload: wl(m, 'Deployment shop/app2') }, port: 8080, service: 'app2', transport: 'http' });
    expect(v.allowed).toBe(true);
    expect(v.reason).toMatch(/\(an Istio gateway\) sends it to Service shop\/app2 port 80 with Istio mTLS .*admits cluster\.local\/ns\/istio-ingress\/sa\/web-istio/);
    expect(istio.connection(m, { source: gateway(), destination: { workload: wl(m, 'Deployment shop/app2') }, port: 8080, service: 'app2' }).allowed).toBe(false);
  });

  test('the API server as Service default/kubernetes: a REGISTRY_ONLY sidecar whose scope does not import namespace default drops it unless its address is excluded', () => {
    const caller: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'op', namespace: 'shop' }, spec: { selector: { matchLabels: { app: 'op' } }, template: { metadata: { labels: { app: 'op' } }, spec: { serviceAccountName: 'op', containers: [{ name: 'op', image: 'x' }] } } } };
    const sidecar: KubeObject = { apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name: 'op', namespace: 'shop' }, spec: { workloadSelector: { labels: { app: 'op' } }, outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' }, egress: [{ hosts: ['./*', 'istio-system/*'] }] } };
    const api: MeshPeer = { external: { name: 'the Kubernetes API server', services: ['default/kubernetes'] }, ip: '10.96.0.1' };
    const m = cluster(ns('shop', { 'istio-injection': 'enabled' }), caller, sidecar);
    const v = istio.outbound(m, { source: { workload: wl(m, 'Deployment shop/op') }, destination: api, port: 443 });
    expect(v.allowed).toBe(false);
    expect(v.reason).toMatch(/does not import kubernetes\.default\.svc\.cluster\.local on port 443 .*REGISTRY_ONLY/);
    const excluded = { ...caller, spec: { ...caller.spec, template: { ...caller.spec.template, metadata: { labels: { app: 'op' }, annotations: { 'traffic.sidecar.istio.io/excludeOutboundIPRanges': '10.96.0.1/32' } } } } };
    const m2 = cluster(ns('shop', { 'istio-injection': 'enabled' }), excluded, sidecar);
    expect(istio.outbound(m2, { source: { workload: wl(m2, 'Deployment shop/op') }, destination: api, port: 443 }).reason).toMatch(/excluded from Deployment shop\/op's outbound interception/);
  });
});
