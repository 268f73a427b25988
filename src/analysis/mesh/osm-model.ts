import { resolveTargetPort, servicePods, workloadServices } from '../cluster';
import type { ClusterModel, ContainerInfo, ServiceInfo, ServicePortInfo, Verdict, Workload } from '../model';
import { objectRef } from '../model';
import { OSM_MESH_CONFIG_NAME, osmInjectedContainers, osmMeshConfig } from './osm-injection';
import type { IMeshModel, MeshConnectionRequest, MeshHttpRequest, MeshPeer, MeshSidecarConnection } from './mesh-model';
import { cidrContains, isCidr } from '../network-policy';
import { bothSides, explains, firstAllowed, isMapping, l4, peerName, refList, serviceAddress, strings, transportName, unique } from './mesh-words';
import { apiGroupOf } from '../api-group';

/**
 * Open Service Mesh, as its controller, injector and sidecars would treat a folder of manifests.
 *
 * Every rule cites the file of openservicemesh/osm at commit 7bec5b6b (the last one; the project
 * is archived) that it was read from, as `osm:path`. Docs are openservicemesh/osm-docs @c6e620e4,
 * cited as `osm-docs:path`. What could not be read from the code is marked "(inf.)".
 */

/** Labels and annotations OSM reads (osm:pkg/constants/constants.go:113,188,197; osm:pkg/injector/exclusions.go:14-24). */
export const OSM_MONITORED_BY_LABEL = 'openservicemesh.io/monitored-by';
/** The namespace label that makes the injector webhook skip a namespace (osm:pkg/constants/constants.go:197, pkg/injector/webhook.go:303). */
export const OSM_IGNORE_LABEL = 'openservicemesh.io/ignore';
/** Pod or namespace annotation: enabled|yes|true or disabled|no|false (osm:pkg/injector/webhook.go:239-256). */
export const OSM_SIDECAR_INJECTION_ANNOTATION = 'openservicemesh.io/sidecar-injection';
/** Pod annotation: ports (comma-separated) whose inbound traffic skips the sidecar (osm:pkg/injector/exclusions.go:18). */
export const OSM_INBOUND_PORT_EXCLUSION_ANNOTATION = 'openservicemesh.io/inbound-port-exclusion-list';
/** Pod annotation: destination ports whose outbound traffic skips the sidecar (osm:pkg/injector/exclusions.go:15). */
export const OSM_OUTBOUND_PORT_EXCLUSION_ANNOTATION = 'openservicemesh.io/outbound-port-exclusion-list';
/** Pod annotation: destination CIDRs whose outbound traffic skips the sidecar (osm:pkg/injector/exclusions.go:21). */
export const OSM_OUTBOUND_IP_RANGE_EXCLUSION_ANNOTATION = 'openservicemesh.io/outbound-ip-range-exclusion-list';
/** Pod annotation: when set, only these destination CIDRs are intercepted (osm:pkg/injector/exclusions.go:24, iptables.go:146-156). */
export const OSM_OUTBOUND_IP_RANGE_INCLUSION_ANNOTATION = 'openservicemesh.io/outbound-ip-range-inclusion-list';
export { OSM_MESH_CONFIG_NAME };
/** The port Envoy dials the controller's ADS server on (osm:pkg/constants/constants.go:86, pkg/injector/bootstrap.go:52). */
export const OSM_ADS_PORT = 15128;

/** Ports the init container never redirects inbound: Prometheus and the rewritten probes (osm:pkg/injector/iptables.go:46-58). */
const NEVER_REDIRECTED_INBOUND = [15010, 15901, 15902, 15903, 15904];
/** Port-name prefixes OSM reads as the app protocol, in its order (osm:pkg/constants/constants.go:305, pkg/compute/kube/client.go:660-671). */
const PORT_NAME_PROTOCOLS = ['tcp-server-first', 'http', 'tcp', 'grpc'];
/** Namespaces the injector never injects besides the control plane's (osm:pkg/injector/webhook.go:47-51). */
const NEVER_INJECTED_NAMESPACES = ['kube-system', 'kube-public'];

/** The kinds of OSM's and SMI's API groups read, by kind: their group, and what `resources` reads them as. */
const OSM_KINDS = new Map<string, { readonly group: string; readonly which: string }>([
  ['TrafficTarget', { group: 'access.smi-spec.io', which: 'tt' }],
  ['HTTPRouteGroup', { group: 'specs.smi-spec.io', which: 'hrg' }],
  ['TCPRoute', { group: 'specs.smi-spec.io', which: 'tcp' }],
  ['IngressBackend', { group: 'policy.openservicemesh.io', which: 'ib' }],
  ['Egress', { group: 'policy.openservicemesh.io', which: 'egress' }],
  ['UpstreamTrafficSetting', { group: 'policy.openservicemesh.io', which: 'uts' }],
]);

/** Options of `OsmModel`. */
export interface OsmModelProps {
  /** The namespace OSM's control plane runs in (and where its MeshConfig is). @default "osm-system" */
  readonly controlPlaneNamespace?: string;
  /** The mesh name (the value of the `openservicemesh.io/monitored-by` namespace label). @default "osm" */
  readonly meshName?: string;
}

/**
 * OSM's mesh-wide settings as read from the MeshConfig of the input (config.openservicemesh.io
 * v1alpha2 or v1alpha1), or the Helm chart's defaults when the input has none.
 */
export interface OsmMeshSettings {
  /** The MeshConfig read. @default - none in the input: chart defaults */
  readonly meshConfig?: string;
  /** spec.traffic.enablePermissiveTrafficPolicyMode. */
  readonly permissive: boolean;
  /** spec.traffic.enableEgress. */
  readonly egress: boolean;
  /** spec.traffic.outboundPortExclusionList. */
  readonly outboundPortExclusions: number[];
  /** spec.traffic.inboundPortExclusionList. */
  readonly inboundPortExclusions: number[];
  /** spec.traffic.outboundIPRangeExclusionList. */
  readonly outboundIpRangeExclusions: string[];
  /** spec.traffic.outboundIPRangeInclusionList (v1alpha2). */
  readonly outboundIpRangeInclusions: string[];
  /** spec.certificate.ingressGateway.subjectAltNames: SANs of the client certificate OSM issues for an ingress gateway. */
  readonly ingressGatewayPrincipals: string[];
  /**
   * spec.sidecar.enablePrivilegedInitContainer: the injected `osm-init` runs privileged, which
   * only a Pod Security level of privileged admits. False without a MeshConfig (the chart's
   * default, osm:charts/osm/values.yaml:466) and when the MeshConfig leaves it out (Go's zero
   * value; the CRD has no default).
   */
  readonly privilegedInitContainer: boolean;
  /** Where `permissive` comes from, for verdicts (e.g. "MeshConfig osm-system/osm-mesh-config"). */
  readonly permissiveSource: string;
  /** Where `egress` comes from, for verdicts. */
  readonly egressSource: string;
  /** spec.observability.tracing: the sidecars send spans to `tracingHost:tracingPort`. @default - tracing off */
  readonly tracingHost?: string;
  /** @default - tracing off */
  readonly tracingPort?: number;
}

// ---------------------------------------------------------------------------------------------
// Parsed OSM and SMI resources (only those in monitored namespaces: OSM's informers see no others,
// osm:pkg/k8s/client.go ListEgressPolicies/ListIngressBackendPolicies/ListTrafficTargets/...).

interface Identity { kind: string; name: string; namespace: string }
interface TtRule { kind: string; name: string; matches: string[] }
interface TrafficTarget { ref: string; namespace: string; destination: Identity; sources: Identity[]; rules: TtRule[]; valid: boolean }
interface HrgMatch { name: string; pathRegex?: string; methods: string[]; headers?: { readonly [key: string]: string }; unreadable?: string }
interface HttpRouteGroup { ref: string; namespace: string; name: string; matches: HrgMatch[] }
interface TcpRoute { ref: string; namespace: string; name: string; ports: number[] }
interface IbBackend { name: string; port?: number; protocol: string; skipClientCertValidation: boolean; sniHosts: string[] }
interface IbSource { kind: string; name: string; namespace?: string }
interface IngressBackend { ref: string; namespace: string; backends: IbBackend[]; sources: IbSource[] }
interface EgressPort { number: number; protocol: string }
interface EgressMatch { apiGroup?: string; kind: string; name: string }
interface EgressPolicy { ref: string; namespace: string; sources: Identity[]; hosts: string[]; ipAddresses: string[]; ports: EgressPort[]; matches: EgressMatch[] }

interface Resources {
  settings: OsmMeshSettings;
  trafficTargets: TrafficTarget[];
  routeGroups: Map<string, HttpRouteGroup>;
  tcpRoutes: Map<string, TcpRoute>;
  ingressBackends: IngressBackend[];
  egresses: EgressPolicy[];
  upstreamTrafficSettings: Set<string>;
  /** Objects of OSM's kinds in namespaces OSM does not monitor (ignored by OSM), by ref. */
  ignored: string[];
  /** Indexes over the lists above (filled by `indexResources`), so that a verdict does not scan every policy of the input. */
  index: ResourceIndex;
}

/** Lookups by identity and name; every list is in input order. */
interface ResourceIndex {
  /** Valid TrafficTargets by destination identity (`namespace/name`). */
  readonly targetsByDestination: Map<string, TrafficTarget[]>;
  /** Egress policies by their ServiceAccount sources (`namespace/name`). */
  readonly egressesBySource: Map<string, EgressPolicy[]>;
  /** The first IngressBackend with a backend of this name and port number (`name\0port`). */
  readonly firstBackend: Map<string, IngressBackend>;
  /** IngressBackends with a backend of this name. */
  readonly backendsByName: Map<string, IngressBackend[]>;
  /** Position of each IngressBackend in `ingressBackends`. */
  readonly backendOrder: Map<IngressBackend, number>;
}

function indexResources(r: Resources): ResourceIndex {
  const push = <T>(m: Map<string, T[]>, k: string, v: T) => { const l = m.get(k); if (!l) m.set(k, [v]); else if (l[l.length - 1] !== v) l.push(v); };
  const index: ResourceIndex = { targetsByDestination: new Map(), egressesBySource: new Map(), firstBackend: new Map(), backendsByName: new Map(), backendOrder: new Map() };
  for (const t of r.trafficTargets) if (t.valid) push(index.targetsByDestination, idKey(t.destination.namespace, t.destination.name), t);
  for (const e of r.egresses) {
    for (const x of e.sources) if (x.kind === 'ServiceAccount') push(index.egressesBySource, idKey(x.namespace, x.name), e);
  }
  r.ingressBackends.forEach((ib, i) => {
    index.backendOrder.set(ib, i);
    for (const b of ib.backends) {
      push(index.backendsByName, b.name, ib);
      const k = `${b.name}\u0000${b.port}`;
      if (b.port !== undefined && !index.firstBackend.has(k)) index.firstBackend.set(k, ib);
    }
  });
  return index;
}

/** An HTTP route of a destination's inbound route configuration, with the callers it admits. */
interface InboundRoute {
  pathRegex: string;
  methods: string[];
  headers: { readonly [key: string]: string };
  from: string[];
  principals: Set<string>;
}

/** A destination's inbound HTTP routes, the objects they come from, and why some of its TrafficTargets' rules give none. */
interface InboundRoutes {
  readonly routes: InboundRoute[];
  readonly objects: string[];
  readonly problems: string[];
}

/** One way the source reaches the destination: through a Service port, or at an address. */
interface DialPath {
  service?: ServiceInfo;
  servicePort?: ServicePortInfo;
  /** The port the source dials (the Service port, or the pod or outside port). */
  port: number;
  /** The address the source dials (ClusterIP, pod IP, outside IP), when known. */
  ip?: string;
}

/** The source side's answer, and the form in which the connection reaches the destination. */
interface Leg {
  allowed: boolean;
  reason: string;
  objects: string[];
  /** How the destination receives it: "mesh" (mTLS from the source's sidecar) or "plain" (as the app sent it). */
  arrival: string;
  /** How a meshed source's traffic comes to arrive plain, for destination-side verdicts. */
  via?: string;
}

/**
 * Open Service Mesh's traffic semantics: sidecar injection, permissive and SMI modes
 * (TrafficTarget, HTTPRouteGroup, TCPRoute), IngressBackend, Egress and interception exclusions.
 */
export class OsmModel implements IMeshModel {
  public readonly name: string = 'osm';
  /** The control-plane namespace. */
  public readonly controlPlaneNamespace: string;
  /** The mesh name namespaces are labelled with. */
  public readonly meshName: string;
  private readonly cache = new WeakMap<ClusterModel, Resources>();
  /** `inboundRoutes` per list of TrafficTargets of a model's index. */
  private readonly routesCache = new WeakMap<TrafficTarget[], InboundRoutes>();
  /** `isMeshed` per model and workload (asked for every path a workload is an end of). */
  private readonly meshedCache = new WeakMap<ClusterModel, WeakMap<Workload, Verdict>>();

  constructor(props: OsmModelProps = {}) {
    this.controlPlaneNamespace = props.controlPlaneNamespace ?? 'osm-system';
    this.meshName = props.meshName ?? 'osm';
  }

  /**
   * The input uses OSM: a namespace is labelled `openservicemesh.io/monitored-by: <meshName>`, or an
   * object of an OSM API group (config/policy.openservicemesh.io) is present, or a pod or namespace
   * carries an `openservicemesh.io/` annotation.
   */
  public detect(model: ClusterModel): boolean {
    for (const ns of model.namespaces.values()) {
      if (ns.labels[OSM_MONITORED_BY_LABEL] === this.meshName) return true;
      if (Object.keys(ns.annotations).some((k) => k.startsWith('openservicemesh.io/'))) return true;
    }
    if (model.objects.some((s) => /^(config|policy)\.openservicemesh\.io\//.test(s.object.apiVersion))) return true;
    return model.workloads.some((w) => Object.keys(w.podAnnotations).some((k) => k.startsWith('openservicemesh.io/')));
  }

  /** The MeshConfig settings in effect (chart defaults when the input has no MeshConfig). */
  public settings(model: ClusterModel): OsmMeshSettings {
    return this.resources(model).settings;
  }

  /**
   * Whether OSM's injector adds the Envoy sidecar to the workload's pods (osm:pkg/injector/webhook.go
   * mustInject, 188-237, and the webhook's namespaceSelector, 299-319): never on the host network;
   * never in kube-system, kube-public or the control-plane namespace; only in a namespace labelled
   * `openservicemesh.io/monitored-by: <mesh>` without the `openservicemesh.io/ignore` or
   * `control-plane` labels; then when the pod is annotated `openservicemesh.io/sidecar-injection`
   * enabled (or yes/true), or the namespace is and the pod is not annotated disabled (or no/false).
   * An invalid annotation value makes the injector refuse the pod (the webhook fails closed).
   */
  public isMeshed(model: ClusterModel, workload: Workload): Verdict {
    let byWorkload = this.meshedCache.get(model);
    if (!byWorkload) this.meshedCache.set(model, byWorkload = new WeakMap());
    let known = byWorkload.get(workload);
    if (!known) byWorkload.set(workload, known = this.injects(model, workload));
    return known;
  }

  private injects(model: ClusterModel, workload: Workload): Verdict {
    const ref = workload.ref;
    const no = (reason: string, objects: string[] = [ref]): Verdict => ({ allowed: false, reason: `${ref} gets no OSM sidecar: ${reason}`, objects });
    if (workload.hostNetwork) return no('it uses the host network, which OSM never injects (osm:pkg/injector/webhook.go:193)');
    const nsName = workload.namespace;
    if (nsName === this.controlPlaneNamespace || NEVER_INJECTED_NAMESPACES.includes(nsName)) {
      return no(`OSM never injects namespace ${nsName} (osm:pkg/injector/webhook.go:47-51)`);
    }
    const ns = model.namespaces.get(nsName);
    const nsRef = `Namespace ${nsName}`;
    if (!ns || !ns.declared) return no(`${nsRef} is not in the input, so it is not known to be labelled ${OSM_MONITORED_BY_LABEL}: ${this.meshName}`);
    if (ns.labels[OSM_MONITORED_BY_LABEL] !== this.meshName) {
      const has = ns.labels[OSM_MONITORED_BY_LABEL];
      return no(`${nsRef} is not monitored by mesh ${this.meshName} (label ${OSM_MONITORED_BY_LABEL} is ${has === undefined ? 'absent' : `"${has}"`})`, [nsRef, ref]);
    }
    for (const label of [OSM_IGNORE_LABEL, 'control-plane']) {
      if (label in ns.labels) return no(`${nsRef} has the label ${label}, which the injector webhook's namespaceSelector excludes`, [nsRef, ref]);
    }
    const pod = injectionAnnotation(workload.podAnnotations);
    const nsInject = injectionAnnotation(ns.annotations);
    if (pod.invalid !== undefined || nsInject.invalid !== undefined) {
      const where = pod.invalid !== undefined ? `the pod annotation ${OSM_SIDECAR_INJECTION_ANNOTATION}: "${pod.invalid}"` : `${nsRef}'s annotation ${OSM_SIDECAR_INJECTION_ANNOTATION}: "${nsInject.invalid}"`;
      return no(`the injector refuses to create its pods: ${where} is not enabled/yes/true/disabled/no/false (osm:pkg/injector/webhook.go:247-254; the webhook fails closed)`, [nsRef, ref]);
    }
    const badExclusion = exclusionError(workload);
    if (badExclusion) return no(`the injector refuses to create its pods: ${badExclusion} (osm:pkg/injector/exclusions.go, patch.go:188-218)`);
    if (pod.enabled === true) return { allowed: true, reason: `${ref} is annotated ${OSM_SIDECAR_INJECTION_ANNOTATION}: enabled in ${nsRef}, monitored by mesh ${this.meshName}`, objects: [nsRef, ref] };
    if (pod.enabled === false) return no(`its pods are annotated ${OSM_SIDECAR_INJECTION_ANNOTATION}: disabled`);
    if (nsInject.enabled === true) return { allowed: true, reason: `${nsRef} is monitored by mesh ${this.meshName} and annotated ${OSM_SIDECAR_INJECTION_ANNOTATION}: enabled`, objects: [nsRef, ref] };
    return no(`neither its pods nor ${nsRef} (monitored, but ${nsInject.enabled === false ? 'annotated disabled' : 'not annotated'}) are annotated ${OSM_SIDECAR_INJECTION_ANNOTATION}: enabled (osm:pkg/injector/webhook.go:224-236)`, [nsRef, ref]);
  }

  /** The source side of a connection (see `IMeshModel.outbound`). */
  public outbound(model: ClusterModel, request: MeshConnectionRequest): Verdict {
    return this.overPaths(model, request, (path) => {
      const leg = this.sourceLeg(model, request, path);
      return { allowed: leg.allowed, reason: leg.reason, objects: leg.objects };
    });
  }

  /**
   * The destination side of a connection (see `IMeshModel.inbound`): the form it arrives in is the
   * one the source side sends; when the source side would not send it, the form it would have
   * (through the mesh to a Service of the mesh, otherwise plain).
   */
  public inbound(model: ClusterModel, request: MeshConnectionRequest): Verdict {
    return this.overPaths(model, request, (path) => {
      const leg = this.sourceLeg(model, request, path);
      const d = this.destinationLeg(model, request, path, leg.arrival);
      const via = !d.allowed && leg.via ? ` (${leg.via})` : '';
      return { allowed: d.allowed, reason: `${d.reason}${via}`, objects: d.objects };
    });
  }

  /** Both sides (see `IMeshModel.connection`). */
  public connection(model: ClusterModel, request: MeshConnectionRequest): Verdict {
    return this.overPaths(model, request, (path) => {
      const s = this.sourceLeg(model, request, path);
      return bothSides(s, () => this.destinationLeg(model, request, path, s.arrival), explains(request));
    });
  }

  /**
   * Connections a meshed workload's Envoy makes as its own user (UID 1500, which the init
   * container's rules return before redirection, osm:pkg/injector/iptables.go:28-34): the ADS
   * stream to `osm-controller.<ns>.svc.cluster.local:15128` (a LOGICAL_DNS cluster,
   * osm:pkg/envoy/bootstrap/config.go:212-270, pkg/injector/bootstrap.go:52; Service and pods
   * labelled `app: osm-controller`, osm:charts/osm/templates/osm-service.yaml), the DNS lookups
   * that name needs, and the tracing collector when MeshConfig turns tracing on
   * (osm:pkg/utils/mesh_config.go:42-57).
   */
  /** OSM's injected containers (see osm-injection.ts), with the MeshConfig's privileged init container option. */
  public injectedContainers(model: ClusterModel, workload: Workload): ContainerInfo[] {
    if (!this.isMeshed(model, workload).allowed) return [];
    const o = workload.source.object;
    const podSpec = o.kind === 'Pod' ? o.spec : o.kind === 'CronJob' ? o.spec?.jobTemplate?.spec?.template?.spec : o.spec?.template?.spec;
    return osmInjectedContainers({ podSpec, enablePrivilegedInitContainer: this.settings(model).privilegedInitContainer });
  }

  public sidecarConnections(model: ClusterModel, workload: Workload): MeshSidecarConnection[] {
    if (!this.isMeshed(model, workload).allowed) return [];
    const cp = this.controlPlaneNamespace;
    const out: MeshSidecarConnection[] = [
      {
        description: `OSM control plane: Envoy's ADS stream (mTLS) to osm-controller.${cp}.svc.cluster.local:${OSM_ADS_PORT}, from the proxy's own UID, not intercepted (osm:pkg/envoy/bootstrap/config.go:212-270)`,
        namespace: cp,
        podLabels: { app: 'osm-controller' },
        service: `${cp}/osm-controller`,
        port: OSM_ADS_PORT,
        protocol: 'TCP',
      },
      {
        description: `cluster DNS: Envoy resolves osm-controller.${cp}.svc.cluster.local (LOGICAL_DNS cluster, osm:pkg/envoy/bootstrap/config.go:245)`,
        port: 53,
        protocol: 'UDP',
      },
    ];
    const s = this.settings(model);
    if (s.tracingHost !== undefined && s.tracingPort !== undefined) {
      out.push({ description: `tracing: Envoy sends spans to ${s.tracingHost}:${s.tracingPort} (${s.permissiveSource.startsWith('MeshConfig') ? s.permissiveSource : 'MeshConfig'} spec.observability.tracing)`, service: s.tracingHost, port: s.tracingPort, protocol: 'TCP' });
    }
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // Paths and legs

  /** Evaluates each way the source reaches the destination; the first that is allowed answers, else the first. */
  private overPaths(model: ClusterModel, request: MeshConnectionRequest, judge: (path: DialPath) => Verdict): Verdict {
    const dest = request.destination;
    const protocol = l4(request);
    const paths: DialPath[] = [];
    if (dest.workload) {
      const w = dest.workload;
      for (const svc of workloadServices(model, w)) {
        if (request.service !== undefined && svc.name !== request.service) continue;
        for (const p of svc.ports) {
          if (p.protocol.toUpperCase() === protocol && resolveTargetPort(w, p) === request.port) paths.push({ service: svc, servicePort: p, port: p.port, ip: serviceAddress(svc) ?? dest.ip });
        }
      }
      if (paths.length === 0 && request.service !== undefined) {
        return { allowed: false, reason: `Service ${w.namespace}/${request.service} does not send ${protocol} port ${request.port} of ${w.ref} (not in the input, or no port of it does)`, objects: [w.ref] };
      }
    }
    if (paths.length === 0) paths.push({ port: request.port, ip: dest.ip });
    return firstAllowed(paths, judge, explains(request));
  }

  /**
   * The source's sidecar: interception (TCP only; exclusions; osm:pkg/injector/iptables.go), then
   * its outbound listener (osm:pkg/envoy/generator/lds/builder.go:201-268): a filter chain per
   * Service port of the mesh it may call (permissive: every Service of a monitored namespace;
   * otherwise those of ServiceAccounts a TrafficTarget lets it call,
   * osm:pkg/catalog/outbound_traffic_policies.go:141-171), the app protocol deciding the chain
   * (osm:pkg/envoy/generator/lds/inmesh.go:300-328); otherwise the passthrough chain when egress
   * is enabled, or the Egress policies' chains when it is not (osm:pkg/catalog/egress.go,
   * pkg/envoy/generator/lds/egress.go).
   */
  private sourceLeg(model: ClusterModel, request: MeshConnectionRequest, path: DialPath): Leg {
    const src = request.source;
    const plain = (reason: string, objects: string[] = [], via?: string): Leg => ({ allowed: true, reason, objects, arrival: 'plain', ...(via ? { via } : {}) });
    const skips = src.workload ? `it skips ${src.workload.ref}'s sidecar` : undefined;
    if (!src.workload) return plain(`${peerName(src)} has no OSM sidecar: nothing intercepts what it sends`);
    const w = src.workload;
    const meshed = this.isMeshed(model, w);
    if (!meshed.allowed) return plain(`${w.ref} has no OSM sidecar (${meshed.reason.replace(`${w.ref} gets no OSM sidecar: `, '')})`, meshed.objects);
    const r = this.resources(model);
    const s = r.settings;
    const protocol = l4(request);
    if (protocol !== 'TCP') return plain(`OSM redirects only TCP to the sidecar: ${protocol} leaves ${w.ref} directly (osm:pkg/injector/iptables.go:14-36)`, [], skips);
    if (portExcluded(w.podAnnotations[OSM_OUTBOUND_PORT_EXCLUSION_ANNOTATION], s.outboundPortExclusions, path.port)) {
      return plain(`port ${path.port} is excluded from ${w.ref}'s outbound interception (${exclusionSource(w.podAnnotations, OSM_OUTBOUND_PORT_EXCLUSION_ANNOTATION, path.port, 'outboundPortExclusionList', s)}; osm:pkg/injector/iptables.go:135-144)`, meshConfigRefs(s), skips);
    }
    const excludedRanges = [...(parseCidrs(w.podAnnotations[OSM_OUTBOUND_IP_RANGE_EXCLUSION_ANNOTATION]) ?? []), ...s.outboundIpRangeExclusions];
    const includedRanges = [...(parseCidrs(w.podAnnotations[OSM_OUTBOUND_IP_RANGE_INCLUSION_ANNOTATION]) ?? []), ...s.outboundIpRangeInclusions];
    const notes: string[] = [];
    if (path.ip !== undefined) {
      const hit = excludedRanges.find((c) => cidrContains(c, path.ip!));
      if (hit) return plain(`${path.ip} is in ${hit}, excluded from ${w.ref}'s outbound interception (osm:pkg/injector/iptables.go:125-133)`, meshConfigRefs(s), skips);
      if (includedRanges.length > 0 && !includedRanges.some((c) => cidrContains(c, path.ip!))) {
        return plain(`${path.ip} is outside the outbound IP-range inclusion list [${includedRanges.join(', ')}], so ${w.ref}'s sidecar does not intercept it (osm:pkg/injector/iptables.go:146-156)`, meshConfigRefs(s), skips);
      }
    } else if (excludedRanges.length > 0 || includedRanges.length > 0) {
      notes.push(`the destination address is unknown, so outbound IP-range exclusions/inclusions were not applied`);
    }
    const note = notes.length > 0 ? ` (${notes.join('; ')})` : '';

    // A mesh filter chain for the dialled Service port?
    const dest = request.destination;
    let noChain: string;
    const objects: string[] = [];
    if (path.service && path.servicePort) {
      const svc = path.service;
      const svcRef = objectRef(svc.source.object);
      objects.push(svcRef);
      const ap = appProtocol(path.servicePort);
      const kind = chainKind(ap.protocol);
      if (!this.monitored(model, svc.namespace)) {
        noChain = `${svcRef} is in namespace ${svc.namespace}, which mesh ${this.meshName} does not monitor, so the sidecar has no mesh route to it`;
      } else if (kind === undefined) {
        noChain = `port ${path.servicePort.port} of ${svcRef} has ${ap.how}: OSM builds no filter chain for it (only http, grpc, tcp, tcp-server-first; osm:pkg/envoy/generator/lds/inmesh.go:300-328)`;
      } else {
        const destW = dest.workload!;
        const granting = s.permissive ? [] : (r.index.targetsByDestination.get(idKey(destW.namespace, destW.serviceAccount)) ?? []).filter((t) => t.sources.some((x) => identityIs(x, w)));
        if (s.permissive || granting.length > 0) {
          const transport = request.transport ?? (kind === 'http' ? 'http' : 'tcp');
          const explain = explains(request);
          const why = !explain ? '' : s.permissive ? `permissive mode (${s.permissiveSource})` : `${refList(granting.map((t) => t.ref))} lets ServiceAccount ${w.namespace}/${w.serviceAccount} call ServiceAccount ${destW.namespace}/${destW.serviceAccount}`;
          const chainObjects = explain ? unique([...objects, ...(s.permissive ? meshConfigRefs(s) : granting.map((t) => t.ref))]) : [];
          if (kind === 'http' && transport !== 'http') {
            return { allowed: false, reason: `port ${path.servicePort.port} of ${svcRef} is ${ap.protocol} (${ap.how}): ${w.ref}'s sidecar parses HTTP there and cannot carry ${transportName(transport)} (set appProtocol tcp for opaque traffic)`, objects: chainObjects, arrival: 'mesh' };
          }
          return { allowed: true, reason: `${w.ref}'s sidecar routes it through the mesh (mTLS) to ${svcRef} port ${path.servicePort.port} (${ap.protocol}): ${why}${note}`, objects: chainObjects, arrival: 'mesh' };
        }
        noChain = `no TrafficTarget lets ServiceAccount ${w.namespace}/${w.serviceAccount} call ServiceAccount ${destW.namespace}/${destW.serviceAccount} (permissive mode is off: ${s.permissiveSource}), so the sidecar has no mesh route to ${svcRef}`;
        objects.push(...meshConfigRefs(s));
      }
    } else if (dest.workload) {
      noChain = `${dest.workload.ref} is dialled at its pod address${path.ip ? ` ${path.ip}` : ''}, not through a Service, so the sidecar has no mesh route for it`;
    } else {
      noChain = `${peerName(dest)} is not a Service of the mesh`;
    }
    const intended = path.service && path.servicePort && this.monitored(model, path.service.namespace) && chainKind(appProtocol(path.servicePort).protocol) !== undefined ? 'mesh' : 'plain';

    if (s.egress) {
      return { allowed: true, reason: `${noChain}; egress is enabled (${s.egressSource}): the sidecar passes it through unchanged (osm:pkg/envoy/generator/lds/builder.go:219-221)${note}`, objects: unique([...objects, ...meshConfigRefs(s)]), arrival: 'plain', via: `${w.ref}'s sidecar has no mesh route for it and passes it through as plain traffic` };
    }
    const egress = this.egressVerdict(model, request, path, w);
    if (egress.allowed) {
      return { allowed: true, reason: `${noChain}; egress is disabled (${s.egressSource}) but ${egress.reason}${note}`, objects: unique([...objects, ...meshConfigRefs(s), ...egress.objects]), arrival: 'plain', via: `${w.ref}'s sidecar sends it by an Egress policy, as plain traffic` };
    }
    const dns = path.port === 53 ? ' (DNS over TCP is intercepted like any TCP: exclude port 53 from outbound interception)' : '';
    return { allowed: false, reason: `${noChain}; egress is disabled (${s.egressSource}) and ${egress.reason}${dns}${note}`, objects: unique([...objects, ...meshConfigRefs(s), ...egress.objects]), arrival: intended };
  }

  /**
   * Egress policies of the source's ServiceAccount, as the sidecar's egress filter chains match
   * them (osm:pkg/catalog/egress.go:89-140, pkg/envoy/generator/lds/egress.go): an http port by
   * Host header (hosts, `host` or `host:port`) and the routes of its HTTPRouteGroup matches
   * (or any request), for HTTP the sidecar can read; a tcp/tcp-server-first port by destination
   * address (ipAddresses; none: any); an https port by TLS server name (hosts; none: any) and
   * address. An Egress naming a missing UpstreamTrafficSetting is ignored (egress.go:97-101).
   */
  private egressVerdict(model: ClusterModel, request: MeshConnectionRequest, path: DialPath, w: Workload): Verdict {
    const r = this.resources(model);
    const mine = r.index.egressesBySource.get(idKey(w.namespace, w.serviceAccount)) ?? [];
    const sa = `ServiceAccount ${w.namespace}/${w.serviceAccount}`;
    if (mine.length === 0) return { allowed: false, reason: `no Egress policy names ${sa} as a source`, objects: [] };
    const misses: string[] = [];
    for (const e of mine) {
      const uts = e.matches.find((m) => m.kind === 'UpstreamTrafficSetting' && m.apiGroup === 'policy.openservicemesh.io/v1alpha1');
      if (uts && !r.upstreamTrafficSettings.has(`${e.namespace}/${uts.name}`)) { misses.push(`${e.ref} names UpstreamTrafficSetting ${e.namespace}/${uts.name}, which is not in the input, so OSM ignores it`); continue; }
      for (const port of e.ports.filter((p) => p.number === path.port)) {
        const protocol = port.protocol.toLowerCase();
        const transport = request.transport ?? (protocol === 'http' ? 'http' : protocol === 'https' ? 'https' : 'tcp');
        if (protocol === 'http') {
          if (transport !== 'http') { misses.push(`${e.ref} port ${port.number} is http, which matches only plain HTTP the sidecar can read (the app sends ${transportName(transport)})`); continue; }
          const host = request.http?.headers?.host ?? request.destination.host ?? (path.service ? `${path.service.name}.${path.service.namespace}.svc.cluster.local` : undefined);
          if (host === undefined) { misses.push(`${e.ref} port ${port.number} is http and matches by Host header, which is unknown here`); continue; }
          const hostOk = e.hosts.some((h) => hostMatches(h, host) || hostMatches(`${h}:${port.number}`, host));
          if (!hostOk) { misses.push(`${e.ref} port ${port.number} admits Host ${e.hosts.length > 0 ? e.hosts.join(', ') : '(no hosts: none)'}, not ${host}`); continue; }
          const routes = this.egressRoutes(model, e);
          if (routes.objects.length > 0 && routes.matches.length === 0) { misses.push(`${e.ref} names HTTPRouteGroup matches that give no route (${routes.problems.join('; ')})`); continue; }
          if (request.http && routes.matches.length > 0 && !routes.matches.some((m) => httpMatches(m, request.http!))) {
            misses.push(`${e.ref} admits on Host ${host} only ${routes.matches.map(describeMatch).join(', ')}, not ${request.http.method} ${request.http.path}`);
            continue;
          }
          const what = routes.matches.length > 0 ? ` for ${routes.matches.map(describeMatch).join(', ')}` : '';
          return { allowed: true, reason: `${e.ref} lets ${sa} send HTTP to ${host} on port ${port.number}${what}`, objects: [e.ref, ...routes.objects] };
        }
        if (protocol === 'tcp' || protocol === 'tcp-server-first' || protocol === 'https') {
          if (protocol === 'https' && e.hosts.length > 0) {
            const sni = request.sni ?? request.destination.host;
            if (transport !== 'https') { misses.push(`${e.ref} port ${port.number} is https and matches by TLS server name, but the app sends ${transportName(transport)}`); continue; }
            if (sni === undefined || !e.hosts.some((h) => hostMatches(h, sni))) { misses.push(`${e.ref} port ${port.number} admits TLS server names ${e.hosts.join(', ')}, not ${sni ?? '(unknown)'}`); continue; }
          }
          if (e.ipAddresses.length > 0) {
            if (path.ip === undefined) { misses.push(`${e.ref} port ${port.number} admits ${e.ipAddresses.join(', ')}, and the destination address is unknown`); continue; }
            if (!e.ipAddresses.some((c) => cidrContains(c, path.ip!))) { misses.push(`${e.ref} port ${port.number} admits ${e.ipAddresses.join(', ')}, not ${path.ip}`); continue; }
          }
          const to = e.ipAddresses.length > 0 ? ` to ${e.ipAddresses.join(', ')}` : ' to any address';
          return { allowed: true, reason: `${e.ref} lets ${sa} open ${protocol} connections on port ${port.number}${to}`, objects: [e.ref] };
        }
        misses.push(`${e.ref} port ${port.number} has protocol ${port.protocol}, for which OSM builds no egress filter chain`);
      }
    }
    if (misses.length === 0) return { allowed: false, reason: `no Egress policy of ${sa} (${refList(mine.map((e) => e.ref))}) has port ${path.port}`, objects: mine.map((e) => e.ref) };
    return { allowed: false, reason: `no Egress policy admits it: ${misses.join('; ')}`, objects: mine.map((e) => e.ref) };
  }

  /** The HTTP route matches of an Egress (its HTTPRouteGroup matches, osm:pkg/catalog/egress.go:210-235). */
  private egressRoutes(model: ClusterModel, e: EgressPolicy): { matches: HrgMatch[]; objects: string[]; problems: string[] } {
    const r = this.resources(model);
    const matches: HrgMatch[] = [];
    const objects: string[] = [];
    const problems: string[] = [];
    for (const m of e.matches) {
      if (m.kind !== 'HTTPRouteGroup' || m.apiGroup !== 'specs.smi-spec.io/v1alpha4') continue;
      objects.push(`HTTPRouteGroup ${e.namespace}/${m.name}`);
      const group = r.routeGroups.get(`${e.namespace}/${m.name}`);
      if (!group) { problems.push(`HTTPRouteGroup ${e.namespace}/${m.name} is not in the input`); continue; }
      for (const x of group.matches) {
        if (x.unreadable) problems.push(`${group.ref}: ${x.unreadable}`);
        else matches.push(x);
      }
    }
    return { matches, objects, problems };
  }

  /**
   * The destination's sidecar: no sidecar, no filtering (but mTLS from a source's sidecar then
   * fails); TCP only; inbound port exclusions and the never-redirected ports
   * (osm:pkg/injector/iptables.go:39-86); then traffic from the mesh to the mesh filter chains and
   * traffic from elsewhere to the IngressBackend filter chains (osm:pkg/envoy/generator/lds/builder.go:270-281).
   */
  private destinationLeg(model: ClusterModel, request: MeshConnectionRequest, path: DialPath, arrival: string): Leg {
    const dest = request.destination;
    const leg = (allowed: boolean, reason: string, objects: string[] = []): Leg => ({ allowed, reason, objects, arrival });
    if (!dest.workload) return leg(true, `${peerName(dest)} is outside the mesh: no OSM sidecar receives it`);
    const d = dest.workload;
    const meshed = this.isMeshed(model, d);
    if (!meshed.allowed) {
      const why = meshed.reason.replace(`${d.ref} gets no OSM sidecar: `, '');
      if (arrival === 'mesh') return leg(false, `the source's sidecar sends mTLS, but ${d.ref} has no OSM sidecar to accept it (${why}), so the connection fails`, meshed.objects);
      return leg(true, `${d.ref} has no OSM sidecar (${why}): OSM does not filter what it receives`, meshed.objects);
    }
    const s = this.settings(model);
    const protocol = l4(request);
    if (protocol !== 'TCP') return leg(true, `OSM redirects only TCP to ${d.ref}'s sidecar: ${protocol} reaches the app directly (osm:pkg/injector/iptables.go:39-62)`);
    if (NEVER_REDIRECTED_INBOUND.includes(request.port)) return leg(true, `port ${request.port} is never redirected to ${d.ref}'s sidecar (Prometheus/probe port, osm:pkg/injector/iptables.go:46-58)`);
    if (portExcluded(d.podAnnotations[OSM_INBOUND_PORT_EXCLUSION_ANNOTATION], s.inboundPortExclusions, request.port)) {
      return leg(true, `port ${request.port} is excluded from ${d.ref}'s inbound interception (${exclusionSource(d.podAnnotations, OSM_INBOUND_PORT_EXCLUSION_ANNOTATION, request.port, 'inboundPortExclusionList', s)}; osm:pkg/injector/iptables.go:71-80): it reaches the app without the sidecar, so only NetworkPolicy and the app decide`, [d.ref, ...meshConfigRefs(s)]);
    }
    return arrival === 'mesh' ? this.meshInbound(model, request, path, d) : this.ingressInbound(model, request, d);
  }

  /**
   * Traffic from a source's sidecar: the inbound filter chain of the Service port it was sent to
   * (osm:pkg/envoy/generator/lds/inmesh.go:19-248). Permissive mode admits any meshed client
   * (no RBAC, wildcard routes, osm:pkg/catalog/inbound_traffic_policies.go:143-157). Otherwise the
   * network RBAC filter admits the sources of the TrafficTargets whose destination is the pod's
   * ServiceAccount, each on the ports of its TCPRoutes (any port when it has none; a TrafficTarget
   * naming a missing TCPRoute is dropped), osm:pkg/catalog/traffictarget.go:29-67,
   * pkg/envoy/generator/lds/rbac.go, pkg/envoy/rbac/policy.go:21-58; a tcp chain has that filter
   * only when such TrafficTargets exist (inmesh.go:170-173). An http/grpc chain then routes
   * requests by the HTTPRouteGroup matches the TrafficTargets' rules name (the rule kind is not
   * checked; a rule naming no matches gives no route), each route admitting the sources of its
   * TrafficTargets (osm:pkg/catalog/inbound_traffic_policies.go:159-262, pkg/envoy/generator/rds/route_config.go).
   */
  private meshInbound(model: ClusterModel, request: MeshConnectionRequest, path: DialPath, d: Workload): Leg {
    const arrival = 'mesh';
    const r = this.resources(model);
    const s = r.settings;
    const src = request.source.workload;
    if (!src || !path.service || !path.servicePort) return { allowed: false, reason: 'internal: mesh arrival without a meshed source and Service', objects: [], arrival };
    const svcRef = objectRef(path.service.source.object);
    const ap = appProtocol(path.servicePort);
    const kind = chainKind(ap.protocol)!;
    const transport = request.transport ?? (kind === 'http' ? 'http' : 'tcp');
    if (kind === 'http' && transport !== 'http') {
      return { allowed: false, reason: `port ${path.servicePort.port} of ${svcRef} is ${ap.protocol}: ${d.ref}'s sidecar parses HTTP there and cannot carry ${transportName(transport)}`, objects: [svcRef], arrival };
    }
    if (s.permissive) return { allowed: true, reason: `permissive mode (${s.permissiveSource}): ${d.ref}'s sidecar accepts any meshed client on port ${request.port} (${ap.protocol} via ${svcRef})`, objects: unique([svcRef, ...meshConfigRefs(s)]), arrival };

    const caller = `ServiceAccount ${src.namespace}/${src.serviceAccount}`;
    const callee = `ServiceAccount ${d.namespace}/${d.serviceAccount}`;
    const targets = r.index.targetsByDestination.get(idKey(d.namespace, d.serviceAccount)) ?? [];
    const ttRefs = targets.map((t) => t.ref);
    // Network (L4) RBAC.
    const rbac: { tt: TrafficTarget; ports: number[] }[] = [];
    const dropped: string[] = [];
    for (const tt of targets) {
      const ports: number[] = [];
      let missing: string | undefined;
      for (const rule of tt.rules.filter((x) => x.kind === 'TCPRoute')) {
        const route = r.tcpRoutes.get(`${tt.namespace}/${rule.name}`);
        if (!route) { missing = `TCPRoute ${tt.namespace}/${rule.name}`; break; }
        ports.push(...route.ports);
      }
      if (missing) dropped.push(`${tt.ref} names ${missing}, which is not in the input, so OSM drops it from the RBAC filter`);
      else rbac.push({ tt, ports });
    }
    const droppedNote = dropped.length > 0 ? ` (${dropped.join('; ')})` : '';
    if (!(kind === 'tcp' && rbac.length === 0)) {
      const listing = rbac.filter((x) => x.tt.sources.some((y) => identityIs(y, src)));
      const admitting = listing.filter((x) => x.ports.length === 0 || x.ports.includes(request.port));
      if (admitting.length === 0) {
        if (listing.length > 0) {
          const only = listing.map((x) => `${x.tt.ref} on port${x.ports.length > 1 ? 's' : ''} ${x.ports.join(', ')} (its TCPRoutes)`).join('; ');
          return { allowed: false, reason: `${d.ref}'s sidecar admits ${caller} only as ${only}, not port ${request.port}${droppedNote}`, objects: unique([svcRef, ...listing.map((x) => x.tt.ref)]), arrival };
        }
        const none = targets.length === 0
          ? `no TrafficTarget in ${d.namespace} has destination ${callee}`
          : `no TrafficTarget with destination ${callee} (${refList(ttRefs)}) names ${caller} as a source`;
        return { allowed: false, reason: `permissive mode is off (${s.permissiveSource}) and ${none}${droppedNote}`, objects: unique([svcRef, ...ttRefs, ...meshConfigRefs(s)]), arrival };
      }
      if (kind === 'tcp') {
        const a = admitting[0];
        const httpOnly = a.tt.rules.every((x) => x.kind !== 'TCPRoute') ? ' (it has no TCPRoute rule, so it admits every port; its HTTPRouteGroup rules do not apply to tcp)' : ` (TCPRoute ports ${a.ports.length > 0 ? a.ports.join(', ') : 'all'})`;
        return { allowed: true, reason: `${a.tt.ref} lets ${caller} connect to ${callee} on ${ap.protocol} port ${request.port} of ${svcRef}${httpOnly}${droppedNote}`, objects: unique([svcRef, ...admitting.map((x) => x.tt.ref)]), arrival };
      }
    } else {
      return { allowed: true, reason: `no TrafficTarget has destination ${callee}, so ${d.ref}'s tcp filter chain for ${svcRef} port ${path.servicePort.port} has no RBAC filter and accepts any meshed client (osm:pkg/envoy/generator/lds/inmesh.go:170-173)${droppedNote}`, objects: [svcRef], arrival };
    }

    // HTTP routes.
    const routes = this.inboundRoutes(model, targets);
    const mine = routes.routes.filter((x) => x.principals.has(principal(src)));
    const problems = routes.problems.length > 0 ? ` (${routes.problems.join('; ')})` : '';
    const explain = explains(request);
    const objects = explain ? unique([svcRef, ...ttRefs, ...routes.objects]) : [];
    if (mine.length === 0) {
      return { allowed: false, reason: `${refList(ttRefs)} let${ttRefs.length === 1 ? 's' : ''} ${caller} connect, but no HTTP route of ${d.ref}'s sidecar admits it on ${ap.protocol} port ${request.port}${problems}`, objects, arrival };
    }
    if (!request.http) {
      const reason = explain ? `${refList(mine.flatMap((x) => x.from))} let${mine.length === 1 ? 's' : ''} ${caller} send ${mine.map(describeRoute).join(', ')} to ${callee} (port ${request.port}, ${svcRef})` : '';
      return { allowed: true, reason, objects, arrival };
    }
    const http = request.http;
    const matching = routes.routes.filter((x) => httpMatches(x, http));
    const req = `${http.method} ${http.path}`;
    if (matching.length === 0) {
      return { allowed: false, reason: `no HTTP route of ${d.ref}'s sidecar matches ${req}; ${caller} is admitted only for ${mine.map(describeRoute).join(', ')}${problems}`, objects, arrival };
    }
    const admitting = matching.filter((x) => x.principals.has(principal(src)));
    if (admitting.length === matching.length) {
      return { allowed: true, reason: `${refList(admitting.flatMap((x) => x.from))} let${admitting.length === 1 ? 's' : ''} ${caller} send ${req} to ${callee} (route ${admitting.map(describeRoute).join(', ')})`, objects, arrival };
    }
    if (admitting.length === 0) {
      return { allowed: false, reason: `the routes matching ${req} (${matching.map(describeRoute).join(', ')}, from ${refList(matching.flatMap((x) => x.from))}) do not admit ${caller}`, objects, arrival };
    }
    return { allowed: false, reason: `${req} matches routes admitting ${caller} (${admitting.map(describeRoute).join(', ')}) and routes that do not (${matching.filter((x) => !admitting.includes(x)).map(describeRoute).join(', ')}); Envoy uses the first matching route and OSM's route order is unspecified, so it is not reliably allowed`, objects, arrival };
  }

  /**
   * The inbound HTTP routes built from TrafficTargets (osm:pkg/catalog/inbound_traffic_policies.go:164-262, MergeRules in
   * pkg/trafficpolicy/trafficpolicy.go:142-157); built once per list of the index (a destination's TrafficTargets), never written to.
   */
  private inboundRoutes(model: ClusterModel, targets: TrafficTarget[]): InboundRoutes {
    let known = this.routesCache.get(targets);
    if (!known) this.routesCache.set(targets, known = this.readInboundRoutes(model, targets));
    return known;
  }

  private readInboundRoutes(model: ClusterModel, targets: TrafficTarget[]): InboundRoutes {
    const r = this.resources(model);
    const routes: InboundRoute[] = [];
    const objects: string[] = [];
    const problems: string[] = [];
    for (const tt of targets) {
      for (const rule of tt.rules) {
        const group = r.routeGroups.get(`${tt.namespace}/${rule.name}`);
        if (rule.kind === 'HTTPRouteGroup' && !group) { problems.push(`${tt.ref} names HTTPRouteGroup ${tt.namespace}/${rule.name}, which is not in the input`); continue; }
        if (!group) continue;
        if (rule.matches.length === 0) { if (rule.kind === 'HTTPRouteGroup') problems.push(`${tt.ref}'s rule for ${group.ref} names no matches, and OSM builds a route only per named match`); continue; }
        objects.push(group.ref);
        for (const name of rule.matches) {
          const m = group.matches.find((x) => x.name === name);
          if (!m) { problems.push(`${group.ref} has no match named ${name}`); continue; }
          if (m.unreadable) { problems.push(`${group.ref} match ${name}: ${m.unreadable}`); continue; }
          const route: InboundRoute = { pathRegex: m.pathRegex || '.*', methods: m.methods.length > 0 ? m.methods : ['*'], headers: m.headers ?? {}, from: [tt.ref], principals: new Set(tt.sources.map(identityKey)) };
          const same = routes.find((x) => sameRoute(x, route));
          if (same) { for (const p of route.principals) same.principals.add(p); if (!same.from.includes(tt.ref)) same.from.push(tt.ref); } else routes.push(route);
        }
      }
    }
    return { routes, objects: unique(objects), problems };
  }

  /**
   * Traffic not from a meshed sidecar: only the IngressBackend filter chains accept it
   * (osm:pkg/envoy/generator/lds/ingress.go, pkg/catalog/ingress.go:55-223). OSM takes the first
   * IngressBackend of a monitored namespace with a backend named like a Service of the pod and
   * `port.number` equal to that Service port's targetPort (osm:pkg/compute/kube/client.go:327-341;
   * the namespace is not compared). Its Service sources (the source is one of their endpoints)
   * and IPRange sources restrict source addresses (none: any address); an http backend takes
   * plain HTTP; an https backend terminates TLS, requires a client certificate issued by OSM's CA
   * unless `tls.skipClientCertValidation`, matches `tls.sniHosts` when set, and admits the
   * AuthenticatedPrincipal sources (any principal when there are none, or when validation is skipped).
   */
  private ingressInbound(model: ClusterModel, request: MeshConnectionRequest, d: Workload): Leg {
    const arrival = 'plain';
    const r = this.resources(model);
    const from = peerName(request.source);
    const svcPorts: { svc: ServiceInfo; p: ServicePortInfo }[] = [];
    for (const svc of workloadServices(model, d)) {
      for (const p of svc.ports) if (p.protocol.toUpperCase() === 'TCP' && resolveTargetPort(d, p) === request.port) svcPorts.push({ svc, p });
    }
    const sidecar = `${d.ref} has an OSM sidecar, which accepts traffic that does not come from a meshed sidecar only through an IngressBackend`;
    if (svcPorts.length === 0) return { allowed: false, reason: `${sidecar}, for a Service port that sends to it; no Service of the input sends to its port ${request.port}`, objects: [d.ref], arrival };
    const found: { ib: IngressBackend; backend: IbBackend; svc: ServiceInfo }[] = [];
    for (const { svc } of svcPorts) {
      const ib = r.index.firstBackend.get(`${svc.name}\u0000${request.port}`);
      if (ib) found.push({ ib, backend: ib.backends.find((b) => b.name === svc.name && b.port === request.port)!, svc });
    }
    const svcRefs = unique(svcPorts.map((x) => objectRef(x.svc.source.object)));
    if (found.length === 0) {
      const named = [...new Set(svcPorts.flatMap((x) => r.index.backendsByName.get(x.svc.name) ?? []))].sort((a, b) => r.index.backendOrder.get(a)! - r.index.backendOrder.get(b)!);
      const near = named.flatMap((ib) => ib.backends.filter((b) => svcPorts.some((x) => x.svc.name === b.name)).map((b) => {
        const sp = svcPorts.find((x) => x.svc.name === b.name && x.p.port === b.port);
        return `${ib.ref} names ${b.name} port ${b.port ?? '(none)'}${sp ? `, the Service port: OSM matches the targetPort ${request.port}` : ''}`;
      }));
      const hint = near.length > 0 ? ` (${near.join('; ')})` : '';
      return { allowed: false, reason: `${sidecar} for ${refList(svcRefs)} with port.number ${request.port} (the targetPort); the input has none, so ${from} is refused${hint}`, objects: unique([...svcRefs, ...near.length > 0 ? r.ingressBackends.map((x) => x.ref) : []]), arrival };
    }
    const denials: Leg[] = [];
    for (const { ib, backend, svc } of found) {
      const v = this.ingressBackendVerdict(model, request, ib, backend, svc, d);
      if (v.allowed) return v;
      denials.push(v);
    }
    return denials[0];
  }

  private ingressBackendVerdict(model: ClusterModel, request: MeshConnectionRequest, ib: IngressBackend, backend: IbBackend, svc: ServiceInfo, d: Workload): Leg {
    const arrival = 'plain';
    const s = this.settings(model);
    const from = peerName(request.source);
    const objects = unique([ib.ref, objectRef(svc.source.object)]);
    const elsewhere = ib.namespace !== svc.namespace ? ` (it is in namespace ${ib.namespace}: OSM matches backends by Service name only)` : '';
    const name = `${ib.ref}${elsewhere}`;
    const protocol = backend.protocol.toLowerCase();
    if (protocol !== 'http' && protocol !== 'https') return { allowed: false, reason: `${name} gives backend ${backend.name} port ${backend.port} protocol ${backend.protocol}; OSM builds ingress filter chains only for http and https (osm:pkg/envoy/generator/lds/ingress.go:118-121)`, objects, arrival };
    // Source addresses (filter chain source prefixes).
    const addressSources = ib.sources.filter((x) => x.kind === 'Service' || x.kind === 'IPRange');
    if (addressSources.length > 0) {
      const mine = peerServices(model, request.source);
      const bySvc = addressSources.find((x) => x.kind === 'Service' && mine.includes(`${x.namespace}/${x.name}`));
      const byIp = request.source.ip !== undefined ? addressSources.find((x) => x.kind === 'IPRange' && cidrContains(x.name, request.source.ip!)) : undefined;
      if (!bySvc && !byIp) {
        const listed = addressSources.map((x) => (x.kind === 'Service' ? `endpoints of Service ${x.namespace}/${x.name}` : `addresses in ${x.name}`)).join(', ');
        const ipNote = request.source.ip === undefined && addressSources.some((x) => x.kind === 'IPRange') ? ' (its address is unknown)' : '';
        return { allowed: false, reason: `${name} admits to ${backend.name} port ${backend.port} only ${listed}; ${from} is none of them${ipNote}`, objects, arrival };
      }
    }
    const who = addressSources.length > 0 ? 'as a listed source' : '(it lists no Service or IPRange source: any address)';
    if (protocol === 'http') {
      const transport = request.transport ?? 'http';
      if (transport !== 'http') return { allowed: false, reason: `${name} backend ${backend.name} port ${backend.port} is http: ${d.ref}'s sidecar expects plain HTTP, and ${from} sends ${transportName(transport)}`, objects, arrival };
      return { allowed: true, reason: `${name} admits plain HTTP from ${from} ${who} to ${backend.name} port ${backend.port}`, objects, arrival };
    }
    const transport = request.transport ?? 'https';
    if (transport !== 'https') return { allowed: false, reason: `${name} backend ${backend.name} port ${backend.port} is https: ${d.ref}'s sidecar terminates TLS, and ${from} sends ${transportName(transport)}`, objects, arrival };
    if (backend.sniHosts.length > 0) {
      const sni = request.sni ?? request.destination.host;
      if (sni === undefined || !backend.sniHosts.some((h) => hostMatches(h, sni))) return { allowed: false, reason: `${name} backend ${backend.name} port ${backend.port} accepts TLS server names ${backend.sniHosts.join(', ')}, not ${sni ?? '(none sent)'}`, objects, arrival };
    }
    if (backend.skipClientCertValidation) return { allowed: true, reason: `${name} admits TLS from ${from} ${who} to ${backend.name} port ${backend.port} without validating a client certificate (tls.skipClientCertValidation)`, objects, arrival };
    const principals = ib.sources.filter((x) => x.kind === 'AuthenticatedPrincipal').map((x) => x.name);
    if (request.clientPrincipal === undefined) {
      return { allowed: false, reason: `${name} backend ${backend.name} port ${backend.port} is https with client certificate validation: ${from} must present a client certificate issued by OSM's CA${principals.length > 0 ? ` with SAN ${principals.join(' or ')}` : ''}, and presents none`, objects, arrival };
    }
    const issued = s.ingressGatewayPrincipals.includes(request.clientPrincipal) ? ` (OSM issues it: ${s.meshConfig} spec.certificate.ingressGateway)` : '';
    if (principals.length > 0 && !principals.includes(request.clientPrincipal)) {
      return { allowed: false, reason: `${name} backend ${backend.name} port ${backend.port} admits the client principals ${principals.join(', ')}, not ${request.clientPrincipal}`, objects, arrival };
    }
    const any = principals.length === 0 ? ' (it lists no AuthenticatedPrincipal, so any certificate of OSM\'s CA is admitted)' : '';
    return { allowed: true, reason: `${name} admits mTLS from ${from} ${who} with client principal ${request.clientPrincipal}${issued} to ${backend.name} port ${backend.port}${any}`, objects: unique([...objects, ...(issued ? meshConfigRefs(s) : [])]), arrival };
  }

  // -------------------------------------------------------------------------------------------
  // Reading the input

  private monitored(model: ClusterModel, namespace: string): boolean {
    const ns = model.namespaces.get(namespace);
    return ns !== undefined && ns.declared && ns.labels[OSM_MONITORED_BY_LABEL] === this.meshName;
  }

  private resources(model: ClusterModel): Resources {
    const cached = this.cache.get(model);
    if (cached) return cached;
    const r: Resources = {
      settings: this.readSettings(model),
      trafficTargets: [],
      routeGroups: new Map(),
      tcpRoutes: new Map(),
      ingressBackends: [],
      egresses: [],
      upstreamTrafficSettings: new Set(),
      ignored: [],
      index: undefined as unknown as ResourceIndex,
    };
    for (const { object: o } of model.objects) {
      const kind = OSM_KINDS.get(o.kind);
      if (!kind || apiGroupOf(o.apiVersion) !== kind.group) continue;
      const which = kind.which;
      const ns = typeof o.metadata.namespace === 'string' && o.metadata.namespace !== '' ? o.metadata.namespace : 'default';
      if (!this.monitored(model, ns)) { r.ignored.push(objectRef(o)); continue; }
      const spec = isMapping(o.spec) ? o.spec : {};
      const ref = `${o.kind} ${ns}/${o.metadata.name}`;
      switch (which) {
        case 'tt': r.trafficTargets.push(readTrafficTarget(ref, ns, spec)); break;
        case 'hrg': r.routeGroups.set(`${ns}/${o.metadata.name}`, readRouteGroup(ref, ns, o.metadata.name, spec)); break;
        case 'tcp': r.tcpRoutes.set(`${ns}/${o.metadata.name}`, { ref, namespace: ns, name: o.metadata.name, ports: numbers(isMapping(spec.matches) ? spec.matches.ports : undefined) }); break;
        case 'ib': r.ingressBackends.push(readIngressBackend(ref, ns, spec)); break;
        case 'egress': r.egresses.push(readEgress(ref, ns, spec)); break;
        case 'uts': r.upstreamTrafficSettings.add(`${ns}/${o.metadata.name}`); break;
      }
    }
    r.index = indexResources(r);
    this.cache.set(model, r);
    return r;
  }

  /**
   * MeshConfig `osm-mesh-config` in the control-plane namespace (v1alpha2 or v1alpha1; the fields
   * read are the same in both, crds/config.openservicemesh.io_meshconfigs.yaml). Without one, the
   * chart's defaults: permissive true, egress true, empty lists (osm:charts/osm/values.yaml:259-263,
   * 376-390, written into MeshConfig by osm-bootstrap from charts/osm/templates/preset-mesh-config.yaml).
   * A field a MeshConfig of the input leaves out is Go's zero value (false, empty): the CRD has no
   * default, and osm-bootstrap writes the last-applied annotation, so `kubectl apply` of a partial
   * MeshConfig removes the bootstrapped values (inf., osm:cmd/osm-bootstrap/osm-bootstrap.go:383-403).
   */
  private readSettings(model: ClusterModel): OsmMeshSettings {
    const mc = osmMeshConfig(model, this.controlPlaneNamespace);
    const where = `MeshConfig ${this.controlPlaneNamespace}/${OSM_MESH_CONFIG_NAME}`;
    if (!mc) {
      const chart = `the OSM chart's default, as the input has no ${where}`;
      return {
        permissive: true, egress: true, outboundPortExclusions: [], inboundPortExclusions: [], outboundIpRangeExclusions: [], outboundIpRangeInclusions: [],
        ingressGatewayPrincipals: [], privilegedInitContainer: false, permissiveSource: chart, egressSource: chart,
      };
    }
    const ref = objectRef(mc);
    const traffic = isMapping(mc.spec) && isMapping(mc.spec.traffic) ? mc.spec.traffic : {};
    const flag = (field: string): { value: boolean; source: string } => (typeof traffic[field] === 'boolean'
      ? { value: traffic[field], source: `${ref}` }
      : { value: false, source: `${ref} does not set spec.traffic.${field}, which is then false (no CRD default)` });
    const permissive = flag('enablePermissiveTrafficPolicyMode');
    const egress = flag('enableEgress');
    const cert = isMapping(mc.spec) && isMapping(mc.spec.certificate) && isMapping(mc.spec.certificate.ingressGateway) ? mc.spec.certificate.ingressGateway : {};
    const tracing = isMapping(mc.spec) && isMapping(mc.spec.observability) && isMapping(mc.spec.observability.tracing) ? mc.spec.observability.tracing : {};
    return {
      meshConfig: ref,
      permissive: permissive.value,
      egress: egress.value,
      outboundPortExclusions: numbers(traffic.outboundPortExclusionList),
      inboundPortExclusions: numbers(traffic.inboundPortExclusionList),
      outboundIpRangeExclusions: strings(traffic.outboundIPRangeExclusionList),
      outboundIpRangeInclusions: strings(traffic.outboundIPRangeInclusionList),
      ingressGatewayPrincipals: strings(cert.subjectAltNames),
      privilegedInitContainer: isMapping(mc.spec) && isMapping(mc.spec.sidecar) && mc.spec.sidecar.enablePrivilegedInitContainer === true,
      permissiveSource: permissive.source,
      egressSource: egress.source,
      ...(tracing.enable === true ? {
        tracingHost: typeof tracing.address === 'string' && tracing.address !== '' ? tracing.address : `jaeger.${this.controlPlaneNamespace}.svc.cluster.local`,
        tracingPort: typeof tracing.port === 'number' && tracing.port > 0 ? tracing.port : 9411,
      } : {}),
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** The app protocol OSM gives a Service port: appProtocol, else a port-name prefix, else http for TCP (osm:pkg/compute/kube/client.go:656-691). */
function appProtocol(p: ServicePortInfo): { protocol?: string; how: string } {
  if (p.appProtocol !== undefined) return { protocol: p.appProtocol, how: `appProtocol ${p.appProtocol}` };
  const prefix = PORT_NAME_PROTOCOLS.find((x) => p.name?.startsWith(`${x}-`));
  if (prefix) return { protocol: prefix, how: `the port name ${p.name}` };
  if (p.protocol.toUpperCase() === 'TCP') return { protocol: 'http', how: 'no appProtocol, so OSM defaults it to http' };
  return { how: `no appProtocol on a ${p.protocol} port` };
}

/** The filter chain OSM builds for an app protocol (lower-cased, osm:pkg/envoy/generator/lds/inmesh.go:24-44). */
function chainKind(protocol: string | undefined): string | undefined {
  switch (protocol?.toLowerCase()) {
    case 'http': case 'grpc': return 'http';
    case 'tcp': case 'tcp-server-first': return 'tcp';
    default: return undefined;
  }
}

/** The Services a source is an endpoint of, as "namespace/name". */
function peerServices(model: ClusterModel, peer: MeshPeer): string[] {
  let byPeer = peerServiceCache.get(model);
  if (!byPeer) peerServiceCache.set(model, byPeer = new WeakMap());
  let known = byPeer.get(peer);
  if (!known) byPeer.set(peer, known = computePeerServices(model, peer));
  return known;
}

const peerServiceCache = new WeakMap<ClusterModel, WeakMap<MeshPeer, string[]>>();
const serviceOrders = new WeakMap<ClusterModel, { order: Map<ServiceInfo, number>; byNamespace: Map<string, ServiceInfo[]> }>();

/** The model's Services by namespace, and their positions (computed once per model). */
function serviceOrder(model: ClusterModel): { order: Map<ServiceInfo, number>; byNamespace: Map<string, ServiceInfo[]> } {
  let known = serviceOrders.get(model);
  if (!known) {
    known = { order: new Map(), byNamespace: new Map() };
    for (const svc of model.services) {
      known.order.set(svc, known.order.size);
      const l = known.byNamespace.get(svc.namespace);
      if (l) l.push(svc); else known.byNamespace.set(svc.namespace, [svc]);
    }
    serviceOrders.set(model, known);
  }
  return known;
}

function computePeerServices(model: ClusterModel, peer: MeshPeer): string[] {
  const out: string[] = [];
  const w = peer.workload;
  const e = peer.external;
  // Only the Services selecting the workload, and those of the external peer's namespace, can match (in the model's order).
  const { order, byNamespace } = serviceOrder(model);
  const candidates = new Set<ServiceInfo>([...(w ? workloadServices(model, w) : []), ...(e?.namespace !== undefined ? byNamespace.get(e.namespace) ?? [] : [])]);
  for (const svc of [...candidates].sort((a, b) => order.get(a)! - order.get(b)!)) {
    if (w && servicePods(model, svc).includes(w)) out.push(`${svc.namespace}/${svc.name}`);
    if (e && e.namespace === svc.namespace && e.podLabels && svc.selector && Object.keys(svc.selector).length > 0
      && Object.entries(svc.selector).every(([k, v]) => e.podLabels![k] === v)) out.push(`${svc.namespace}/${svc.name}`);
  }
  return unique([...out, ...(e?.services ?? [])]);
}

function identityIs(id: Identity, w: Workload): boolean {
  return id.name === w.serviceAccount && id.namespace === w.namespace;
}

function identityKey(id: Identity): string {
  return `${id.namespace}/${id.name}`;
}

function principal(w: Workload): string {
  return `${w.namespace}/${w.serviceAccount}`;
}

/** An index key of an identity (`identityIs` compares namespace and name). */
function idKey(namespace: string, name: string): string {
  return `${namespace}\u0000${name}`;
}

function injectionAnnotation(annotations: { readonly [key: string]: string }): { enabled?: boolean; invalid?: string } {
  const v = annotations[OSM_SIDECAR_INJECTION_ANNOTATION];
  if (v === undefined) return {};
  switch (v.toLowerCase()) {
    case 'enabled': case 'yes': case 'true': return { enabled: true };
    case 'disabled': case 'no': case 'false': return { enabled: false };
    default: return { invalid: v };
  }
}

/** An invalid exclusion annotation (the injector refuses the pod), or undefined. */
function exclusionError(w: Workload): string | undefined {
  for (const key of [OSM_INBOUND_PORT_EXCLUSION_ANNOTATION, OSM_OUTBOUND_PORT_EXCLUSION_ANNOTATION]) {
    if (w.podAnnotations[key] !== undefined && parsePorts(w.podAnnotations[key]) === undefined) return `${key}: "${w.podAnnotations[key]}" is not a list of ports`;
  }
  for (const key of [OSM_OUTBOUND_IP_RANGE_EXCLUSION_ANNOTATION, OSM_OUTBOUND_IP_RANGE_INCLUSION_ANNOTATION]) {
    if (w.podAnnotations[key] !== undefined && parseCidrs(w.podAnnotations[key]) === undefined) return `${key}: "${w.podAnnotations[key]}" is not a list of CIDRs`;
  }
  return undefined;
}

/** A comma-separated port list as the injector parses it (osm:pkg/injector/exclusions.go:36-57); undefined when invalid. */
function parsePorts(value: string | undefined): number[] | undefined {
  if (value === undefined) return [];
  const out: number[] = [];
  for (const part of value.split(',')) {
    const t = part.trim();
    if (!/^[+-]?\d+$/.test(t) || Number(t) <= 0) return undefined;
    out.push(Number(t));
  }
  return out;
}

/** A comma-separated CIDR list (osm:pkg/injector/exclusions.go:86-104); undefined when invalid. */
function parseCidrs(value: string | undefined): string[] | undefined {
  if (value === undefined) return [];
  const out = value.split(',').map((x) => x.trim());
  return out.every(isCidr) ? out : undefined;
}

function exclusionSource(annotations: { readonly [key: string]: string }, key: string, port: number, field: string, s: OsmMeshSettings): string {
  const fromPod = (parsePorts(annotations[key]) ?? []).includes(port);
  return fromPod ? `pod annotation ${key}` : `${s.meshConfig} spec.traffic.${field}`;
}

function meshConfigRefs(s: OsmMeshSettings): string[] {
  return s.meshConfig ? [s.meshConfig] : [];
}


/** An Envoy domain / server-name pattern: exact, or a leading "*." wildcard (case-insensitive). */
function hostMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  if (p.startsWith('*.')) return h.endsWith(p.slice(1)) && h.length > p.length - 1;
  return p === h;
}

/** Whether an RE2 pattern matches a whole value, as Envoy's safe_regex does; an invalid pattern matches nothing. */
function fullMatch(pattern: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`, 'u').test(value);
  } catch {
    return false;
  }
}

/**
 * Whether a route (path regex, methods with "*" for any, header regexes; "host" is :authority)
 * matches a request (osm:pkg/envoy/generator/rds/route_config.go:376-560).
 */
function httpMatches(route: { pathRegex?: string; methods: string[]; headers?: { readonly [key: string]: string } }, http: MeshHttpRequest): boolean {
  const methods = route.methods.length > 0 ? route.methods : ['*'];
  if (!methods.includes('*') && !methods.some((m) => fullMatch(m, http.method))) return false;
  if (!fullMatch(route.pathRegex || '.*', http.path)) return false;
  const headers = http.headers ?? {};
  return Object.entries(route.headers ?? {}).every(([k, v]) => headers[k.toLowerCase()] !== undefined && fullMatch(v, headers[k.toLowerCase()]));
}

function describeMatch(m: { pathRegex?: string; methods: string[]; headers?: { readonly [key: string]: string } }): string {
  const methods = m.methods.length === 0 || m.methods.includes('*') ? '*' : m.methods.join('|');
  const headers = Object.entries(m.headers ?? {}).map(([k, v]) => ` ${k}~${v}`).join('');
  return `${methods} ${m.pathRegex || '.*'}${headers}`;
}

function describeRoute(r: InboundRoute): string {
  return describeMatch(r);
}

function sameRoute(a: InboundRoute, b: InboundRoute): boolean {
  return a.pathRegex === b.pathRegex && a.methods.join('\n') === b.methods.join('\n') && JSON.stringify(sortedEntries(a.headers)) === JSON.stringify(sortedEntries(b.headers));
}

function sortedEntries(m: { readonly [key: string]: string }): [string, string][] {
  return Object.entries(m).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
}

function readTrafficTarget(ref: string, namespace: string, spec: { [k: string]: any }): TrafficTarget {
  const destination = readIdentity(spec.destination);
  const sources = Array.isArray(spec.sources) ? spec.sources.filter(isMapping).map(readIdentity) : [];
  const rules: TtRule[] = Array.isArray(spec.rules) ? spec.rules.filter(isMapping).map((x: any) => ({
    kind: typeof x.kind === 'string' ? x.kind : '', name: typeof x.name === 'string' ? x.name : '', matches: strings(x.matches),
  })) : [];
  // osm:pkg/smi/smi.go:64-95 IsValidTrafficTarget: destination namespace is the TrafficTarget's, rules non-empty, rule kinds HTTPRouteGroup/TCPRoute.
  const valid = destination.namespace === namespace && rules.length > 0 && rules.every((x) => x.kind === 'HTTPRouteGroup' || x.kind === 'TCPRoute');
  return { ref, namespace, destination, sources, rules, valid };
}

function readIdentity(x: unknown): Identity {
  const m = isMapping(x) ? x : {};
  return { kind: typeof m.kind === 'string' ? m.kind : '', name: typeof m.name === 'string' ? m.name : '', namespace: typeof m.namespace === 'string' ? m.namespace : '' };
}

/**
 * An HTTPRouteGroup (specs.smi-spec.io/v1alpha4). OSM's controller decodes `headers` as a map of
 * header name to regex (the SMI SDK's type); the bundled CRD declares a list of maps, which the
 * controller cannot decode (servicemeshinterface/smi-spec#233), so such a match is reported unreadable.
 */
function readRouteGroup(ref: string, namespace: string, name: string, spec: { [k: string]: any }): HttpRouteGroup {
  const matches: HrgMatch[] = (Array.isArray(spec.matches) ? spec.matches : []).filter(isMapping).map((m: any) => {
    const match: HrgMatch = { name: typeof m.name === 'string' ? m.name : '', pathRegex: typeof m.pathRegex === 'string' ? m.pathRegex : undefined, methods: strings(m.methods) };
    if (Array.isArray(m.headers)) return { ...match, unreadable: 'headers is a list, which OSM\'s controller cannot decode (it reads a map of header name to regex; servicemeshinterface/smi-spec#233)' };
    if (isMapping(m.headers)) return { ...match, headers: Object.fromEntries(Object.entries(m.headers).filter(([, v]) => typeof v === 'string')) as { readonly [key: string]: string } };
    return match;
  });
  return { ref, namespace, name, matches };
}

function readIngressBackend(ref: string, namespace: string, spec: { [k: string]: any }): IngressBackend {
  const backends: IbBackend[] = (Array.isArray(spec.backends) ? spec.backends : []).filter(isMapping).map((b: any) => {
    const port = isMapping(b.port) ? b.port : {};
    const tls = isMapping(b.tls) ? b.tls : {};
    return {
      name: typeof b.name === 'string' ? b.name : '',
      port: typeof port.number === 'number' ? port.number : undefined,
      protocol: typeof port.protocol === 'string' ? port.protocol : '',
      skipClientCertValidation: tls.skipClientCertValidation === true,
      sniHosts: strings(tls.sniHosts),
    };
  });
  const sources: IbSource[] = (Array.isArray(spec.sources) ? spec.sources : []).filter(isMapping).map((x: any) => ({
    kind: typeof x.kind === 'string' ? x.kind : '', name: typeof x.name === 'string' ? x.name : '', ...(typeof x.namespace === 'string' ? { namespace: x.namespace } : {}),
  }));
  return { ref, namespace, backends, sources };
}

function readEgress(ref: string, namespace: string, spec: { [k: string]: any }): EgressPolicy {
  return {
    ref,
    namespace,
    sources: (Array.isArray(spec.sources) ? spec.sources : []).filter(isMapping).map(readIdentity),
    hosts: strings(spec.hosts),
    ipAddresses: strings(spec.ipAddresses),
    ports: (Array.isArray(spec.ports) ? spec.ports : []).filter((p: unknown) => isMapping(p) && typeof p.number === 'number')
      .map((p: any) => ({ number: p.number, protocol: typeof p.protocol === 'string' ? p.protocol : '' })),
    matches: (Array.isArray(spec.matches) ? spec.matches : []).filter(isMapping).map((m: any) => ({
      ...(typeof m.apiGroup === 'string' ? { apiGroup: m.apiGroup } : {}), kind: typeof m.kind === 'string' ? m.kind : '', name: typeof m.name === 'string' ? m.name : '',
    })),
  };
}

function numbers(value: unknown): number[] {
  return Array.isArray(value) ? value.filter((x): x is number => typeof x === 'number' && Number.isInteger(x)) : [];
}

/**
 * Whether `port` is in a pod's port exclusion annotation (an invalid list excludes nothing: the
 * injector refuses it) or in the MeshConfig's list (osm:pkg/injector/iptables.go:71-80, 135-144).
 */
function portExcluded(annotation: string | undefined, meshConfigPorts: number[], port: number): boolean {
  return meshConfigPorts.includes(port) || (annotation !== undefined && (parsePorts(annotation) ?? []).includes(port));
}

