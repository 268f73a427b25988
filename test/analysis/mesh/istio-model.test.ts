import { buildClusterModel } from '../../../src/analysis/cluster';
import { IstioModel } from '../../../src/analysis/mesh/istio-model';
import type { MeshConnectionRequest, MeshPeer } from '../../../src/analysis/mesh/mesh-model';
import type { ClusterModel, KubeObject, Workload } from '../../../src/analysis/model';

// ---------------------------------------------------------------------------------------------
// Hand-written manifests: the shop of osm-model.test.ts, under Istio

const istio = new IstioModel();

function ns(name: string, labels: Record<string, string> = {}, annotations: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels, annotations } };
}
const meshNs = (name: string) => ns(name, { 'istio-injection': 'enabled' });

interface DeployOpts { sa?: string; ports?: number[]; labels?: Record<string, string>; annotations?: Record<string, string>; hostNetwork?: boolean }
function deploy(namespace: string, name: string, o: DeployOpts = {}): KubeObject {
  const labels = o.labels ?? { app: name };
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels, annotations: o.annotations ?? {} },
        spec: {
          serviceAccountName: o.sa ?? name,
          ...(o.hostNetwork ? { hostNetwork: true } : {}),
          containers: [{ name, image: 'x', ports: (o.ports ?? [8080]).map((p) => ({ containerPort: p })) }],
        },
      },
    },
  };
}

interface SvcPort { port: number; targetPort?: number | string; appProtocol?: string; name?: string; protocol?: string }
function service(namespace: string, name: string, ports: SvcPort[], clusterIP?: string, selector: Record<string, string> = { app: name }, annotations: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace, annotations }, spec: { selector, ports, ...(clusterIP ? { clusterIP } : {}) } };
}

function istioObj(kind: string, namespace: string, name: string, spec: Record<string, unknown>, meta: { labels?: Record<string, string>; annotations?: Record<string, string> } = {}): KubeObject {
  const group = ['PeerAuthentication', 'AuthorizationPolicy'].includes(kind) ? 'security.istio.io/v1' : 'networking.istio.io/v1';
  return { apiVersion: group, kind, metadata: { name, namespace, ...meta }, spec };
}
const pa = (namespace: string, name: string, spec: Record<string, unknown>) => istioObj('PeerAuthentication', namespace, name, spec);
const ap = (namespace: string, name: string, spec: Record<string, unknown>, annotations: Record<string, string> = {}) => istioObj('AuthorizationPolicy', namespace, name, spec, { annotations });
const STRICT_SHOP = pa('shop', 'default', { mtls: { mode: 'STRICT' } });
const ALLOW_NOTHING = ap('shop', 'allow-nothing', {});

/** The shop: app1 -> app2 (HTTP), app2 -> db (TCP), all meshed; ingress-nginx and legacy outside the mesh. */
function base(): KubeObject[] {
  return [
    ns('istio-system'), meshNs('shop'), ns('ingress-nginx'), ns('legacy'), ns('kube-system'),
    deploy('shop', 'app1'), deploy('shop', 'app2', { ports: [8080, 9090] }), deploy('shop', 'app3'), deploy('shop', 'db', { ports: [5432, 9000] }),
    service('shop', 'app2', [{ name: 'web', port: 80, targetPort: 8080, appProtocol: 'http' }, { name: 'metrics', port: 9090, appProtocol: 'http' }], '10.96.0.20'),
    service('shop', 'db', [{ port: 5432, appProtocol: 'tcp' }, { port: 9000, appProtocol: 'tcp' }], '10.96.0.30'),
    deploy('ingress-nginx', 'ingress-nginx-controller', { sa: 'ingress-nginx', labels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' }, ports: [80, 443] }),
    deploy('legacy', 'old', { ports: [8080] }),
    service('legacy', 'old', [{ port: 80, targetPort: 8080 }], '10.96.5.5'),
    deploy('kube-system', 'coredns', { sa: 'coredns', labels: { 'k8s-app': 'kube-dns' }, ports: [53] }),
    service('kube-system', 'kube-dns', [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }], '10.96.0.10', { 'k8s-app': 'kube-dns' }),
  ];
}

/** The intent of the OSM suite: app1 may GET app2 on 8080; app2 may reach db on 5432; nothing else. */
function zeroTrust(): KubeObject[] {
  return [
    STRICT_SHOP, ALLOW_NOTHING,
    ap('shop', 'app2', { selector: { matchLabels: { app: 'app2' } }, action: 'ALLOW', rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/app1'] } }], to: [{ operation: { methods: ['GET'], ports: ['8080'] } }] }] }),
    ap('shop', 'db', { selector: { matchLabels: { app: 'db' } }, action: 'ALLOW', rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/app2'] } }], to: [{ operation: { ports: ['5432'] } }] }] }),
  ];
}

function cluster(...objects: KubeObject[]): ClusterModel {
  return buildClusterModel(objects.map((object, index) => ({ object, file: 'test.yaml', index })));
}

function wl(model: ClusterModel, ref: string): Workload {
  const w = model.workloads.find((x) => x.ref === ref);
  if (!w) throw new Error(`no workload ${ref}: ${model.workloads.map((x) => x.ref).join(', ')}`);
  return w;
}

const peer = (model: ClusterModel, ref: string, ip?: string): MeshPeer => ({ workload: wl(model, ref), ...(ip ? { ip } : {}) });
const NGINX: MeshPeer = { external: { name: 'ingress-nginx controller', namespace: 'ingress-nginx', podLabels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' } }, ip: '10.128.2.7' };

function req(source: MeshPeer, destination: MeshPeer, port: number, extra: Partial<MeshConnectionRequest> = {}): MeshConnectionRequest {
  return { source, destination, port, ...extra };
}

// ---------------------------------------------------------------------------------------------

describe('IstioModel: sidecar injection (webhook selectors, then the injector)', () => {
  test('a pod in a namespace labelled istio-injection=enabled is meshed', () => {
    const m = cluster(...base());
    const v = istio.isMeshed(m, wl(m, 'Deployment shop/app1'));
    expect(v.allowed).toBe(true);
    expect(v.reason).toContain('gets the Istio sidecar of the default revision: Namespace shop is labelled istio-injection=enabled');
  });

  test('the pod label sidecar.istio.io/inject=true injects in an unlabelled namespace; the annotation alone does not', () => {
    const m = cluster(...base(), deploy('legacy', 'keen', { labels: { 'app': 'keen', 'sidecar.istio.io/inject': 'true' } }),
      deploy('legacy', 'annotated', { annotations: { 'sidecar.istio.io/inject': 'true' } }));
    expect(istio.isMeshed(m, wl(m, 'Deployment legacy/keen')).reason).toContain('its pods are labelled sidecar.istio.io/inject=true');
    const v = istio.isMeshed(m, wl(m, 'Deployment legacy/annotated'));
    expect(v.allowed).toBe(false);
    expect(v.reason).toContain('are labelled for injection by the default revision');
  });

  test('fails: the pod label or annotation sidecar.istio.io/inject=false overrides the namespace; hostNetwork and kube-system are never injected', () => {
    const m = cluster(...base(),
      deploy('shop', 'batch', { labels: { 'app': 'batch', 'sidecar.istio.io/inject': 'false' } }),
      deploy('shop', 'old-style', { annotations: { 'sidecar.istio.io/inject': 'false' } }),
      deploy('shop', 'agent', { hostNetwork: true }));
    expect(istio.isMeshed(m, wl(m, 'Deployment shop/batch')).reason).toContain('labelled sidecar.istio.io/inject=false, which every injection webhook\'s objectSelector excludes');
    expect(istio.isMeshed(m, wl(m, 'Deployment shop/old-style')).reason).toContain('annotated sidecar.istio.io/inject: "false" (the injector honours it');
    expect(istio.isMeshed(m, wl(m, 'Deployment shop/agent')).reason).toContain('host network');
    expect(istio.isMeshed(m, wl(m, 'Deployment kube-system/coredns')).reason).toContain('never injects namespace kube-system');
  });

  test('a revision: istio.io/rev on the namespace, or on the pod when the namespace has neither label', () => {
    const canary = new IstioModel({ revision: 'canary' });
    const m = cluster(ns('a', { 'istio.io/rev': 'canary' }), deploy('a', 'x'), ns('b'), deploy('b', 'y', { labels: { 'app': 'y', 'istio.io/rev': 'canary' } }));
    expect(canary.isMeshed(m, wl(m, 'Deployment a/x')).reason).toContain('gets the Istio sidecar of revision canary: Namespace a is labelled istio.io/rev=canary');
    expect(canary.isMeshed(m, wl(m, 'Deployment b/y')).reason).toContain('its pods are labelled istio.io/rev=canary');
  });

  test('fails: a revision label that does not match the control plane modelled is not injected', () => {
    const m = cluster(ns('a', { 'istio.io/rev': 'canary' }), deploy('a', 'x'));
    const v = new IstioModel({ revision: 'stable' }).isMeshed(m, wl(m, 'Deployment a/x'));
    expect(v.allowed).toBe(false);
    expect(v.reason).toContain('Namespace a is labelled istio.io/rev=canary, not a revision or tag of this control plane (stable)');
    expect(istio.isMeshed(m, wl(m, 'Deployment a/x')).reason).toContain('not a revision or tag of this control plane (default)');
  });

  test('fails: with both namespace labels the legacy one wins, so a revision without the default tag injects nothing', () => {
    const m = cluster(ns('a', { 'istio-injection': 'enabled', 'istio.io/rev': 'canary' }), deploy('a', 'x'));
    const v = new IstioModel({ revision: 'canary' }).isMeshed(m, wl(m, 'Deployment a/x'));
    expect(v.allowed).toBe(false);
    expect(v.reason).toContain('the revision webhook requires istio-injection to be absent (the legacy label wins');
    // The revision tagged "default" serves istio-injection=enabled too.
    expect(new IstioModel({ revision: 'canary', revisionTags: ['default'] }).isMeshed(m, wl(m, 'Deployment a/x')).allowed).toBe(true);
  });

  test('AKS add-on: istio.io/rev=asm-1-24 injects; istio-injection=enabled is skipped', () => {
    const aks = new IstioModel({ flavour: 'aks', revision: 'asm-1-24' });
    expect(aks.controlPlaneNamespace).toBe('aks-istio-system');
    const m = cluster(ns('shop', { 'istio.io/rev': 'asm-1-24' }), deploy('shop', 'app'), ns('old', { 'istio-injection': 'enabled' }), deploy('old', 'legacy'));
    expect(aks.isMeshed(m, wl(m, 'Deployment shop/app')).reason).toContain('gets the Istio sidecar of revision asm-1-24');
    const skipped = aks.isMeshed(m, wl(m, 'Deployment old/legacy'));
    expect(skipped.allowed).toBe(false);
    expect(skipped.reason).toContain('istio-injection=enabled, which only the default revision\'s webhooks serve');
    expect(skipped.reason).toContain('the AKS add-on skips such namespaces');
    expect(aks.sidecarConnections(m, wl(m, 'Deployment shop/app'))[0]).toMatchObject({ namespace: 'aks-istio-system', service: 'aks-istio-system/istiod-asm-1-24', port: 15012, podLabels: { 'app': 'istiod', 'istio.io/rev': 'asm-1-24' } });
  });

  test('fails: the AKS flavour without a revision is refused', () => {
    expect(() => new IstioModel({ flavour: 'aks' })).toThrow('needs the revision');
  });

  test('a namespace only referenced (not declared) has unknown labels; an ambient namespace is not modelled', () => {
    const m = cluster(deploy('ghost', 'z'), ns('amb', { 'istio.io/dataplane-mode': 'ambient' }), deploy('amb', 'w'));
    expect(istio.isMeshed(m, wl(m, 'Deployment ghost/z')).reason).toContain('is not in the input, so its labels are unknown');
    expect(istio.isMeshed(m, wl(m, 'Deployment amb/w')).reason).toContain('ambient mode (ztunnel) is not modelled');
  });

  test('detect', () => {
    expect(istio.detect(cluster(...base()))).toBe(true);
    expect(istio.detect(cluster(ns('a'), deploy('a', 'x')))).toBe(false);
    expect(istio.detect(cluster(ns('a'), ALLOW_NOTHING))).toBe(true);
  });
});

describe('IstioModel: PeerAuthentication', () => {
  const app2 = (m: ClusterModel) => peer(m, 'Deployment shop/app2');

  test('no PeerAuthentication: PERMISSIVE, and with no AuthorizationPolicy an unmeshed source is allowed', () => {
    const m = cluster(...base());
    expect(istio.mtlsMode(m, wl(m, 'Deployment shop/app2'), 8080).mode).toBe('PERMISSIVE');
    const v = istio.connection(m, req(NGINX, app2(m), 8080));
    expect(v.allowed).toBe(true);
    expect(v.reason).toContain('no ALLOW AuthorizationPolicy selects Deployment shop/app2, so Istio allows it');
  });

  test('fails: STRICT refuses plaintext from an unmeshed source; PERMISSIVE accepts it', () => {
    const m = cluster(...base(), STRICT_SHOP);
    const v = istio.connection(m, req(NGINX, app2(m), 8080));
    expect(v.allowed).toBe(false);
    expect(v.reason).toContain('port 8080 is STRICT (PeerAuthentication shop/default (namespace-wide) sets STRICT): it takes only Istio mTLS from a mesh proxy, and ingress-nginx controller sends plaintext');
    const meshed = istio.connection(m, req(peer(m, 'Deployment shop/app1'), app2(m), 8080));
    expect(meshed.allowed).toBe(true);
    expect(meshed.reason).toContain('Istio mTLS (auto mTLS');
  });

  test('mesh-wide STRICT in the root namespace; a namespace UNSET inherits it; a workload policy overrides; port-level wins', () => {
    const m = cluster(...base(), pa('istio-system', 'default', { mtls: { mode: 'STRICT' } }), pa('shop', 'default', { mtls: { mode: 'UNSET' } }),
      pa('shop', 'app2', { selector: { matchLabels: { app: 'app2' } }, mtls: { mode: 'PERMISSIVE' }, portLevelMtls: { 9090: { mode: 'STRICT' }, 8080: { mode: 'UNSET' } } }));
    expect(istio.mtlsMode(m, wl(m, 'Deployment shop/app1'), 8080)).toMatchObject({ mode: 'STRICT', reason: 'PeerAuthentication istio-system/default (mesh-wide) sets STRICT' });
    expect(istio.mtlsMode(m, wl(m, 'Deployment shop/app2'), 8080)).toMatchObject({ mode: 'PERMISSIVE', reason: 'PeerAuthentication shop/app2 (workload) sets PERMISSIVE' });
    expect(istio.mtlsMode(m, wl(m, 'Deployment shop/app2'), 9090).reason).toContain('sets STRICT for port 9090 (portLevelMtls)');
    expect(istio.connection(m, req(NGINX, app2(m), 8080)).allowed).toBe(true);
    expect(istio.connection(m, req(NGINX, app2(m), 9090)).allowed).toBe(false);
  });

  test('a PeerAuthentication with a selector in the root namespace is ignored', () => {
    const m = cluster(...base(), pa('istio-system', 'app2', { selector: { matchLabels: { app: 'app2' } }, mtls: { mode: 'STRICT' } }));
    const mode = istio.mtlsMode(m, wl(m, 'Deployment shop/app2'), 8080);
    expect(mode.mode).toBe('PERMISSIVE');
    expect(mode.reason).toContain('has a selector in the root namespace, which istiod ignores');
  });

  test('fails: a workload-level DISABLE under a PERMISSIVE namespace: the meshed client still sends mTLS', () => {
    const m = cluster(...base(), pa('shop', 'app2', { selector: { matchLabels: { app: 'app2' } }, mtls: { mode: 'DISABLE' } }));
    const v = istio.connection(m, req(peer(m, 'Deployment shop/app1'), app2(m), 8080));
    expect(v.allowed).toBe(false);
    expect(v.reason).toContain('is DISABLE');
    // Namespace-level DISABLE turns auto mTLS off: plaintext, accepted.
    const m2 = cluster(...base(), pa('shop', 'default', { mtls: { mode: 'DISABLE' } }));
    const ok = istio.connection(m2, req(peer(m2, 'Deployment shop/app1'), peer(m2, 'Deployment shop/app2'), 8080));
    expect(ok.allowed).toBe(true);
    expect(ok.reason).toContain('plaintext: auto mTLS is off because PeerAuthentication shop/default sets DISABLE');
  });
});

describe('IstioModel: AuthorizationPolicy (the OSM suite\'s intent)', () => {
  const m = cluster(...base(), ...zeroTrust());
  const app1 = peer(m, 'Deployment shop/app1');
  const app2 = peer(m, 'Deployment shop/app2');
  const app3 = peer(m, 'Deployment shop/app3');
  const db = peer(m, 'Deployment shop/db');

  test('app1 -> app2: GET allowed by principal', () => {
    const v = istio.connection(m, req(app1, app2, 8080, { http: { method: 'GET', path: '/items/7' } }));
    expect(v.allowed).toBe(true);
    expect(v.reason).toContain('ALLOW AuthorizationPolicy shop/app2 admits cluster.local/ns/shop/sa/app1');
    expect(v.objects).toEqual(expect.arrayContaining(['Service shop/app2', 'PeerAuthentication shop/default', 'AuthorizationPolicy shop/app2']));
  });

  test('fails: app1 -> app2 POST is denied (GET only)', () => {
    const v = istio.connection(m, req(app1, app2, 8080, { http: { method: 'POST', path: '/orders' } }));
    expect(v.allowed).toBe(false);
    expect(v.reason).toContain('none admits cluster.local/ns/shop/sa/app1');
    expect(v.reason).toContain('it needs methods GET');
    expect(v.reason).toContain('AuthorizationPolicy shop/allow-nothing does not match (it has no rules, so it matches nothing');
  });

  test('app1 -> app2 without a particular request: allowed, naming the requests', () => {
    const v = istio.connection(m, req(app1, app2, 8080));
    expect(v.allowed).toBe(true);
    expect(v.reason).toContain('ALLOW AuthorizationPolicy shop/app2 admits cluster.local/ns/shop/sa/app1 for methods GET');
  });

  test('fails: another service account is denied', () => {
    const v = istio.connection(m, req(app3, app2, 8080, { http: { method: 'GET', path: '/' } }));
    expect(v.allowed).toBe(false);
    expect(v.reason).toContain('none admits cluster.local/ns/shop/sa/app3');
    expect(v.reason).toContain('it needs principals cluster.local/ns/shop/sa/app1');
  });

  test('fails: a caller in another namespace is denied unless a rule names its principal or namespace', () => {
    const objs = [...base(), ...zeroTrust(), meshNs('other'), deploy('other', 'client')];
    const m1 = cluster(...objs);
    const client = peer(m1, 'Deployment other/client');
    const v = istio.connection(m1, req(client, peer(m1, 'Deployment shop/app2'), 8080, { http: { method: 'GET', path: '/' } }));
    expect(v.allowed).toBe(false);
    expect(v.reason).toContain('none admits cluster.local/ns/other/sa/client');
    const m2 = cluster(...objs, ap('shop', 'from-other', { selector: { matchLabels: { app: 'app2' } }, rules: [{ from: [{ source: { namespaces: ['other'] } }] }] }));
    const ok = istio.connection(m2, req(peer(m2, 'Deployment other/client'), peer(m2, 'Deployment shop/app2'), 8080, { http: { method: 'GET', path: '/' } }));
    expect(ok.allowed).toBe(true);
    expect(ok.reason).toContain('ALLOW AuthorizationPolicy shop/from-other admits cluster.local/ns/other/sa/client');
  });

  test('fails: the allow-nothing policy alone denies everything in its namespace', () => {
    const m1 = cluster(...base(), ALLOW_NOTHING);
    const v = istio.connection(m1, req(peer(m1, 'Deployment shop/app2'), peer(m1, 'Deployment shop/db'), 5432));
    expect(v.allowed).toBe(false);
    expect(v.reason).toContain('ALLOW policies select Deployment shop/db (AuthorizationPolicy shop/allow-nothing) and none admits');
  });

  test('app2 -> db on the TCP port: allowed by principal and port; another port denied', () => {
    const ok = istio.connection(m, req(app2, db, 5432));
    expect(ok.allowed).toBe(true);
    expect(ok.reason).toContain('port 5432 is TCP (appProtocol tcp of Service shop/db port 5432): TCP filter chain');
    const no = istio.connection(m, req(app2, db, 9000));
    expect(no.allowed).toBe(false);
    expect(no.reason).toContain('it needs ports 5432');
  });

  test('rules: [{}] allows everything; DENY wins over ALLOW; a dry-run policy is not enforced', () => {
    const allowAll = cluster(...base(), STRICT_SHOP, ap('shop', 'allow-all', { rules: [{}] }));
    expect(istio.connection(allowAll, req(peer(allowAll, 'Deployment shop/app3'), peer(allowAll, 'Deployment shop/db'), 9000)).allowed).toBe(true);
    const deny = cluster(...base(), ...zeroTrust(), ap('shop', 'no-app1', { action: 'DENY', rules: [{ from: [{ source: { principals: ['*/ns/shop/sa/app1'] } }] }] }));
    const d = istio.connection(deny, req(peer(deny, 'Deployment shop/app1'), peer(deny, 'Deployment shop/app2'), 8080, { http: { method: 'GET', path: '/' } }));
    expect(d.allowed).toBe(false);
    expect(d.reason).toContain('DENY AuthorizationPolicy shop/no-app1 matches cluster.local/ns/shop/sa/app1');
    const dry = cluster(...base(), ap('shop', 'shadow', { rules: [] }, { 'istio.io/dry-run': 'true' }));
    const s = istio.connection(dry, req(peer(dry, 'Deployment shop/app1'), peer(dry, 'Deployment shop/app2'), 8080));
    expect(s.allowed).toBe(true);
    expect(s.reason).toContain('is istio.io/dry-run: not enforced');
  });

  test('fails: a CUSTOM policy matching the request cannot be decided offline', () => {
    const m1 = cluster(...base(), ap('shop', 'ext', { action: 'CUSTOM', provider: { name: 'opa' }, rules: [{ to: [{ operation: { ports: ['8080'] } }] }] }));
    const v = istio.connection(m1, req(peer(m1, 'Deployment shop/app1'), peer(m1, 'Deployment shop/app2'), 8080));
    expect(v.allowed).toBe(false);
    expect(v.reason).toContain('CUSTOM AuthorizationPolicy shop/ext sends the request to the external authorizer opa');
  });

  test('fails: principals and namespaces need mTLS: a plaintext source has no identity; ipBlocks do not', () => {
    const byNs = cluster(...base(), ap('shop', 'ns', { selector: { matchLabels: { app: 'app2' } }, rules: [{ from: [{ source: { namespaces: ['ingress-nginx'] } }] }] }));
    const v = istio.connection(byNs, req(NGINX, peer(byNs, 'Deployment shop/app2'), 8080));
    expect(v.allowed).toBe(false);
    expect(v.reason).toContain('ingress-nginx controller (no mesh identity: not Istio mTLS)');
    const byIp = cluster(...base(), ap('shop', 'ip', { selector: { matchLabels: { app: 'app2' } }, rules: [{ from: [{ source: { ipBlocks: ['10.128.0.0/14'] } }] }] }));
    expect(istio.connection(byIp, req(NGINX, peer(byIp, 'Deployment shop/app2'), 8080)).allowed).toBe(true);
    expect(istio.connection(byIp, req({ ...NGINX, ip: '192.0.2.1' }, peer(byIp, 'Deployment shop/app2'), 8080)).allowed).toBe(false);
  });

  test('serviceAccounts (ns/sa) and a custom trust domain: cluster.local principals still match (trust domain rewrite)', () => {
    const mc: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio', namespace: 'istio-system' }, data: { mesh: 'trustDomain: corp.example\n' } };
    const m1 = cluster(...base(), mc, ap('shop', 'app2', { selector: { matchLabels: { app: 'app2' } }, rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/app1'] } }] }] }),
      ap('shop', 'db', { selector: { matchLabels: { app: 'db' } }, rules: [{ from: [{ source: { serviceAccounts: ['shop/app2'] } }] }] }));
    expect(istio.principal(m1, wl(m1, 'Deployment shop/app1'))).toBe('corp.example/ns/shop/sa/app1');
    expect(istio.connection(m1, req(peer(m1, 'Deployment shop/app1'), peer(m1, 'Deployment shop/app2'), 8080)).allowed).toBe(true);
    expect(istio.connection(m1, req(peer(m1, 'Deployment shop/app2'), peer(m1, 'Deployment shop/db'), 5432)).allowed).toBe(true);
    expect(istio.connection(m1, req(peer(m1, 'Deployment shop/app3'), peer(m1, 'Deployment shop/db'), 5432)).allowed).toBe(false);
  });

  test('scope: a root-namespace policy with a selector applies in every namespace; a targetRefs policy is ignored by sidecars', () => {
    const root = cluster(...base(), ap('istio-system', 'deny-db', { selector: { matchLabels: { app: 'db' } }, action: 'DENY', rules: [{}] }));
    expect(istio.connection(root, req(peer(root, 'Deployment shop/app2'), peer(root, 'Deployment shop/db'), 5432)).reason).toContain('DENY AuthorizationPolicy istio-system/deny-db');
    const targeted = cluster(...base(), ap('shop', 'gw-only', { targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'web' }], rules: [] }));
    expect(istio.connection(targeted, req(peer(targeted, 'Deployment shop/app2'), peer(targeted, 'Deployment shop/db'), 5432)).allowed).toBe(true);
  });
});

describe('IstioModel: HTTP-only fields on a port Istio treats as TCP', () => {
  test('fails: an ALLOW rule with methods on a tcp port is dropped by istiod, so the policy denies everything', () => {
    const m = cluster(...base(), ap('shop', 'db', { selector: { matchLabels: { app: 'db' } }, rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/app2'] } }], to: [{ operation: { methods: ['GET'], ports: ['5432'] } }] }] }));
    const v = istio.connection(m, req(peer(m, 'Deployment shop/app2'), peer(m, 'Deployment shop/db'), 5432));
    expect(v.allowed).toBe(false);
    expect(v.reason).toContain('uses HTTP-only fields (to.operation.methods) on a TCP filter chain, so istiod skips the whole rule');
  });

  test('fails: the same on an https port (TLS the app terminates is opaque to the proxy)', () => {
    const m = cluster(...base(), deploy('shop', 'secure', { ports: [8443] }), service('shop', 'secure', [{ name: 'https', port: 443, targetPort: 8443 }]),
      ap('shop', 'secure', { selector: { matchLabels: { app: 'secure' } }, rules: [{ to: [{ operation: { paths: ['/api*'] } }] }] }));
    const v = istio.connection(m, req(peer(m, 'Deployment shop/app1'), peer(m, 'Deployment shop/secure'), 8443, { transport: 'https' }));
    expect(v.allowed).toBe(false);
    expect(v.reason).toContain('port 8443 is HTTPS (port name https of Service shop/secure port 443): TCP filter chain');
    expect(v.reason).toContain('to.operation.paths');
  });

  test('a DENY rule with only methods on a tcp port loses them and denies all TCP', () => {
    const m = cluster(...base(), ap('shop', 'no-delete', { selector: { matchLabels: { app: 'db' } }, action: 'DENY', rules: [{ to: [{ operation: { methods: ['DELETE'] } }] }] }));
    const v = istio.connection(m, req(peer(m, 'Deployment shop/app2'), peer(m, 'Deployment shop/db'), 5432));
    expect(v.allowed).toBe(false);
    expect(v.reason).toContain('DENY AuthorizationPolicy shop/no-delete matches');
  });

  test('the same ALLOW rule on an http port works', () => {
    const m = cluster(...base(), ap('shop', 'app2', { selector: { matchLabels: { app: 'app2' } }, rules: [{ to: [{ operation: { methods: ['GET'], paths: ['/api*'] } }] }] }));
    const app1 = peer(m, 'Deployment shop/app1');
    expect(istio.connection(m, req(app1, peer(m, 'Deployment shop/app2'), 8080, { http: { method: 'GET', path: '/api/v1' } })).allowed).toBe(true);
    expect(istio.connection(m, req(app1, peer(m, 'Deployment shop/app2'), 8080, { http: { method: 'GET', path: '/admin' } })).allowed).toBe(false);
  });
});

describe('IstioModel: protocol selection', () => {
  test('appProtocol over the port name; name prefixes; h2c; well-known TCP ports; sniffing', () => {
    const m = cluster(...base(), deploy('shop', 'p', { ports: [1, 2, 3, 4, 5, 3306] }),
      service('shop', 'p', [
        { name: 'tcp-x', port: 1, appProtocol: 'http' }, { name: 'grpc-web-ui', port: 2 }, { port: 3, appProtocol: 'kubernetes.io/h2c' },
        { name: 'web', port: 4 }, { name: 'HTTP2-api', port: 5 }, { name: 'db', port: 3306 },
      ]));
    const w = wl(m, 'Deployment shop/p');
    expect(istio.portProtocol(m, w, 1)).toMatchObject({ protocol: 'HTTP', chain: 'http' });
    expect(istio.portProtocol(m, w, 2)).toMatchObject({ protocol: 'GRPC-Web', chain: 'http' });
    expect(istio.portProtocol(m, w, 3)).toMatchObject({ protocol: 'HTTP2', chain: 'http' });
    expect(istio.portProtocol(m, w, 4)).toMatchObject({ protocol: 'UnsupportedProtocol', chain: 'auto' });
    expect(istio.portProtocol(m, w, 5)).toMatchObject({ protocol: 'HTTP2' });
    expect(istio.portProtocol(m, w, 3306)).toMatchObject({ protocol: 'TCP', chain: 'tcp' });
    expect(istio.portProtocol(m, wl(m, 'Deployment shop/app1'), 8080).how).toContain('inbound passthrough chain');
  });

  test('fails: TLS from the app to a port declared http cannot pass', () => {
    const m = cluster(...base());
    const v = istio.connection(m, req(peer(m, 'Deployment shop/app1'), peer(m, 'Deployment shop/app2'), 8080, { transport: 'https' }));
    expect(v.allowed).toBe(false);
    expect(v.reason).toContain('parses HTTP there and cannot carry TLS');
  });
});

describe('IstioModel: egress (outbound traffic policy, Sidecar, ServiceEntry)', () => {
  const app1 = (m: ClusterModel) => peer(m, 'Deployment shop/app1');
  const API: MeshPeer = { external: { name: 'api.example.com' }, ip: '203.0.113.10', host: 'api.example.com' };
  const sidecar = (spec: Record<string, unknown>) => istioObj('Sidecar', 'shop', 'default', spec);

  test('ALLOW_ANY (the default): an unknown destination passes through', () => {
    const m = cluster(...base());
    const v = istio.outbound(m, req(app1(m), API, 443));
    expect(v.allowed).toBe(true);
    expect(v.reason).toContain("the outbound traffic policy is ALLOW_ANY (Istio's default");
  });

  test('fails: REGISTRY_ONLY (a Sidecar of the namespace) drops a host without a ServiceEntry', () => {
    const m = cluster(...base(), sidecar({ outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } }));
    const v = istio.outbound(m, req(app1(m), API, 443));
    expect(v.allowed).toBe(false);
    expect(v.reason).toContain('REGISTRY_ONLY (Sidecar shop/default spec.outboundTrafficPolicy) and no ServiceEntry admits it');
  });

  test('REGISTRY_ONLY with a ServiceEntry for the host: allowed for that host only', () => {
    const se = istioObj('ServiceEntry', 'shop', 'api', { hosts: ['api.example.com'], ports: [{ number: 443, name: 'tls', protocol: 'TLS' }], location: 'MESH_EXTERNAL', resolution: 'DNS', exportTo: ['.'] });
    const m = cluster(...base(), sidecar({ outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } }), se);
    const ok = istio.outbound(m, req(app1(m), API, 443, { transport: 'https' }));
    expect(ok.allowed).toBe(true);
    expect(ok.reason).toContain('ServiceEntry shop/api takes TLS server name api.example.com on port 443');
    const other = istio.outbound(m, req(app1(m), { external: { name: 'gitlab' }, ip: '198.51.100.1', host: 'gitlab.com' }, 443));
    expect(other.allowed).toBe(false);
    expect(other.reason).toContain('matches the server name api.example.com, not gitlab.com');
  });

  test('REGISTRY_ONLY from the mesh config ConfigMap; a Sidecar with outboundTrafficPolicy {} is REGISTRY_ONLY (the enum\'s zero value)', () => {
    const mc: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio', namespace: 'istio-system' }, data: { mesh: 'outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n' } };
    const m = cluster(...base(), mc);
    expect(istio.settings(m)).toMatchObject({ outboundTrafficPolicy: 'REGISTRY_ONLY', outboundTrafficPolicySource: 'ConfigMap istio-system/istio outboundTrafficPolicy' });
    expect(istio.outbound(m, req(app1(m), API, 443)).allowed).toBe(false);
    const m2 = cluster(...base(), sidecar({ outboundTrafficPolicy: {} }));
    expect(istio.outbound(m2, req(app1(m2), API, 443)).allowed).toBe(false);
  });

  test('a Sidecar importing only ./* and istio-system/* hides other namespaces\' Services: passthrough under ALLOW_ANY, dropped under REGISTRY_ONLY', () => {
    const allowAny = cluster(...base(), sidecar({ egress: [{ hosts: ['./*', 'istio-system/*'] }] }));
    const old = (m: ClusterModel) => peer(m, 'Deployment legacy/old');
    const v = istio.outbound(allowAny, req(app1(allowAny), old(allowAny), 8080));
    expect(v.allowed).toBe(true);
    expect(v.reason).toContain('Sidecar shop/default (the Sidecar scope of Deployment shop/app1) does not import old.legacy.svc.cluster.local on port 80');
    const strict = cluster(...base(), sidecar({ egress: [{ hosts: ['./*', 'istio-system/*'] }], outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } }));
    expect(istio.outbound(strict, req(app1(strict), old(strict), 8080)).allowed).toBe(false);
    // Same-namespace Services stay visible.
    expect(istio.outbound(strict, req(app1(strict), peer(strict, 'Deployment shop/app2'), 8080)).allowed).toBe(true);
  });

  test('a TCP ServiceEntry without addresses takes any destination on its port', () => {
    const se = istioObj('ServiceEntry', 'shop', 'pg', { hosts: ['db.example.com'], ports: [{ number: 5432, name: 'tcp', protocol: 'TCP' }], resolution: 'DNS' });
    const m = cluster(...base(), sidecar({ outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } }), se);
    const v = istio.outbound(m, req(app1(m), { external: { name: 'somewhere' }, ip: '192.0.2.50' }, 5432));
    expect(v.allowed).toBe(true);
    expect(v.reason).toContain('has no addresses, so its TCP port 5432 takes any destination on that port');
  });

  test('UDP is never intercepted; an external peer of the cluster (DNS) is a Service of the registry', () => {
    const m = cluster(...base(), sidecar({ outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' }, egress: [{ hosts: ['./*', 'kube-system/*'] }] }));
    const dns: MeshPeer = { external: { name: 'the cluster DNS', namespace: 'openshift-dns', podLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default' } } };
    expect(istio.outbound(m, req(app1(m), dns, 53, { protocol: 'UDP' })).reason).toContain('redirect only TCP');
    const tcp = istio.outbound(m, req(app1(m), dns, 5353));
    expect(tcp.allowed).toBe(false);
    expect(tcp.reason).toContain('does not import');
  });
});

describe('IstioModel: gateways as sources', () => {
  function gatewayObjects(): KubeObject[] {
    return [
      ns('istio-ingress'),
      deploy('istio-ingress', 'istio-ingressgateway', {
        sa: 'istio-ingressgateway', ports: [8080],
        labels: { 'app': 'istio-ingressgateway', 'istio': 'ingressgateway', 'sidecar.istio.io/inject': 'true' },
        annotations: { 'inject.istio.io/templates': 'gateway' },
      }),
    ];
  }
  const gwRule = ap('shop', 'app2-from-gateway', { selector: { matchLabels: { app: 'app2' } }, rules: [{ from: [{ source: { principals: ['cluster.local/ns/istio-ingress/sa/istio-ingressgateway'] } }], to: [{ operation: { ports: ['8080'], methods: ['GET'] } }] }] });

  test('an injected gateway has a mesh identity and sends Istio mTLS to a meshed backend', () => {
    const m = cluster(...base(), ...gatewayObjects(), ...zeroTrust(), gwRule);
    const gw = wl(m, 'Deployment istio-ingress/istio-ingressgateway');
    expect(istio.isMeshed(m, gw).allowed).toBe(true);
    expect(istio.isGateway(m, gw)).toBe(true);
    expect(istio.injectedContainers(m, gw).map((c) => c.name)).toEqual(['istio-proxy']);
    const v = istio.connection(m, req({ workload: gw }, peer(m, 'Deployment shop/app2'), 8080, { http: { method: 'GET', path: '/' } }));
    expect(v.allowed).toBe(true);
    expect(v.reason).toContain('Deployment istio-ingress/istio-ingressgateway (an Istio gateway) sends it to Service shop/app2 port 80 with Istio mTLS');
    expect(v.reason).toContain('ALLOW AuthorizationPolicy shop/app2-from-gateway admits cluster.local/ns/istio-ingress/sa/istio-ingressgateway');
  });

  test('a Gateway API gateway of class istio: istiod\'s pods run as <name>-istio', () => {
    const gateway: KubeObject = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'web', namespace: 'istio-ingress' }, spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } };
    const rule = ap('shop', 'app2-from-web', { selector: { matchLabels: { app: 'app2' } }, rules: [{ from: [{ source: { principals: ['cluster.local/ns/istio-ingress/sa/web-istio'] } }] }] });
    const m = cluster(...base(), ns('istio-ingress'), gateway, STRICT_SHOP, ALLOW_NOTHING, rule);
    const pods: MeshPeer = { external: { name: 'the web gateway', namespace: 'istio-ingress', podLabels: { 'gateway.networking.k8s.io/gateway-name': 'web' } } };
    const v = istio.connection(m, req(pods, peer(m, 'Deployment shop/app2'), 8080));
    expect(v.allowed).toBe(true);
    expect(v.reason).toContain('Gateway istio-ingress/web (an Istio gateway) sends it');
    expect(v.reason).toContain('admits cluster.local/ns/istio-ingress/sa/web-istio');
  });

  test('fails: a BackendTLSPolicy (a DestinationRule with tls SIMPLE) replaces mesh mTLS, which STRICT then refuses', () => {
    const btp: KubeObject = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'BackendTLSPolicy', metadata: { name: 'app2', namespace: 'shop' }, spec: { targetRefs: [{ group: '', kind: 'Service', name: 'app2' }], validation: { hostname: 'app2.shop.svc' } } };
    const m = cluster(...base(), ...gatewayObjects(), ...zeroTrust(), gwRule, btp);
    const v = istio.connection(m, req({ workload: wl(m, 'Deployment istio-ingress/istio-ingressgateway') }, peer(m, 'Deployment shop/app2'), 8080));
    expect(v.allowed).toBe(false);
    expect(v.reason).toContain('TLS SIMPLE (BackendTLSPolicy shop/app2 (as the DestinationRule istiod derives from it)), which replaces Istio mTLS');
    expect(v.reason).toContain('is STRICT');
  });

  test('a DestinationRule with tls ISTIO_MUTUAL keeps mTLS; DISABLE sends plaintext', () => {
    const dr = (mode: string) => istioObj('DestinationRule', 'shop', 'app2', { host: 'app2', trafficPolicy: { tls: { mode } } });
    const m = cluster(...base(), STRICT_SHOP, dr('DISABLE'));
    const v = istio.connection(m, req(peer(m, 'Deployment shop/app1'), peer(m, 'Deployment shop/app2'), 8080));
    expect(v.allowed).toBe(false);
    expect(v.reason).toContain('no TLS (DestinationRule shop/app2 tls.mode DISABLE)');
    const m2 = cluster(...base(), STRICT_SHOP, dr('ISTIO_MUTUAL'));
    expect(istio.connection(m2, req(peer(m2, 'Deployment shop/app1'), peer(m2, 'Deployment shop/app2'), 8080)).allowed).toBe(true);
  });
});

describe('IstioModel: the sidecar\'s own connections', () => {
  test('a meshed pod\'s proxy needs istiod on 15012 (not intercepted) and DNS; an unmeshed pod needs nothing', () => {
    const m = cluster(...base());
    const conns = istio.sidecarConnections(m, wl(m, 'Deployment shop/app1'));
    expect(conns.map((c) => `${c.service ?? ''}:${c.port}/${c.protocol}`)).toEqual(['istio-system/istiod:15012/TCP', ':53/UDP']);
    expect(conns[0].podLabels).toEqual({ 'app': 'istiod', 'istio.io/rev': 'default' });
    expect(istio.sidecarConnections(m, wl(m, 'Deployment legacy/old'))).toEqual([]);
  });

  test('CNI or not: the injected init container', () => {
    const m = cluster(...base());
    const w = wl(m, 'Deployment shop/app1');
    expect(istio.injectedContainers(m, w).map((c) => c.name)).toEqual(['istio-init', 'istio-proxy']);
    expect(new IstioModel({ cni: true }).injectedContainers(m, w).map((c) => c.name)).toEqual(['istio-validation', 'istio-proxy']);
    expect(new IstioModel({ flavour: 'openshift-service-mesh' }).cni).toBe(true);
    expect(istio.injectedContainers(m, wl(m, 'Deployment legacy/old'))).toEqual([]);
  });
});
