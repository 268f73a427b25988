import { buildClusterModel } from '../analysis/cluster';
import { LoadedManifests, ManifestProblem, loadManifests } from '../analysis/manifests';
import type { IMeshModel } from '../analysis/mesh/mesh-model';
import { IstioModel } from '../analysis/mesh/istio-model';
import { OsmModel } from '../analysis/mesh/osm-model';
import type { ClusterModel, SourcedObject } from '../analysis/model';
import { ExternalProbe, PathVerdict, ReachabilityReport, TrafficSource, analyzeReachability, firstAddress } from '../analysis/reachability';
import { cidrContains } from '../analysis/network-policy';
import { discoverGateways, gatewayClientCertificates, resolveGateways } from '../analysis/gateway-api';
import { findGateway } from '../spec/profiles/gateways';
import { admissionVerdict } from '../analysis/pod-security';
import type { Verdict } from '../analysis/model';
import { AppDirectory } from '../spec/app-directory';
import type { AppSpec } from '../spec/app-spec';
import { ClusterContext } from '../spec/cluster-context';
import { resolveIstioSettings, resolveRouteGateway } from '../spec/profiles/istio';
import { resolvePorts } from '../spec/ports';

/** A path the specs declare: who may reach what. */
export interface DeclaredPath {
  readonly source: string;
  readonly destination: string;
  /** The spec field that declares it. */
  readonly why: string;
}

/** What verify compares the manifests with. */
export interface VerifyOptions {
  /**
   * The cluster the manifests are for (platform facts, ingress controllers, mesh settings).
   * @default - the Cluster spec among `specs`, else OpenShift when the manifests hold a Route, plain Kubernetes otherwise
   */
  readonly cluster?: ClusterContext;
  /** The app specs: the intent the manifests must implement exactly. @default - none (the table only) */
  readonly specs?: AppSpec[];
  /**
   * Mesh semantics to apply (each applies only where it detects itself).
   * @default - Open Service Mesh and Istio, configured from the cluster (`defaultMeshModels`)
   */
  readonly meshes?: IMeshModel[];
  /**
   * Whether every path of the report carries its reason and the objects that decided. Without,
   * the report's verdicts name only the deciding layers (a table of thousands of apps then takes
   * a fraction of the memory), and the manifests are analysed a second time, with reasons, when
   * there is a missing or unexpected path to report: those always carry their reasons.
   * @default true
   */
  readonly explain?: boolean;
}

/** The outcome of verify. */
export interface VerifyResult {
  readonly report: ReachabilityReport;
  /** The paths the specs declare (empty without specs). */
  readonly declared: DeclaredPath[];
  /** Declared paths that the manifests deny (or that have no source or destination in them). */
  readonly missing: PathVerdict[];
  /** Allowed paths that no spec declares (only with specs). */
  readonly unexpected: PathVerdict[];
  /** Workloads whose pods Pod Security admission rejects (with the mesh's injected containers). */
  readonly notAdmitted: Verdict[];
  /**
   * Apps that require client certificates at their Gateway (`gateway.requireClientCertificates`)
   * whose Gateway object, in the folder, does not enforce them (only with specs; a Gateway not in
   * the folder is not judged).
   */
  readonly clientCertificatesNotEnforced: Verdict[];
  /** Files or documents that could not be read. */
  readonly problems: ManifestProblem[];
  /** The platform the analysis assumed. */
  readonly platform: string;
  /** The meshes found in the manifests. */
  readonly meshes: string[];
}

/** The destination a meshed app's control-plane path is declared against when no workload of the input is meshed. */
const NO_CONTROL_PLANE = 'mesh:control-plane';

/** The address verify uses for an external destination declared by host name only. */
const HOST_ONLY_PROBE_ADDRESS = '198.51.100.7';

/** Reads a folder (or file) of manifests and verifies it (see `verifyObjects`). */
export function verifyFolder(dir: string, options: VerifyOptions = {}): VerifyResult {
  const loaded: LoadedManifests = loadManifests(dir);
  const result = verifyObjects(loaded.objects, options);
  return { ...result, problems: [...loaded.problems, ...result.problems] };
}

/**
 * Builds the truth table of the objects and, with specs, compares it with their intent: every
 * declared path must be allowed, and every allowed path declared.
 */
export function verifyObjects(objects: SourcedObject[], options: VerifyOptions = {}): VerifyResult {
  const model = withDeclaredNamespaces(buildClusterModel(objects), options.cluster);
  const cluster = options.cluster ?? ClusterContext.fromSpec({ platform: objects.some((o) => o.object.kind === 'Route') ? 'openshift' : 'kubernetes' });
  const meshes = options.meshes ?? defaultMeshModels(cluster);
  const present = meshes.filter((m) => m.detect(model));
  const specs = options.specs ?? [];
  const probes = externalProbes(specs);
  const gateways = resolveGateways([...(cluster.spec.gateways ?? []), ...discoverGateways(model).filter((g) => !(cluster.spec.gateways ?? []).some((c) => c.name === g.name && c.namespace === g.namespace))]);
  const table = (explain: boolean) => analyzeReachability(model, {
    platform: cluster.platform,
    ingressControllers: cluster.ingressControllers,
    meshes: present,
    externalProbes: probes,
    gateways,
    trustDomain: cluster.spec.mesh?.trustDomain,
    explain,
  });
  const explain = options.explain ?? true;
  const result = compare(model, cluster, meshes, present, specs, table(explain));
  // A path to report says why: the table is made again, with reasons (the verdicts are the same).
  return explain || (result.missing.length === 0 && result.unexpected.length === 0) ? result : compare(model, cluster, meshes, present, specs, table(true));
}

/** The report against the specs (see `verifyObjects`); `present`: the meshes that detect themselves in the model. */
function compare(model: ClusterModel, cluster: ClusterContext, meshes: IMeshModel[], present: IMeshModel[], specs: AppSpec[], report: ReachabilityReport): VerifyResult {
  const detected = present.map((m) => m.name);
  const notAdmitted = model.workloads
    .map((w) => admissionVerdict(model, w, present.flatMap((m) => m.injectedContainers(model, w))))
    .filter((v) => !v.allowed);
  if (specs.length === 0) return { report, declared: [], missing: [], unexpected: [], notAdmitted, clientCertificatesNotEnforced: [], problems: [], platform: cluster.platform.name, meshes: detected };
  const clientCertificatesNotEnforced: Verdict[] = [];
  const gatewaySources = new Map<string, TrafficSource>();
  for (const x of report.sources) {
    const k = x.gatewaySource ? `${x.gatewaySource.gateway.namespace}\u0000${x.gatewaySource.gateway.name}` : undefined;
    if (k !== undefined && !gatewaySources.has(k)) gatewaySources.set(k, x);
  }
  for (const s of specs) {
    const g = s.spec.gateway;
    if (!g?.requireClientCertificates) continue;
    const source = gatewaySources.get(`${g.parentRef.namespace ?? s.metadata.namespace ?? 'default'}\u0000${g.parentRef.name}`);
    if (!source?.gatewaySource?.gatewayObject) continue;
    const v = gatewayClientCertificates(model, source.gatewaySource, g.parentRef.sectionName);
    if (!v.allowed) clientCertificatesNotEnforced.push({ ...v, reason: `${s.metadata.namespace ?? 'default'}/${s.metadata.name} requires client certificates, but ${v.reason}` });
  }

  const declared = declaredPaths(specs, cluster, report);
  const declaredPairs = new Pairs<boolean>();
  for (const p of declared) declaredPairs.set(p.source, p.destination, true);
  const byPair = new Pairs<PathVerdict>();
  for (const p of report.paths) byPair.set(p.source, p.destination, p);
  const missing: PathVerdict[] = [];
  for (const d of declared) {
    const p = byPair.get(d.source, d.destination);
    if (!p && d.destination === NO_CONTROL_PLANE) {
      missing.push({ source: d.source, destination: d.destination, allowed: false, reason: `declared by ${d.why}, but no workload of the manifests gets a sidecar of ${meshes.map((m) => m.name).join(' or ')} (see how its namespace and pods are labelled), so none reaches a control plane`, objects: [] });
    } else if (!p) missing.push({ source: d.source, destination: d.destination, allowed: false, reason: `declared by ${d.why}, but the manifests have no such source or destination, or NetworkPolicy rules the source out`, objects: [] });
    else if (!p.allowed) missing.push({ source: p.source, destination: p.destination, allowed: p.allowed, reason: `declared by ${d.why}; ${p.reason}`, objects: p.objects });
  }
  const unrestricted = new Set(specs.filter((s) => s.spec.egress?.unrestricted || s.spec.networkPolicy === false)
    .map((s) => `app:${s.metadata.namespace ?? 'default'}/${s.metadata.name}`));
  const unexpected = report.paths.filter((p) => p.allowed && !declaredPairs.get(p.source, p.destination)
    && !(unrestricted.has(p.source) && !p.destination.includes('/')));
  return { report, declared, missing, unexpected, notAdmitted, clientCertificatesNotEnforced, problems: [], platform: cluster.platform.name, meshes: detected };
}

/** Values by a pair of ids (source, destination), without a joined string per pair. */
class Pairs<T> {
  private readonly bySource = new Map<string, Map<string, T>>();

  public set(source: string, destination: string, value: T): void {
    let m = this.bySource.get(source);
    if (!m) this.bySource.set(source, m = new Map());
    m.set(destination, value);
  }

  public get(source: string, destination: string): T | undefined {
    return this.bySource.get(source)?.get(destination);
  }
}

/**
 * The mesh semantics verify applies by default: Open Service Mesh and Istio, each with the
 * cluster's settings (control-plane namespace, mesh name; Istio's flavour, revision, trust domain
 * and CNI). Each applies only to input where it detects itself.
 */
export function defaultMeshModels(cluster: ClusterContext): IMeshModel[] {
  const osm = new OsmModel({ controlPlaneNamespace: cluster.osm.namespace, meshName: cluster.osm.meshName });
  const m = cluster.spec.mesh;
  if (m?.provider !== 'istio') return [osm, new IstioModel()];
  const s = resolveIstioSettings(m);
  // An AKS flavour without its revision is refused by the Cluster spec's checks; read it as upstream meanwhile.
  const flavour = s.flavour.revisionRequired && s.revision === undefined ? 'upstream' : s.flavour.name;
  return [osm, new IstioModel({ flavour, revision: s.revision, controlPlaneNamespace: s.controlPlaneNamespace, trustDomain: s.trustDomain, cni: s.cni })];
}

/**
 * Namespaces the Cluster spec declares monitored by the mesh are enrolled by someone else: their
 * Namespace objects are not in the output, so the analysis is told their mesh label (OSM's
 * `openservicemesh.io/monitored-by`, or Istio's injection label: under Istio such a namespace,
 * e.g. the ingress controller's, is enrolled with injection).
 */
function withDeclaredNamespaces(model: ClusterModel, cluster: ClusterContext | undefined): ClusterModel {
  const monitored = cluster?.mesh?.monitoredNamespaces ?? [];
  if (monitored.length === 0) return model;
  const enrolment = cluster!.mesh!.provider === 'istio'
    ? resolveIstioSettings(cluster!.spec.mesh).injectionLabels
    : { 'openservicemesh.io/monitored-by': cluster!.osm.meshName };
  const namespaces = new Map(model.namespaces);
  for (const name of monitored) {
    const known = namespaces.get(name);
    if (known?.declared) continue;
    namespaces.set(name, {
      name,
      labels: { 'kubernetes.io/metadata.name': name, ...enrolment },
      annotations: {},
      declared: true,
    });
  }
  return { ...model, namespaces };
}

/** Probe addresses for the external destinations the specs declare. */
function externalProbes(specs: AppSpec[]): ExternalProbe[] {
  const out = new Map<string, ExternalProbe>();
  for (const s of specs) {
    for (const d of s.spec.egress?.to ?? []) {
      for (const p of d.ports) {
        const probe = { name: d.name, ip: d.ipRanges?.length ? firstAddress(d.ipRanges[0]) : HOST_ONLY_PROBE_ADDRESS, port: p.port, host: d.hosts?.[0] };
        out.set(`${d.name}:${p.port}`, probe);
      }
    }
  }
  return [...out.values()];
}

/** Every path the specs declare, in the ids of the reachability report. */
export function declaredPaths(specs: AppSpec[], cluster: ClusterContext, report: ReachabilityReport): DeclaredPath[] {
  const directory = new AppDirectory(specs);
  const out: DeclaredPath[] = [];
  const add = (source: string, destination: string, why: string) => out.push({ source, destination, why });
  const dest = (ns: string, name: string, port: number) => `${ns}/${name}:${port}`;
  const outside = report.sources.find((s) => s.kind === 'outside')?.endpoint.ip;
  const planes = report.destinations.filter((x) => x.kind === 'control-plane');
  for (const spec of specs) {
    const s = spec.spec;
    const ns = spec.metadata.namespace ?? 'default';
    const name = spec.metadata.name;
    const app = `${ns}/${name}`;
    const ports = resolvePorts(s);
    const portOf = (wanted?: string) => ports.find((p) => p.name === (wanted ?? ports[0]?.name));
    const route = s.route ? portOf(s.route.port) : undefined;
    // Under Istio a Route to a port the sidecar intercepts goes through the route gateway (mesh.routeGateway), which reaches the app.
    const routeGateway = route && s.mesh && !route.bypassMesh ? resolveRouteGateway(cluster.spec) : undefined;
    if (route && routeGateway) add(`gateway:${routeGateway.gateway.namespace}/${routeGateway.gateway.name}`, dest(ns, name, route.targetPort), `${app} spec.route (through mesh.routeGateway)`);
    else if (route && cluster.platform.router) add('router', dest(ns, name, route.targetPort), `${app} spec.route`);
    const ingPort = s.ingress ? portOf(s.ingress.port) : undefined;
    const controller = s.ingress ? cluster.ingressController(s.ingress.className, s.ingress.controllerNamespace) : undefined;
    if (ingPort && controller) add(`ingress:${controller.namespace}`, dest(ns, name, ingPort.targetPort), `${app} spec.ingress`);
    const gw = s.gateway;
    const gwPort = gw ? portOf(gw.port) : undefined;
    const gwSpec = gw ? findGateway(cluster.spec.gateways, gw.parentRef.name, gw.parentRef.namespace ?? ns) : undefined;
    if (gwPort && gwSpec) add(`gateway:${gwSpec.namespace}/${gwSpec.name}`, dest(ns, name, gwPort.targetPort), `${app} spec.gateway`);
    const mi = s.mesh?.ingress;
    const miPort = mi ? portOf(mi.port) : undefined;
    if (mi && miPort) {
      for (const f of mi.from ?? []) {
        const c = f.service ? cluster.ingressControllers.find((x) => x.namespace === f.service!.namespace && x.serviceName === f.service!.name) : undefined;
        if (c) add(`ingress:${c.namespace}`, dest(ns, name, miPort.targetPort), `${app} spec.mesh.ingress`);
        if (f.ipRange && outside && cidrContains(f.ipRange, outside)) add('outside', dest(ns, name, miPort.targetPort), `${app} spec.mesh.ingress`);
      }
    }
    for (const rule of s.allow ?? []) {
      const covered = ports.filter((p) => rule.ports === undefined || rule.ports.includes(p.name));
      for (const f of rule.from ?? []) {
        if (f.ipRange && outside && cidrContains(f.ipRange, outside)) covered.forEach((p) => add('outside', dest(ns, name, p.targetPort), `${app} spec.allow`));
      }
    }
    for (const callee of directory.calleesOf(ns, name)) {
      for (const p of callee.ports) {
        add(`app:${app}`, dest(callee.app.namespace, callee.app.name, p.targetPort), `${callee.app.namespace}/${callee.app.name} ${callee.viaMesh ? 'spec.mesh.allow' : 'spec.allow'}`);
      }
    }
    // Egress: DNS always; the mesh control plane when meshed; the API and declared destinations.
    const source = `app:${app}`;
    add(source, 'dns-udp', 'cluster DNS (always allowed)');
    add(source, 'dns-tcp', 'cluster DNS (always allowed)');
    if (s.mesh) {
      for (const d of planes) add(source, d.id, `${app} spec.mesh (the sidecar's control plane)`);
      // No workload got a sidecar at all: the declared path has no destination (reported missing with the reason).
      if (planes.length === 0) add(source, NO_CONTROL_PLANE, `${app} spec.mesh (the sidecar's control plane)`);
    }
    if (s.egress?.kubernetesApi) add(source, 'kubernetes-api', `${app} spec.egress.kubernetesApi`);
    for (const d of s.egress?.to ?? []) for (const p of d.ports) add(source, `external:${d.name}:${p.port}`, `${app} spec.egress.to (${d.name})`);
  }
  return out;
}

/** The truth table and the comparison as lines of text. */
export function formatVerify(result: VerifyResult, all = false): string[] {
  const lines: string[] = [];
  const { report } = result;
  const labels = new Map([...report.sources.map((s) => [s.id, s.label] as const), ...report.destinations.map((d) => [d.id, d.label] as const)]);
  const label = (id: string) => labels.get(id) ?? id;
  lines.push(`platform ${result.platform}; mesh ${result.meshes.length ? result.meshes.join(', ') : 'none found'}; ${report.sources.length} sources, ${report.destinations.length} destinations`);
  const declared = new Set(result.declared.map((d) => `${d.source}\u0000${d.destination}`));
  const byDest = new Map<string, PathVerdict[]>();
  for (const p of report.paths) {
    if (!p.allowed && !all && !declared.has(`${p.source}\u0000${p.destination}`)) continue;
    const list = byDest.get(p.destination);
    if (list) list.push(p); else byDest.set(p.destination, [p]);
  }
  for (const d of report.destinations) {
    const paths = byDest.get(d.id);
    if (!paths) continue;
    lines.push(`${label(d.id)}:`);
    for (const p of paths) lines.push(`  ${p.allowed ? 'allowed' : 'denied '}  ${label(p.source)}: ${p.reason}`);
  }
  const denied = report.paths.filter((p) => !p.allowed).length + report.deniedWithoutEvaluation;
  lines.push(`${report.paths.filter((p) => p.allowed).length} paths allowed, ${denied} denied${all ? '' : ' (denied paths not shown unless declared; --all shows them)'}`);
  for (const m of result.missing) lines.push(`declared but denied: ${label(m.source)} -> ${label(m.destination)}: ${m.reason}`);
  for (const u of result.unexpected) lines.push(`allowed but not declared: ${label(u.source)} -> ${label(u.destination)}: ${u.reason}`);
  for (const a of result.notAdmitted) lines.push(`not admitted: ${a.reason}`);
  for (const c of result.clientCertificatesNotEnforced) lines.push(`client certificates not enforced: ${c.reason}`);
  return lines;
}
