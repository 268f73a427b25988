import { buildClusterModel } from '../../../src/analysis/cluster';
import type { MeshConnectionRequest, MeshPeer } from '../../../src/analysis/mesh/mesh-model';
import { OsmModel } from '../../../src/analysis/mesh/osm-model';
import type { ClusterModel, KubeObject, Workload } from '../../../src/analysis/model';

// ---------------------------------------------------------------------------------------------
// Hand-written manifests

const osm = new OsmModel();

function ns(name: string, labels: Record<string, string> = {}, annotations: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels, annotations } };
}
/** A namespace joined to mesh "osm" the way `osm namespace add` does (label + injection annotation). */
const meshNs = (name: string) => ns(name, { 'openservicemesh.io/monitored-by': 'osm' }, { 'openservicemesh.io/sidecar-injection': 'enabled' });

interface DeployOpts { sa?: string; ports?: number[]; labels?: Record<string, string>; annotations?: Record<string, string>; hostNetwork?: boolean }
function deploy(namespace: string, name: string, o: DeployOpts = {}): KubeObject {
  const labels = o.labels ?? { app: name };
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels, annotations: o.annotations ?? {} },
        spec: {
          serviceAccountName: o.sa ?? name,
          ...(o.hostNetwork ? { hostNetwork: true } : {}),
          containers: [{ name, image: 'x', ports: (o.ports ?? [8080]).map((p) => ({ containerPort: p })) }],
        },
      },
    },
  };
}

interface SvcPort { port: number; targetPort?: number | string; appProtocol?: string; name?: string; protocol?: string }
function service(namespace: string, name: string, ports: SvcPort[], clusterIP?: string, selector: Record<string, string> = { app: name }): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { selector, ports, ...(clusterIP ? { clusterIP } : {}) } };
}

function meshConfig(traffic: Record<string, unknown>, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'config.openservicemesh.io/v1alpha2', kind: 'MeshConfig', metadata: { name: 'osm-mesh-config', namespace: 'osm-system' }, spec: { traffic, ...extra } };
}

const SMI_STRICT = meshConfig({ enablePermissiveTrafficPolicyMode: false, enableEgress: false });

function trafficTarget(namespace: string, name: string, dest: string, sources: { name: string; namespace: string }[], rules: { kind: string; name: string; matches?: string[] }[]): KubeObject {
  return {
    apiVersion: 'access.smi-spec.io/v1alpha3', kind: 'TrafficTarget', metadata: { name, namespace },
    spec: { destination: { kind: 'ServiceAccount', name: dest, namespace }, sources: sources.map((s) => ({ kind: 'ServiceAccount', ...s })), rules },
  };
}

function routeGroup(namespace: string, name: string, matches: Record<string, unknown>[]): KubeObject {
  return { apiVersion: 'specs.smi-spec.io/v1alpha4', kind: 'HTTPRouteGroup', metadata: { name, namespace }, spec: { matches } };
}

function tcpRoute(namespace: string, name: string, ports: number[]): KubeObject {
  return { apiVersion: 'specs.smi-spec.io/v1alpha4', kind: 'TCPRoute', metadata: { name, namespace }, spec: { matches: { ports } } };
}

function ingressBackend(namespace: string, name: string, backend: Record<string, unknown>, sources: Record<string, unknown>[]): KubeObject {
  return { apiVersion: 'policy.openservicemesh.io/v1alpha1', kind: 'IngressBackend', metadata: { name, namespace }, spec: { backends: [backend], sources } };
}

function egress(namespace: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'policy.openservicemesh.io/v1alpha1', kind: 'Egress', metadata: { name, namespace }, spec };
}

/** The shop: app1 -> app2 (HTTP), app2 -> db (TCP), all meshed; ingress-nginx outside the mesh. */
function base(): KubeObject[] {
  return [
    ns('osm-system'), meshNs('shop'), ns('ingress-nginx'), ns('legacy'), ns('kube-system'),
    deploy('shop', 'app1'), deploy('shop', 'app2', { ports: [8080, 9090] }), deploy('shop', 'app3'), deploy('shop', 'db', { ports: [5432, 9000] }),
    service('shop', 'app2', [{ name: 'web', port: 80, targetPort: 8080, appProtocol: 'http' }, { name: 'metrics', port: 9090, appProtocol: 'http' }], '10.96.0.20'),
    service('shop', 'db', [{ port: 5432, appProtocol: 'tcp' }, { port: 9000, appProtocol: 'tcp' }], '10.96.0.30'),
    deploy('ingress-nginx', 'ingress-nginx-controller', { sa: 'ingress-nginx', labels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' }, ports: [80, 443] }),
    service('ingress-nginx', 'ingress-nginx-controller', [{ port: 80 }], '10.96.9.9', { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' }),
    deploy('legacy', 'old', { ports: [8080] }),
    service('legacy', 'old', [{ port: 80, targetPort: 8080 }], '10.96.5.5'),
    deploy('kube-system', 'coredns', { sa: 'coredns', labels: { 'k8s-app': 'kube-dns' }, ports: [53] }),
    service('kube-system', 'kube-dns', [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }], '10.96.0.10', { 'k8s-app': 'kube-dns' }),
  ];
}

/** app1 may GET anything from app2; app2 may reach db on TCP 5432. */
function smiPolicies(): KubeObject[] {
  return [
    routeGroup('shop', 'app2-routes', [{ name: 'get-all', methods: ['GET'], pathRegex: '/.*' }, { name: 'post-orders', methods: ['POST'], pathRegex: '/orders' }]),
    trafficTarget('shop', 'app1-to-app2', 'app2', [{ name: 'app1', namespace: 'shop' }], [{ kind: 'HTTPRouteGroup', name: 'app2-routes', matches: ['get-all'] }]),
    tcpRoute('shop', 'db-port', [5432]),
    trafficTarget('shop', 'app2-to-db', 'db', [{ name: 'app2', namespace: 'shop' }], [{ kind: 'TCPRoute', name: 'db-port' }]),
  ];
}

function cluster(...objects: KubeObject[]): ClusterModel {
  return buildClusterModel(objects.map((object, index) => ({ object, file: 'test.yaml', index })));
}

function wl(model: ClusterModel, ref: string): Workload {
  const w = model.workloads.find((x) => x.ref === ref);
  if (!w) throw new Error(`no workload ${ref}: ${model.workloads.map((x) => x.ref).join(', ')}`);
  return w;
}

const peer = (model: ClusterModel, ref: string, ip?: string): MeshPeer => ({ workload: wl(model, ref), ...(ip ? { ip } : {}) });
const NGINX: MeshPeer = { external: { name: 'ingress-nginx controller', namespace: 'ingress-nginx', podLabels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' } }, ip: '10.128.2.7' };

function req(source: MeshPeer, destination: MeshPeer, port: number, extra: Partial<MeshConnectionRequest> = {}): MeshConnectionRequest {
  return { source, destination, port, ...extra };
}

// ---------------------------------------------------------------------------------------------

describe('OsmModel: sidecar injection (osm:pkg/injector/webhook.go mustInject)', () => {
  test('a pod in a namespace joined with `osm namespace add` is meshed', () => {
    const m = cluster(...base());
    const v = osm.isMeshed(m, wl(m, 'Deployment shop/app1'));
    expect(v.allowed).toBe(true);
    expect(v.reason).toContain('Namespace shop is monitored by mesh osm and annotated openservicemesh.io/sidecar-injection: enabled');
  });

  test('a pod in a namespace not monitored is not injected, even when annotated enabled', () => {
    const m = cluster(...base(), deploy('legacy', 'keen', { annotations: { 'openservicemesh.io/sidecar-injection': 'enabled' } }));
    const v = osm.isMeshed(m, wl(m, 'Deployment legacy/keen'));
    expect(v.allowed).toBe(false);
    expect(v.reason).toContain('Namespace legacy is not monitored by mesh osm (label openservicemesh.io/monitored-by is absent)');
  });

  test('a namespace monitored by another mesh name does not count', () => {
    const m = cluster(ns('other', { 'openservicemesh.io/monitored-by': 'blue' }, { 'openservicemesh.io/sidecar-injection': 'enabled' }), deploy('other', 'x'));
    expect(osm.isMeshed(m, wl(m, 'Deployment other/x')).reason).toContain('"blue"');
    expect(new OsmModel({ meshName: 'blue' }).isMeshed(m, wl(m, 'Deployment other/x')).allowed).toBe(true);
  });

  test('monitored but without the injection annotation: only pods annotated enabled are injected', () => {
    const m = cluster(ns('half', { 'openservicemesh.io/monitored-by': 'osm' }), deploy('half', 'plain'), deploy('half', 'opted', { annotations: { 'openservicemesh.io/sidecar-injection': 'yes' } }));
    const plain = osm.isMeshed(m, wl(m, 'Deployment half/plain'));
    expect(plain.allowed).toBe(false);
    expect(plain.reason).toContain('not annotated');
    expect(osm.isMeshed(m, wl(m, 'Deployment half/opted')).allowed).toBe(true);
  });

  test('the pod annotation disabled overrides the namespace; hostNetwork pods are never injected', () => {
    const m = cluster(...base(), deploy('shop', 'batch', { annotations: { 'openservicemesh.io/sidecar-injection': 'disabled' } }), deploy('shop', 'agent', { hostNetwork: true }));
    expect(osm.isMeshed(m, wl(m, 'Deployment shop/batch')).reason).toContain('annotated openservicemesh.io/sidecar-injection: disabled');
    expect(osm.isMeshed(m, wl(m, 'Deployment shop/agent')).reason).toContain('host network');
  });

  test('an invalid annotation value makes the injector refuse the pod; kube-system and the ignore label are never injected', () => {
    const m = cluster(...base(), deploy('shop', 'typo', { annotations: { 'openservicemesh.io/sidecar-injection': 'on' } }),
      ns('skip', { 'openservicemesh.io/monitored-by': 'osm', 'openservicemesh.io/ignore': 'true' }, { 'openservicemesh.io/sidecar-injection': 'enabled' }), deploy('skip', 'y'));
    expect(osm.isMeshed(m, wl(m, 'Deployment shop/typo')).reason).toContain('refuses to create its pods');
    expect(osm.isMeshed(m, wl(m, 'Deployment kube-system/coredns')).reason).toContain('never injects namespace kube-system');
    expect(osm.isMeshed(m, wl(m, 'Deployment skip/y')).reason).toContain('openservicemesh.io/ignore');
  });

  test('a namespace only referenced (not declared) is not known to be monitored', () => {
    const m = cluster(deploy('ghost', 'z'));
    expect(osm.isMeshed(m, wl(m, 'Deployment ghost/z')).reason).toContain('is not in the input');
  });
});

describe('OsmModel: MeshConfig', () => {
  test('without a MeshConfig the chart defaults apply (permissive, egress on), and verdicts say so', () => {
    const m = cluster(...base());
    expect(osm.settings(m)).toMatchObject({ permissive: true, egress: true });
    const v = osm.connection(m, req(peer(m, 'Deployment shop/app3'), peer(m, 'Deployment shop/app2'), 8080));
    expect(v.allowed).toBe(true);
    expect(v.reason).toContain("permissive mode (the OSM chart's default, as the input has no MeshConfig osm-system/osm-mesh-config)");
  });

  test('a MeshConfig that leaves a flag out has it false (Go zero value), and says so', () => {
    const m = cluster(...base(), meshConfig({ enablePermissiveTrafficPolicyMode: true }));
    expect(osm.settings(m)).toMatchObject({ permissive: true, egress: false, meshConfig: 'MeshConfig osm-system/osm-mesh-config' });
    const v = osm.outbound(m, req(peer(m, 'Deployment shop/app1'), { external: { name: 'api.example.com' }, ip: '203.0.113.10' }, 443));
    expect(v.allowed).toBe(false);
    expect(v.reason).toContain('does not set spec.traffic.enableEgress, which is then false');
  });

  test('a MeshConfig in another namespace, or v1alpha1, is read only from the control-plane namespace', () => {
    const v1 = { ...meshConfig({ enablePermissiveTrafficPolicyMode: false, enableEgress: false }), apiVersion: 'config.openservicemesh.io/v1alpha1' };
    expect(osm.settings(cluster(v1)).permissive).toBe(false);
    expect(new OsmModel({ controlPlaneNamespace: 'mesh' }).settings(cluster(v1)).permissive).toBe(true);
  });
});

describe('OsmModel: SMI mode (permissive off)', () => {
  const m = cluster(...base(), SMI_STRICT, ...smiPolicies());
  const app1 = peer(m, 'Deployment shop/app1');
  const app2 = peer(m, 'Deployment shop/app2');
  const app3 = peer(m, 'Deployment shop/app3');
  const db = peer(m, 'Deployment shop/db');

  test('app1 -> app2: GET allowed by the TrafficTarget and its HTTPRouteGroup match', () => {
    const v = osm.connection(m, req(app1, app2, 8080, { http: { method: 'GET', path: '/items/7' } }));
    expect(v.allowed).toBe(true);
    expect(v.reason).toContain('TrafficTarget shop/app1-to-app2 lets ServiceAccount shop/app1 send GET /items/7');
    expect(v.objects).toEqual(expect.arrayContaining(['Service shop/app2', 'TrafficTarget shop/app1-to-app2', 'HTTPRouteGroup shop/app2-routes']));
  });

  test('app1 -> app2: POST denied (only the get-all match is named)', () => {
    const v = osm.connection(m, req(app1, app2, 8080, { http: { method: 'POST', path: '/orders' } }));
    expect(v.allowed).toBe(false);
    expect(v.reason).toContain('no HTTP route of Deployment shop/app2\'s sidecar matches POST /orders; ServiceAccount shop/app1 is admitted only for GET /.*');
  });

  test('app1 -> app2 without a particular request: allowed, naming the requests', () => {
    const v = osm.connection(m, req(app1, app2, 8080));
    expect(v.allowed).toBe(true);
    expect(v.reason).toContain('send GET /.*');
  });

  test('a caller whose ServiceAccount is not a source of any TrafficTarget is denied on both sides', () => {
    const v = osm.connection(m, req(app3, app2, 8080, { http: { method: 'GET', path: '/' } }));
    expect(v.allowed).toBe(false);
    expect(v.reason).toContain('no TrafficTarget lets ServiceAccount shop/app3 call ServiceAccount shop/app2');
    const inbound = osm.inbound(m, req(app3, app2, 8080, { http: { method: 'GET', path: '/' } }));
    expect(inbound.allowed).toBe(false);
    expect(inbound.reason).toContain('names ServiceAccount shop/app3 as a source');
  });

  test('egress on and no TrafficTarget: the source\'s sidecar passes it through as plain traffic, which the destination refuses without an IngressBackend', () => {
    const m2 = cluster(...base(), meshConfig({ enablePermissiveTrafficPolicyMode: false, enableEgress: true }));
    const r = req(peer(m2, 'Deployment shop/app3'), peer(m2, 'Deployment shop/app2'), 8080);
    expect(osm.outbound(m2, r).allowed).toBe(true);
    const inbound = osm.inbound(m2, r);
    expect(inbound.allowed).toBe(false);
    expect(inbound.reason).toContain('only through an IngressBackend');
    expect(inbound.reason).toContain('Deployment shop/app3\'s sidecar has no mesh route for it and passes it through as plain traffic');
    expect(osm.connection(m2, r).allowed).toBe(false);
  });

  test('TCPRoute: app2 -> db allowed on the TCPRoute port, denied on another tcp port', () => {
    const ok = osm.connection(m, req(app2, db, 5432));
    expect(ok.allowed).toBe(true);
    expect(ok.reason).toContain('TrafficTarget shop/app2-to-db lets ServiceAccount shop/app2 connect to ServiceAccount shop/db on tcp port 5432');
    const no = osm.connection(m, req(app2, db, 9000));
    expect(no.allowed).toBe(false);
    expect(no.reason).toContain('only as TrafficTarget shop/app2-to-db on port 5432 (its TCPRoutes), not port 9000');
  });

  test('a TCPRoute with no ports admits every port', () => {
    const m2 = cluster(...base(), SMI_STRICT, tcpRoute('shop', 'any', []), trafficTarget('shop', 'x', 'db', [{ name: 'app1', namespace: 'shop' }], [{ kind: 'TCPRoute', name: 'any' }]));
    expect(osm.connection(m2, req(peer(m2, 'Deployment shop/app1'), peer(m2, 'Deployment shop/db'), 9000)).allowed).toBe(true);
  });

  test('a TrafficTarget whose only rule is an HTTPRouteGroup admits every tcp port (no TCPRoute: no port restriction)', () => {
    const m2 = cluster(...base(), SMI_STRICT, routeGroup('shop', 'r', [{ name: 'all', pathRegex: '.*' }]),
      trafficTarget('shop', 'http-only', 'db', [{ name: 'app1', namespace: 'shop' }], [{ kind: 'HTTPRouteGroup', name: 'r', matches: ['all'] }]));
    const v = osm.connection(m2, req(peer(m2, 'Deployment shop/app1'), peer(m2, 'Deployment shop/db'), 5432));
    expect(v.allowed).toBe(true);
    expect(v.reason).toContain('it has no TCPRoute rule, so it admits every port');
  });

  test('a TrafficTarget whose only rule is a TCPRoute gives no HTTP route on an http port', () => {
    const m2 = cluster(...base(), SMI_STRICT, tcpRoute('shop', 'p', [8080]), trafficTarget('shop', 'tcp-only', 'app2', [{ name: 'app1', namespace: 'shop' }], [{ kind: 'TCPRoute', name: 'p' }]));
    const v = osm.connection(m2, req(peer(m2, 'Deployment shop/app1'), peer(m2, 'Deployment shop/app2'), 8080));
    expect(v.allowed).toBe(false);
    expect(v.reason).toContain('but no HTTP route of Deployment shop/app2\'s sidecar admits it');
  });

  test('a TrafficTarget naming a missing TCPRoute is dropped from the RBAC filter', () => {
    const m2 = cluster(...base(), SMI_STRICT, trafficTarget('shop', 'broken', 'db', [{ name: 'app1', namespace: 'shop' }], [{ kind: 'TCPRoute', name: 'nope' }]));
    const v = osm.inbound(m2, req(peer(m2, 'Deployment shop/app1'), peer(m2, 'Deployment shop/db'), 5432));
    expect(v.allowed).toBe(true); // no TrafficTarget left for db: its tcp chain has no RBAC filter
    expect(v.reason).toContain('has no RBAC filter');
    expect(v.reason).toContain('names TCPRoute shop/nope, which is not in the input');
  });

  test('HTTP route headers: a map of regexes matches; a list (as the CRD declares) is not decodable by OSM', () => {
    const m2 = cluster(...base(), SMI_STRICT,
      routeGroup('shop', 'hdr', [{ name: 'android', methods: ['*'], headers: { 'user-agent': '.*Android.*' } }, { name: 'listed', headers: [{ 'user-agent': '.*' }] }]),
      trafficTarget('shop', 'h', 'app2', [{ name: 'app1', namespace: 'shop' }], [{ kind: 'HTTPRouteGroup', name: 'hdr', matches: ['android', 'listed'] }]));
    const a1 = peer(m2, 'Deployment shop/app1');
    const a2 = peer(m2, 'Deployment shop/app2');
    expect(osm.connection(m2, req(a1, a2, 8080, { http: { method: 'DELETE', path: '/x', headers: { 'user-agent': 'Mozilla Android 14' } } })).allowed).toBe(true);
    const no = osm.connection(m2, req(a1, a2, 8080, { http: { method: 'GET', path: '/x', headers: { 'user-agent': 'curl' } } }));
    expect(no.allowed).toBe(false);
    expect(no.reason).toContain('cannot decode');
  });

  test('overlapping routes admitting different callers: not reliably allowed (first match wins, order unspecified)', () => {
    const m2 = cluster(...base(), SMI_STRICT, routeGroup('shop', 'g', [{ name: 'all', pathRegex: '.*' }, { name: 'api', methods: ['GET'], pathRegex: '/api/.*' }]),
      trafficTarget('shop', 'a', 'app2', [{ name: 'app1', namespace: 'shop' }], [{ kind: 'HTTPRouteGroup', name: 'g', matches: ['api'] }]),
      trafficTarget('shop', 'b', 'app2', [{ name: 'app3', namespace: 'shop' }], [{ kind: 'HTTPRouteGroup', name: 'g', matches: ['all'] }]));
    const v = osm.connection(m2, req(peer(m2, 'Deployment shop/app1'), peer(m2, 'Deployment shop/app2'), 8080, { http: { method: 'GET', path: '/api/x' } }));
    expect(v.allowed).toBe(false);
    expect(v.reason).toContain('order is unspecified');
  });

  test('the app sending TLS to an http port: the sidecar cannot parse it', () => {
    const v = osm.connection(m, req(app1, app2, 8080, { transport: 'https' }));
    expect(v.allowed).toBe(false);
    expect(v.reason).toContain('parses HTTP there and cannot carry TLS');
  });
});

describe('OsmModel: app protocols (osm:pkg/compute/kube/client.go serviceToMeshServices)', () => {
  test('appProtocol https gets no filter chain: denied for meshed callers, with the reason', () => {
    const m = cluster(...base(), deploy('shop', 'secure', { ports: [8443] }), service('shop', 'secure', [{ port: 443, targetPort: 8443, appProtocol: 'https' }], '10.96.0.40'));
    const v = osm.connection(m, req(peer(m, 'Deployment shop/app1'), peer(m, 'Deployment shop/secure'), 8443));
    expect(v.allowed).toBe(false);
    expect(v.reason).toContain('port 443 of Service shop/secure has appProtocol https: OSM builds no filter chain for it');
  });

  test('kubernetes.io/h2c is taken verbatim: no filter chain either; a port name prefix (tcp-) selects tcp', () => {
    const m = cluster(...base(), SMI_STRICT,
      deploy('shop', 'h2', { ports: [8080] }), service('shop', 'h2', [{ port: 80, targetPort: 8080, appProtocol: 'kubernetes.io/h2c' }]),
      deploy('shop', 'raw', { ports: [7000] }), service('shop', 'raw', [{ name: 'tcp-raw', port: 7000 }]),
      trafficTarget('shop', 'to-h2', 'h2', [{ name: 'app1', namespace: 'shop' }], [{ kind: 'TCPRoute', name: 'all' }]), tcpRoute('shop', 'all', []),
      trafficTarget('shop', 'to-raw', 'raw', [{ name: 'app1', namespace: 'shop' }], [{ kind: 'TCPRoute', name: 'all' }]));
    const app1 = peer(m, 'Deployment shop/app1');
    expect(osm.connection(m, req(app1, peer(m, 'Deployment shop/h2'), 8080)).reason).toContain('appProtocol kubernetes.io/h2c: OSM builds no filter chain');
    const raw = osm.connection(m, req(app1, peer(m, 'Deployment shop/raw'), 7000));
    expect(raw.allowed).toBe(true);
    expect(raw.reason).toContain('(tcp)');
  });

  test('no appProtocol on a TCP port defaults to http', () => {
    const m = cluster(...base(), deploy('shop', 'plain', { ports: [8080] }), service('shop', 'plain', [{ port: 80, targetPort: 8080 }]));
    const v = osm.connection(m, req(peer(m, 'Deployment shop/app1'), peer(m, 'Deployment shop/plain'), 8080));
    expect(v.allowed).toBe(true);
    expect(v.reason).toContain('(http)');
  });
});

describe('OsmModel: traffic from outside the mesh (IngressBackend)', () => {
  const nginxSvcSource = { kind: 'Service', name: 'ingress-nginx-controller', namespace: 'ingress-nginx' };

  test('http backend from the ingress-nginx Service on the target port: allowed', () => {
    const m = cluster(...base(), ingressBackend('shop', 'app2', { name: 'app2', port: { number: 8080, protocol: 'http' } }, [nginxSvcSource]));
    const v = osm.connection(m, req(NGINX, peer(m, 'Deployment shop/app2'), 8080));
    expect(v.allowed).toBe(true);
    expect(v.reason).toContain('IngressBackend shop/app2 admits plain HTTP from ingress-nginx controller as a listed source to app2 port 8080');
    // The controller as a workload of the input is an endpoint of its Service too.
    const asWorkload = osm.connection(m, req(peer(m, 'Deployment ingress-nginx/ingress-nginx-controller'), peer(m, 'Deployment shop/app2'), 8080));
    expect(asWorkload.allowed).toBe(true);
  });

  test('http backend naming the Service port (80) instead of the target port: denied, with the hint', () => {
    const m = cluster(...base(), ingressBackend('shop', 'app2', { name: 'app2', port: { number: 80, protocol: 'http' } }, [nginxSvcSource]));
    const v = osm.connection(m, req(NGINX, peer(m, 'Deployment shop/app2'), 8080));
    expect(v.allowed).toBe(false);
    expect(v.reason).toContain('IngressBackend shop/app2 names app2 port 80, the Service port: OSM matches the targetPort 8080');
  });

  test('a source that is not an endpoint of the listed Service, and TLS to an http backend, are refused', () => {
    const m = cluster(...base(), ingressBackend('shop', 'app2', { name: 'app2', port: { number: 8080, protocol: 'http' } }, [nginxSvcSource]));
    const other = osm.connection(m, req({ external: { name: 'a laptop' }, ip: '192.0.2.1' }, peer(m, 'Deployment shop/app2'), 8080));
    expect(other.allowed).toBe(false);
    expect(other.reason).toContain('only endpoints of Service ingress-nginx/ingress-nginx-controller; a laptop is none of them');
    expect(osm.connection(m, req(NGINX, peer(m, 'Deployment shop/app2'), 8080, { transport: 'https' })).reason).toContain('expects plain HTTP');
  });

  test('IPRange source: the source address must be in the CIDR', () => {
    const m = cluster(...base(), ingressBackend('shop', 'app2', { name: 'app2', port: { number: 8080, protocol: 'http' } }, [{ kind: 'IPRange', name: '10.128.0.0/14' }]));
    const app2 = peer(m, 'Deployment shop/app2');
    expect(osm.connection(m, req({ external: { name: 'router' }, ip: '10.129.0.5' }, app2, 8080)).allowed).toBe(true);
    expect(osm.connection(m, req({ external: { name: 'router' }, ip: '192.168.0.5' }, app2, 8080)).allowed).toBe(false);
    expect(osm.connection(m, req({ external: { name: 'router' } }, app2, 8080)).reason).toContain('its address is unknown');
  });

  test('https backend with an AuthenticatedPrincipal: with the client certificate allowed, without it denied', () => {
    const m = cluster(...base(),
      meshConfig({ enablePermissiveTrafficPolicyMode: false, enableEgress: false }, { certificate: { ingressGateway: { subjectAltNames: ['ingress-nginx.ingress-nginx.cluster.local'], validityDuration: '24h', secret: { name: 'osm-nginx-client-cert', namespace: 'osm-system' } } } }),
      ingressBackend('shop', 'app2', { name: 'app2', port: { number: 8080, protocol: 'https' }, tls: { skipClientCertValidation: false } },
        [nginxSvcSource, { kind: 'AuthenticatedPrincipal', name: 'ingress-nginx.ingress-nginx.cluster.local' }]));
    const app2 = peer(m, 'Deployment shop/app2');
    const ok = osm.connection(m, req(NGINX, app2, 8080, { clientPrincipal: 'ingress-nginx.ingress-nginx.cluster.local' }));
    expect(ok.allowed).toBe(true);
    expect(ok.reason).toContain('admits mTLS from ingress-nginx controller');
    expect(ok.reason).toContain('OSM issues it: MeshConfig osm-system/osm-mesh-config spec.certificate.ingressGateway');
    const noCert = osm.connection(m, req(NGINX, app2, 8080));
    expect(noCert.allowed).toBe(false);
    expect(noCert.reason).toContain('must present a client certificate issued by OSM\'s CA with SAN ingress-nginx.ingress-nginx.cluster.local, and presents none');
    expect(osm.connection(m, req(NGINX, app2, 8080, { clientPrincipal: 'someone.else.cluster.local' })).reason).toContain('not someone.else.cluster.local');
    expect(osm.connection(m, req(NGINX, app2, 8080, { transport: 'http' })).reason).toContain('terminates TLS');
  });

  test('https backend with skipClientCertValidation admits TLS without a certificate', () => {
    const m = cluster(...base(), ingressBackend('shop', 'app2', { name: 'app2', port: { number: 8080, protocol: 'https' }, tls: { skipClientCertValidation: true } },
      [{ kind: 'AuthenticatedPrincipal', name: 'x' }]));
    const v = osm.connection(m, req({ external: { name: 'anyone' } }, peer(m, 'Deployment shop/app2'), 8080));
    expect(v.allowed).toBe(true);
    expect(v.reason).toContain('without validating a client certificate');
  });

  test('an unmeshed source without an IngressBackend is refused, permissive mode or not', () => {
    const m = cluster(...base());
    const v = osm.connection(m, req(NGINX, peer(m, 'Deployment shop/app2'), 8080));
    expect(v.allowed).toBe(false);
    expect(v.reason).toContain('accepts traffic that does not come from a meshed sidecar only through an IngressBackend');
  });

  test('an IngressBackend in a namespace OSM does not monitor is ignored', () => {
    const m = cluster(...base(), ingressBackend('legacy', 'app2', { name: 'app2', port: { number: 8080, protocol: 'http' } }, [nginxSvcSource]));
    expect(osm.connection(m, req(NGINX, peer(m, 'Deployment shop/app2'), 8080)).allowed).toBe(false);
  });
});

describe('OsmModel: interception exclusions', () => {
  test('an inbound port exclusion (pod annotation) leaves the decision to NetworkPolicy and the app', () => {
    const objs = base().map((o) => (o.kind === 'Deployment' && o.metadata.name === 'app2'
      ? deploy('shop', 'app2', { ports: [8080, 9090], annotations: { 'openservicemesh.io/inbound-port-exclusion-list': '9090' } }) : o));
    const m = cluster(...objs, SMI_STRICT);
    const v = osm.connection(m, req(NGINX, peer(m, 'Deployment shop/app2'), 9090));
    expect(v.allowed).toBe(true);
    expect(v.reason).toContain('port 9090 is excluded from Deployment shop/app2\'s inbound interception (pod annotation openservicemesh.io/inbound-port-exclusion-list');
    expect(osm.connection(m, req(NGINX, peer(m, 'Deployment shop/app2'), 8080)).allowed).toBe(false);
  });

  test('an inbound port exclusion in MeshConfig applies to every meshed pod', () => {
    const m = cluster(...base(), meshConfig({ enablePermissiveTrafficPolicyMode: false, enableEgress: false, inboundPortExclusionList: [9090] }));
    const v = osm.inbound(m, req(NGINX, peer(m, 'Deployment shop/app2'), 9090));
    expect(v.allowed).toBe(true);
    expect(v.reason).toContain('MeshConfig osm-system/osm-mesh-config spec.traffic.inboundPortExclusionList');
  });

  test('UDP is never intercepted; TCP DNS is, and egress off refuses it unless port 53 is excluded', () => {
    const m = cluster(...base(), SMI_STRICT);
    const app1 = peer(m, 'Deployment shop/app1');
    const dns = peer(m, 'Deployment kube-system/coredns');
    const udp = osm.connection(m, req(app1, dns, 53, { protocol: 'UDP' }));
    expect(udp.allowed).toBe(true);
    expect(udp.reason).toContain('OSM redirects only TCP');
    const tcp = osm.connection(m, req(app1, dns, 53));
    expect(tcp.allowed).toBe(false);
    expect(tcp.reason).toContain('DNS over TCP');
    const m2 = cluster(...base(), meshConfig({ enablePermissiveTrafficPolicyMode: false, enableEgress: false, outboundPortExclusionList: [53] }));
    expect(osm.connection(m2, req(peer(m2, 'Deployment shop/app1'), peer(m2, 'Deployment kube-system/coredns'), 53)).reason).toContain('port 53 is excluded from Deployment shop/app1\'s outbound interception');
  });

  test('an outbound IP-range exclusion lets a connection to an outside address skip the sidecar', () => {
    const objs = base().map((o) => (o.kind === 'Deployment' && o.metadata.name === 'app1'
      ? deploy('shop', 'app1', { annotations: { 'openservicemesh.io/outbound-ip-range-exclusion-list': '10.0.5.0/24' } }) : o));
    const m = cluster(...objs, SMI_STRICT);
    const v = osm.outbound(m, req(peer(m, 'Deployment shop/app1'), { external: { name: 'postgres' }, ip: '10.0.5.9' }, 5432));
    expect(v.allowed).toBe(true);
    expect(v.reason).toContain('10.0.5.9 is in 10.0.5.0/24, excluded');
  });
});

describe('OsmModel: egress from a meshed source', () => {
  const app1 = (m: ClusterModel) => peer(m, 'Deployment shop/app1');
  const old = (m: ClusterModel) => peer(m, 'Deployment legacy/old');

  test('to an unmeshed in-cluster destination with egress off: denied', () => {
    const m = cluster(...base(), SMI_STRICT);
    const v = osm.connection(m, req(app1(m), old(m), 8080));
    expect(v.allowed).toBe(false);
    expect(v.reason).toContain('Service legacy/old is in namespace legacy, which mesh osm does not monitor');
    expect(v.reason).toContain('egress is disabled (MeshConfig osm-system/osm-mesh-config) and no Egress policy names ServiceAccount shop/app1 as a source');
  });

  test('with egress on: passed through, and the unmeshed destination does not filter', () => {
    const m = cluster(...base());
    const v = osm.connection(m, req(app1(m), old(m), 8080));
    expect(v.allowed).toBe(true);
    expect(v.reason).toContain('the sidecar passes it through unchanged');
    expect(v.reason).toContain('Deployment legacy/old has no OSM sidecar');
  });

  test('with an Egress policy (tcp, ipAddresses holding the ClusterIP): allowed; other addresses denied', () => {
    const m = cluster(...base(), SMI_STRICT, egress('shop', 'to-old', { sources: [{ kind: 'ServiceAccount', name: 'app1', namespace: 'shop' }], ipAddresses: ['10.96.5.0/24'], ports: [{ number: 80, protocol: 'tcp' }] }));
    const v = osm.connection(m, req(app1(m), old(m), 8080));
    expect(v.allowed).toBe(true);
    expect(v.reason).toContain('Egress shop/to-old lets ServiceAccount shop/app1 open tcp connections on port 80 to 10.96.5.0/24');
    const outside = osm.outbound(m, req(app1(m), { external: { name: 'db' }, ip: '10.0.5.9' }, 80));
    expect(outside.allowed).toBe(false);
    expect(outside.reason).toContain('admits 10.96.5.0/24, not 10.0.5.9');
  });

  test('an http Egress matches by Host header and its HTTPRouteGroup', () => {
    const m = cluster(...base(), SMI_STRICT,
      routeGroup('shop', 'gets', [{ name: 'get', methods: ['GET'] }]),
      egress('shop', 'httpbin', { sources: [{ kind: 'ServiceAccount', name: 'app1', namespace: 'shop' }], hosts: ['httpbin.org'], ports: [{ number: 80, protocol: 'http' }],
        matches: [{ apiGroup: 'specs.smi-spec.io/v1alpha4', kind: 'HTTPRouteGroup', name: 'gets' }] }));
    const dest: MeshPeer = { external: { name: 'httpbin' }, host: 'httpbin.org' };
    expect(osm.outbound(m, req(app1(m), dest, 80, { http: { method: 'GET', path: '/get' } })).allowed).toBe(true);
    expect(osm.outbound(m, req(app1(m), dest, 80, { http: { method: 'POST', path: '/post' } })).reason).toContain('only GET .*, not POST /post');
    expect(osm.outbound(m, req(app1(m), { external: { name: 'other' }, host: 'example.com' }, 80)).reason).toContain('admits Host httpbin.org, not example.com');
  });

  test('an https Egress matches by TLS server name', () => {
    const m = cluster(...base(), SMI_STRICT, egress('shop', 'github', { sources: [{ kind: 'ServiceAccount', name: 'app1', namespace: 'shop' }], hosts: ['*.github.com'], ports: [{ number: 443, protocol: 'https' }] }));
    expect(osm.outbound(m, req(app1(m), { external: { name: 'api' }, host: 'api.github.com' }, 443)).allowed).toBe(true);
    expect(osm.outbound(m, req(app1(m), { external: { name: 'gitlab' }, host: 'gitlab.com' }, 443)).allowed).toBe(false);
  });

  test('Egress policies are ignored while egress is enabled (passthrough decides)', () => {
    const m = cluster(...base(), meshConfig({ enablePermissiveTrafficPolicyMode: false, enableEgress: true }),
      egress('shop', 'narrow', { sources: [{ kind: 'ServiceAccount', name: 'app1', namespace: 'shop' }], ipAddresses: ['10.0.0.0/32'], ports: [{ number: 443, protocol: 'tcp' }] }));
    const v = osm.outbound(m, req(app1(m), { external: { name: 'anything' }, ip: '198.51.100.1' }, 443));
    expect(v.allowed).toBe(true);
    expect(v.reason).toContain('egress is enabled');
  });

  test('a meshed source to a monitored Service whose pod has no sidecar: the sidecar sends mTLS and the connection fails', () => {
    const m = cluster(...base(), deploy('shop', 'bare', { annotations: { 'openservicemesh.io/sidecar-injection': 'disabled' } }), service('shop', 'bare', [{ port: 80, targetPort: 8080 }]));
    const v = osm.connection(m, req(app1(m), peer(m, 'Deployment shop/bare'), 8080));
    expect(v.allowed).toBe(false);
    expect(v.reason).toContain('has no OSM sidecar to accept it');
  });
});

describe('OsmModel: detection and the sidecar\'s own connections', () => {
  test('detect', () => {
    expect(osm.detect(cluster(...base()))).toBe(true);
    expect(osm.detect(cluster(ns('a'), deploy('a', 'x')))).toBe(false);
    expect(osm.detect(cluster(deploy('a', 'x', { annotations: { 'openservicemesh.io/sidecar-injection': 'enabled' } })))).toBe(true);
  });

  test('a meshed pod\'s Envoy needs the control plane on 15128 (not intercepted) and DNS; an unmeshed pod needs nothing', () => {
    const m = cluster(...base(), meshConfig({ enablePermissiveTrafficPolicyMode: true, enableEgress: false }, { observability: { tracing: { enable: true } } }));
    const conns = osm.sidecarConnections(m, wl(m, 'Deployment shop/app1'));
    expect(conns.map((c) => `${c.service ?? ''}:${c.port}/${c.protocol}`)).toEqual(['osm-system/osm-controller:15128/TCP', ':53/UDP', 'jaeger.osm-system.svc.cluster.local:9411/TCP']);
    expect(conns[0].podLabels).toEqual({ app: 'osm-controller' });
    expect(osm.sidecarConnections(m, wl(m, 'Deployment legacy/old'))).toEqual([]);
  });
});
