import type { IngressControllerProfile } from '../spec/profiles/ingress-nginx';
import type { ResolvedGateway } from '../spec/profiles/gateways';
import { GatewayEntrySource, gatewayEntries, gatewayEntry } from './gateway-api';
import type { PlatformProfile } from '../spec/profiles/platform-profile';
import { namespaceLabels, resolveTargetPort, selectorMatches, servicePods, workloadEndpoint } from './cluster';
import type { IMeshModel, MeshConnectionRequest, MeshPeer } from './mesh/mesh-model';
import type { ClusterModel, KubeObject, NetworkEndpoint, PodEndpoint, ServiceInfo, Verdict, Workload } from './model';
import { objectRef } from './model';
import { admittedPeers, connectionVerdict } from './network-policy';

/**
 * Who can reach what, from manifests alone: every source (the router, each ingress controller,
 * each workload, a pod of an unrelated namespace, an address outside the cluster) against every
 * workload port, and each workload against the destinations it may need (DNS, the API server,
 * the mesh control plane, declared external addresses, anywhere else). A path is allowed only
 * when every layer lets it through: the entry point (a Route or an Ingress sends there), Kubernetes
 * NetworkPolicy (the source's egress and the destination's ingress), and the mesh (the source's
 * sidecar lets it out and the destination's sidecar lets it in).
 */

/** A source of traffic in the truth table. */
export interface TrafficSource {
  /** Stable id: `router`, `ingress:<namespace>`, `app:<namespace>/<workload>`, `other-namespace`, `outside`. */
  readonly id: string;
  /** How the table names it. */
  readonly label: string;
  /** router, ingress-controller, workload, other-namespace, outside. */
  readonly kind: string;
  readonly endpoint: NetworkEndpoint;
  readonly meshPeer: MeshPeer;
  /** @default - not a workload of the input */
  readonly workload?: Workload;
  /** For ingress controllers: the IngressClass names they serve. @default - every class */
  readonly classNames?: string[];
  /** For Gateway API gateways: the gateway source. @default - not a gateway */
  readonly gatewaySource?: GatewayEntrySource;
}

/** A destination: a workload's port, or a place a workload may need to reach. */
export interface TrafficDestination {
  /** Stable id: `<namespace>/<workload>:<port>`, `dns`, `kubernetes-api`, `mesh:<description>`, `external:<ip>:<port>`, `anywhere`. */
  readonly id: string;
  readonly label: string;
  /** workload-port, dns, kubernetes-api, control-plane, external, anywhere. */
  readonly kind: string;
  /** Where NetworkPolicy sees the packets go (after Service DNAT). */
  readonly endpoint: NetworkEndpoint;
  /** The port NetworkPolicy sees (the pod's port). */
  readonly port: number;
  /** TCP or UDP. */
  readonly protocol: string;
  /** The mesh's view of the destination (pre-DNAT address, host name). */
  readonly meshPeer: MeshPeer;
  /** The port the source dials (pre-DNAT), for the mesh's interception rules. */
  readonly dialPort: number;
  /** @default - not a workload */
  readonly workload?: Workload;
  /** Connections made by a sidecar itself are not intercepted: the mesh does not decide them. @default false */
  readonly bySidecar?: boolean;
}

/** One source against one destination. */
export interface PathVerdict {
  readonly source: string;
  readonly destination: string;
  readonly allowed: boolean;
  /** The deciding layer's reason (the first that denies, or every layer that allows). */
  readonly reason: string;
  /** The objects that decided. */
  readonly objects: string[];
}

/** A destination outside the cluster to probe (from the specs, or from the policies). */
export interface ExternalProbe {
  readonly name: string;
  readonly ip: string;
  readonly port: number;
  /** The host name the source dials. @default - none */
  readonly host?: string;
}

export interface ReachabilityOptions {
  readonly platform: PlatformProfile;
  readonly ingressControllers: IngressControllerProfile[];
  /** The meshes whose semantics apply (those that detect themselves in the input). @default - none */
  readonly meshes?: IMeshModel[];
  /** External destinations to probe besides "anywhere". @default - none */
  readonly externalProbes?: ExternalProbe[];
  /** An address outside the cluster that nothing should admit. @default "203.0.113.10" (TEST-NET-3) */
  readonly outsideAddress?: string;
  /** Gateway API Gateways whose pods are sources (their routes are entry points). @default - none */
  readonly gateways?: ResolvedGateway[];
  /** The mesh's trust domain, for gateway principals. @default "cluster.local" */
  readonly trustDomain?: string;
  /**
   * Whether each verdict carries its reason and the objects that decided. Without, a verdict's
   * reason only names the layers that decided (`entry`, `network policy`, `mesh (<name>)`) and
   * its objects are empty: a table of a large output then takes a fraction of the memory (the
   * reasons of 20,000 apps hold over 100 MB); `verifyObjects` asks for the reasons again only
   * when it has a path to report.
   * @default true
   */
  readonly explain?: boolean;
}

/** The whole table. */
export interface ReachabilityReport {
  readonly sources: TrafficSource[];
  readonly destinations: TrafficDestination[];
  /** Every pair evaluated, allowed or not (pairs a NetworkPolicy index rules out are counted in `deniedWithoutEvaluation`). */
  readonly paths: PathVerdict[];
  /** Pairs denied by the destination's NetworkPolicy isolation without a per-pair evaluation. */
  readonly deniedWithoutEvaluation: number;
}

const OTHER_NAMESPACE = 'zz-cdk8s-zerotrust-probe';

/** Evaluates every source against every destination. */
export function analyzeReachability(model: ClusterModel, options: ReachabilityOptions): ReachabilityReport {
  const outside = options.outsideAddress ?? '203.0.113.10';
  const meshes = (options.meshes ?? []).filter((m) => m.detect(model));
  const sources = trafficSources(model, options, outside);
  const workloadDests = model.workloads.flatMap((w) => w.ports.filter((p) => p.protocol === 'TCP').map((p): TrafficDestination => ({
    id: `${w.namespace}/${w.name}:${p.containerPort}`,
    label: `${w.ref} port ${p.name ? `${p.name} (${p.containerPort})` : p.containerPort}`,
    kind: 'workload-port',
    endpoint: { pod: workloadEndpoint(model, w) },
    port: p.containerPort,
    protocol: 'TCP',
    meshPeer: { workload: w },
    dialPort: p.containerPort,
    workload: w,
  })));
  const paths: PathVerdict[] = [];
  let skipped = 0;
  const entries: EntryIndex = { model, routes: byService(entryRoutes(model)), ingresses: byService(entryIngresses(model)), services: serviceIndex(model), gateway: ingressGatewayPrincipal(model) };
  const byLabel = sourceIndex(sources);
  const otherSources = sources.filter((s) => !s.workload || s.workload.hostNetwork);
  const order = new Map(sources.map((s, i) => [s, i]));
  const explain = options.explain ?? true;

  for (const dest of workloadDests) {
    const candidates = candidateSources(model, sources, byLabel, otherSources, order, dest);
    skipped += sources.length - candidates.length;
    for (const source of candidates) {
      if (source.workload && source.workload === dest.workload) continue;
      paths.push(judge(model, meshes, source, dest, entryFor(source, dest, entries), explain));
    }
  }

  const destinations = [...workloadDests];
  const destinationIds = new Set(destinations.map((d) => d.id));
  for (const source of sources.filter((s) => s.workload)) {
    for (const dest of egressDestinations(model, meshes, source.workload!, options, outside)) {
      if (!destinationIds.has(dest.id)) { destinationIds.add(dest.id); destinations.push(dest); }
      paths.push(judge(model, meshes, source, dest, { applies: true, allowed: true, transport: undefined }, explain));
    }
  }
  return { sources, destinations, paths, deniedWithoutEvaluation: skipped };
}

/** The sources of the table. */
function trafficSources(model: ClusterModel, options: ReachabilityOptions, outside: string): TrafficSource[] {
  const out: TrafficSource[] = [];
  const router = options.platform.router;
  if (router) {
    const pod: PodEndpoint = {
      namespace: router.namespace,
      namespaceLabels: { ...namespaceLabels(model, router.namespace), ...router.peer.namespaceLabels },
      labels: router.podLabels,
      ports: [],
      hostNetwork: false,
    };
    out.push({
      id: 'router', label: 'OpenShift router', kind: 'router', endpoint: { pod },
      meshPeer: { external: { name: 'the OpenShift router', namespace: router.namespace, podLabels: router.podLabels, services: [`${router.namespace}/${router.serviceName}`] } },
    });
  }
  for (const c of options.ingressControllers) {
    const pod: PodEndpoint = { namespace: c.namespace, namespaceLabels: namespaceLabels(model, c.namespace), labels: c.podLabels, ports: [], hostNetwork: false };
    out.push({
      id: `ingress:${c.namespace}`, label: `ingress controller (${c.namespace})`, kind: 'ingress-controller', endpoint: { pod },
      meshPeer: { external: { name: `the ingress controller in ${c.namespace}`, namespace: c.namespace, podLabels: c.podLabels, services: [`${c.namespace}/${c.serviceName}`], serviceAccount: c.serviceAccount } },
      classNames: c.classNames,
    });
  }
  for (const g of gatewayEntries(model, options.gateways ?? [], options.trustDomain)) {
    // The ServiceAccount of pods that are Istio mesh workloads (the implementation's profile says so): their identity.
    const external = g.meshPeer.external && g.principal !== undefined ? { ...g.meshPeer.external, serviceAccount: g.gateway.serviceAccount } : g.meshPeer.external;
    out.push({ ...g, meshPeer: { ...g.meshPeer, external }, gatewaySource: g });
  }
  for (const w of model.workloads) {
    out.push({ id: `app:${w.namespace}/${w.name}`, label: `${w.ref} (service account ${w.serviceAccount})`, kind: 'workload', endpoint: { pod: workloadEndpoint(model, w) }, meshPeer: { workload: w }, workload: w });
  }
  out.push({
    id: 'other-namespace', label: 'a pod in another namespace', kind: 'other-namespace',
    endpoint: { pod: { namespace: OTHER_NAMESPACE, namespaceLabels: { 'kubernetes.io/metadata.name': OTHER_NAMESPACE }, labels: { app: 'probe' }, ports: [], hostNetwork: false } },
    meshPeer: { external: { name: 'a pod in another namespace', namespace: OTHER_NAMESPACE, podLabels: { app: 'probe' } } },
  });
  out.push({ id: 'outside', label: `an address outside the cluster (${outside})`, kind: 'outside', endpoint: { ip: outside }, meshPeer: { external: { name: 'a client outside the cluster' }, ip: outside } });
  return out;
}

/** How a source reaches a destination: whether an entry point sends it there, and how it speaks. */
interface Entry {
  /** The source is an entry point (router, controller): it only sends where its objects point. */
  readonly applies: boolean;
  readonly allowed: boolean;
  readonly verdict?: Verdict;
  readonly transport?: string;
  readonly principal?: string;
  readonly service?: string;
}

interface RouteEntry { readonly route: KubeObject; readonly service: string; readonly port?: string | number; readonly transport: string }
interface IngressEntry { readonly ingress: KubeObject; readonly className?: string; readonly service: string; readonly port: string | number; readonly transport: string; readonly proxySslSecret?: string }

function entryRoutes(model: ClusterModel): RouteEntry[] {
  const out: RouteEntry[] = [];
  for (const { object: r } of model.objects) {
    if (r.kind !== 'Route' || !r.apiVersion.startsWith('route.openshift.io/')) continue;
    const termination = r.spec?.tls?.termination;
    const transport = termination === 'reencrypt' || termination === 'passthrough' ? 'https' : 'http';
    const ns = r.metadata.namespace ?? 'default';
    const backends = [r.spec?.to, ...(r.spec?.alternateBackends ?? [])].filter((b) => b && b.kind === 'Service' && typeof b.name === 'string');
    for (const b of backends) out.push({ route: r, service: `${ns}/${b.name}`, port: r.spec?.port?.targetPort, transport });
  }
  return out;
}

function entryIngresses(model: ClusterModel): IngressEntry[] {
  const out: IngressEntry[] = [];
  for (const { object: i } of model.objects) {
    if (i.kind !== 'Ingress' || !i.apiVersion.startsWith('networking.k8s.io/')) continue;
    const a: { readonly [key: string]: string } = i.metadata.annotations ?? {};
    const protocol = (a['nginx.ingress.kubernetes.io/backend-protocol'] ?? 'HTTP').toUpperCase();
    const transport = protocol === 'HTTPS' || protocol === 'GRPCS' ? 'https' : 'http';
    const ns = i.metadata.namespace ?? 'default';
    const backends = [i.spec?.defaultBackend, ...((i.spec?.rules ?? []) as any[]).flatMap((rule) => (rule?.http?.paths ?? []).map((p: any) => p?.backend))];
    for (const b of backends) {
      const svc = b?.service;
      if (!svc || typeof svc.name !== 'string') continue;
      out.push({
        ingress: i, className: i.spec?.ingressClassName ?? a['kubernetes.io/ingress.class'], service: `${ns}/${svc.name}`,
        port: svc.port?.name ?? svc.port?.number, transport, proxySslSecret: a['nginx.ingress.kubernetes.io/proxy-ssl-secret'],
      });
    }
  }
  return out;
}

/** The MeshConfig's ingress gateway certificate: its secret ("namespace/name") and first SAN. */
function ingressGatewayPrincipal(model: ClusterModel): { secret: string; principal: string } | undefined {
  for (const { object: o } of model.objects) {
    if (o.kind !== 'MeshConfig') continue;
    const gw = o.spec?.certificate?.ingressGateway;
    if (gw?.secret?.name && gw.secret.namespace && Array.isArray(gw.subjectAltNames) && gw.subjectAltNames.length) {
      return { secret: `${gw.secret.namespace}/${gw.secret.name}`, principal: String(gw.subjectAltNames[0]) };
    }
  }
  return undefined;
}

/** Routes and Ingresses by the Service (`namespace/name`) they send to, Services with the pods they select. */
interface EntryIndex {
  readonly model: ClusterModel;
  readonly routes: Map<string, RouteEntry[]>;
  readonly ingresses: Map<string, IngressEntry[]>;
  readonly services: Map<string, IndexedService>;
  readonly gateway?: { secret: string; principal: string };
}

interface IndexedService { readonly service: ServiceInfo; readonly pods: Set<Workload> }

/** Workload sources by namespace, and within it by each `label=value` of their pods. */
interface SourceIndex {
  readonly byNamespace: Map<string, TrafficSource[]>;
  readonly byLabel: Map<string, TrafficSource[]>;
}

function sourceIndex(sources: TrafficSource[]): SourceIndex {
  const byNamespace = new Map<string, TrafficSource[]>();
  const byLabel = new Map<string, TrafficSource[]>();
  const push = (m: Map<string, TrafficSource[]>, k: string, s: TrafficSource) => { const l = m.get(k); if (l) l.push(s); else m.set(k, [s]); };
  for (const s of sources) {
    if (!s.workload || s.workload.hostNetwork) continue;
    push(byNamespace, s.workload.namespace, s);
    for (const [k, v] of Object.entries(s.workload.podLabels)) push(byLabel, `${s.workload.namespace}\u0000${k}=${v}`, s);
  }
  return { byNamespace, byLabel };
}

function byService<T extends { service: string }>(entries: T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const e of entries) out.set(e.service, [...(out.get(e.service) ?? []), e]);
  return out;
}

function serviceIndex(model: ClusterModel): Map<string, IndexedService> {
  return new Map(model.services.map((s) => [`${s.namespace}/${s.name}`, { service: s, pods: new Set(servicePods(model, s)) }]));
}

const servicesByWorkload = new WeakMap<Map<string, IndexedService>, Map<Workload, string[]>>();

/** The Services of the input that select the workload (inverted once per index). */
function servicesOf(index: EntryIndex, workload: Workload): string[] {
  let inverted = servicesByWorkload.get(index.services);
  if (!inverted) {
    inverted = new Map();
    for (const [key, s] of index.services) for (const w of s.pods) inverted.set(w, [...(inverted.get(w) ?? []), key]);
    servicesByWorkload.set(index.services, inverted);
  }
  return inverted.get(workload) ?? [];
}

/** Whether a Service port (by name or number, or every port when undefined) sends to `port` of the workload. */
function serviceSendsTo(index: EntryIndex, serviceRef: string, workload: Workload, port: number, wanted: string | number | undefined, byTargetNumber: boolean): boolean {
  const indexed = index.services.get(serviceRef);
  if (!indexed || !indexed.pods.has(workload)) return false;
  const svc = indexed.service;
  return svc.ports.some((sp) => {
    const target = resolveTargetPort(workload, sp);
    if (target !== port) return false;
    if (wanted === undefined) return true;
    if (typeof wanted === 'string') return sp.name === wanted;
    return byTargetNumber ? target === wanted : sp.port === wanted;
  });
}

function entryFor(source: TrafficSource, dest: TrafficDestination, index: EntryIndex): Entry {
  const w = dest.workload!;
  if (source.gatewaySource) {
    const g = gatewayEntry(index.model, source.gatewaySource, w, dest.port);
    return { applies: true, allowed: g.allowed, verdict: g.verdict, transport: g.transport, service: g.service };
  }
  if (source.kind !== 'router' && source.kind !== 'ingress-controller') return { applies: false, allowed: true };
  const services = servicesOf(index, w);
  const gateway = index.gateway;
  if (source.kind === 'router') {
    // A Route's port.targetPort names an endpoint port (the Service port's name) or a target port number.
    const r = services.flatMap((s) => index.routes.get(s) ?? []).find((e) => serviceSendsTo(index, e.service, w, dest.port, e.port, true));
    if (!r) return { applies: true, allowed: false, verdict: { allowed: false, reason: 'no Route sends to this port', objects: [] } };
    return { applies: true, allowed: true, transport: r.transport, service: r.service, verdict: { allowed: true, reason: `${objectRef(r.route)} sends here`, objects: [objectRef(r.route)] } };
  }
  if (source.kind === 'ingress-controller') {
    const mine = services.flatMap((s) => index.ingresses.get(s) ?? []).filter((e) => source.classNames === undefined || (e.className !== undefined && source.classNames.includes(e.className)));
    const i = mine.find((e) => serviceSendsTo(index, e.service, w, dest.port, e.port, false));
    if (!i) return { applies: true, allowed: false, verdict: { allowed: false, reason: 'no Ingress of this controller sends to this port', objects: [] } };
    const principal = i.transport === 'https' && gateway && i.proxySslSecret === gateway.secret ? gateway.principal : undefined;
    return { applies: true, allowed: true, transport: i.transport, principal, service: i.service, verdict: { allowed: true, reason: `${objectRef(i.ingress)} sends here`, objects: [objectRef(i.ingress)] } };
  }
  return { applies: false, allowed: true };
}

/** The objects of a verdict without reasons (shared, never written to). */
const NO_OBJECTS: string[] = [];

/** A verdict of the table (an object literal of one shape: `{ ...base }` gave every verdict a hidden class of its own, 10 MB per 4000 apps). */
function pathVerdict(source: TrafficSource, dest: TrafficDestination, allowed: boolean, reason: string, objects: string[]): PathVerdict {
  return { source: source.id, destination: dest.id, allowed, reason, objects };
}

/** What the mesh is asked about a path. */
function meshRequest(source: TrafficSource, dest: TrafficDestination, entry: Entry, explain: boolean): MeshConnectionRequest {
  return {
    source: source.meshPeer,
    destination: dest.meshPeer,
    port: dest.workload ? dest.port : dest.dialPort,
    protocol: dest.protocol,
    service: entry.service?.split('/')[1],
    transport: entry.transport,
    clientPrincipal: entry.principal,
    explain,
  };
}

/**
 * One path's verdict: the first layer that denies it, or every layer when all allow it. With
 * `explain`, each layer as `<layer>: <its reason>` and the objects that decided; without, only the
 * layers' names (`entry`, `network policy`, `mesh (<name>)`) and no objects, and the layers are
 * asked for their verdicts without reasons (the same decisions, without the words).
 */
function judge(model: ClusterModel, meshes: IMeshModel[], source: TrafficSource, dest: TrafficDestination, entry: Entry, explain: boolean): PathVerdict {
  const layer = (name: string, v: Verdict) => (explain ? `${name}: ${v.reason}` : name);
  const decided = (v: Verdict) => (explain ? v.objects : NO_OBJECTS);
  if (entry.applies && !entry.allowed) return pathVerdict(source, dest, false, layer('entry', entry.verdict!), decided(entry.verdict!));
  const net = connectionVerdict(model, source.endpoint, dest.endpoint, { port: dest.port, protocol: dest.protocol }, explain);
  if (!net.allowed) return pathVerdict(source, dest, false, layer('network policy', net), decided(net));
  const reasons = [entry.verdict ? layer('entry', entry.verdict) : undefined, layer('network policy', net)];
  const objects = [...(entry.verdict ? decided(entry.verdict) : []), ...decided(net)];
  if (!dest.bySidecar && dest.protocol === 'TCP') {
    for (const mesh of meshes) {
      const v = mesh.connection(model, meshRequest(source, dest, entry, explain));
      if (!v.allowed) return pathVerdict(source, dest, false, layer(`mesh (${mesh.name})`, v), decided(v));
      reasons.push(layer(`mesh (${mesh.name})`, v));
      objects.push(...decided(v));
    }
  }
  return pathVerdict(source, dest, true, reasons.filter(Boolean).join('; '), explain ? [...new Set(objects)] : NO_OBJECTS);
}

/**
 * The sources worth evaluating against a destination: all of them when no NetworkPolicy isolates
 * it; otherwise the non-workload sources and the workloads some admitting rule can select (an
 * index by namespace, so the table is not quadratic when policies name their peers).
 */
function candidateSources(model: ClusterModel, sources: TrafficSource[], index: SourceIndex, others: TrafficSource[], order: Map<TrafficSource, number>, dest: TrafficDestination): TrafficSource[] {
  const peers = admittedPeers(model, dest.endpoint.pod!, 'Ingress');
  if (peers === undefined) return sources;
  const picked = new Set(others);
  for (const peer of peers) {
    const first = Object.entries(peer.podSelector?.matchLabels ?? {})[0];
    for (const ns of peer.namespaces) {
      const pool = first ? index.byLabel.get(`${ns}\u0000${first[0]}=${first[1]}`) : index.byNamespace.get(ns);
      for (const s of pool ?? []) if (!peer.podSelector || selectorMatches(peer.podSelector, s.workload!.podLabels)) picked.add(s);
    }
  }
  return [...picked].sort((a, b) => order.get(a)! - order.get(b)!); // in the table's order
}

/** What a workload may need to reach besides other workloads. */
function egressDestinations(model: ClusterModel, meshes: IMeshModel[], w: Workload, options: ReachabilityOptions, outside: string): TrafficDestination[] {
  const out: TrafficDestination[] = [];
  const dns = options.platform.dns;
  const dnsPod: PodEndpoint = { namespace: dns.namespace, namespaceLabels: namespaceLabels(model, dns.namespace), labels: dns.peer.podLabels ?? {}, ports: [], hostNetwork: false };
  for (const protocol of ['UDP', 'TCP']) {
    out.push({
      id: `dns-${protocol.toLowerCase()}`, label: `cluster DNS (${protocol} ${dns.servicePort} -> pods ${dns.podPort})`, kind: 'dns', endpoint: { pod: dnsPod },
      port: dns.podPort, protocol, dialPort: dns.servicePort,
      meshPeer: { external: { name: 'the cluster DNS', namespace: dns.namespace, podLabels: dns.peer.podLabels } },
    });
  }
  const api = options.platform.apiServer;
  const apiIp = api.cidrs?.length ? firstAddress(api.cidrs[0]) : '192.0.2.1';
  out.push({
    id: 'kubernetes-api', label: `the Kubernetes API (${api.cidrs?.join(', ') ?? 'any address'}:${api.port})`, kind: 'kubernetes-api', endpoint: { ip: apiIp },
    port: api.port, protocol: 'TCP', dialPort: api.servicePort, meshPeer: { external: { name: 'the Kubernetes API server', services: ['default/kubernetes'] }, ip: api.serviceIP },
  });
  for (const mesh of meshes) {
    for (const c of mesh.sidecarConnections(model, w)) {
      if (!c.namespace) continue;
      const pod: PodEndpoint = { namespace: c.namespace, namespaceLabels: namespaceLabels(model, c.namespace), labels: c.podLabels ?? {}, ports: [], hostNetwork: false };
      out.push({
        id: `mesh:${c.namespace}:${c.port}/${c.protocol}`, label: `${mesh.name} control plane (${c.service ?? c.namespace}:${c.port})`, kind: 'control-plane',
        endpoint: { pod }, port: c.port, protocol: c.protocol, dialPort: c.port, meshPeer: { external: { name: c.description, namespace: c.namespace, podLabels: c.podLabels } }, bySidecar: true,
      });
    }
  }
  for (const p of options.externalProbes ?? []) {
    out.push({
      id: `external:${p.name}:${p.port}`, label: `${p.name} (${p.host ?? p.ip}:${p.port})`, kind: 'external', endpoint: { ip: p.ip },
      port: p.port, protocol: 'TCP', dialPort: p.port, meshPeer: { external: { name: p.name }, ip: p.ip, host: p.host },
    });
  }
  for (const port of [443, 80]) {
    out.push({
      id: `anywhere:${port}`, label: `anywhere else (${outside}:${port})`, kind: 'anywhere', endpoint: { ip: outside },
      port, protocol: 'TCP', dialPort: port, meshPeer: { external: { name: 'an address outside the cluster' }, ip: outside, host: 'example.org' },
    });
  }
  return out;
}

/** The first host address of a CIDR (the address itself for /32 and /128). */
export function firstAddress(cidr: string): string {
  const [addr, bits] = cidr.split('/');
  if (addr.includes(':') || bits === undefined || Number(bits) >= 31) return addr;
  const parts = addr.split('.').map(Number);
  parts[3] = (parts[3] | 0) + 1;
  return parts.join('.');
}
