import { OpenShiftRoute } from '../../../src/constructs/openshift/openshift-route';
import { routeProblems } from '../../../src/constructs/openshift/route-problems';
import { oneOf, synth } from '../../util';

const base = { name: 'web', namespace: 'shop', serviceName: 'web', targetPort: 'http' };

describe('OpenShiftRoute', () => {
  test('edge by default, redirecting plain HTTP, to the Service by port name', () => {
    const route = oneOf(synth((c) => new OpenShiftRoute(c, 'R', { ...base, host: 'web.example.com' })), 'Route');
    expect(route.spec).toEqual({
      host: 'web.example.com',
      to: { kind: 'Service', name: 'web', weight: 100 },
      port: { targetPort: 'http' },
      wildcardPolicy: 'None',
      tls: { termination: 'edge', insecureEdgeTerminationPolicy: 'Redirect' },
    });
  });

  test('reencrypt with a destination CA; passthrough with no certificate; none without tls', () => {
    expect(oneOf(synth((c) => new OpenShiftRoute(c, 'R', { ...base, termination: 'reencrypt', destinationCACertificate: 'PEM' })), 'Route').spec.tls)
      .toEqual({ termination: 'reencrypt', insecureEdgeTerminationPolicy: 'Redirect', destinationCACertificate: 'PEM' });
    expect(oneOf(synth((c) => new OpenShiftRoute(c, 'R', { ...base, termination: 'passthrough', insecureEdgeTerminationPolicy: 'None' })), 'Route').spec.tls)
      .toEqual({ termination: 'passthrough', insecureEdgeTerminationPolicy: 'None' });
    expect(oneOf(synth((c) => new OpenShiftRoute(c, 'R', { ...base, termination: 'none' })), 'Route').spec.tls).toBeUndefined();
  });

  test('writes router annotations, shard labels and alternate backends', () => {
    const route = oneOf(synth((c) => new OpenShiftRoute(c, 'R', {
      ...base, timeout: '5m', hsts: { maxAge: 100, includeSubDomains: true, preload: true }, allowedSourceRanges: ['10.0.0.0/8', '192.0.2.0/24'],
      shardLabels: { shard: 'internal' }, weight: 90, alternateBackends: [{ name: 'web-canary', weight: 10 }],
      certManagerIssuer: { name: 'letsencrypt', kind: 'ClusterIssuer' },
    })), 'Route');
    expect(route.metadata.annotations).toEqual({
      'haproxy.router.openshift.io/timeout': '5m',
      'haproxy.router.openshift.io/hsts_header': 'max-age=100;includeSubDomains;preload',
      'haproxy.router.openshift.io/ip_allowlist': '10.0.0.0/8 192.0.2.0/24',
      'cert-manager.io/issuer-name': 'letsencrypt',
      'cert-manager.io/issuer-kind': 'ClusterIssuer',
      'cert-manager.io/issuer-group': 'cert-manager.io',
    });
    expect(route.metadata.labels).toEqual({ shard: 'internal' });
    expect(route.spec.to.weight).toBe(90);
    expect(route.spec.alternateBackends).toEqual([{ kind: 'Service', name: 'web-canary', weight: 10 }]);
  });

  test('fails a passthrough route with a path and a certificate, listing both', () => {
    expect(() => synth((c) => new OpenShiftRoute(c, 'R', { ...base, termination: 'passthrough', path: '/x', externalCertificateSecret: 'cert' })))
      .toThrow(/path: passthrough routes cannot have a path[\s\S]*certificate: passthrough routes cannot carry a certificate/);
  });
  test('fails an inline key without allowInlineKeys', () => {
    expect(() => synth((c) => new OpenShiftRoute(c, 'R', { ...base, inlineCertificate: { certificate: 'C', key: 'K' } }))).toThrow(/allowInlineKeys/);
  });
  test('routeProblems passes a fully specified edge route', () => {
    expect(routeProblems({ host: 'a.b.example.com', path: '/', termination: 'edge', externalCertificateSecret: 'c', timeout: '30s', hsts: { maxAge: 1 } })).toEqual([]);
  });
});
