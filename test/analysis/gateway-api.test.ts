import { buildClusterModel } from '../../src/analysis/cluster';
import {
  GatewayEntrySource, discoverGateways, gatewayClientCertificates, gatewayEntries, gatewayEntry, hostnamesIntersect, resolveGateways,
} from '../../src/analysis/gateway-api';
import type { ClusterModel, KubeObject, Workload } from '../../src/analysis/model';
import { connectionVerdict } from '../../src/analysis/network-policy';
import type { GatewayClusterSpec } from '../../src/spec/gateway-spec';

const model = (...objects: any[]): ClusterModel => buildClusterModel(objects.map((object, index) => ({ object: object as KubeObject, file: 'test.yaml', index })));
const G = 'gateway.networking.k8s.io/v1';

const web = {
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' },
  spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', ports: [{ name: 'http', containerPort: 8080 }, { name: 'https', containerPort: 8443 }, { name: 'admin', containerPort: 9090 }] }] } } },
};
/** Service ports target the container ports by name (as our AppService writes them). */
const service = (ports: any[] = [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'https', port: 443, targetPort: 'https' }]) => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { selector: { app: 'web' }, ports },
});
const listener = (extra: any = {}) => ({ name: 'https', port: 443, protocol: 'HTTPS', tls: { mode: 'Terminate', certificateRefs: [{ name: 'cert' }] }, allowedRoutes: { namespaces: { from: 'All' } }, ...extra });
const gatewayObject = (listeners: any[], extra: any = {}, className = 'istio') => ({ apiVersion: G, kind: 'Gateway', metadata: { name: 'public', namespace: 'gateways' }, spec: { gatewayClassName: className, listeners, ...extra } });
const httpRoute = (spec: any = {}, namespace = 'shop', kind = 'HTTPRoute') => ({
  apiVersion: G, kind, metadata: { name: 'web', namespace },
  spec: { parentRefs: [{ name: 'public', namespace: 'gateways', sectionName: 'https' }], rules: [{ backendRefs: [{ name: 'web', namespace: namespace === 'shop' ? undefined : 'shop', port: 80 }] }], ...spec },
});
const istio: GatewayClusterSpec = { name: 'public', namespace: 'gateways', implementation: 'istio' };

function entry(m: ClusterModel, port: number, spec: GatewayClusterSpec = istio) {
  const source = gatewayEntries(m, resolveGateways([spec]))[0];
  return gatewayEntry(m, source, workload(m), port);
}
const workload = (m: ClusterModel): Workload => m.workloads.find((w) => w.name === 'web')!;

describe('gateway sources', () => {
  test('the pods where the profile puts them, with the mesh peer and principal', () => {
    const [s] = gatewayEntries(model(), resolveGateways([istio]), 'example.org');
    expect(s).toMatchObject({
      id: 'gateway:gateways/public', kind: 'gateway', principal: 'example.org/ns/gateways/sa/public-istio',
      endpoint: { pod: { namespace: 'gateways', namespaceLabels: { 'kubernetes.io/metadata.name': 'gateways' }, labels: { 'gateway.networking.k8s.io/gateway-name': 'public' } } },
      meshPeer: { external: { namespace: 'gateways', services: ['gateways/public-istio'] } },
    });
  });

  test('Envoy Gateway\'s pods are in envoy-gateway-system: a policy admitting the portable selector does not admit them', () => {
    const portable = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'allow-gw', namespace: 'shop' }, spec: {
      podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'edge' } }, podSelector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'eg' } } }], ports: [{ port: 8080 }] }],
    } };
    const profiled = { ...portable, metadata: { name: 'allow-eg', namespace: 'shop' }, spec: { ...portable.spec, ingress: [{ from: [{
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'envoy-gateway-system' } },
      podSelector: { matchLabels: { 'gateway.envoyproxy.io/owning-gateway-name': 'eg', 'gateway.envoyproxy.io/owning-gateway-namespace': 'edge' } },
    }], ports: [{ port: 8080 }] }] } };
    const eg: GatewayClusterSpec = { name: 'eg', namespace: 'edge', implementation: 'envoy-gateway' };
    const to = (m: ClusterModel) => ({ pod: { namespace: 'shop', namespaceLabels: { 'kubernetes.io/metadata.name': 'shop' }, labels: { app: 'web' }, ports: workload(m).ports, hostNetwork: false } });
    const m1 = model(web, portable);
    expect(connectionVerdict(m1, gatewayEntries(m1, resolveGateways([eg]))[0].endpoint, to(m1), { port: 8080, protocol: 'TCP' }).allowed).toBe(false);
    const m2 = model(web, profiled);
    expect(connectionVerdict(m2, gatewayEntries(m2, resolveGateways([eg]))[0].endpoint, to(m2), { port: 8080, protocol: 'TCP' }).allowed).toBe(true);
  });

  test('discovers Gateways of the implementations\' usual classes', () => {
    expect(discoverGateways(model(gatewayObject([listener()]), { ...gatewayObject([]), metadata: { name: 'x', namespace: 'y' }, spec: { gatewayClassName: 'custom', listeners: [] } })))
      .toEqual([{ name: 'public', namespace: 'gateways', implementation: 'istio' }]);
  });
});

describe('gatewayEntry: attachment', () => {
  test('a route sends to the container port behind the Service port (named target port resolved on the pods)', () => {
    const m = model(web, service(), gatewayObject([listener()]), httpRoute());
    const v = entry(m, 8080);
    expect(v).toMatchObject({ applies: true, allowed: true, transport: 'http', service: 'shop/web', routes: ['HTTPRoute shop/web'] });
    expect(v.verdict.reason).toMatch(/HTTPRoute shop\/web \(attached to Gateway gateways\/public: listener "https" accepts it\) sends here through Service shop\/web port http; plain HTTP/);
    expect(entry(m, 9090)).toMatchObject({ allowed: false, verdict: { reason: 'no route of Gateway gateways/public sends to this port' } });
    expect(entry(m, 8443).allowed).toBe(false);
  });

  test('fails a backendRef that names the container port instead of the Service port', () => {
    const m = model(web, service(), httpRoute({ rules: [{ backendRefs: [{ name: 'web', port: 8080 }] }] }));
    expect(entry(m, 8080).verdict.reason).toMatch(/sends to port 8080 of Service shop\/web, which has no such port \(backendRefs\.port is the Service port, not the container port\): BackendNotFound/);
  });

  test('without the Gateway object attachment is assumed and said so', () => {
    expect(entry(model(web, service(), httpRoute()), 8080).verdict.reason).toMatch(/Gateway gateways\/public is not in the input: attachment assumed/);
  });

  test('fails a listener that admits routes from its own namespace only (the default Same)', () => {
    const m = model(web, service(), gatewayObject([listener({ allowedRoutes: undefined })]), httpRoute());
    expect(entry(m, 8080).verdict.reason).toMatch(/listener "https" admits routes from its own namespace gateways only, not shop \(NotAllowedByListeners\)/);
  });

  test('a Selector listener admits namespaces by label', () => {
    const sel = listener({ allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { expose: 'true' } } } } });
    expect(entry(model(web, service(), gatewayObject([sel]), httpRoute()), 8080).allowed).toBe(false);
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { expose: 'true' } } };
    expect(entry(model(ns, web, service(), gatewayObject([sel]), httpRoute()), 8080).allowed).toBe(true);
  });

  test('fails hostnames that do not intersect the listener\'s, and a missing listener', () => {
    const m = model(web, service(), gatewayObject([listener({ hostname: '*.example.com' })]), httpRoute({ hostnames: ['example.com'] }));
    expect(entry(m, 8080).verdict.reason).toMatch(/listener "https" serves \*\.example\.com, and none of the route's hostnames example\.com matches it \(NoMatchingListenerHostname\)/);
    expect(entry(model(web, service(), gatewayObject([listener({ hostname: '*.example.com' })]), httpRoute({ hostnames: ['web.example.com'] })), 8080).allowed).toBe(true);
    const other = httpRoute({ parentRefs: [{ name: 'public', namespace: 'gateways', sectionName: 'http' }] });
    expect(entry(model(web, service(), gatewayObject([listener()]), other), 8080).verdict.reason).toMatch(/no listener "http" \(NoMatchingParent\)/);
  });

  test('fails a Gateway of another class (other pods serve it)', () => {
    expect(entry(model(web, service(), gatewayObject([listener()], {}, 'eg'), httpRoute()), 8080).verdict.reason).toMatch(/has class "eg", not "istio" of istio/);
  });
});

describe('gatewayEntry: cross-namespace backends', () => {
  const route = httpRoute({}, 'gateways');
  test('fails without a ReferenceGrant in the Service\'s namespace', () => {
    expect(entry(model(web, service(), route), 8080).verdict.reason).toMatch(/HTTPRoute gateways\/web in gateways sends to Service shop\/web, and no ReferenceGrant in shop allows HTTPRoutes from gateways: RefNotPermitted/);
  });
  test('a ReferenceGrant in the Service\'s namespace allows it', () => {
    const grant = { apiVersion: G, kind: 'ReferenceGrant', metadata: { name: 'web-from-gateways', namespace: 'shop' }, spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'gateways' }], to: [{ group: '', kind: 'Service', name: 'web' }] } };
    const v = entry(model(web, service(), route, grant), 8080);
    expect(v.allowed).toBe(true);
    expect(v.verdict.objects).toContain('ReferenceGrant shop/web-from-gateways');
  });
});

describe('gatewayEntry: transport to the backend', () => {
  const policy = (sectionName = 'https', caName = 'web-ca') => ({ apiVersion: G, kind: 'BackendTLSPolicy', metadata: { name: 'web-https', namespace: 'shop' }, spec: {
    targetRefs: [{ group: '', kind: 'Service', name: 'web', sectionName }], validation: { caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: caName }], hostname: 'web.shop.svc' },
  } });
  const tlsRoute = httpRoute({ rules: [{ backendRefs: [{ name: 'web', port: 443 }] }] });

  test('a BackendTLSPolicy on the Service port name makes it TLS', () => {
    const v = entry(model(web, service(), tlsRoute, policy()), 8443);
    expect(v).toMatchObject({ allowed: true, transport: 'https' });
    expect(v.verdict.objects).toContain('BackendTLSPolicy shop/web-https');
  });

  test('a policy on another port of the Service does not apply', () => {
    expect(entry(model(web, service(), tlsRoute, policy('http')), 8443)).toMatchObject({ allowed: true, transport: 'http' });
  });

  test('fails a CA ConfigMap with service-ca.crt but no ca.crt (the OpenShift service CA\'s key)', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-ca', namespace: 'shop', annotations: { 'service.beta.openshift.io/inject-cabundle': 'true' } }, data: { 'service-ca.crt': 'PEM' } };
    expect(entry(model(web, service(), tlsRoute, policy(), cm), 8443).verdict.reason)
      .toMatch(/verifies the backend with ConfigMap shop\/web-ca, which has no ca\.crt \(only service-ca\.crt: the OpenShift service CA's key, which the Gateway API does not read\)/);
  });

  test('a GRPCRoute to a TLS backend speaks TLS with the policy (implementations that apply it to GRPCRoute)', () => {
    const grpc = httpRoute({ rules: [{ backendRefs: [{ name: 'web', port: 443 }] }] }, 'shop', 'GRPCRoute');
    expect(entry(model(web, service(), grpc, policy()), 8443)).toMatchObject({ allowed: true, transport: 'https' });
  });

  test('a TLSRoute behind a Passthrough listener passes the client\'s TLS through', () => {
    const gw = gatewayObject([{ name: 'tls', port: 443, protocol: 'TLS', tls: { mode: 'Passthrough' }, allowedRoutes: { namespaces: { from: 'All' } } }]);
    const route = { apiVersion: G, kind: 'TLSRoute', metadata: { name: 'web', namespace: 'shop' }, spec: { parentRefs: [{ name: 'public', namespace: 'gateways', sectionName: 'tls' }], hostnames: ['web.example.com'], rules: [{ backendRefs: [{ name: 'web', port: 443 }] }] } };
    expect(entry(model(web, service(), gw, route), 8443)).toMatchObject({ allowed: true, transport: 'https' });
    const onHttps = { ...route, spec: { ...route.spec, parentRefs: [{ name: 'public', namespace: 'gateways', sectionName: 'https' }] } };
    expect(entry(model(web, service(), gatewayObject([listener()]), onHttps), 8443).verdict.reason).toMatch(/listener "https" is HTTPS, which does not carry TLSRoutes/);
  });

  test('fails an HTTPRoute to an h2c Service port on NGINX Gateway Fabric (v2.6 refuses it)', () => {
    const svc = service([{ name: 'grpc', port: 80, targetPort: 'http', appProtocol: 'kubernetes.io/h2c' }]);
    const ngf: GatewayClusterSpec = { name: 'public', namespace: 'gateways', implementation: 'nginx-gateway-fabric' };
    expect(entry(model(web, svc, httpRoute()), 8080, ngf).verdict.reason).toMatch(/appProtocol kubernetes\.io\/h2c, which nginx-gateway-fabric refuses behind an HTTPRoute/);
    expect(entry(model(web, svc, httpRoute({}, 'shop', 'GRPCRoute')), 8080, ngf)).toMatchObject({ allowed: true, transport: 'http' });
  });
});

describe('gatewayClientCertificates', () => {
  const ca = { caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'client-ca' }] };
  const source = (m: ClusterModel, spec: GatewayClusterSpec = istio): GatewayEntrySource => gatewayEntries(m, resolveGateways([spec]))[0];

  test('Istio: frontend validation makes the listener MUTUAL (mode not read); OPTIONAL_MUTUAL does not enforce', () => {
    const m = model(gatewayObject([listener()], { tls: { frontend: { default: { validation: { ...ca, mode: 'AllowInsecureFallback' } } } } }));
    expect(gatewayClientCertificates(m, source(m))).toMatchObject({ allowed: true, reason: expect.stringMatching(/names a CA, which Istio turns into MUTUAL \(mode AllowInsecureFallback is not read\)/) });
    const optional = model(gatewayObject([listener({ tls: { mode: 'Terminate', certificateRefs: [{ name: 'c' }], options: { 'gateway.istio.io/tls-terminate-mode': 'OPTIONAL_MUTUAL' } } })], { tls: { frontend: { default: { validation: ca } } } }));
    expect(gatewayClientCertificates(optional, source(optional)).allowed).toBe(false);
    const mutual = model(gatewayObject([listener({ tls: { mode: 'Terminate', certificateRefs: [{ name: 'c' }], options: { 'gateway.istio.io/tls-terminate-mode': 'MUTUAL' } } })]));
    expect(gatewayClientCertificates(mutual, source(mutual)).allowed).toBe(true);
    const none = model(gatewayObject([listener()]));
    expect(gatewayClientCertificates(none, source(none)).reason).toMatch(/no spec\.tls\.frontend\.default\.validation and no gateway\.istio\.io\/tls-terminate-mode: the listener is SIMPLE TLS/);
  });

  test('Envoy Gateway: the standard modes; perPort overrides default', () => {
    const eg: GatewayClusterSpec = { name: 'public', namespace: 'gateways', implementation: 'envoy-gateway' };
    const m = model(gatewayObject([listener()], { tls: { frontend: { default: { validation: ca }, perPort: [{ port: 443, tls: { validation: { ...ca, mode: 'AllowInsecureFallback' } } }] } } }, 'eg'));
    expect(gatewayClientCertificates(m, source(m, eg))).toMatchObject({ allowed: false, reason: expect.stringMatching(/perPort\[port 443\]\.validation\.mode AllowInsecureFallback lets clients without a valid certificate through/) });
    const strict = model(gatewayObject([listener()], { tls: { frontend: { default: { validation: ca } } } }, 'eg'));
    expect(gatewayClientCertificates(strict, source(strict, eg)).allowed).toBe(true);
  });

  test('unknown without the Gateway object', () => {
    expect(gatewayClientCertificates(model(), source(model()))).toEqual({ allowed: false, reason: 'Gateway gateways/public is not in the input: whether it asks for client certificates is unknown', objects: [] });
  });
});

test('hostnames intersect as the Gateway API says (a wildcard never matches the bare domain)', () => {
  expect(hostnamesIntersect('*.example.com', 'a.b.example.com')).toBe(true);
  expect(hostnamesIntersect('*.example.com', 'example.com')).toBe(false);
  expect(hostnamesIntersect('a.example.com', '*.example.com')).toBe(true);
  expect(hostnamesIntersect('*.example.com', '*.a.example.com')).toBe(true);
  expect(hostnamesIntersect('a.example.com', 'b.example.com')).toBe(false);
});
