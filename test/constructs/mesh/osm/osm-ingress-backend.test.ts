import { OsmIngressBackend } from '../../../../src/constructs/mesh/osm/osm-ingress-backend';
import { oneOf, schemaProblems, synth } from '../../../util';

const nginx = { service: { name: 'ingress-nginx-controller', namespace: 'ingress-nginx' } };

describe('OsmIngressBackend', () => {
  test('http from a Service source', () => {
    const ib = oneOf(synth((c) => new OsmIngressBackend(c, 'I', { name: 'web', namespace: 'shop', backends: [{ name: 'web', port: 8080 }], sources: [nginx] })), 'IngressBackend');
    expect(ib.spec).toEqual({ backends: [{ name: 'web', port: { number: 8080, protocol: 'http' } }], sources: [{ kind: 'Service', name: 'ingress-nginx-controller', namespace: 'ingress-nginx' }] });
    expect(schemaProblems(ib)).toEqual([]);
  });
  test('https with client certificate validation, an AuthenticatedPrincipal and an IP range', () => {
    const ib = oneOf(synth((c) => new OsmIngressBackend(c, 'I', {
      name: 'web', namespace: 'shop', backends: [{ name: 'web', port: 8443, protocol: 'https', sniHosts: ['web.shop.svc'] }],
      sources: [nginx, { principal: 'ingress-nginx.ingress-nginx.cluster.local' }, { ipRange: '10.0.0.0/8' }],
    })), 'IngressBackend');
    expect(ib.spec.backends).toEqual([{ name: 'web', port: { number: 8443, protocol: 'https' }, tls: { skipClientCertValidation: false, sniHosts: ['web.shop.svc'] } }]);
    expect(ib.spec.sources.slice(1)).toEqual([{ kind: 'AuthenticatedPrincipal', name: 'ingress-nginx.ingress-nginx.cluster.local' }, { kind: 'IPRange', name: '10.0.0.0/8' }]);
    expect(schemaProblems(ib)).toEqual([]);
  });
  test('fails https with validation but no principal', () => {
    expect(() => synth((c) => new OsmIngressBackend(c, 'I', { name: 'web', namespace: 'shop', backends: [{ name: 'web', port: 8443, protocol: 'https' }], sources: [nginx] })))
      .toThrow(/sources: an https backend that validates client certificates needs a principal/);
  });
  test('fails a duplicate backend and a bad protocol', () => {
    expect(() => synth((c) => new OsmIngressBackend(c, 'I', { name: 'web', namespace: 'shop', backends: [{ name: 'web', port: 80 }, { name: 'web', port: 80, protocol: 'grpc' as any }], sources: [nginx] })))
      .toThrow(/backends\[1\]: backend web port 80 is listed twice[\s\S]*backends\[1\]\.protocol: protocol "grpc" is not allowed/);
  });
});
