import { meshIntent } from '../../../../src/constructs/mesh/mesh-intent';
import { OsmSmiMesh } from '../../../../src/constructs/mesh/osm/osm-smi-mesh';
import { ClusterContext } from '../../../../src/spec/cluster-context';
import { SecureApp } from '../../../../src/constructs/secure-app';
import { appSpec, oneOf, ofKind, synth } from '../../../util';

const caller = { serviceAccount: 'app1', namespace: 'shop' };

describe('OsmSmiMesh', () => {
  test('asks OSM to inject its sidecar and writes one TrafficTarget + HTTPRouteGroup per rule', () => {
    const objects = synth((c) => new SecureApp(c, 'App', { spec: appSpec({ mesh: { allow: [{ from: [caller] }, { name: 'reports', from: [{ serviceAccount: 'cron', namespace: 'ops' }], http: [{ name: 'post', methods: ['POST'] }] }] } }) }));
    expect(oneOf(objects, 'Deployment').spec.template.metadata.annotations).toEqual({ 'openservicemesh.io/sidecar-injection': 'enabled', 'openservicemesh.io/outbound-port-exclusion-list': '53' });
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
    expect(oneOf(objects, 'Deployment').spec.template.metadata.annotations).toEqual({ 'openservicemesh.io/outbound-port-exclusion-list': '53' });
  });

  test('IngressBackend targets the container port, https when mtls', () => {
    const objects = synth((c) => new SecureApp(c, 'App', { spec: appSpec({ ports: [{ name: 'http', port: 80, targetPort: 8080 }], mesh: { ingress: { mtls: true, from: [{ principal: 'nginx.ingress.cluster.local' }] } } }) }));
    expect(oneOf(objects, 'IngressBackend').spec.backends).toEqual([{ name: 'web', port: { number: 8080, protocol: 'https' }, tls: { skipClientCertValidation: false } }]);
  });

  test('fails http matches on a port whose traffic the sidecar cannot read, with the way out', () => {
    const spec = appSpec({ ports: [{ name: 'http', port: 8080 }, { name: 'pg', port: 5432, protocol: 'tcp' }], mesh: { allow: [{ from: [caller], http: [{ name: 'a' }] }] } });
    const problems = new OsmSmiMesh().validate(meshIntent(spec, ClusterContext.defaults())!);
    expect(problems).toEqual([{ field: 'spec.mesh.allow[0].http', message: 'http matches cannot be enforced on port "pg" (tcp: the sidecar sees an opaque TCP stream); narrow the rule with ports: [http], or drop http to admit the whole stream' }]);
    expect(new OsmSmiMesh().validate(meshIntent({ ...spec, spec: { ...spec.spec, mesh: { allow: [{ from: [caller], ports: ['http'], http: [{ name: 'a' }] }] } } }, ClusterContext.defaults())!)).toEqual([]);
  });

  test('writes app-level TLS ports as tcp (the sidecar sees only TLS) and admits them with a TCPRoute beside the HTTPRouteGroup', () => {
    const objects = synth((c) => new SecureApp(c, 'App', { spec: appSpec({ ports: [{ name: 'http', port: 8080 }, { name: 'https', port: 8443, protocol: 'https' }], tls: { source: 'serviceCA' }, mesh: { allow: [{ from: [caller] }] } }) }));
    expect(oneOf(objects, 'Service').spec.ports.map((p: any) => p.appProtocol)).toEqual(['http', 'tcp']);
    expect(oneOf(objects, 'TrafficTarget').spec.rules).toEqual([{ kind: 'HTTPRouteGroup', name: 'web-from-app1', matches: ['any'] }, { kind: 'TCPRoute', name: 'web-from-app1-tcp' }]);
    expect(oneOf(objects, 'TCPRoute').spec).toEqual({ matches: { ports: [8443] } });
  });

  test('writes gRPC as OSM reads it (grpc, not kubernetes.io/h2c) and keeps bypassed ports out of the sidecar', () => {
    const objects = synth((c) => new SecureApp(c, 'App', { spec: appSpec({ ports: [{ name: 'grpc', port: 9090, protocol: 'grpc' }, { name: 'admin', port: 9443, protocol: 'https', bypassMesh: true }], tls: { source: 'serviceCA' }, mesh: {} }) }));
    expect(oneOf(objects, 'Service').spec.ports.map((p: any) => p.appProtocol)).toEqual(['grpc', 'https']);
    expect(oneOf(objects, 'Deployment').spec.template.metadata.annotations).toMatchObject({ 'openservicemesh.io/inbound-port-exclusion-list': '9443' });
  });

  test('fails an allow rule that names a port the mesh does not govern', () => {
    expect(() => synth((c) => new SecureApp(c, 'App', { spec: appSpec({ ports: [{ name: 'admin', port: 9443, protocol: 'https', bypassMesh: true }], tls: { source: 'serviceCA' }, mesh: { allow: [{ from: [caller], ports: ['admin'] }] } }) })))
      .toThrow(/spec.mesh.allow\[0\].ports\[0\]: port "admin" bypasses the mesh/);
  });
});
