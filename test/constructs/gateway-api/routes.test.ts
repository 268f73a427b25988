import { GatewayBackendTlsPolicy } from '../../../src/constructs/gateway-api/gateway-backend-tls-policy';
import { GatewayGrpcRoute } from '../../../src/constructs/gateway-api/gateway-grpc-route';
import { GatewayHttpRoute } from '../../../src/constructs/gateway-api/gateway-http-route';
import { GatewayReferenceGrant } from '../../../src/constructs/gateway-api/gateway-reference-grant';
import { GatewayTlsRoute } from '../../../src/constructs/gateway-api/gateway-tls-route';
import { celProblems, crdProblems } from '../../cel';
import { oneOf, synth } from '../../util';

const parents = [{ name: 'public', namespace: 'gateways', sectionName: 'https' }];
const backend = { name: 'web', port: 80 };
const base = { name: 'web', namespace: 'shop', parents, backend };

describe('GatewayHttpRoute', () => {
  test('sends matching requests to the Service port (not the container port)', () => {
    const route = oneOf(synth((c) => new GatewayHttpRoute(c, 'R', {
      ...base, hostnames: ['web.example.com'],
      matches: [{ path: '/api', method: 'GET', headers: { 'x-tenant': 'a' } }, { path: '/healthz', pathType: 'Exact' }],
    })), 'HTTPRoute');
    expect(route.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(route.spec).toEqual({
      parentRefs: [{ name: 'public', namespace: 'gateways', sectionName: 'https' }],
      hostnames: ['web.example.com'],
      rules: [{
        matches: [
          { path: { type: 'PathPrefix', value: '/api' }, method: 'GET', headers: [{ name: 'x-tenant', type: 'Exact', value: 'a' }] },
          { path: { type: 'Exact', value: '/healthz' } },
        ],
        backendRefs: [{ name: 'web', port: 80 }],
      }],
    });
    expect(crdProblems(route)).toEqual([]);
  });
  test('without matches leaves the CRD default (every path)', () => {
    const route = oneOf(synth((c) => new GatewayHttpRoute(c, 'R', base)), 'HTTPRoute');
    expect(route.spec.rules).toEqual([{ backendRefs: [{ name: 'web', port: 80 }] }]);
    expect(crdProblems(route)).toEqual([]);
  });
  test('fails every limit of the CRD at once', () => {
    const hostnames = Array.from({ length: 17 }, (_, i) => `h${i}.example.com`);
    const matches = Array.from({ length: 65 }, () => ({ path: '/' }));
    expect(() => synth((c) => new GatewayHttpRoute(c, 'R', { ...base, hostnames, matches }))).toThrow(/hostnames: 17 hostnames given; a route has at most 16[\s\S]*matches: 65 matches given; a rule has at most 64/);
  });
  test('fails paths, methods and headers the CRD refuses, listing every problem', () => {
    const err = (() => {
      try {
        synth((c) => new GatewayHttpRoute(c, 'R', { ...base, matches: [{ path: '/a//b' }, { path: 'api' }, { path: '/x', method: 'get' }, { path: '/y', headers: { 'bad header': 'v' } }] }));
      } catch (e) { return (e as Error).message; }
      return '';
    })();
    expect(err).toMatch(/matches\[0\]\.path: path "\/a\/\/b" must not contain "\/\/"/);
    expect(err).toMatch(/matches\[1\]\.path: path "api" must start with "\/"/);
    expect(err).toMatch(/matches\[2\]\.method: "get" is not allowed; use one of GET, HEAD/);
    expect(err).toMatch(/matches\[3\]\.headers\.bad header: header name "bad header" is not an HTTP header name/);
  });
  test('fails an IP address and a misplaced wildcard as hostnames', () => {
    expect(() => synth((c) => new GatewayHttpRoute(c, 'R', { ...base, hostnames: ['10.0.0.1', 'a.*.example.com'] })))
      .toThrow(/hostnames\[0\]: hostname "10.0.0.1" is an IP address[\s\S]*hostnames\[1\]: hostname "a.\*.example.com" is not a DNS name/);
  });
  test('fails the same Gateway twice without distinct listeners', () => {
    expect(() => synth((c) => new GatewayHttpRoute(c, 'R', { ...base, parents: [{ name: 'public', namespace: 'gateways' }, { name: 'public', namespace: 'gateways' }] })))
      .toThrow(/parents\[1\]: gateway "gateways\/public" is named twice/);
  });
});

describe('GatewayGrpcRoute', () => {
  test('matches services and methods and sends to the Service port', () => {
    const route = oneOf(synth((c) => new GatewayGrpcRoute(c, 'R', { ...base, backend: { name: 'web', port: 50051 }, matches: [{ service: 'helloworld.Greeter' }, { service: 'helloworld.Greeter', method: 'SayHello' }] })), 'GRPCRoute');
    expect(route.spec.rules).toEqual([{
      matches: [{ method: { type: 'Exact', service: 'helloworld.Greeter' } }, { method: { type: 'Exact', service: 'helloworld.Greeter', method: 'SayHello' } }],
      backendRefs: [{ name: 'web', port: 50051 }],
    }]);
    expect(crdProblems(route)).toEqual([]);
  });
  test('fails an empty match and bad names', () => {
    expect(() => synth((c) => new GatewayGrpcRoute(c, 'R', { ...base, matches: [{}, { service: 'hello-world.Greeter' }, { method: '1x' }] })))
      .toThrow(/matches\[0\]: a gRPC match names a service, a method or both[\s\S]*matches\[1\]\.service: "hello-world.Greeter" is not a fully qualified gRPC service[\s\S]*matches\[2\]\.method: "1x" is not a gRPC method name/);
  });
});

describe('GatewayTlsRoute', () => {
  test('passes TLS through by SNI to the Service port', () => {
    const route = oneOf(synth((c) => new GatewayTlsRoute(c, 'R', { ...base, parents: [{ name: 'public', namespace: 'gateways', sectionName: 'tls-passthrough' }], hostnames: ['web.example.com'], backend: { name: 'web', port: 443 } })), 'TLSRoute');
    expect(route.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(route.spec).toEqual({
      parentRefs: [{ name: 'public', namespace: 'gateways', sectionName: 'tls-passthrough' }],
      hostnames: ['web.example.com'],
      rules: [{ backendRefs: [{ name: 'web', port: 443 }] }],
    });
    expect(crdProblems(route)).toEqual([]);
  });
  test('fails without hostnames (TLSRoute requires 1 to 16)', () => {
    expect(() => synth((c) => new GatewayTlsRoute(c, 'R', { ...base, hostnames: [] }))).toThrow(/hostnames: a TLSRoute needs 1 to 16 hostnames/);
  });
});

describe('GatewayBackendTlsPolicy', () => {
  test('targets one Service port by name and verifies against a ConfigMap\'s ca.crt', () => {
    const policy = oneOf(synth((c) => new GatewayBackendTlsPolicy(c, 'P', { name: 'web-https', namespace: 'shop', serviceName: 'web', servicePortName: 'https', caConfigMaps: ['web-ca'], hostname: 'web.shop.svc' })), 'BackendTLSPolicy');
    expect(policy.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(policy.spec).toEqual({
      targetRefs: [{ group: '', kind: 'Service', name: 'web', sectionName: 'https' }],
      validation: { caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'web-ca' }], hostname: 'web.shop.svc' },
    });
    expect(crdProblems(policy)).toEqual([]);
  });
  test('fails the OpenShift service CA ConfigMap, whose key is service-ca.crt', () => {
    expect(() => synth((c) => new GatewayBackendTlsPolicy(c, 'P', { name: 'p', namespace: 'shop', serviceName: 'web', caConfigMaps: ['openshift-service-ca.crt'], hostname: 'web.shop.svc' })))
      .toThrow(/caConfigMaps\[0\]: ConfigMap "openshift-service-ca.crt" has no ca.crt \(the OpenShift service CA is under service-ca.crt/);
  });
  test('fails without a CA (the CRD requires one of caCertificateRefs and wellKnownCACertificates)', () => {
    expect(() => synth((c) => new GatewayBackendTlsPolicy(c, 'P', { name: 'p', namespace: 'shop', serviceName: 'web', caConfigMaps: [], hostname: 'web.shop.svc' })))
      .toThrow(/caConfigMaps: 0 ConfigMaps given; a BackendTLSPolicy names 1 to 8/);
  });
});

describe('GatewayReferenceGrant', () => {
  test('lets routes of another namespace send to named Services', () => {
    const grant = oneOf(synth((c) => new GatewayReferenceGrant(c, 'G', { name: 'web-from-gateways', namespace: 'shop', from: [{ kind: 'HTTPRoute', namespace: 'gateways' }], toServices: ['web'] })), 'ReferenceGrant');
    expect(grant.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(grant.spec).toEqual({ from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'gateways' }], to: [{ group: '', kind: 'Service', name: 'web' }] });
    expect(crdProblems(grant)).toEqual([]);
  });
  test('fails a grant from its own namespace', () => {
    expect(() => synth((c) => new GatewayReferenceGrant(c, 'G', { name: 'g', namespace: 'shop', from: [{ kind: 'HTTPRoute', namespace: 'shop' }], toServices: ['web'] })))
      .toThrow(/from\[0\]\.namespace: "shop" is the grant's own namespace/);
  });
});

describe('the CEL helper (test/cel.ts)', () => {
  // Objects our constructs refuse, written by hand: the helper must catch what the API server would.
  test('catches CEL rules the OpenAPI schema cannot express', () => {
    const route = (spec: object) => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'shop' }, spec });
    expect(celProblems(route({ parentRefs: [{ name: 'gw' }, { name: 'gw' }], rules: [{ backendRefs: [{ name: 'web' }] }] }))).toEqual([
      'gateway.networking.k8s.io/v1/HTTPRoute r: .spec.parentRefs: sectionName must be unique when parentRefs includes 2 or more references to the same parent',
      'gateway.networking.k8s.io/v1/HTTPRoute r: .spec.rules[0].backendRefs[0]: Must have port for Service reference',
    ]);
    expect(celProblems(route({ rules: [{ matches: [{ path: { value: '/a//b' } }], timeouts: { request: '1s', backendRequest: '5s' } }] }))).toEqual([
      "gateway.networking.k8s.io/v1/HTTPRoute r: .spec.rules[0].matches[0].path: must not contain '//' when type one of ['Exact', 'PathPrefix']",
      'gateway.networking.k8s.io/v1/HTTPRoute r: .spec.rules[0].timeouts: backendRequest timeout cannot be longer than request timeout',
    ]);
    const tls = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'TLSRoute', metadata: { name: 't' }, spec: { hostnames: ['10.0.0.1'], rules: [{ backendRefs: [{ name: 'web', port: 443 }] }] } };
    expect(celProblems(tls)).toEqual(['gateway.networking.k8s.io/v1/TLSRoute t: .spec.hostnames: Hostnames cannot contain an IP']);
    const grpc = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GRPCRoute', metadata: { name: 'g' }, spec: { rules: [{ matches: [{ method: { service: 'Pkg.Svc' } }, { method: {} }] }] } };
    expect(celProblems(grpc)).toEqual(['gateway.networking.k8s.io/v1/GRPCRoute g: .spec.rules[0].matches[1].method: One or both of \'service\' or \'method\' must be specified']);
    const policy = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'BackendTLSPolicy', metadata: { name: 'p' }, spec: { targetRefs: [{ group: '', kind: 'Service', name: 'web' }], validation: { hostname: 'web' } } };
    expect(celProblems(policy)).toEqual(['gateway.networking.k8s.io/v1/BackendTLSPolicy p: .spec.validation: must specify either CACertificateRefs or WellKnownCACertificates']);
  });
  test('fails a kind no vendored CRD serves', () => {
    expect(() => celProblems({ apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 'x' } })).toThrow(/example.com\/v1\/Thing: no vendored CRD serves it/);
  });
});
