import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { VerifyResult, formatVerify, verifyObjects } from '../../src/engine/verify';
import type { AppSpec, HttpMatch } from '../../src/spec/app-spec';
import { ClusterContext } from '../../src/spec/cluster-context';
import type { ClusterSpec, ClusterSpecBody } from '../../src/spec/cluster-spec';
import { crdProblems } from '../cel';
import { sourced, synthScenario } from '../scenario';
import { ROOT, appSpec, oneOf } from '../util';

/**
 * The same app specs under Open Service Mesh and under Istio: each example (and the plain
 * Kubernetes scenario) is synthesized with a Cluster spec that differs only in its mesh section,
 * verified against the specs with verify's default mesh models, and the two truth tables are
 * compared. Two things differ by design and are mapped before comparing:
 * - the control plane the sidecars reach: OSM's osm-controller (osm-system, 15128) and istiod
 *   (istio-system, 15012) are both "the control plane";
 * - the hop into the app behind an OpenShift Route: OSM admits the router itself (IngressBackend),
 *   Istio admits the route gateway the Route goes through (mesh.routeGateway), so that gateway's
 *   allowed paths count as the router's.
 * Set SHOW=<file> to print both tables.
 */

function exampleDocs(file: string): any[] {
  return (yaml.loadAll(fs.readFileSync(path.join(ROOT, 'examples', file), 'utf8')) as any[]).filter((d) => d);
}

/** The examples' cluster: OpenShift with OSM. */
const OSM = (exampleDocs('cluster.yaml')[0] as ClusterSpec).spec;
const ROUTE_GATEWAY = { name: 'mesh-ingress', namespace: 'istio-ingress', implementation: 'istio' as const };
const ROUTE_GATEWAY_SOURCE = 'gateway:istio-ingress/mesh-ingress';

/**
 * The same cluster with OpenShift Service Mesh 3 instead: only the mesh section changes, plus the
 * Istio gateway Routes go through (a Gateway of class istio the platform runs). The ingress
 * controller's namespace is enrolled with injection (Istio admits it by its principal); the
 * router's and the OpenShift gateway's namespaces are not (OSM needed them monitored only to
 * resolve IngressBackend sources).
 */
const ISTIO: ClusterSpecBody = {
  ...OSM,
  gateways: [...(OSM.gateways ?? []), ROUTE_GATEWAY],
  mesh: {
    provider: 'istio',
    flavour: 'openshift-service-mesh',
    permissive: false,
    enableEgress: false,
    monitoredNamespaces: ['ingress-nginx'],
    routeGateway: { name: ROUTE_GATEWAY.name, namespace: ROUTE_GATEWAY.namespace, sectionName: 'http' },
  },
};

/** Plain Kubernetes: OSM, and upstream Istio without the CNI. */
const K8S_BASE: ClusterSpecBody = {
  platform: 'kubernetes',
  apiServer: { cidrs: ['192.168.10.5/32'], port: 6443 },
  ingressControllers: [{ classNames: ['nginx'], namespace: 'ingress-nginx' }],
};
const K8S_OSM: ClusterSpecBody = { ...K8S_BASE, mesh: { ...OSM.mesh, monitoredNamespaces: ['ingress-nginx'] } };
const K8S_ISTIO: ClusterSpecBody = { ...K8S_BASE, mesh: { provider: 'istio', flavour: 'upstream', monitoredNamespaces: ['ingress-nginx'] } };

const synthAll = (specs: AppSpec[], clusterSpec: ClusterSpecBody): any[] => synthScenario(specs, clusterSpec, path.join(ROOT, 'examples'));

interface Run {
  readonly objects: any[];
  readonly result: VerifyResult;
}

function run(specs: AppSpec[], clusterSpec: ClusterSpecBody, objects = synthAll(specs, clusterSpec)): Run {
  return { objects, result: verifyObjects(sourced(objects), { specs, cluster: ClusterContext.fromSpec(clusterSpec) }) };
}

/** A path id with the provider-specific ends mapped to shared names. */
function mapped(source: string, destination: string): string {
  const s = source === ROUTE_GATEWAY_SOURCE ? 'router' : source;
  const d = /^mesh:(osm-system:15128|istio-system:15012|aks-istio-system:15012)\/TCP$/.test(destination) ? 'control-plane' : destination;
  return `${s} -> ${d}`;
}

const allowedSet = (r: Run) => r.result.report.paths.filter((p) => p.allowed).map((p) => mapped(p.source, p.destination)).sort();
const declaredSet = (r: Run) => [...new Set(r.result.declared.map((p) => mapped(p.source, p.destination)))].sort();
const discrepancies = (r: Run) => ({ missing: r.result.missing.map((m) => `${m.source} -> ${m.destination}: ${m.reason}`), unexpected: r.result.unexpected.map((u) => `${u.source} -> ${u.destination}: ${u.reason}`), notAdmitted: r.result.notAdmitted.map((v) => v.reason) });
const allowed = (r: Run, source: string, destination: string) => r.result.report.paths.find((p) => p.source === source && p.destination === destination)?.allowed;

/** Every Istio and Gateway API object against its vendored CRD (strict schema and CEL rules). */
function meshObjectProblems(objects: any[]): string[] {
  return objects.filter((o) => /(^|\.)istio\.io\/|^gateway\.networking\.k8s\.io\//.test(o.apiVersion)).flatMap((o) => crdProblems(o));
}

/** What the comparison found for one spec set (printed in the summary below). */
const summary: string[] = [];

/** Synthesizes and verifies under both providers, asserts declared == allowed under each and the same table. */
function compare(name: string, specs: AppSpec[], osmCluster: ClusterSpecBody, istioCluster: ClusterSpecBody): { osm: Run; istio: Run } {
  const osm = run(specs, osmCluster);
  const istio = run(specs, istioCluster);
  if (process.env.SHOW === name) {
    console.log(`OSM\n${formatVerify(osm.result, true).join('\n')}\n\nIstio\n${formatVerify(istio.result, true).join('\n')}`);
  }
  expect(discrepancies(osm)).toEqual({ missing: [], unexpected: [], notAdmitted: [] });
  expect(discrepancies(istio)).toEqual({ missing: [], unexpected: [], notAdmitted: [] });
  expect(allowedSet(istio)).toEqual(allowedSet(osm));
  expect(declaredSet(istio)).toEqual(declaredSet(osm));
  expect(declaredSet(istio)).toEqual(allowedSet(istio));
  expect(meshObjectProblems(istio.objects)).toEqual([]);
  // Each model applies only where it detects itself (the monitored namespaces carry the provider's label).
  expect(osm.result.meshes).toEqual(['osm']);
  expect(istio.result.meshes).toEqual(['istio']);
  summary.push(`${name}: ${specs.length} apps, ${declaredSet(istio).length} declared = ${allowedSet(istio).length} allowed under both; evaluated pairs OSM ${osm.result.report.paths.length} (+${osm.result.report.deniedWithoutEvaluation} denied by isolation), Istio ${istio.result.report.paths.length} (+${istio.result.report.deniedWithoutEvaluation})`);
  return { osm, istio };
}

afterAll(() => {
  if (process.env.SUMMARY) console.log(summary.join('\n'));
});

const EXAMPLES = ['flask-passthrough.yaml', 'flask-edge.yaml', 'flask-reencrypt.yaml', 'shop-app1-app2.yaml', 'bookstore-ingress.yaml', 'grpc.yaml', 'mtls-no-mesh.yaml', 'egress.yaml'];

describe('the same truth table under OSM and Istio (OpenShift, OpenShift Service Mesh 3)', () => {
  test.each(EXAMPLES)('%s', (file) => {
    compare(file, exampleDocs(file) as AppSpec[], OSM, ISTIO);
  });

  test('gateway.yaml: the apps behind the OpenShift gateway that are not meshed; the meshed storefront is refused under Istio, naming the way out', () => {
    const specs = exampleDocs('gateway.yaml') as AppSpec[];
    expect(() => synthAll(specs, ISTIO)).toThrow(/spec\.gateway\.parentRef: gateway "openshift-ingress\/public" \(openshift-default\) runs on the Ingress Operator's own istiod .* use a Gateway of implementation istio on the mesh's control plane, or bypassMesh on the port/);
    const rest = specs.filter((s) => !s.spec.mesh);
    expect(rest.map((s) => s.metadata.name)).toEqual(['catalog', 'ledger', 'billing']);
    compare('gateway.yaml (catalog, ledger, billing)', rest, OSM, ISTIO);
  });

  test('gateway.yaml\'s storefront through an Istio gateway: the same table as through the OpenShift gateway under OSM', () => {
    const storefront = (exampleDocs('gateway.yaml') as AppSpec[]).find((s) => s.metadata.name === 'storefront')!;
    const viaMeshGateway: AppSpec = { ...storefront, spec: { ...storefront.spec, gateway: { ...storefront.spec.gateway!, parentRef: { name: 'mesh-ingress', namespace: 'istio-ingress', sectionName: 'http' } } } };
    const osm = run([storefront], OSM);
    const istio = run([viaMeshGateway], ISTIO);
    expect(discrepancies(osm)).toEqual({ missing: [], unexpected: [], notAdmitted: [] });
    expect(discrepancies(istio)).toEqual({ missing: [], unexpected: [], notAdmitted: [] });
    // The gateway differs by name only (gateway:openshift-ingress/public under OSM, gateway:istio-ingress/mesh-ingress under Istio).
    const gatewaysAsOne = (r: Run) => r.result.report.paths.filter((p) => p.allowed).map((p) => mapped(p.source.startsWith('gateway:') ? 'gateway' : p.source, p.destination)).sort();
    expect(gatewaysAsOne(istio)).toEqual(gatewaysAsOne(osm));
    expect(gatewaysAsOne(istio)).toContain('gateway -> storefront/storefront:8080');
    expect(oneOf(istio.objects, 'AuthorizationPolicy', 'storefront').spec.rules).toEqual([{ from: [{ source: { principals: ['cluster.local/ns/istio-ingress/sa/mesh-ingress-istio'] } }], to: [{ operation: { ports: ['8080'] } }] }]);
    expect(meshObjectProblems(istio.objects)).toEqual([]);
  });

  test('shop: the Route goes through the route gateway, which the app admits by principal; the router reaches no app', () => {
    const { istio } = compare('shop-app1-app2.yaml (details)', exampleDocs('shop-app1-app2.yaml') as AppSpec[], OSM, ISTIO);
    expect(allowed(istio, ROUTE_GATEWAY_SOURCE, 'shop/app2:8080')).toBe(true);
    expect(allowed(istio, 'router', 'shop/app2:8080')).toBe(false);
    expect(allowed(istio, ROUTE_GATEWAY_SOURCE, 'shop/app1:8080')).toBe(false);
    expect(allowed(istio, 'app:shop/app1', 'shop/app2:8080')).toBe(true);
    expect(allowed(istio, 'other-namespace', 'shop/app2:8080')).toBe(false);
    const route = oneOf(istio.objects, 'Route');
    expect([route.metadata.namespace, route.metadata.name, route.spec.to.name, route.spec.port.targetPort]).toEqual(['istio-ingress', 'app2-shop', 'mesh-ingress-istio', 'http']);
    expect(oneOf(istio.objects, 'HTTPRoute', 'app2-route').spec.rules[0].backendRefs).toEqual([{ name: 'app2', port: 8080 }]);
    expect(istio.result.report.paths.find((p) => p.source === ROUTE_GATEWAY_SOURCE && p.destination === 'shop/app2:8080')!.reason)
      .toMatch(/with Istio mTLS .*ALLOW AuthorizationPolicy shop\/app2 admits cluster\.local\/ns\/istio-ingress\/sa\/mesh-ingress-istio$/);
  });

  test('ingress-nginx: the enrolled controller reaches the apps as its own principal, over Istio mTLS', () => {
    const { istio } = compare('bookstore-ingress.yaml (details)', exampleDocs('bookstore-ingress.yaml') as AppSpec[], OSM, ISTIO);
    const p = istio.result.report.paths.find((x) => x.source === 'ingress:ingress-nginx' && x.destination === 'bookstore/bookbuyer:14001')!;
    expect(p.allowed).toBe(true);
    expect(p.reason).toMatch(/with Istio mTLS .*ALLOW AuthorizationPolicy bookstore\/bookbuyer admits cluster\.local\/ns\/ingress-nginx\/sa\/ingress-nginx/);
    expect(oneOf(istio.objects, 'Ingress', 'bookbuyer').metadata.annotations).toMatchObject({ 'nginx.ingress.kubernetes.io/service-upstream': 'true', 'nginx.ingress.kubernetes.io/upstream-vhost': 'bookbuyer.bookstore.svc.cluster.local' });
  });
});

describe('the same truth table under OSM and upstream Istio on plain Kubernetes (no CNI)', () => {
  test.each(['bookstore-ingress.yaml', 'grpc.yaml', 'mtls-no-mesh.yaml', 'egress.yaml'])('%s', (file) => {
    const { istio } = compare(`${file} (kubernetes)`, exampleDocs(file) as AppSpec[], K8S_OSM, K8S_ISTIO);
    for (const ns of istio.objects.filter((o) => o.kind === 'Namespace' && (o.metadata.labels['istio-injection'] === 'enabled'))) {
      expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged'); // istio-init without the CNI
    }
  });

  test('the plain Kubernetes scenario (mTLS without a mesh, an API caller) plus a meshed API caller', () => {
    const specs = [
      ...exampleDocs('mtls-no-mesh.yaml') as AppSpec[],
      appSpec({ egress: { kubernetesApi: true } }, { name: 'operator' }),
      appSpec({ ownsNamespace: true, mesh: {}, egress: { kubernetesApi: true } }, { name: 'meshed-operator', namespace: 'ops' }),
    ];
    compare('plain Kubernetes scenario', specs, K8S_OSM, K8S_ISTIO);
  });
});

describe('the AKS add-on', () => {
  const AKS: ClusterSpecBody = { ...K8S_BASE, mesh: { provider: 'istio', flavour: 'aks', revision: 'asm-1-25', monitoredNamespaces: ['ingress-nginx'] } };

  test('grpc.yaml: the same table as OSM, istiod in aks-istio-system, namespaces enrolled by istio.io/rev=asm-1-25', () => {
    const { istio } = compare('grpc.yaml (aks)', exampleDocs('grpc.yaml') as AppSpec[], K8S_OSM, AKS);
    expect(oneOf(istio.objects, 'Namespace', 'grpc').metadata.labels).toMatchObject({ 'istio.io/rev': 'asm-1-25' });
    expect(allowed(istio, 'app:grpc/greeter', 'mesh:aks-istio-system:15012/TCP')).toBe(true);
  });
});

/** The objects with one object replaced (by kind and name). */
function patched(objects: any[], kind: string, name: string, change: (o: any) => any): any[] {
  let hit = 0;
  const out = objects.map((o) => (o.kind === kind && o.metadata.name === name ? (hit++, change(structuredClone(o))) : o));
  expect(hit).toBe(1);
  return out;
}

const paths = (missing: { source: string; destination: string }[]) => missing.map((m) => `${m.source} -> ${m.destination}`);

describe('the traps, as verify sees them under Istio', () => {
  const caller = appSpec({ ports: undefined, mesh: {}, probes: { readiness: { exec: { command: ['true'] } }, liveness: { exec: { command: ['true'] }, periodSeconds: 30 } } }, { name: 'client', namespace: 'vault' });

  test('HTTP rules on a TLS port: refused by the generator; an ALLOW rule with methods on that port denies the caller in verify (istiod skips the rule)', () => {
    const server = (http?: HttpMatch[]) => appSpec({
      ownsNamespace: true, ports: [{ name: 'https', port: 8443, protocol: 'https' }], tls: { source: 'serviceCA' },
      mesh: { allow: [{ from: [{ serviceAccount: 'client', namespace: 'vault' }], ...(http ? { http } : {}) }] },
    }, { name: 'vault', namespace: 'vault' });
    expect(() => synthAll([server([{ name: 'read', methods: ['GET'] }]), caller], ISTIO)).toThrow(/spec\.mesh\.allow\[0\]\.http: http matches cannot be enforced on port "https" \(https, appProtocol https\)/);
    const specs = [server(), caller];
    const { istio } = compare('trap: a TLS port', specs, OSM, ISTIO);
    expect(allowed(istio, 'app:vault/client', 'vault/vault:8443')).toBe(true);
    const withMethods = patched(istio.objects, 'AuthorizationPolicy', 'vault', (o) => { o.spec.rules[0].to[0].operation.methods = ['GET']; return o; });
    const r = run(specs, ISTIO, withMethods);
    expect(paths(r.result.missing)).toEqual(['app:vault/client -> vault/vault:8443']);
    expect(r.result.missing[0].reason).toMatch(/port 8443 is HTTPS .*TCP filter chain.*uses HTTP-only fields \(to\.operation\.methods\) on a TCP filter chain, so istiod skips the whole rule/);
  });

  test('a caller in another namespace: admitted by its principal, reached through its Sidecar\'s import of the callee\'s namespace', () => {
    const specs = [
      appSpec({ ownsNamespace: true, mesh: { allow: [{ from: [{ serviceAccount: 'cron', namespace: 'ops' }] }] } }, { name: 'ledger', namespace: 'finance' }),
      appSpec({ ownsNamespace: true, ports: undefined, mesh: {}, probes: { readiness: { exec: { command: ['true'] } }, liveness: { exec: { command: ['true'] }, periodSeconds: 30 } } }, { name: 'cron', namespace: 'ops' }),
    ];
    const { istio } = compare('trap: a caller in another namespace', specs, OSM, ISTIO);
    expect(allowed(istio, 'app:ops/cron', 'finance/ledger:8080')).toBe(true);
    expect(allowed(istio, 'other-namespace', 'finance/ledger:8080')).toBe(false);
    expect(oneOf(istio.objects, 'Sidecar', 'cron').spec.egress).toEqual([{ hosts: ['./*', 'istio-system/*', 'finance/*'] }]);
    // Without the import, the caller's sidecar has no route to the callee (REGISTRY_ONLY drops it).
    const narrowed = patched(istio.objects, 'Sidecar', 'cron', (o) => { o.spec.egress[0].hosts = ['./*', 'istio-system/*']; return o; });
    const r = run(specs, ISTIO, narrowed);
    expect(paths(r.result.missing)).toEqual(['app:ops/cron -> finance/ledger:8080']);
    expect(r.result.missing[0].reason).toMatch(/Sidecar ops\/cron .* does not import ledger\.finance\.svc\.cluster\.local.*REGISTRY_ONLY/);
    // Another principal in the caller's namespace is not admitted.
    const otherSa = patched(istio.objects, 'AuthorizationPolicy', 'ledger', (o) => { o.spec.rules[0].from[0].source.principals = ['cluster.local/ns/ops/sa/backup']; return o; });
    expect(paths(run(specs, ISTIO, otherSa).result.missing)).toEqual(['app:ops/cron -> finance/ledger:8080']);
  });

  test('a gateway principal: the route gateway is admitted by its own principal only', () => {
    const specs = exampleDocs('shop-app1-app2.yaml') as AppSpec[];
    const { objects } = run(specs, ISTIO);
    const wrong = patched(objects, 'AuthorizationPolicy', 'app2', (o) => {
      o.spec.rules = o.spec.rules.map((rule: any) => (rule.from[0].source.principals.includes('cluster.local/ns/istio-ingress/sa/mesh-ingress-istio') ? { ...rule, from: [{ source: { principals: ['cluster.local/ns/istio-ingress/sa/default'] } }] } : rule));
      return o;
    });
    const r = run(specs, ISTIO, wrong);
    expect(paths(r.result.missing)).toEqual([`${ROUTE_GATEWAY_SOURCE} -> shop/app2:8080`]);
    expect(r.result.missing[0].reason).toMatch(/none admits cluster\.local\/ns\/istio-ingress\/sa\/mesh-ingress-istio/);
    // Without the HTTPRoute the gateway sends nowhere near the app.
    const noRoute = run(specs, ISTIO, objects.filter((o) => o.kind !== 'HTTPRoute'));
    expect(paths(noRoute.result.missing)).toEqual([`${ROUTE_GATEWAY_SOURCE} -> shop/app2:8080`]);
  });

  test('the AKS revision label: a namespace labelled istio-injection=enabled gets no sidecar from the add-on', () => {
    const AKS: ClusterSpecBody = { ...K8S_BASE, mesh: { provider: 'istio', flavour: 'aks', revision: 'asm-1-25', monitoredNamespaces: ['ingress-nginx'] } };
    const specs = exampleDocs('grpc.yaml') as AppSpec[];
    const { objects } = run(specs, AKS);
    const legacy = patched(objects, 'Namespace', 'grpc', (o) => { delete o.metadata.labels['istio.io/rev']; o.metadata.labels['istio-injection'] = 'enabled'; return o; });
    const r = run(specs, AKS, legacy);
    // No pod gets a sidecar: the mesh's policies are silently not enforced, which verify reports as the missing control-plane paths.
    expect(paths(r.result.missing)).toEqual(['app:grpc/greeter -> mesh:control-plane', 'app:grpc/greeter-client -> mesh:control-plane']);
    expect(r.result.missing[0].reason).toMatch(/no workload of the manifests gets a sidecar of osm or istio/);
    const p = r.result.report.paths.find((x) => x.source === 'app:grpc/greeter-client' && x.destination === 'grpc/greeter:50051')!;
    expect(p.reason).toMatch(/Deployment grpc\/greeter has no Istio proxy \(Namespace grpc is labelled istio-injection=enabled, which only the default revision's webhooks serve .*the AKS add-on skips such namespaces/);
  });

  test('no CNI: a restricted namespace rejects every meshed pod (istio-init); with the CNI restricted is kept', () => {
    const specs = exampleDocs('grpc.yaml') as AppSpec[];
    const { objects } = run(specs, K8S_ISTIO);
    expect(oneOf(objects, 'Namespace', 'grpc').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    const restricted = patched(objects, 'Namespace', 'grpc', (o) => { o.metadata.labels['pod-security.kubernetes.io/enforce'] = 'restricted'; return o; });
    const r = run(specs, K8S_ISTIO, restricted);
    expect(r.result.notAdmitted.map((v) => v.reason)).toEqual([
      expect.stringMatching(/^Deployment grpc\/greeter: Pod Security restricted .*istio-init/),
      expect.stringMatching(/^Deployment grpc\/greeter-client: Pod Security restricted .*istio-init/),
    ]);
    const cni: ClusterSpecBody = { ...K8S_ISTIO, mesh: { ...K8S_ISTIO.mesh, cni: true } };
    const { istio } = compare('grpc.yaml (kubernetes, Istio CNI)', specs, K8S_OSM, cni);
    expect(oneOf(istio.objects, 'Namespace', 'grpc').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });
});
