import { OsmSmiMesh } from '../../../../src/constructs/mesh/osm/osm-smi-mesh';
import { SecureApp } from '../../../../src/constructs/secure-app';
import { appSpec, oneOf, ofKind, synth } from '../../../util';

const caller = { serviceAccount: 'app1', namespace: 'shop' };

describe('OsmSmiMesh', () => {
  test('asks OSM to inject its sidecar and writes one TrafficTarget + HTTPRouteGroup per rule', () => {
    const objects = synth((c) => new SecureApp(c, 'App', { spec: appSpec({ mesh: { allow: [{ from: [caller] }, { name: 'reports', from: [{ serviceAccount: 'cron', namespace: 'ops' }], http: [{ name: 'post', methods: ['POST'] }] }] } }) }));
    expect(oneOf(objects, 'Deployment').spec.template.metadata.annotations).toEqual({ 'openservicemesh.io/sidecar-injection': 'enabled' });
    expect(ofKind(objects, 'TrafficTarget').map((t) => t.metadata.name)).toEqual(['web-from-app1', 'reports']);
    expect(oneOf(objects, 'HTTPRouteGroup', 'web-from-app1').spec.matches).toEqual([{ name: 'any', pathRegex: '.*', methods: ['*'] }]);
    expect(oneOf(objects, 'TrafficTarget', 'reports').spec.rules).toEqual([{ kind: 'HTTPRouteGroup', name: 'reports', matches: ['post'] }]);
  });

  test('uses a TCPRoute for TCP-only apps', () => {
    const objects = synth((c) => new SecureApp(c, 'App', { spec: appSpec({ ports: [{ name: 'pg', port: 5432, protocol: 'tcp' }], mesh: { allow: [{ from: [caller] }] } }) }));
    expect(oneOf(objects, 'TCPRoute').spec).toEqual({ matches: { ports: [5432] } });
    expect(oneOf(objects, 'TrafficTarget').spec.rules).toEqual([{ kind: 'TCPRoute', name: 'web-from-app1' }]);
    expect(ofKind(objects, 'HTTPRouteGroup')).toEqual([]);
  });

  test('can leave sidecar injection to the namespace', () => {
    const objects = synth((c) => new SecureApp(c, 'App', { spec: appSpec({ mesh: {} }), mesh: new OsmSmiMesh({ sidecarInjection: false }) }));
    expect(oneOf(objects, 'Deployment').spec.template.metadata.annotations).toBeUndefined();
  });

  test('IngressBackend targets the container port, https when mtls', () => {
    const objects = synth((c) => new SecureApp(c, 'App', { spec: appSpec({ ports: [{ name: 'http', port: 80, targetPort: 8080 }], mesh: { ingress: { mtls: true, from: [{ principal: 'nginx.ingress.cluster.local' }] } } }) }));
    expect(oneOf(objects, 'IngressBackend').spec.backends).toEqual([{ name: 'web', port: { number: 8080, protocol: 'https' }, tls: { skipClientCertValidation: false } }]);
  });

  test('fails validation of rules it cannot express', () => {
    const problems = new OsmSmiMesh().validate({ allow: [{ from: [caller], http: [{ name: 'a' }] }] }, [{ name: 'pg', port: 5432, targetPort: 5432, protocol: 'tcp' }]);
    expect(problems).toEqual([{ field: 'allow[0].http', message: 'http matches need an http, https or grpc port; every port is tcp' }]);
  });
});
