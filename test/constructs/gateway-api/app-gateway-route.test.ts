import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AppGatewayRoute, AppGatewayRouteProps } from '../../../src/constructs/gateway-api/app-gateway-route';
import { gatewayProblems } from '../../../src/constructs/gateway-api/gateway-route-problems';
import type { ClusterSpecBody } from '../../../src/spec/cluster-spec';
import { ClusterContext } from '../../../src/spec/cluster-context';
import type { AppGateway } from '../../../src/spec/gateway-spec';
import type { ResolvedPort } from '../../../src/spec/ports';
import { crdProblems } from '../../cel';
import { ofKind, oneOf, synth } from '../../util';

const gateways: ClusterSpecBody['gateways'] = [
  { name: 'public', namespace: 'gateways', implementation: 'istio' },
  { name: 'eg', namespace: 'edge', implementation: 'envoy-gateway' },
  { name: 'ngf', namespace: 'edge', implementation: 'nginx-gateway-fabric' },
  { name: 'ocp', namespace: 'openshift-ingress', implementation: 'openshift', version: '4.21' },
];
const cluster = (extra: Partial<ClusterSpecBody> = {}) => ClusterContext.fromSpec({ platform: 'kubernetes', gateways, ...extra });
const port = (name: string, p: number, targetPort: number, protocol: ResolvedPort['protocol'], bypassMesh = false): ResolvedPort => ({ name, port: p, targetPort, protocol, bypassMesh });
const http = port('http', 80, 8080, 'http');
const https = port('https', 443, 8443, 'https');
const grpc = port('grpc', 50051, 50051, 'grpc');
const grpcs = port('grpcs', 8443, 9443, 'grpcs');

function build(gateway: AppGateway, props: Partial<AppGatewayRouteProps> = {}): { objects: any[]; route: AppGatewayRoute } {
  let route: AppGatewayRoute | undefined;
  const objects = synth((c) => {
    route = new AppGatewayRoute(c, 'G', { app: 'web', namespace: 'shop', ports: [http], gateway, cluster: cluster(), ...props });
  });
  for (const o of objects) expect(crdProblems(o)).toEqual([]);
  return { objects, route: route! };
}

function failure(gateway: AppGateway, props: Partial<AppGatewayRouteProps> = {}): string {
  try {
    build(gateway, props);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the construct to throw');
}

describe('AppGatewayRoute', () => {
  test('an http port: an HTTPRoute to the Service port; the gateway pods admitted on the container port', () => {
    const { objects, route } = build({ parentRef: { name: 'public', sectionName: 'https' }, hostnames: ['web.example.com'] });
    expect(objects.map((o) => o.kind)).toEqual(['HTTPRoute']);
    const r = oneOf(objects, 'HTTPRoute');
    expect(r.metadata).toEqual({ name: 'web', namespace: 'shop' });
    expect(r.spec).toEqual({
      parentRefs: [{ name: 'public', namespace: 'gateways', sectionName: 'https' }],
      hostnames: ['web.example.com'],
      rules: [{ backendRefs: [{ name: 'web', port: 80 }] }],
    });
    expect(route.targetPort).toBe(8080);
    expect(route.transport).toBe('http');
    expect(route.gatewayPeer).toEqual({
      namespaceLabels: { 'kubernetes.io/metadata.name': 'gateways' },
      podLabels: { 'gateway.networking.k8s.io/gateway-name': 'public' },
    });
    expect(route.meshEntry).toBeUndefined();
    expect(route.warnings).toEqual([]);
  });

  test('the Service port, never the container port, in backendRefs (the container port is for NetworkPolicy)', () => {
    const { objects, route } = build({ parentRef: { name: 'public' }, port: 'https', backendCA: { configMap: 'web-ca' } }, { ports: [http, https] });
    expect(oneOf(objects, 'HTTPRoute').spec.rules[0].backendRefs).toEqual([{ name: 'web', port: 443 }]);
    expect(route.targetPort).toBe(8443);
  });

  test('an https port behind a terminating listener: HTTPRoute + BackendTLSPolicy on the Service port name (reencrypt)', () => {
    const { objects, route } = build({ parentRef: { name: 'public' }, port: 'https', hostnames: ['web.example.com'], backendCA: { configMap: 'web-ca' } }, { ports: [http, https] });
    expect(objects.map((o) => o.kind).sort()).toEqual(['BackendTLSPolicy', 'HTTPRoute']);
    expect(oneOf(objects, 'BackendTLSPolicy')).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'BackendTLSPolicy',
      metadata: { name: 'web-https', namespace: 'shop' },
      spec: {
        targetRefs: [{ group: '', kind: 'Service', name: 'web', sectionName: 'https' }],
        validation: { caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'web-ca' }], hostname: 'web.shop.svc' },
      },
    });
    expect(route.transport).toBe('https');
  });

  test('a backend CA given as a file becomes a ConfigMap with key ca.crt', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const { objects } = build({ parentRef: { name: 'public' }, port: 'https', backendCA: { file: 'ca.pem', hostname: 'web.example.internal' } }, { ports: [https], backendCaCertificate: pem });
    expect(oneOf(objects, 'ConfigMap')).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-backend-ca', namespace: 'shop' }, data: { 'ca.crt': pem } });
    expect(oneOf(objects, 'BackendTLSPolicy').spec.validation).toEqual({ caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'web-backend-ca' }], hostname: 'web.example.internal' });
  });

  test('fails the OpenShift service CA ConfigMap: its key is service-ca.crt, and BackendTLSPolicy reads ca.crt', () => {
    expect(failure({ parentRef: { name: 'public' }, port: 'https', backendCA: { configMap: 'openshift-service-ca.crt' } }, { ports: [https] }))
      .toMatch(/spec\.gateway\.backendCA\.configMap: "openshift-service-ca\.crt" holds no ca\.crt \(the OpenShift service CA is under service-ca\.crt[^\n]*copy it into a ConfigMap with key ca\.crt/);
  });

  test('fails an https port without a backend CA, saying where the service CA is', () => {
    const problems = gatewayProblems({ app: 'web', namespace: 'shop', ports: [https], gateway: { parentRef: { name: 'public' } }, cluster: cluster(), tlsSource: 'serviceCA' });
    expect(problems).toEqual([{ field: 'spec.gateway.backendCA', message: expect.stringMatching(/verifies it against a ConfigMap's ca\.crt; the OpenShift service CA is published under service-ca\.crt/) }]);
  });

  test('a grpc port: a GRPCRoute with method matches to the Service port', () => {
    const { objects, route } = build({ parentRef: { name: 'public' }, grpcMatches: [{ service: 'helloworld.Greeter' }] }, { ports: [grpc] });
    expect(objects.map((o) => o.kind)).toEqual(['GRPCRoute']);
    expect(oneOf(objects, 'GRPCRoute').spec.rules).toEqual([{ matches: [{ method: { type: 'Exact', service: 'helloworld.Greeter' } }], backendRefs: [{ name: 'web', port: 50051 }] }]);
    expect(route.transport).toBe('http');
  });

  test('a GRPCRoute to a TLS backend: BackendTLSPolicy on the grpcs port, with a warning that v1.5 leaves it to the implementation', () => {
    const { objects, route } = build({ parentRef: { name: 'public' }, port: 'grpcs', backendCA: { configMap: 'web-ca' } }, { ports: [grpcs] });
    expect(objects.map((o) => o.kind).sort()).toEqual(['BackendTLSPolicy', 'GRPCRoute']);
    expect(oneOf(objects, 'GRPCRoute').spec.rules[0].backendRefs).toEqual([{ name: 'web', port: 8443 }]);
    expect(oneOf(objects, 'BackendTLSPolicy').spec.targetRefs).toEqual([{ group: '', kind: 'Service', name: 'web', sectionName: 'grpcs' }]);
    expect(route.targetPort).toBe(9443);
    expect(route.warnings).toEqual([{ field: 'spec.gateway.tls', warning: true, message: expect.stringMatching(/BackendTLSPolicy behind a GRPCRoute is implementation-specific in Gateway API v1\.5/) }]);
  });

  test('fails gRPC matches on an http port and HTTP matches on a grpc port', () => {
    expect(failure({ parentRef: { name: 'public' }, grpcMatches: [{ service: 'a.B' }] })).toMatch(/spec\.gateway\.grpcMatches: port "http" is http: gRPC matches need a grpc or grpcs port/);
    expect(failure({ parentRef: { name: 'public' }, httpMatches: [{ path: '/' }] }, { ports: [grpc] })).toMatch(/spec\.gateway\.httpMatches: port "grpc" is grpc: its calls go through a GRPCRoute/);
  });

  test('passthrough: a TLSRoute (SNI hostnames required) and no BackendTLSPolicy', () => {
    const { objects, route } = build({ parentRef: { name: 'public', sectionName: 'tls-passthrough' }, port: 'https', tls: 'passthrough', hostnames: ['web.example.com'] }, { ports: [https] });
    expect(objects.map((o) => o.kind)).toEqual(['TLSRoute']);
    expect(oneOf(objects, 'TLSRoute').spec).toEqual({ parentRefs: [{ name: 'public', namespace: 'gateways', sectionName: 'tls-passthrough' }], hostnames: ['web.example.com'], rules: [{ backendRefs: [{ name: 'web', port: 443 }] }] });
    expect(route.transport).toBe('https');
  });

  test('fails passthrough without hostnames, on a plain port, and with a backend CA', () => {
    expect(failure({ parentRef: { name: 'public' }, port: 'https', tls: 'passthrough', backendCA: { configMap: 'x' } }, { ports: [https] }))
      .toMatch(/spec\.gateway\.hostnames: a TLSRoute needs 1 to 16 hostnames[\s\S]*spec\.gateway\.backendCA: with passthrough the client's TLS goes to the app unopened/);
    expect(failure({ parentRef: { name: 'public' }, tls: 'passthrough', hostnames: ['web.example.com'] })).toMatch(/spec\.gateway\.tls: tls applies to ports the app serves TLS on \(https, grpcs\); "http" is http: passthrough needs the app to terminate TLS/);
  });

  test('fails a tcp port: TCPRoute is not in the standard channel', () => {
    expect(failure({ parentRef: { name: 'public' }, port: 'db' }, { ports: [port('db', 5432, 5432, 'tcp')] })).toMatch(/spec\.gateway\.port: port "db" is tcp: the Gateway API's standard routes carry HTTP, gRPC and TLS/);
  });

  test('fails a Gateway the Cluster spec does not declare, naming those it does', () => {
    expect(failure({ parentRef: { name: 'private', namespace: 'gateways' } })).toMatch(/spec\.gateway\.parentRef: gateway "gateways\/private" is not declared in the Cluster spec \(gateways\); declared: "gateways\/public", "edge\/eg", "edge\/ngf", "openshift-ingress\/ocp"/);
  });

  test('a route in the Gateway\'s namespace (allowedRoutes Same): the backendRef crosses namespaces and a ReferenceGrant in the app\'s namespace allows it', () => {
    const { objects } = build({ parentRef: { name: 'public' }, routeNamespace: 'gateways' });
    const r = oneOf(objects, 'HTTPRoute');
    expect(r.metadata).toEqual({ name: 'shop-web', namespace: 'gateways' });
    expect(r.spec.rules[0].backendRefs).toEqual([{ name: 'web', namespace: 'shop', port: 80 }]);
    expect(oneOf(objects, 'ReferenceGrant')).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'ReferenceGrant',
      metadata: { name: 'web-from-gateways', namespace: 'shop' },
      spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'gateways' }], to: [{ group: '', kind: 'Service', name: 'web' }] },
    });
  });

  test('Envoy Gateway: the pods are in envoy-gateway-system with owning-gateway labels (not the portable selector), and the output follows it', () => {
    const { route } = build({ parentRef: { name: 'eg' } });
    expect(route.gatewayPeer).toEqual({
      namespaceLabels: { 'kubernetes.io/metadata.name': 'envoy-gateway-system' },
      podLabels: { 'gateway.envoyproxy.io/owning-gateway-name': 'eg', 'gateway.envoyproxy.io/owning-gateway-namespace': 'edge' },
    });
    expect(route.warnings).toEqual([{ field: 'spec.gateway.parentRef', warning: true, message: expect.stringMatching(/does not use the portable selector[^\n]*admitted as namespace "envoy-gateway-system"/) }]);
  });

  test('Envoy Gateway in GatewayNamespace mode: the Gateway\'s namespace and the portable label', () => {
    const { route } = build({ parentRef: { name: 'eg' } }, { cluster: ClusterContext.fromSpec({ gateways: [{ name: 'eg', namespace: 'edge', implementation: 'envoy-gateway', gatewayNamespaceMode: true }] }) });
    expect(route.gatewayPeer).toEqual({ namespaceLabels: { 'kubernetes.io/metadata.name': 'edge' }, podLabels: { 'gateway.networking.k8s.io/gateway-name': 'eg' } });
    expect(route.warnings).toEqual([]);
  });

  test('meshed under OSM: the mesh entry admits the gateway\'s Service on the port (plain HTTP to the sidecar)', () => {
    const { route } = build({ parentRef: { name: 'eg' } }, { meshed: true, cluster: cluster({ mesh: { provider: 'osm', monitoredNamespaces: ['envoy-gateway-system'] } }) });
    const svc = route.resolvedGateway.serviceName;
    expect(svc).toMatch(/^envoy-edge-eg-[0-9a-f]{8}$/);
    expect(route.meshEntry).toEqual({
      purpose: 'the gateway', field: 'spec.gateway', port: http, protocol: 'http', validateClientCertificate: false,
      sources: [{ service: { name: svc, namespace: 'envoy-gateway-system' } }], principal: undefined,
    });
  });

  test('meshed under OSM: warns when the gateway pods\' namespace is not monitored (OSM would not see the Service)', () => {
    const { route } = build({ parentRef: { name: 'public' } }, { meshed: true, cluster: cluster({ mesh: { provider: 'osm' } }) });
    expect(route.warnings).toEqual([{ field: 'spec.gateway.parentRef', warning: true, message: expect.stringMatching(/osm namespace add gateways --disable-sidecar-injection/) }]);
  });

  test('meshed under Istio: an Istio gateway is admitted by its principal (ServiceAccount <gateway>-istio)', () => {
    const { route } = build({ parentRef: { name: 'public' } }, { meshed: true, cluster: cluster({ mesh: { provider: 'istio', trustDomain: 'example.org' } }) });
    expect(route.meshEntry?.principal).toBe('example.org/ns/gateways/sa/public-istio');
    expect(route.meshEntry?.sources).toEqual([{ service: { name: 'public-istio', namespace: 'gateways' } }]);
  });

  test('fails under Istio for gateways outside the mesh (Envoy Gateway, NGINX Gateway Fabric, openshift-default)', () => {
    const istio = cluster({ mesh: { provider: 'istio' } });
    expect(failure({ parentRef: { name: 'eg' } }, { meshed: true, cluster: istio })).toMatch(/gateway "edge\/eg" \(envoy-gateway\) is not a workload of the Istio mesh/);
    expect(failure({ parentRef: { name: 'ocp' } }, { meshed: true, cluster: istio })).toMatch(/openshift-default\) runs on the Ingress Operator's own istiod/);
  });

  test('fails TLS to a port the sidecar intercepts; bypassMesh lets the gateway reach the app\'s TLS directly', () => {
    const meshed = { meshed: true, cluster: cluster({ mesh: { provider: 'istio' } }) };
    expect(failure({ parentRef: { name: 'public' }, port: 'https', backendCA: { configMap: 'web-ca' } }, { ...meshed, ports: [https] }))
      .toMatch(/spec\.gateway\.port: port "https" is https \(the app terminates TLS\) and the mesh sidecar intercepts it[^\n]*replace the mesh's mutual TLS/);
    const { objects, route } = build({ parentRef: { name: 'public' }, port: 'https', backendCA: { configMap: 'web-ca' } }, { ...meshed, ports: [{ ...https, bypassMesh: true }] });
    expect(ofKind(objects, 'BackendTLSPolicy')).toHaveLength(1);
    expect(route.meshEntry).toBeUndefined();
  });

  test('OpenShift before 4.22 has no BackendTLSPolicy, before 4.23 no TLSRoute', () => {
    expect(failure({ parentRef: { name: 'ocp' }, port: 'https', backendCA: { configMap: 'web-ca' } }, { ports: [https] })).toMatch(/spec\.gateway\.tls: gateway "openshift-ingress\/ocp" \(openshift 4\.21\) does not serve BackendTLSPolicy \(OpenShift installs it from 4\.22\)/);
    const ocp422 = ClusterContext.fromSpec({ platform: 'openshift', gateways: [{ name: 'ocp', namespace: 'openshift-ingress', implementation: 'openshift', version: '4.22' }] });
    const { route } = build({ parentRef: { name: 'ocp' }, port: 'https', backendCA: { configMap: 'web-ca' } }, { ports: [https], cluster: ocp422 });
    expect(route.resolvedGateway.serviceAccount).toBe('ocp-openshift-default');
    expect(failure({ parentRef: { name: 'ocp' }, port: 'https', tls: 'passthrough', hostnames: ['web.example.com'] }, { ports: [https], cluster: ocp422 })).toMatch(/does not serve TLSRoute \(OpenShift installs it from 4\.23\)/);
  });

  test('NGINX Gateway Fabric serves gRPC through a GRPCRoute (grpc_pass), though not h2c behind an HTTPRoute', () => {
    const { objects, route } = build({ parentRef: { name: 'ngf' } }, { ports: [grpc] });
    expect(objects.map((o) => o.kind)).toEqual(['GRPCRoute']);
    expect(route.resolvedGateway.h2cHttpRoute).toBe(false);
    expect(route.gatewayPeer.podLabels).toEqual({ 'gateway.networking.k8s.io/gateway-name': 'ngf' });
    expect(route.resolvedGateway.serviceAccount).toBe('ngf-nginx');
  });

  test('client certificates are the Gateway owner\'s: a warning with the patch; refused with passthrough', () => {
    const { route } = build({ parentRef: { name: 'public', sectionName: 'https' }, requireClientCertificates: true });
    expect(route.warnings).toEqual([{ field: 'spec.gateway.requireClientCertificates', warning: true, message: expect.stringMatching(/owner of Gateway "gateways\/public" must set spec\.tls\.frontend \(JSON merge patch: \{"spec":\{"tls":\{"frontend":\{"default":\{"validation":\{"caCertificateRefs":\[\{"group":"","kind":"ConfigMap","name":"<client-ca>"\}\]\}\}\}\}\}\}[^\n]*Istio then makes the HTTPS listeners MUTUAL/) }]);
    expect(failure({ parentRef: { name: 'public' }, port: 'https', tls: 'passthrough', hostnames: ['web.example.com'], requireClientCertificates: true }, { ports: [https] }))
      .toMatch(/spec\.gateway\.requireClientCertificates: with passthrough the app terminates TLS/);
  });

  test('fails every problem at once, with fields from spec', () => {
    const msg = failure({ parentRef: { name: 'public' }, hostnames: ['Bad_Host'], httpMatches: [{ path: 'x' }], tls: 'reencrypt' });
    expect(msg).toMatch(/spec\.gateway\.tls: "reencrypt" is not allowed; use "terminate" or "passthrough"/);
    expect(msg).toMatch(/spec\.gateway\.hostnames\[0\]: hostname "Bad_Host" is not a DNS name/);
    expect(msg).toMatch(/spec\.gateway\.httpMatches\[0\]\.path: path "x" must start with "\/"/);
  });

  test('gatewayProblems checks a backend CA file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-'));
    try {
      fs.writeFileSync(path.join(dir, 'not-a-cert.pem'), 'hello');
      const check = (file: string) => gatewayProblems({ app: 'web', namespace: 'shop', ports: [https], gateway: { parentRef: { name: 'public' }, backendCA: { file } }, cluster: cluster(), baseDir: dir });
      expect(check('missing.pem')).toEqual([{ field: 'spec.gateway.backendCA.file', message: expect.stringMatching(/file "missing\.pem" does not exist/) }]);
      expect(check('not-a-cert.pem')).toEqual([{ field: 'spec.gateway.backendCA.file', message: 'file "not-a-cert.pem" holds no PEM certificate' }]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
