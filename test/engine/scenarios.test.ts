import * as path from 'node:path';
import * as yaml from 'js-yaml';
import * as fs from 'node:fs';
import { evaluatePodSecurity } from '../../src/analysis/pod-security';
import { formatVerify, verifyObjects } from '../../src/engine/verify';
import type { AppSpec } from '../../src/spec/app-spec';
import { ClusterContext } from '../../src/spec/cluster-context';
import type { ClusterSpec } from '../../src/spec/cluster-spec';
import { runPipeline } from '../../src/engine/pipeline';
import { sourced, synthScenario } from '../scenario';
import { ROOT, appSpec, ofKind, oneOf } from '../util';

/** Every document of a file under examples/. */
function exampleDocs(file: string): any[] {
  return (yaml.loadAll(fs.readFileSync(path.join(ROOT, 'examples', file), 'utf8')) as any[]).filter((d) => d);
}

const CLUSTER = (exampleDocs('cluster.yaml')[0] as ClusterSpec).spec;

/** One example file with the examples' Cluster spec: synthesized, then verified against its specs. */
function scenario(file: string) {
  const specs = exampleDocs(file) as AppSpec[];
  const objects = synthScenario(specs, CLUSTER, path.join(ROOT, 'examples'));
  const result = verifyObjects(sourced(objects), { specs, cluster: ClusterContext.fromSpec(CLUSTER) });
  if (process.env.SHOW === file) console.log(formatVerify(result, true).join('\n'));
  return { specs, objects, result, text: formatVerify(result).join('\n') };
}

const allowed = (r: ReturnType<typeof scenario>, source: string, destination: string) =>
  r.result.report.paths.find((p) => p.source === source && p.destination === destination)?.allowed;

describe.each([
  'flask-passthrough.yaml', 'flask-edge.yaml', 'flask-reencrypt.yaml', 'shop-app1-app2.yaml', 'bookstore-ingress.yaml',
  'grpc.yaml', 'mtls-no-mesh.yaml', 'egress.yaml', 'gateway.yaml',
])('scenario %s', (file) => {
  test('declared paths are exactly the allowed paths', () => {
    const r = scenario(file);
    expect({ missing: r.result.missing, unexpected: r.result.unexpected, notAdmitted: r.result.notAdmitted }).toEqual({ missing: [], unexpected: [], notAdmitted: [] });
    expect(r.result.declared.length).toBeGreaterThan(0);
  });

  test('our own containers pass Pod Security restricted (the mesh\'s injected ones are what needs privileged)', () => {
    const r = scenario(file);
    for (const d of ofKind(r.objects, 'Deployment')) expect(evaluatePodSecurity(d.spec.template.spec, 'restricted')).toEqual([]);
  });

  test('every app is egress-isolated, keeps DNS and (meshed) its control plane, and reaches nothing else outside', () => {
    const r = scenario(file);
    for (const spec of r.specs) {
      const ns = spec.metadata.namespace ?? 'default';
      const source = `app:${ns}/${spec.metadata.name}`;
      const deny = oneOf(r.objects.filter((o) => o.metadata.namespace === ns), 'NetworkPolicy', `${spec.metadata.name}-default-deny`);
      expect(deny.spec.policyTypes).toEqual(['Ingress', 'Egress']);
      expect(allowed(r, source, 'dns-udp')).toBe(true);
      expect(allowed(r, source, 'dns-tcp')).toBe(true);
      expect(allowed(r, source, 'anywhere:80')).toBe(false);
      if (spec.spec.mesh) expect(allowed(r, source, 'mesh:osm-system:15128/TCP')).toBe(true);
      if (!spec.spec.egress?.kubernetesApi) expect(allowed(r, source, 'kubernetes-api')).toBe(false);
    }
  });
});

describe('scenarios in detail', () => {
  test('OSM app1 -> app2: GET only, through the mesh; the router reaches app2 over the derived IngressBackend', () => {
    const r = scenario('shop-app1-app2.yaml');
    expect(allowed(r, 'app:shop/app1', 'shop/app2:8080')).toBe(true);
    expect(allowed(r, 'router', 'shop/app2:8080')).toBe(true);
    expect(allowed(r, 'router', 'shop/app1:8080')).toBe(false);
    expect(allowed(r, 'other-namespace', 'shop/app2:8080')).toBe(false);
    expect(oneOf(r.objects, 'IngressBackend', 'app2').spec.sources).toEqual([{ kind: 'Service', name: 'router-internal-default', namespace: 'openshift-ingress' }]);
    expect(oneOf(r.objects, 'Namespace').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expect(oneOf(r.objects, 'RoleBinding', 'app1-mesh-scc').roleRef.name).toBe('system:openshift:scc:privileged');
  });

  test('bookstore: http and mTLS IngressBackends from the controller, the principal and secret those of the MeshConfig', () => {
    const r = scenario('bookstore-ingress.yaml');
    const mc = oneOf(r.objects, 'MeshConfig');
    expect(mc.spec.traffic).toEqual({ enableEgress: false, enablePermissiveTrafficPolicyMode: false });
    expect(mc.spec.certificate.ingressGateway.subjectAltNames).toEqual(['ingress-nginx.ingress-nginx.cluster.local']);
    const mtls = oneOf(r.objects, 'IngressBackend', 'bookbuyer');
    expect(mtls.spec.backends).toEqual([{ name: 'bookbuyer', port: { number: 14001, protocol: 'https' }, tls: { skipClientCertValidation: false } }]);
    expect(mtls.spec.sources).toContainEqual({ kind: 'AuthenticatedPrincipal', name: 'ingress-nginx.ingress-nginx.cluster.local' });
    const ing = oneOf(r.objects, 'Ingress', 'bookbuyer');
    expect(ing.metadata.annotations['nginx.ingress.kubernetes.io/proxy-ssl-secret']).toBe('osm-system/osm-nginx-client-cert');
    expect(ing.metadata.annotations['nginx.ingress.kubernetes.io/backend-protocol']).toBe('HTTPS');
    expect(allowed(r, 'ingress:ingress-nginx', 'bookstore/bookbuyer:14001')).toBe(true);
    expect(allowed(r, 'ingress:ingress-nginx', 'bookstore/bookstore:14001')).toBe(true);
    expect(allowed(r, 'router', 'bookstore/bookstore:14001')).toBe(false);
  });

  test('fails verify when the mTLS Ingress presents another client certificate than the MeshConfig issues', () => {
    const r = scenario('bookstore-ingress.yaml');
    const objects = r.objects.map((o) => (o.kind === 'Ingress' && o.metadata.name === 'bookbuyer'
      ? { ...o, metadata: { ...o.metadata, annotations: { ...o.metadata.annotations, 'nginx.ingress.kubernetes.io/proxy-ssl-secret': 'ingress-nginx/other' } } } : o));
    const result = verifyObjects(sourced(objects), { specs: r.specs, cluster: ClusterContext.fromSpec(CLUSTER) });
    expect(result.missing.map((m) => `${m.source} -> ${m.destination}`)).toEqual(['ingress:ingress-nginx -> bookstore/bookbuyer:14001']);
  });

  test('fails verify when the IngressBackend for the router is missing (OSM, permissive off, refuses the router)', () => {
    const r = scenario('shop-app1-app2.yaml');
    const result = verifyObjects(sourced(r.objects.filter((o) => o.kind !== 'IngressBackend')), { specs: r.specs, cluster: ClusterContext.fromSpec(CLUSTER) });
    expect(result.missing.map((m) => `${m.source} -> ${m.destination}`)).toEqual(['router -> shop/app2:8080']);
    expect(result.missing[0].reason).toMatch(/mesh \(osm\)/);
  });

  test('fails verify when a NetworkPolicy admits more than the specs declare', () => {
    const r = scenario('mtls-no-mesh.yaml');
    const open = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'allow-all', namespace: 'tls-demo' }, spec: { podSelector: {}, ingress: [{}] } };
    const result = verifyObjects(sourced([...r.objects, open]), { specs: r.specs, cluster: ClusterContext.fromSpec(CLUSTER) });
    expect(result.unexpected.map((u) => `${u.source} -> ${u.destination}`)).toContain('other-namespace -> tls-demo/tls-server:8443');
  });

  test('fails verify when a meshed namespace enforces Pod Security restricted (OSM\'s init container runs as root with NET_ADMIN)', () => {
    const r = scenario('shop-app1-app2.yaml');
    const objects = r.objects.map((o) => (o.kind === 'Namespace'
      ? { ...o, metadata: { ...o.metadata, labels: { ...o.metadata.labels, 'pod-security.kubernetes.io/enforce': 'restricted' } } } : o));
    const result = verifyObjects(sourced(objects), { specs: r.specs, cluster: ClusterContext.fromSpec(CLUSTER) });
    expect(result.notAdmitted.map((v) => v.reason)).toEqual([
      expect.stringMatching(/^Deployment shop\/app1: Pod Security restricted \(label on Namespace shop\) rejects .*osm-init/),
      expect.stringMatching(/^Deployment shop\/app2: Pod Security restricted/),
    ]);
    expect(oneOf(r.objects, 'MeshConfig').spec.sidecar).toEqual({ enablePrivilegedInitContainer: true });
  });

  test('gRPC: h2c through the mesh with the method checked; gRPC over TLS with client certificates at the controller', () => {
    const r = scenario('grpc.yaml');
    expect(oneOf(r.objects, 'Service', 'greeter').spec.ports[0].appProtocol).toBe('grpc');
    expect(oneOf(r.objects, 'Ingress', 'greeter').metadata.annotations['nginx.ingress.kubernetes.io/backend-protocol']).toBe('GRPC');
    expect(allowed(r, 'app:grpc/greeter-client', 'grpc/greeter:50051')).toBe(true);
    const pay = oneOf(r.objects, 'Ingress', 'payments').metadata.annotations;
    expect(pay).toMatchObject({
      'nginx.ingress.kubernetes.io/backend-protocol': 'GRPCS',
      'nginx.ingress.kubernetes.io/auth-tls-secret': 'payments/partner-ca',
      'nginx.ingress.kubernetes.io/auth-tls-verify-client': 'on',
      'nginx.ingress.kubernetes.io/proxy-ssl-secret': 'payments/ingress-to-payments',
      'nginx.ingress.kubernetes.io/proxy-ssl-verify': 'on',
    });
    expect(oneOf(r.objects, 'Service', 'payments').spec.ports[0].appProtocol).toBe('https');
    expect(allowed(r, 'ingress:ingress-nginx', 'payments/payments:8443')).toBe(true);
  });

  test('mTLS without a mesh: a pure client has no Service and reaches exactly the server port', () => {
    const r = scenario('mtls-no-mesh.yaml');
    expect(ofKind(r.objects, 'Service').map((s) => s.metadata.name)).toEqual(['tls-server']);
    expect(oneOf(r.objects, 'NetworkPolicy', 'tls-client-egress-to-tls-server').spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 8443 }]);
    expect(allowed(r, 'app:tls-demo/tls-client', 'tls-demo/tls-server:8443')).toBe(true);
    expect(oneOf(r.objects, 'Namespace').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  test('egress: the database range, the API by host through the mesh Egress, DNS over TCP excluded from the sidecar', () => {
    const r = scenario('egress.yaml');
    expect(allowed(r, 'app:reports/reporter', 'external:reports-db:5432')).toBe(true);
    expect(allowed(r, 'app:reports/reporter', 'external:stripe:443')).toBe(true);
    expect(allowed(r, 'app:reports/reporter', 'anywhere:443')).toBe(false);
    expect(allowed(r, 'app:reports/reporter', 'kubernetes-api')).toBe(true);
    expect(ofKind(r.objects, 'Egress').map((e) => e.spec)).toEqual([
      { sources: [{ kind: 'ServiceAccount', name: 'reporter', namespace: 'reports' }], ipAddresses: ['10.0.5.0/24'], ports: [{ number: 5432, protocol: 'tcp-server-first' }] },
      { sources: [{ kind: 'ServiceAccount', name: 'reporter', namespace: 'reports' }], hosts: ['api.stripe.com'], ports: [{ number: 443, protocol: 'https' }] },
    ]);
    expect(oneOf(r.objects, 'Deployment').spec.template.metadata.annotations).toMatchObject({
      'openservicemesh.io/outbound-port-exclusion-list': '53',
      'openservicemesh.io/outbound-ip-range-exclusion-list': '172.30.0.1/32',
    });
  });

  test('plain Kubernetes profile: CoreDNS on 53 in kube-system, the API server by its endpoint addresses', () => {
    const cluster = { platform: 'kubernetes' as const, apiServer: { cidrs: ['192.168.10.5/32'], port: 6443 } };
    const specs = [...exampleDocs('mtls-no-mesh.yaml') as AppSpec[], appSpec({ egress: { kubernetesApi: true } }, { name: 'operator' })];
    const objects = synthScenario(specs, cluster);
    const result = verifyObjects(sourced(objects), { specs, cluster: ClusterContext.fromSpec(cluster) });
    expect({ missing: result.missing, unexpected: result.unexpected, notAdmitted: result.notAdmitted }).toEqual({ missing: [], unexpected: [], notAdmitted: [] });
    expect(oneOf(objects, 'NetworkPolicy', 'tls-client-egress-dns').spec.egress).toEqual([{
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
      ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
    }]);
    expect(oneOf(objects, 'NetworkPolicy', 'operator-egress-kubernetes-api').spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '192.168.10.5/32' } }], ports: [{ protocol: 'TCP', port: 6443 }] }]);
    expect(result.report.paths.find((p) => p.source === 'app:shop/operator' && p.destination === 'kubernetes-api')?.allowed).toBe(true);
  });

  test('OpenShift profile without API addresses: a port-only 6443 rule, as OpenShift\'s own operators use', () => {
    const objects = synthScenario([appSpec({ egress: { kubernetesApi: true } }, { name: 'operator' })], { platform: 'openshift' });
    expect(oneOf(objects, 'NetworkPolicy', 'operator-egress-kubernetes-api').spec.egress).toEqual([{ ports: [{ protocol: 'TCP', port: 6443 }] }]);
  });

  test('fails a meshed app calling an app outside the mesh, and a meshed app in a namespace nobody enrols', () => {
    const specs = [
      appSpec({ ports: [{ name: 'http', port: 8080 }], allow: [{ from: [{ app: 'client' }] }] }, { name: 'server', namespace: 'tls-demo' }),
      appSpec({ ports: undefined, mesh: {}, probes: { readiness: { exec: { command: ['true'] } }, liveness: { exec: { command: ['true'] }, periodSeconds: 30 } } }, { name: 'client', namespace: 'tls-demo' }),
    ];
    const docs = specs.map((doc, index) => ({ file: 'specs.yaml', index, doc }));
    const result = runPipeline({ docs: [...docs, { file: 'cluster.yaml', index: 0, doc: { apiVersion: 'cdk8s-zerotrust/v1alpha1', kind: 'Cluster', metadata: { name: 'c' }, spec: CLUSTER } }], issues: [] });
    expect(result.issues.filter((i) => !i.warning).map((i) => `${i.app}: ${i.field}`)).toEqual(['client: spec.mesh', 'server: spec.allow']);
    expect(result.issues.filter((i) => !i.warning).map((i) => i.message)).toEqual([
      expect.stringMatching(/^namespace "tls-demo" is not enrolled in the mesh .*set ownsNamespace: true on one app in it, or list it under mesh.monitoredNamespaces/),
      expect.stringMatching(/^admits tls-demo\/client, which is meshed: its sidecar refuses connections to apps outside the mesh/),
    ]);
  });

  test('Gateway API: each route kind, the gateway pods admitted on the target port only, the meshed app behind a derived IngressBackend', () => {
    const r = scenario('gateway.yaml');
    expect(ofKind(r.objects, 'HTTPRoute').map((x) => x.metadata.name).sort()).toEqual(['billing', 'storefront']);
    expect(ofKind(r.objects, 'GRPCRoute').map((x) => x.metadata.name)).toEqual(['catalog']);
    expect(ofKind(r.objects, 'TLSRoute').map((x) => x.metadata.name)).toEqual(['ledger']);
    expect(oneOf(r.objects, 'BackendTLSPolicy').spec.validation).toMatchObject({ caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'billing-ca' }], hostname: 'billing.billing.svc' });
    // backendRefs name the Service port (80); NetworkPolicy and the IngressBackend the target port (8080)
    expect(oneOf(r.objects, 'HTTPRoute', 'storefront').spec.rules[0].backendRefs).toEqual([{ name: 'storefront', port: 80 }]);
    expect(oneOf(r.objects, 'NetworkPolicy', 'storefront-allow-gateway').spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 8080 }]);
    expect(oneOf(r.objects, 'IngressBackend', 'storefront').spec.backends[0].port).toEqual({ number: 8080, protocol: 'http' });
    expect(oneOf(r.objects, 'Service', 'catalog').spec.ports[0].appProtocol).toBe('kubernetes.io/h2c');
    for (const dest of ['storefront/storefront:8080', 'catalog/catalog:9090', 'ledger/ledger:8443', 'billing/billing:8443']) {
      expect(allowed(r, 'gateway:openshift-ingress/public', dest)).toBe(true);
      expect(allowed(r, 'router', dest)).toBe(false);
      expect(allowed(r, 'other-namespace', dest)).toBe(false);
    }
  });

  test('fails verify when an app requires client certificates and the Gateway in the folder does not ask for them', () => {
    const specs = (exampleDocs('gateway.yaml') as AppSpec[]).filter((a) => a.metadata.name === 'catalog')
      .map((a) => ({ ...a, spec: { ...a.spec, gateway: { ...a.spec.gateway!, requireClientCertificates: true } } }));
    const objects = synthScenario(specs, CLUSTER, path.join(ROOT, 'examples'));
    const gateway = (frontend?: object) => ({
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'public', namespace: 'openshift-ingress' },
      spec: {
        gatewayClassName: 'openshift-default',
        listeners: [{ name: 'https', protocol: 'HTTPS', port: 443, tls: { mode: 'Terminate', certificateRefs: [{ name: 'wildcard' }] }, allowedRoutes: { namespaces: { from: 'All' } } }],
        ...(frontend ? { tls: { frontend } } : {}),
      },
    });
    const open = verifyObjects(sourced([...objects, gateway()]), { specs, cluster: ClusterContext.fromSpec(CLUSTER) });
    expect(open.clientCertificatesNotEnforced.map((v) => v.reason)).toEqual([expect.stringMatching(/^catalog\/catalog requires client certificates, but .*listener "https".*SIMPLE TLS/)]);
    const mutual = verifyObjects(sourced([...objects, gateway({ default: { validation: { caCertificateRefs: [{ kind: 'ConfigMap', name: 'partner-ca' }] } } })]), { specs, cluster: ClusterContext.fromSpec(CLUSTER) });
    expect(mutual.clientCertificatesNotEnforced).toEqual([]);
  });
});
