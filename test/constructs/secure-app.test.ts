import { ApiObject, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { AppDirectory } from '../../src/spec/app-directory';
import { IMeshProvider } from '../../src/constructs/mesh/mesh-provider';
import { SecureApp } from '../../src/constructs/secure-app';
import { AppSpecError } from '../../src/constructs/validate-spec';
import { appSpec, oneOf, ofKind, synth, testApp, testChart } from '../util';

describe('SecureApp', () => {
  test('always writes a ServiceAccount, Deployment, Service and default-deny policy with explicit names', () => {
    const objects = synth((c) => new SecureApp(c, 'App', { spec: appSpec({ serviceAccount: 'web-identity' }, { labels: { team: 'payments' } }) }));
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ServiceAccount/web-identity', 'Service/web', 'Deployment/web', 'PodDisruptionBudget/web', 'NetworkPolicy/web-default-deny', 'NetworkPolicy/web-egress-dns',
    ]);
    for (const o of objects) {
      expect(o.metadata.namespace).toBe('shop');
      expect(o.metadata.labels).toEqual({ team: 'payments', 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/managed-by': 'cdk8s-zerotrust' });
    }
    expect(oneOf(objects, 'Deployment').spec.template.spec.serviceAccountName).toBe('web-identity');
    expect(oneOf(objects, 'ServiceAccount').automountServiceAccountToken).toBe(false);
  });

  test('defaults the namespace to "default" and networkPolicy to on; false turns it off', () => {
    const spec = appSpec({ networkPolicy: false });
    const objects = synth((c) => new SecureApp(c, 'App', { spec: { ...spec, metadata: { name: 'web' } } }));
    expect(oneOf(objects, 'Deployment').metadata.namespace).toBe('default');
    expect(ofKind(objects, 'NetworkPolicy')).toEqual([]);
  });

  test('uses a different Service port and container port', () => {
    const objects = synth((c) => new SecureApp(c, 'App', { spec: appSpec({ ports: [{ name: 'http', port: 80, targetPort: 8080 }] }) }));
    expect(oneOf(objects, 'Service').spec.ports[0]).toMatchObject({ port: 80, targetPort: 'http' });
    expect(oneOf(objects, 'Deployment').spec.template.spec.containers[0].ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
  });

  test('a cert-manager serving certificate is issued for the Service names and mounted', () => {
    const objects = synth((c) => new SecureApp(c, 'App', { spec: appSpec({ tls: { source: 'certManager', issuer: { name: 'ca' }, secretName: 'web-serving', mountPath: '/certs' } }) }));
    expect(oneOf(objects, 'Certificate').spec).toMatchObject({ secretName: 'web-serving', dnsNames: expect.arrayContaining(['web.shop.svc']) });
    expect(oneOf(objects, 'Deployment').spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: 'tls', mountPath: '/certs', readOnly: true });
    expect(oneOf(objects, 'Service').metadata.annotations).toBeUndefined();
  });

  test('a route admits the router namespace on the container port', () => {
    const objects = synth((c) => new SecureApp(c, 'App', { spec: appSpec({ ports: [{ name: 'http', port: 80, targetPort: 8080 }], route: {} }) }));
    expect(oneOf(objects, 'NetworkPolicy', 'web-allow-router').spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'policy-group.network.openshift.io/ingress': '' } } }], ports: [{ protocol: 'TCP', port: 8080 }],
    }]);
  });

  test('mesh callers and ingress sources are admitted by NetworkPolicy', () => {
    const objects = synth((c) => new SecureApp(c, 'App', { spec: appSpec({
      ingress: { host: 'web.example.com' },
      mesh: { allow: [{ from: [{ serviceAccount: 'b', namespace: 'zeta' }, { serviceAccount: 'a', namespace: 'alpha' }] }], ingress: { from: [{ ipRange: '10.0.0.0/8' }] } },
    }) }));
    expect(oneOf(objects, 'NetworkPolicy', 'web-allow-mesh').spec.ingress[0].from.map((f: any) => f.namespaceSelector.matchLabels['kubernetes.io/metadata.name'])).toEqual(['alpha', 'zeta']);
    expect(oneOf(objects, 'NetworkPolicy', 'web-allow-ingress').spec.ingress[0].from).toEqual([{
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } },
      podSelector: { matchLabels: { 'app.kubernetes.io/component': 'controller', 'app.kubernetes.io/name': 'ingress-nginx' } },
    }]);
    expect(oneOf(objects, 'NetworkPolicy', 'web-allow-mesh-ingress').spec.ingress[0].from).toEqual([{ ipBlock: { cidr: '10.0.0.0/8' } }]);
    // The controller and mesh.ingress reach the same port over plain HTTP: one IngressBackend with both sources.
    expect(oneOf(objects, 'IngressBackend').spec.sources).toEqual([
      { kind: 'Service', name: 'ingress-nginx-controller', namespace: 'ingress-nginx' }, { kind: 'IPRange', name: '10.0.0.0/8' },
    ]);
  });

  test('admits the ingress controller from the namespace the spec names', () => {
    const objects = synth((c) => new SecureApp(c, 'App', { spec: appSpec({ ingress: { host: 'web.example.com', controllerNamespace: 'nginx-system' } }) }));
    expect(oneOf(objects, 'NetworkPolicy', 'web-allow-ingress').spec.ingress[0].from).toEqual([{
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'nginx-system' } },
      podSelector: { matchLabels: { 'app.kubernetes.io/component': 'controller', 'app.kubernetes.io/name': 'ingress-nginx' } },
    }]);
  });

  test('the mesh is swappable: another provider gets the binding instead of OSM/SMI', () => {
    const seen: string[] = [];
    const mesh: IMeshProvider = {
      name: 'test',
      validate: () => [],
      appProtocol: () => 'test',
      seesHttp: () => true,
      namespaceEnrolment: () => ({ labels: {}, annotations: {}, podSecurityLevel: 'restricted', podSecurityReason: 'no injected containers' }),
      dataPlaneDestinations: () => [],
      bindCluster: () => undefined,
      optOut: () => undefined,
      ingressToMesh: () => ({ tlsToSidecar: false, annotations: {} }),
      bind: (scope, b) => {
        seen.push(`${b.namespace}/${b.app} as ${b.serviceAccountName}`);
        new ApiObject(scope, 'Policy', { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: b.app, namespace: b.namespace } });
      },
    };
    const objects = synth((c) => new SecureApp(c, 'App', { spec: appSpec({ mesh: { allow: [{ from: [{ serviceAccount: 'a', namespace: 'shop' }] }] } }), mesh }));
    expect(seen).toEqual(['shop/web as web']);
    expect(ofKind(objects, 'AuthorizationPolicy')).toHaveLength(1);
    expect(ofKind(objects, 'TrafficTarget')).toEqual([]);
  });

  test('fails an invalid spec with an AppSpecError listing every problem', () => {
    let error: unknown;
    try {
      synth((c) => new SecureApp(c, 'App', { spec: appSpec({ image: 'nginx', route: { termination: 'passthrough' } }) }));
    } catch (e) { error = e; }
    expect(error).toBeInstanceOf(AppSpecError);
    expect((error as AppSpecError).problems.map((p) => p.field)).toEqual(['spec.image', 'spec.route.port', 'spec.tls']);
    expect((error as Error).message).toMatch(/^invalid app spec "web":\n {2}spec.image: image "nginx" has no tag/);
  });

  test('falls back to the Chart namespace, as cdk8s-plus does', () => {
    const chart = new Chart(testApp(), 'team', { namespace: 'team-a' });
    new SecureApp(chart, 'App', { spec: { metadata: { name: 'web' }, spec: { image: 'quay.io/acme/web:1.0.0', ports: [{ name: 'http', port: 8080 }] } } });
    const objects = Testing.synth(chart);
    expect(objects.length).toBeGreaterThan(4);
    expect(new Set(objects.map((o) => o.metadata.namespace))).toEqual(new Set(['team-a']));
  });

  test('fails two SecureApps of one app in one Chart', () => {
    expect(() => synth((c) => { new SecureApp(c, 'A', { spec: appSpec() }); new SecureApp(c, 'B', { spec: appSpec() }); }))
      .toThrow(/metadata.name: app "shop\/web" is already defined in chart/);
  });

  test('propagates metadata.annotations and leaves replicas to an autoscaler when asked', () => {
    const objects = synth((c) => new SecureApp(c, 'App', { spec: appSpec({ autoscaled: true }, { annotations: { 'argocd.argoproj.io/sync-wave': '2' } }) }));
    for (const kind of ['ServiceAccount', 'Service', 'Deployment']) expect(oneOf(objects, kind).metadata.annotations).toMatchObject({ 'argocd.argoproj.io/sync-wave': '2' });
    expect(oneOf(objects, 'Deployment').spec.replicas).toBeUndefined();
    expect(ofKind(objects, 'PodDisruptionBudget')).toHaveLength(1);
  });

  test('exposes every object it creates', () => {
    const app = new SecureApp(testChart(), 'App', { spec: appSpec({ route: { host: 'web.apps.example.com' }, ingress: { host: 'web.example.com' } }) });
    expect(app.serviceAccount!.metadata.name).toBe('web');
    expect(app.service?.name).toBe('web');
    expect(app.route?.name).toBe('web');
    expect(app.ingress?.resource.metadata.name).toBe('web');
    expect(app.networkPolicies.map((p) => p.metadata.name)).toEqual(['web-default-deny', 'web-allow-router', 'web-allow-ingress', 'web-egress-dns']);
  });

  test('a pure client has no Service and no probe on a port; its egress reaches the apps that admit it', () => {
    const specs = [
      appSpec({ ports: [{ name: 'https', port: 8443, protocol: 'https' }], tls: { source: 'serviceCA' }, allow: [{ from: [{ app: 'client' }] }] }, { name: 'server' }),
      appSpec({ ports: undefined, probes: { readiness: { exec: { command: ['true'] } }, liveness: { exec: { command: ['true'] }, periodSeconds: 30 } } }, { name: 'client' }),
    ];
    const directory = new AppDirectory(specs);
    const objects = synth((c) => new SecureApp(c, 'App', { spec: specs[1], directory }));
    expect(ofKind(objects, 'Service')).toEqual([]);
    expect(oneOf(objects, 'NetworkPolicy', 'client-egress-to-server').spec.egress).toEqual([{
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'server' } } }],
      ports: [{ protocol: 'TCP', port: 8443 }],
    }]);
  });

  test('fails spec.allow on a meshed app, a caller of two kinds, and a host-only destination without a mesh', () => {
    expect(() => synth((c) => new SecureApp(c, 'App', { spec: appSpec({
      mesh: {}, allow: [{ from: [{ app: 'a', ipRange: '10.0.0.0/8' }] }], egress: { to: [{ name: 'api', hosts: ['api.example.com'], ports: [{ port: 443 }] }] },
    }) }))).toThrow(/spec.allow: a meshed app admits callers through the mesh[\s\S]*spec.allow\[0\].from\[0\]: a caller is exactly one of[\s\S]*/);
    expect(() => synth((c) => new SecureApp(c, 'App', { spec: appSpec({ egress: { to: [{ name: 'api', hosts: ['api.example.com'], ports: [{ port: 443 }] }] } }) })))
      .toThrow(/spec.egress.to\[0\].hosts: NetworkPolicy cannot match host names and the app is not meshed/);
  });

  test('unrestricted egress is loud: annotated objects, no egress isolation, a warning', () => {
    const app = new SecureApp(testChart(), 'App', { spec: appSpec({ egress: { unrestricted: true } }) });
    expect(app.warnings.map((w) => w.field)).toEqual(['spec.egress.unrestricted']);
    expect(app.networkPolicies[0].toJson().metadata.annotations).toEqual({ 'cdk8s-zerotrust.io/egress': 'unrestricted' });
    expect(app.networkPolicies.map((p) => p.metadata.name)).toEqual(['web-default-deny']);
  });

  test('works where cdk8s-plus expects pods and subjects: a NetworkPolicy peer and a RoleBinding subject, no extra objects', () => {
    const chart = testChart();
    const app = new SecureApp(chart, 'App', { spec: appSpec() });
    const before = app.apiObjects.length;
    const policy = new kplus.NetworkPolicy(chart, 'Mine', { metadata: { name: 'mine', namespace: 'shop' }, selector: kplus.Pods.select(chart, 'Db', { labels: { app: 'db' } }) });
    policy.addIngressRule(app.pods, [kplus.NetworkPolicyPort.tcp(5432)]);
    const role = new kplus.Role(chart, 'Reader', { metadata: { name: 'reader', namespace: 'shop' } });
    role.allowRead(kplus.ApiResource.CONFIG_MAPS);
    role.bind(app.serviceAccountRef);
    const objects = Testing.synth(chart);
    expect(app.apiObjects.length).toBe(before);
    expect(oneOf(objects, 'NetworkPolicy', 'mine').spec.ingress[0].from).toEqual([{
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'web' } },
    }]);
    expect(ofKind(objects, 'RoleBinding').find((b) => b.roleRef.name === 'reader')?.subjects).toEqual([{ kind: 'ServiceAccount', name: 'web', namespace: 'shop', apiGroup: '' }]);
    expect(app.apiObjects.map((o) => o.kind)).toEqual(['ServiceAccount', 'Service', 'Deployment', 'PodDisruptionBudget', 'NetworkPolicy', 'NetworkPolicy']);
  });
});
