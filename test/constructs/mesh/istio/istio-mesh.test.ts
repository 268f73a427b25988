import { Testing } from 'cdk8s';
import { IstioMesh, IstioMeshEntry } from '../../../../src/constructs/mesh/istio/istio-mesh';
import { validateClusterSpec } from '../../../../src/constructs/validate-cluster-spec';
import { meshIntent } from '../../../../src/constructs/mesh/mesh-intent';
import type { MeshBinding } from '../../../../src/constructs/mesh/mesh-provider';
import { OsmSmiMesh } from '../../../../src/constructs/mesh/osm/osm-smi-mesh';
import { SecureApp } from '../../../../src/constructs/secure-app';
import { SecureDeployment } from '../../../../src/constructs/kubernetes/secure-deployment';
import type { AppSpec } from '../../../../src/spec/app-spec';
import { ClusterContext } from '../../../../src/spec/cluster-context';
import type { ClusterMeshSpec, ClusterSpecBody } from '../../../../src/spec/cluster-spec';
import { appSpec, ofKind, oneOf, schemaProblems, synth, testChart } from '../../../util';
import { celProblems } from './istio-cel';

const caller = { serviceAccount: 'app1', namespace: 'shop' };
const ISTIO: ClusterMeshSpec = { provider: 'istio' };
const cluster = (mesh: ClusterMeshSpec = ISTIO, more: ClusterSpecBody = {}) => ClusterContext.fromSpec({ ...more, mesh });

/** The objects of one app under Istio (throws with the problems when the spec is refused). */
function istio(spec: AppSpec, ctx = cluster(), mesh = new IstioMesh()): any[] {
  return synth((c) => new SecureApp(c, 'App', { spec, cluster: ctx, mesh }));
}

/** Problems (errors and warnings) IstioMesh finds in a spec. */
function problems(spec: AppSpec, ctx = cluster(), mesh = new IstioMesh()) {
  return mesh.validate(meshIntent(spec, ctx)!);
}

/** Schema (strict) and CEL problems of every object. */
function allProblems(objects: any[]): string[] {
  return objects.flatMap((o) => [...schemaProblems(o), ...celProblems(o)]);
}

describe('IstioMesh', () => {
  test('per app: PeerAuthentication STRICT, an ALLOW policy from the callers\' principals on the container port, a REGISTRY_ONLY Sidecar; every object validates', () => {
    const objects = istio(appSpec({ ports: [{ name: 'http', port: 80, targetPort: 8080 }], mesh: { allow: [{ from: [caller] }] } }));
    expect(oneOf(objects, 'PeerAuthentication').spec).toEqual({ selector: { matchLabels: { 'app.kubernetes.io/name': 'web' } }, mtls: { mode: 'STRICT' } });
    expect(oneOf(objects, 'AuthorizationPolicy').spec).toEqual({
      selector: { matchLabels: { 'app.kubernetes.io/name': 'web' } },
      action: 'ALLOW',
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/app1'] } }], to: [{ operation: { ports: ['8080'] } }] }],
    });
    expect(oneOf(objects, 'Sidecar').spec).toEqual({ workloadSelector: { labels: { 'app.kubernetes.io/name': 'web' } }, outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' }, egress: [{ hosts: ['./*', 'istio-system/*'] }] }); // no callees: its namespace and the control plane
    expect(oneOf(objects, 'Deployment').spec.template.metadata.annotations).toEqual({ 'traffic.sidecar.istio.io/excludeOutboundPorts': '53' });
    expect(ofKind(objects, 'TrafficTarget')).toEqual([]);
    expect(allProblems(objects)).toEqual([]);
  });

  test('the policy selects the app\'s pods (IST0127: a policy matching no workload)', () => {
    const objects = istio(appSpec({ mesh: { allow: [{ from: [caller] }] } }));
    const podLabels = oneOf(objects, 'Deployment').spec.template.metadata.labels;
    for (const kind of ['AuthorizationPolicy', 'PeerAuthentication']) {
      expect(podLabels).toMatchObject(oneOf(objects, kind).spec.selector.matchLabels);
    }
    expect(podLabels).toMatchObject(oneOf(objects, 'Sidecar').spec.workloadSelector.labels);
  });

  test('an app nobody may call gets an ALLOW policy without rules: it denies everything', () => {
    const objects = istio(appSpec({ mesh: {} }));
    expect(oneOf(objects, 'AuthorizationPolicy').spec).toEqual({ selector: { matchLabels: { 'app.kubernetes.io/name': 'web' } }, action: 'ALLOW' });
  });

  test('a caller in another namespace, with the cluster\'s trust domain', () => {
    const objects = istio(appSpec({ mesh: { allow: [{ from: [{ serviceAccount: 'cron', namespace: 'ops' }, caller] }] } }), cluster({ provider: 'istio', trustDomain: 'prod.example.com' }));
    expect(oneOf(objects, 'AuthorizationPolicy').spec.rules[0].from).toEqual([{ source: { principals: ['prod.example.com/ns/ops/sa/cron', 'prod.example.com/ns/shop/sa/app1'] } }]);
  });

  test('methods, paths (regex as Istio prefixes/exacts) and headers (a rule of their own, with when)', () => {
    const objects = istio(appSpec({
      mesh: {
        allow: [{
          from: [caller],
          http: [
            { name: 'read', methods: ['GET', 'HEAD'], pathRegex: '/api(/.*)?' },
            { name: 'any', methods: ['*'] },
            { name: 'tenant', methods: ['POST'], pathRegex: '/orders', headers: { 'x-tenant': 'acme.*' } },
          ],
        }],
      },
    }));
    const from = [{ source: { principals: ['cluster.local/ns/shop/sa/app1'] } }];
    expect(oneOf(objects, 'AuthorizationPolicy').spec.rules).toEqual([
      { from, to: [{ operation: { ports: ['8080'], methods: ['GET', 'HEAD'], paths: ['/api', '/api/*'] } }, { operation: { ports: ['8080'] } }] },
      { from, to: [{ operation: { ports: ['8080'], methods: ['POST'], paths: ['/orders'] } }], when: [{ key: 'request.headers[x-tenant]', values: ['acme*'] }] },
    ]);
    expect(allProblems(objects)).toEqual([]);
  });

  test('a gRPC method path: the unescaped dot is read as a dot (narrower), with a warning', () => {
    const spec = appSpec({ ports: [{ name: 'grpc', port: 9090, protocol: 'grpc' }], mesh: { allow: [{ from: [caller], http: [{ name: 'hello', methods: ['POST'], pathRegex: '/helloworld.Greeter/SayHello' }] }] } });
    expect(problems(spec).map((p) => [p.field, p.warning])).toEqual([['spec.mesh.allow[0].http[0].pathRegex', true]]);
    expect(oneOf(istio(spec), 'AuthorizationPolicy').spec.rules[0].to).toEqual([{ operation: { ports: ['9090'], methods: ['POST'], paths: ['/helloworld.Greeter/SayHello'] } }]);
  });

  test('refuses a path regex Istio cannot express, with the reason', () => {
    expect(problems(appSpec({ mesh: { allow: [{ from: [caller], http: [{ name: 'edit', pathRegex: '/users/[0-9]+/edit' }] }] } }))).toEqual([{
      field: 'spec.mesh.allow[0].http[0].pathRegex',
      message: '"/users/[0-9]+/edit" has no Istio equivalent: "[" at offset 7 (character classes, repetition and anchors inside the expression are not supported); Istio matches exact values, prefixes (abc.*), suffixes (.*abc) and alternatives of those (AuthorizationPolicy paths)',
    }]);
  });

  test('trap: HTTP rules on a port where the app terminates TLS are refused (istiod would drop the ALLOW rule and deny everyone)', () => {
    const spec = appSpec({ ports: [{ name: 'http', port: 8080 }, { name: 'https', port: 8443, protocol: 'https' }], tls: { source: 'serviceCA' }, mesh: { allow: [{ from: [caller], http: [{ name: 'get', methods: ['GET'] }] }] } });
    expect(problems(spec)).toEqual([{
      field: 'spec.mesh.allow[0].http',
      message: 'http matches cannot be enforced on port "https" (https, appProtocol https): on a port Istio treats as TCP, istiod drops an ALLOW rule that has HTTP fields (methods, paths, headers: "skipped rule ... on TCP filter chain", pilot/pkg/security/authz/model/model.go checkError), so the rule admits nobody and the port denies every caller; narrow the rule with ports: [http], or drop http to admit the whole stream',
    }]);
    expect(() => istio(spec)).toThrow(/spec.mesh.allow\[0\].http: http matches cannot be enforced on port "https"/);
    // Narrowed to the HTTP port, it is fine; the TLS port is admitted whole by another rule.
    const ok = appSpec({ ...spec.spec, mesh: { allow: [{ from: [caller], ports: ['http'], http: [{ name: 'get', methods: ['GET'] }] }, { from: [caller], ports: ['https'] }] } });
    const ap = oneOf(istio(ok), 'AuthorizationPolicy');
    expect(ap.spec.rules.map((r: any) => r.to)).toEqual([[{ operation: { ports: ['8080'], methods: ['GET'] } }], [{ operation: { ports: ['8443'] } }]]);
  });

  test('appProtocol on every port as Istio reads it', () => {
    const mesh = new IstioMesh();
    const port = (protocol: any) => ({ name: 'p', port: 1, targetPort: 1, protocol, bypassMesh: false });
    expect(['http', 'grpc', 'https', 'grpcs', 'tcp', 'tcp-server-first'].map((p) => mesh.appProtocol(port(p)))).toEqual(['http', 'grpc', 'https', 'tls', 'tcp', 'tcp']);
    expect(['http', 'grpc', 'https', 'grpcs', 'tcp'].map((p) => mesh.seesHttp(port(p)))).toEqual([true, true, false, false, false]);
    const objects = istio(appSpec({ ports: [{ name: 'grpc', port: 9090, protocol: 'grpc' }, { name: 'db', port: 5432, protocol: 'tcp-server-first' }], mesh: {} }));
    expect(oneOf(objects, 'Service').spec.ports.map((p: any) => p.appProtocol)).toEqual(['grpc', 'tcp']);
  });

  test('trap: a gateway principal admits an OpenShift Route on exactly its port; without a gateway the Route is refused', () => {
    const spec = appSpec({ ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'admin', port: 9000 }], route: { port: 'http', host: 'web.apps.example.com', path: '/shop', certificate: { secretName: 'web-tls' } }, mesh: {} });
    const ocp = cluster(ISTIO, { platform: 'openshift' });
    expect(problems(spec, ocp).map((p) => p.field)).toEqual(['spec.route']);
    expect(problems(spec, ocp)[0].message).toMatch(/^the OpenShift router has no mesh identity and STRICT mTLS refuses its plain connections to port "http": route through an Istio gateway \(in the Cluster spec, declare a Gateway of implementation istio in spec.gateways and name it with its HTTP listener in spec.mesh.routeGateway/);
    const withGateway = cluster({ ...ISTIO, routeGateway: { name: 'mesh-ingress', namespace: 'istio-ingress', sectionName: 'http' } }, { platform: 'openshift', gateways: [{ name: 'mesh-ingress', namespace: 'istio-ingress', implementation: 'istio' }] });
    expect(problems(spec, withGateway)).toEqual([{ field: 'spec.route', warning: true, message: expect.stringMatching(/^under Istio the Route goes through the route gateway istio-ingress\/mesh-ingress: it is written as Route istio-ingress\/web-shop targeting Service istio-ingress\/mesh-ingress-istio port "http", with HTTPRoute shop\/web-route from listener "http" to this app; the app admits cluster.local\/ns\/istio-ingress\/sa\/mesh-ingress-istio on port "http"/) }]);
    const objects = istio(spec, withGateway);
    expect(oneOf(objects, 'AuthorizationPolicy').spec.rules).toEqual([{ from: [{ source: { principals: ['cluster.local/ns/istio-ingress/sa/mesh-ingress-istio'] } }], to: [{ operation: { ports: ['8080'] } }] }]);
    const route = oneOf(objects, 'Route');
    expect([route.metadata.namespace, route.metadata.name, route.spec.to.name, route.spec.port.targetPort, route.spec.host, route.spec.path]).toEqual(['istio-ingress', 'web-shop', 'mesh-ingress-istio', 'http', 'web.apps.example.com', '/shop']);
    expect(oneOf(objects, 'Role').metadata.namespace).toBe('istio-ingress'); // the router reads the certificate Secret in the Route's namespace
    expect(oneOf(objects, 'HTTPRoute').spec).toEqual({
      parentRefs: [{ name: 'mesh-ingress', namespace: 'istio-ingress', sectionName: 'http' }],
      hostnames: ['web.apps.example.com'],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/shop' } }], backendRefs: [{ name: 'web', port: 80 }] }],
    });
    // NetworkPolicy: the gateway's pods on the target port, not the router.
    const ingress = ofKind(objects, 'NetworkPolicy').filter((p) => p.spec.policyTypes?.includes('Ingress') && p.spec.ingress?.length);
    expect(ingress.map((p) => [p.metadata.name, p.spec.ingress])).toEqual([['web-allow-route-gateway', [{
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-ingress' } }, podSelector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'mesh-ingress' } } }],
      ports: [{ port: 8080, protocol: 'TCP' }],
    }]]]);
    expect(allProblems(objects)).toEqual([]);
  });

  test('fails when mesh.routeGateway names no Istio gateway of spec.gateways', () => {
    const spec = appSpec({ route: { host: 'web.apps.example.com' }, mesh: {} });
    const rg = { name: 'public', namespace: 'openshift-ingress', sectionName: 'http' };
    const openshiftGateway = cluster({ ...ISTIO, routeGateway: rg }, { platform: 'openshift', gateways: [{ name: 'public', namespace: 'openshift-ingress', implementation: 'openshift' }] });
    expect(problems(spec, openshiftGateway)).toEqual([{ field: 'cluster.spec.mesh.routeGateway.name', message: expect.stringMatching(/^gateway "openshift-ingress\/public" is implementation "openshift", whose pods are not workloads of the Istio mesh/) }]);
    expect(problems(spec, cluster({ ...ISTIO, routeGateway: rg }, { platform: 'openshift' }))).toEqual([{ field: 'cluster.spec.mesh.routeGateway.name', message: 'gateway "openshift-ingress/public" is not declared in spec.gateways; declare the Istio gateway there (implementation istio) and name it here (declared: none)' }]);
    expect(problems(spec, cluster({ ...ISTIO, routeGateway: { ...rg, sectionName: 'HTTP_1' } }, { platform: 'openshift' })).map((p) => p.field)).toEqual(['cluster.spec.mesh.routeGateway.sectionName']);
  });

  test('a Gateway API route admits the gateway\'s principal the entry carries (GatewayMeshEntry), not its Service', () => {
    const spec = appSpec({ ports: [{ name: 'http', port: 80, targetPort: 8080 }], mesh: {} });
    const intent = meshIntent(spec, cluster())!;
    const entry: IstioMeshEntry = {
      purpose: 'the gateway', field: 'spec.gateway', port: intent.ports[0], protocol: 'http', validateClientCertificate: false,
      sources: [{ service: { name: 'public-istio', namespace: 'gateways' } }], principal: 'cluster.local/ns/gateways/sa/public-istio',
    };
    const withGateway = { ...intent, entries: [entry] };
    expect(new IstioMesh().validate(withGateway)).toEqual([]);
    const chart = testChart();
    const deployment = new SecureDeployment(chart, 'D', { name: 'web', namespace: 'shop', image: 'quay.io/acme/web:1.0.0', serviceAccountName: 'web' });
    new IstioMesh().bind(chart, { ...withGateway, deployment });
    expect(oneOf(Testing.synth(chart), 'AuthorizationPolicy').spec.rules).toEqual([{ from: [{ source: { principals: ['cluster.local/ns/gateways/sa/public-istio'] } }], to: [{ operation: { ports: ['8080'] } }] }]);
  });

  test('a Route to a port that bypasses the mesh needs no gateway and no rule', () => {
    const spec = appSpec({ ports: [{ name: 'https', port: 8443, protocol: 'https', bypassMesh: true }], tls: { source: 'serviceCA' }, route: { termination: 'passthrough' }, mesh: {} });
    const ocp = cluster(ISTIO, { platform: 'openshift' });
    expect(problems(spec, ocp)).toEqual([]);
    const objects = istio(spec, ocp);
    expect(oneOf(objects, 'AuthorizationPolicy').spec.rules).toBeUndefined();
    expect(oneOf(objects, 'Deployment').spec.template.metadata.annotations['traffic.sidecar.istio.io/excludeInboundPorts']).toBe('8443');
  });

  test('ingress-nginx: admits the enrolled controller\'s principal, warns what it needs (and that it is retired); backendTls is the mesh\'s mTLS', () => {
    const spec = appSpec({ ingress: { host: 'web.example.com' }, mesh: {} });
    const found = problems(spec);
    expect(found.map((p) => [p.field, p.warning])).toEqual([['spec.ingress', true]]);
    expect(found[0].message).toMatch(/controller is in the mesh .*service-upstream: "true" and upstream-vhost: web.shop.svc.cluster.local.*retired in March 2026/);
    expect(oneOf(istio(spec), 'AuthorizationPolicy').spec.rules).toEqual([{ from: [{ source: { principals: ['cluster.local/ns/ingress-nginx/sa/ingress-nginx'] } }], to: [{ operation: { ports: ['8080'] } }] }]);
    const mtls = appSpec({ ingress: { host: 'web.example.com', backendTls: {} }, mesh: {} });
    expect(problems(mtls).map((p) => [p.field, p.warning])).toEqual([['spec.ingress.backendTls', true], ['spec.ingress', true]]);
    expect(problems(mtls)[0].message).toMatch(/^under Istio the enrolled controller's sidecar provides the TLS to the app .* the Ingress must send plain HTTP to port "http"/);
    expect(oneOf(istio(mtls, cluster({ provider: 'istio', ingressGateway: { secret: { name: 'c', namespace: 'ingress-nginx' }, subjectAltNames: ['ingress-nginx.ingress-nginx.cluster.local'] } })), 'AuthorizationPolicy').spec.rules)
      .toEqual([{ from: [{ source: { principals: ['cluster.local/ns/ingress-nginx/sa/ingress-nginx'] } }], to: [{ operation: { ports: ['8080'] } }] }]);
  });

  test('mesh.ingress: principals as given (or read from OSM\'s form), ipRange sources make the port PERMISSIVE loudly, Service sources are refused', () => {
    const spec = appSpec({ mesh: { ingress: { from: [{ principal: 'cluster.local/ns/edge/sa/proxy' }, { principal: 'lb.edge.cluster.local' }, { ipRange: '10.0.0.0/24' }] } } });
    expect(problems(spec).map((p) => [p.field, p.warning ?? false])).toEqual([['spec.mesh.ingress.from[1].principal', true], ['spec.mesh.ingress.from[2].ipRange', true]]);
    const objects = istio(spec);
    expect(oneOf(objects, 'AuthorizationPolicy').spec.rules).toEqual([{
      from: [{ source: { principals: ['cluster.local/ns/edge/sa/proxy', 'cluster.local/ns/edge/sa/lb'] } }, { source: { ipBlocks: ['10.0.0.0/24'] } }],
      to: [{ operation: { ports: ['8080'] } }],
    }]);
    const pa = oneOf(objects, 'PeerAuthentication');
    expect(pa.spec.portLevelMtls).toEqual({ 8080: { mode: 'PERMISSIVE' } });
    expect(pa.metadata.annotations['cdk8s-zerotrust.io/permissive']).toMatch(/admits address ranges .* container port 8080/);
    expect(allProblems(objects)).toEqual([]);
    const svc = appSpec({ mesh: { ingress: { from: [{ service: { name: 'lb', namespace: 'edge' } }] } } });
    expect(problems(svc).map((p) => p.field)).toEqual(['spec.mesh.ingress.from[0].service']);
    const mtlsRange = appSpec({ mesh: { ingress: { mtls: true, from: [{ principal: 'cluster.local/ns/edge/sa/proxy' }, { ipRange: '10.0.0.0/24' }] } } });
    expect(problems(mtlsRange).filter((p) => !p.warning).map((p) => p.field)).toEqual(['spec.mesh.ingress.from[1].ipRange']);
  });

  test('egress: a ServiceEntry per destination (TLS by SNI, TCP by address), the Sidecar narrowed to the callees\' namespaces when known', () => {
    const spec = appSpec({
      egress: {
        kubernetesApi: true,
        to: [
          { name: 'payments', hosts: ['api.pay.example.com'], ports: [{ port: 443, protocol: 'https' }] },
          { name: 'db', ipRanges: ['10.20.0.0/16'], ports: [{ port: 5432, protocol: 'tcp' }, { port: 443, protocol: 'https' }] },
        ],
      },
      mesh: {},
    });
    const objects = istio(spec, cluster(ISTIO, { apiServer: { cidrs: ['192.168.0.1/32'] } }));
    expect(oneOf(objects, 'ServiceEntry', 'web-payments').spec).toEqual({ hosts: ['api.pay.example.com'], ports: [{ number: 443, protocol: 'TLS', name: 'tls-443' }], location: 'MESH_EXTERNAL', resolution: 'DNS', exportTo: ['.'] });
    expect(oneOf(objects, 'ServiceEntry', 'web-db').spec).toEqual({
      hosts: ['db.web.shop.egress.invalid'], addresses: ['10.20.0.0/16'], location: 'MESH_EXTERNAL', resolution: 'NONE', exportTo: ['.'],
      ports: [{ number: 5432, protocol: 'TCP', name: 'tcp-5432' }, { number: 443, protocol: 'TCP', name: 'tcp-443' }],
    });
    expect(oneOf(objects, 'Deployment').spec.template.metadata.annotations).toEqual({ 'traffic.sidecar.istio.io/excludeOutboundPorts': '53', 'traffic.sidecar.istio.io/excludeOutboundIPRanges': '10.96.0.1/32' });
    expect(allProblems(objects)).toEqual([]);

    const chart = testChart();
    const deployment = new SecureDeployment(chart, 'D', { name: 'web', namespace: 'shop', image: 'quay.io/acme/web:1.0.0', serviceAccountName: 'web' });
    const binding: MeshBinding = { ...meshIntent(spec, cluster())!, deployment, callees: [{ name: 'orders', namespace: 'shop' }, { name: 'ledger', namespace: 'finance' }] };
    new IstioMesh().bind(chart, binding);
    expect(oneOf(Testing.synth(chart), 'Sidecar').spec.egress).toEqual([{ hosts: ['./*', 'istio-system/*', 'finance/*'] }]);
  });

  test('unrestricted egress: a Sidecar that says ALLOW_ANY, no ServiceEntry', () => {
    const objects = istio(appSpec({ egress: { unrestricted: true }, mesh: {} }));
    expect(oneOf(objects, 'Sidecar').spec.outboundTrafficPolicy).toEqual({ mode: 'ALLOW_ANY' });
    expect(ofKind(objects, 'ServiceEntry')).toEqual([]);
  });

  test('the namespace owner writes PeerAuthentication default STRICT and allow-nothing, once', () => {
    const chart = testChart();
    const spec = appSpec({ ownsNamespace: true, mesh: {} });
    const deployment = new SecureDeployment(chart, 'D', { name: 'web', namespace: 'shop', image: 'quay.io/acme/web:1.0.0', serviceAccountName: 'web' });
    new IstioMesh().bind(chart, { ...meshIntent(spec, cluster())!, deployment, ownsNamespace: true });
    const objects = Testing.synth(chart);
    expect(oneOf(objects, 'PeerAuthentication', 'default').spec).toEqual({ mtls: { mode: 'STRICT' } });
    expect(oneOf(objects, 'AuthorizationPolicy', 'allow-nothing').spec).toEqual({});
    expect(allProblems(objects)).toEqual([]);
  });

  test('bindCluster: mesh-wide STRICT and a root Sidecar REGISTRY_ONLY in the root namespace (AKS: aks-istio-system)', () => {
    const objects = synth((c) => new IstioMesh().bindCluster(c, cluster({ provider: 'istio', flavour: 'aks', revision: 'asm-1-25' })));
    expect(objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['PeerAuthentication/aks-istio-system/default', 'Sidecar/aks-istio-system/default']);
    expect(oneOf(objects, 'Sidecar').spec).toEqual({ outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } });
    expect(allProblems(objects)).toEqual([]);
    expect(synth((c) => new IstioMesh().bindCluster(c, cluster({ provider: 'istio', meshConfig: 'none' })))).toEqual([]);
    expect(ofKind(synth((c) => new IstioMesh().bindCluster(c, cluster({ provider: 'istio', enableEgress: true }))), 'Sidecar')).toEqual([]);
  });

  test('trap: the AKS add-on enrols by istio.io/rev=asm-X-Y only; istiod in aks-istio-system on 15012', () => {
    const mesh = new IstioMesh();
    const aks = cluster({ provider: 'istio', flavour: 'aks', revision: 'asm-1-25' });
    expect(mesh.namespaceEnrolment(aks).labels).toEqual({ 'istio.io/rev': 'asm-1-25' });
    expect(mesh.dataPlaneDestinations(aks)).toEqual([{ purpose: 'mesh-control-plane', peer: { namespaceLabels: { 'kubernetes.io/metadata.name': 'aks-istio-system' }, podLabels: { app: 'istiod' } }, ports: [15012] }]);
    // The Cluster document's settings are checked once, with the document.
    const clusterDoc = (mesh: object) => validateClusterSpec({ apiVersion: 'cdk8s-zerotrust/v1alpha1', kind: 'Cluster', metadata: { name: 'c' }, spec: { mesh } });
    expect(clusterDoc({ provider: 'istio', flavour: 'aks' })).toEqual([{ field: 'spec.mesh.revision', message: expect.stringMatching(/^the aks flavour injects only namespaces labelled istio.io\/rev=<revision> \(istio-injection=enabled is skipped/) }]);
    expect(clusterDoc({ provider: 'istio', flavour: 'aks', revision: 'default' })).toEqual([{ field: 'spec.mesh.revision', message: expect.stringMatching(/^revision "default" is not an AKS add-on revision/) }]);
    // Upstream: the default revision's label; a revision replaces it (never both: IST0123).
    expect(mesh.namespaceEnrolment(cluster()).labels).toEqual({ 'istio-injection': 'enabled' });
    expect(mesh.namespaceEnrolment(cluster({ provider: 'istio', revision: 'canary' })).labels).toEqual({ 'istio.io/rev': 'canary' });
    const objects = istio(appSpec({ ownsNamespace: true, mesh: {} }), aks);
    expect(oneOf(objects, 'Namespace').metadata.labels).toMatchObject({ 'istio.io/rev': 'asm-1-25' });
    expect(oneOf(objects, 'Namespace').metadata.labels['istio-injection']).toBeUndefined();
  });

  test('trap: without the Istio CNI a meshed namespace cannot be restricted (istio-init needs NET_ADMIN, NET_RAW, root)', () => {
    const mesh = new IstioMesh();
    const noCni = mesh.namespaceEnrolment(cluster({ provider: 'istio' }));
    expect(noCni.podSecurityLevel).toBe('privileged');
    expect(noCni.podSecurityReason).toMatch(/istio-init container adds NET_ADMIN and NET_RAW and runs as root/);
    expect(mesh.namespaceEnrolment(cluster({ provider: 'istio', cni: true })).podSecurityLevel).toBe('restricted');
    expect(mesh.namespaceEnrolment(cluster({ provider: 'istio', flavour: 'openshift-service-mesh' })).podSecurityLevel).toBe('restricted');
    expect(mesh.namespaceEnrolment(cluster({ provider: 'istio', flavour: 'aks', revision: 'asm-1-25' })).podSecurityLevel).toBe('privileged');
    const ns = oneOf(istio(appSpec({ ownsNamespace: true, mesh: {} })), 'Namespace');
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    const nsCni = oneOf(istio(appSpec({ ownsNamespace: true, mesh: {} }), cluster({ provider: 'istio', cni: true })), 'Namespace');
    expect(nsCni.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  test('refuses permissive mode, an app in the root namespace and an app named like a namespace-wide policy', () => {
    expect(problems(appSpec({ mesh: {} }, { namespace: 'istio-system' }), cluster({ provider: 'istio', permissive: true })).map((p) => p.field))
      .toEqual(['cluster.spec.mesh.permissive', 'metadata.namespace']);
    expect(problems(appSpec({ mesh: {} }, { name: 'default' })).map((p) => p.field)).toEqual(['metadata.name']);
  });

  test('optOut labels the pod template sidecar.istio.io/inject: "false"', () => {
    const objects = synth((c) => {
      const d = new SecureDeployment(c, 'D', { name: 'web', namespace: 'shop', image: 'quay.io/acme/web:1.0.0', serviceAccountName: 'web' });
      new IstioMesh().optOut(d);
    });
    expect(oneOf(objects, 'Deployment').spec.template.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'web', 'sidecar.istio.io/inject': 'false' });
  });

  test('the same spec synthesizes under OSM and under Istio', () => {
    const spec = appSpec({
      ports: [{ name: 'http', port: 80, targetPort: 8080 }],
      mesh: { allow: [{ from: [caller], http: [{ name: 'read', methods: ['GET'], pathRegex: '/api/.*' }] }] },
      egress: { to: [{ name: 'payments', hosts: ['api.pay.example.com'], ports: [{ port: 443, protocol: 'https' }] }] },
    });
    const osm = synth((c) => new SecureApp(c, 'App', { spec, cluster: cluster({ provider: 'osm' }), mesh: new OsmSmiMesh() }));
    const ist = istio(spec);
    const kinds = (objects: any[]) => objects.map((o) => o.kind).filter((k) => !['Deployment', 'Service', 'ServiceAccount', 'NetworkPolicy', 'PodDisruptionBudget'].includes(k));
    expect(kinds(osm)).toEqual(['HTTPRouteGroup', 'TrafficTarget', 'Egress']);
    expect(kinds(ist)).toEqual(['PeerAuthentication', 'AuthorizationPolicy', 'Sidecar', 'ServiceEntry']);
    // The NetworkPolicy layer differs only in the control plane it lets the sidecar reach.
    const cp = (objects: any[]) => ofKind(objects, 'NetworkPolicy').flatMap((p) => p.spec.egress ?? []).filter((e: any) => e.to?.[0]?.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name']?.match(/^(osm|istio)-system$/));
    expect(cp(osm)[0].ports).toEqual([{ port: 15128, protocol: 'TCP' }]);
    expect(cp(ist)[0]).toEqual({ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } }, podSelector: { matchLabels: { app: 'istiod' } } }], ports: [{ port: 15012, protocol: 'TCP' }] });
    expect(allProblems(ist)).toEqual([]);
  });
});
