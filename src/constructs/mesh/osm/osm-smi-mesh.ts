import type { Construct } from 'constructs';
import type * as ConstructsModule from 'constructs';
import type { MeshAllow } from '../../../spec/app-spec';
import type { ClusterContext } from '../../../spec/cluster-context';
import type { ResolvedPort } from '../../../spec/ports';
import { Problem, Problems } from '../../../spec/problems';
import { namespaceByName } from '../../../spec/profiles/platform-profile';
import { OSM_KEYS } from '../../../spec/profiles/osm';
import { dns1123Subdomain } from '../../../spec/rules';
import type { SecureDeployment } from '../../kubernetes/secure-deployment';
import type { DataPlaneDestination, IMeshProvider, IngressToMesh, MeshBinding, MeshEntry, MeshIntent, NamespaceEnrolment } from '../mesh-provider';
import { lazy } from '../../lazy';
import { httpMatchProblems } from './http-match-problems';
import { ingressSourceProblems } from './ingress-source-problems';
import { meshSourceProblems } from './mesh-source-problems';
import type * as OsmEgressModule from './osm-egress';
import type * as OsmIngressBackendModule from './osm-ingress-backend';
import type * as OsmMeshConfigModule from './osm-mesh-config';
import type * as SmiHttpRouteGroupModule from './smi-http-route-group';
import type * as SmiTcpRouteModule from './smi-tcp-route';
import type { TrafficTargetRule } from './smi-traffic-target';
import type * as SmiTrafficTargetModule from './smi-traffic-target';

/**
 * The construct classes `bind` and `bindCluster` build, loaded on their first call: the other
 * methods read spec data only, so validating a spec loads neither cdk8s nor the generated OSM and
 * SMI classes (test/cli/lazy-loading.test.ts).
 */
const constructClasses = lazy(() => ({
  Construct: (require('constructs') as typeof ConstructsModule).Construct,
  OsmEgress: (require('./osm-egress') as typeof OsmEgressModule).OsmEgress,
  OsmIngressBackend: (require('./osm-ingress-backend') as typeof OsmIngressBackendModule).OsmIngressBackend,
  OsmMeshConfig: (require('./osm-mesh-config') as typeof OsmMeshConfigModule).OsmMeshConfig,
  SmiHttpRouteGroup: (require('./smi-http-route-group') as typeof SmiHttpRouteGroupModule).SmiHttpRouteGroup,
  SmiTcpRoute: (require('./smi-tcp-route') as typeof SmiTcpRouteModule).SmiTcpRoute,
  SmiTrafficTarget: (require('./smi-traffic-target') as typeof SmiTrafficTargetModule).SmiTrafficTarget,
}));

/** The pod annotation that asks OSM to inject its sidecar. */
export const OSM_SIDECAR_INJECTION = OSM_KEYS.sidecarInjection;

/** The namespace label that puts a namespace under an OSM control plane. */
export const OSM_MONITORED_BY = OSM_KEYS.monitoredBy;

export interface OsmSmiMeshProps {
  /** Add the OSM sidecar-injection annotation to pods. @default true */
  readonly sidecarInjection?: boolean;
}

/**
 * The Service appProtocol OSM builds filter chains for (pkg/envoy/lds: http, grpc, tcp,
 * tcp-server-first). A port where the app terminates TLS is opaque to the sidecar: `tcp`, so the
 * mesh's mTLS wraps the app's TLS and only TCP-level rules apply.
 */
const OSM_APP_PROTOCOLS: { readonly [protocol: string]: string } = {
  'http': 'http',
  'grpc': 'grpc',
  'https': 'tcp',
  'grpcs': 'tcp',
  'tcp': 'tcp',
  'tcp-server-first': 'tcp-server-first',
};

/** The TrafficTarget name of an allow rule: its own, or `<app>-from-<first caller service account>`. */
export function allowName(app: string, allow: MeshAllow, index: number): string {
  if (allow.name) return allow.name;
  const first = allow.from?.[0]?.serviceAccount;
  return first ? `${app}-from-${first}` : `${app}-allow-${index}`;
}

/**
 * Open Service Mesh with SMI access policy, permissive mode off:
 * - per `mesh.allow` rule a TrafficTarget in the app namespace, with an HTTPRouteGroup for the
 *   ports where the sidecar sees HTTP and a TCPRoute for opaque ports;
 * - per port reached from outside the mesh (the Route's router, the Ingress' controller,
 *   `mesh.ingress`) one IngressBackend admitting exactly those sources on the target port;
 * - per external destination an Egress policy (MeshConfig `enableEgress: false`);
 * - pod annotations: sidecar injection, inbound exclusion of `bypassMesh` ports, outbound
 *   exclusion of DNS over TCP (port 53) and, for API callers, the `kubernetes` ClusterIP;
 * - the MeshConfig for the cluster (`bindCluster`).
 */
export class OsmSmiMesh implements IMeshProvider {
  public readonly name = 'osm';
  private readonly sidecarInjection: boolean;

  constructor(props: OsmSmiMeshProps = {}) {
    this.sidecarInjection = props.sidecarInjection ?? true;
  }

  /** OSM's value; none for a port that bypasses the sidecar (the standard value is written). */
  public appProtocol(port: ResolvedPort): string | undefined {
    return port.bypassMesh ? undefined : OSM_APP_PROTOCOLS[port.protocol];
  }

  /** OSM: the controller speaks TLS to the sidecar with the MeshConfig's ingress gateway certificate when asked (osm-docs ingress_k8s_nginx.md). */
  public ingressToMesh(_serviceName: string, _namespace: string, backendTls: boolean): IngressToMesh {
    return { tlsToSidecar: backendTls, annotations: {} };
  }

  public seesHttp(port: ResolvedPort): boolean {
    return !port.bypassMesh && (port.protocol === 'http' || port.protocol === 'grpc');
  }

  public namespaceEnrolment(cluster: ClusterContext): NamespaceEnrolment {
    return {
      labels: { [OSM_MONITORED_BY]: cluster.osm.meshName },
      annotations: this.sidecarInjection ? { [OSM_SIDECAR_INJECTION]: 'enabled' } : {},
      podSecurityLevel: 'privileged',
      podSecurityReason: 'the OSM init container runs as root with NET_ADMIN and NET_RAW to redirect traffic to the sidecar, and the Envoy sidecar does not drop all capabilities (openservicemesh/osm pkg/injector/init_container.go, envoy_container.go); Pod Security baseline and restricted reject such pods',
    };
  }

  public dataPlaneDestinations(cluster: ClusterContext): DataPlaneDestination[] {
    const osm = cluster.osm;
    return [{
      purpose: 'mesh-control-plane',
      peer: { namespaceLabels: namespaceByName(osm.namespace), podLabels: { ...osm.controllerPodLabels } },
      ports: [osm.xdsPort],
    }];
  }

  public validate(b: MeshIntent): Problem[] {
    const out = new Problems();
    const names = new Map<string, number>();
    const byName = new Map(b.ports.map((p) => [p.name, p]));
    (b.mesh.allow ?? []).forEach((allow, i) => {
      const path = `spec.mesh.allow[${i}]`;
      if (!Array.isArray(allow.from)) out.add(`${path}.from`, 'a list of callers ({ serviceAccount, namespace }) is required');
      else out.nest(`${path}.from`, meshSourceProblems(allow.from));
      const covered = this.coveredPorts(b.ports, allow);
      (allow.ports ?? []).forEach((n, j) => {
        const port = byName.get(n);
        if (!port) out.add(`${path}.ports[${j}]`, `port ${JSON.stringify(n)} is not in spec.ports; use one of ${b.ports.map((p) => JSON.stringify(p.name)).join(', ')}`);
        else if (port.bypassMesh) out.add(`${path}.ports[${j}]`, `port ${JSON.stringify(n)} bypasses the mesh (bypassMesh: true): meshed callers cannot reach it through their sidecars; admit them on another port`);
      });
      if (b.ports.length === 0) out.add(path, 'the app has no ports: nothing can call it');
      else if (allow.ports === undefined && covered.length === 0) out.add(path, 'every port bypasses the mesh: meshed callers cannot reach this app');
      if (allow.http !== undefined) {
        out.nest(`${path}.http`, httpMatchProblems(allow.http));
        allow.http.forEach((m, j) => {
          if (m.headers !== undefined) {
            out.add(`${path}.http[${j}].headers`, 'OSM cannot enforce header matches: its HTTPRouteGroup CRD accepts headers only as a list of maps, which its controller cannot decode (it expects a map; servicemeshinterface/smi-spec#233), so the route group would never load; match on pathRegex and methods instead');
          }
        });
        const opaque = covered.filter((p) => !this.seesHttp(p));
        if (opaque.length > 0) {
          out.add(`${path}.http`, `http matches cannot be enforced on ${opaque.map((p) => `port ${JSON.stringify(p.name)} (${p.protocol}: the sidecar sees ${p.protocol === 'https' || p.protocol === 'grpcs' ? 'only the app\'s TLS bytes' : 'an opaque TCP stream'})`).join(', ')}; `
            + `narrow the rule with ports: [${b.ports.filter((p) => this.seesHttp(p)).map((p) => p.name).join(', ')}], or drop http to admit the whole stream`);
        }
      }
      if (allow.name !== undefined) out.add(`${path}.name`, dns1123Subdomain(allow.name));
      const name = allowName('app', allow, i);
      if (names.has(name)) out.add(`${path}.name`, `rule name ${JSON.stringify(name)} repeats spec.mesh.allow[${names.get(name)}]; give one of them a distinct name`);
      names.set(name, i);
    });
    if (b.mesh.ingress) {
      const from = b.mesh.ingress.from;
      if (!Array.isArray(from)) out.add('spec.mesh.ingress.from', 'a list of sources (service, principal or ipRange) is required');
      else out.nest('spec.mesh.ingress.from', ingressSourceProblems(from));
      if (Array.isArray(from) && b.mesh.ingress.mtls === true && !from.some((s) => s.principal !== undefined)) {
        out.add('spec.mesh.ingress.from', 'mtls: true validates client certificates: add a principal source (the identity in the certificate the source presents)');
      }
    }
    // OSM resolves a Service source's endpoints only in namespaces it monitors (pkg/k8s/client.go
    // filters the informers by monitored namespace; osm-docs ingress_k8s_nginx.md:
    // `osm namespace add ingress-nginx --disable-sidecar-injection`).
    const monitored = new Set(b.cluster.mesh?.monitoredNamespaces ?? []);
    const unmonitored = [...new Set(b.entries.flatMap((e) => e.sources.filter((s) => s.service && !monitored.has(s.service.namespace)).map((s) => `${s.service!.namespace}|${e.field}`)))];
    for (const key of unmonitored) {
      const [ns, field] = key.split('|');
      const message = `OSM admits the Service source in namespace ${JSON.stringify(ns)} only when OSM monitors that namespace: enrol it without sidecars (osm namespace add ${ns} --disable-sidecar-injection) and list it under mesh.monitoredNamespaces in the Cluster spec`;
      if (b.cluster.mesh) out.add(field, message); // without mesh settings the pipeline warns once about the whole mesh
    }
    // TLS from the ingress controller into OSM needs the client certificate OSM issues for it.
    if (b.entries.some((e) => e.field === 'spec.ingress' && e.protocol === 'https') && !b.cluster.mesh?.ingressGateway) {
      out.add('spec.ingress.backendTls', 'TLS from the ingress controller into the mesh needs the client certificate the mesh issues for it: declare mesh.ingressGateway (secret, subjectAltNames) in the Cluster spec');
    }
    // One IngressBackend per port: every entry on a port must speak the same protocol to the sidecar.
    const perPort = new Map<string, MeshEntry>();
    for (const e of b.entries) {
      const other = perPort.get(e.port.name);
      if (other && (other.protocol !== e.protocol || other.validateClientCertificate !== e.validateClientCertificate)) {
        out.add(e.field, `${e.purpose} sends ${describe(e)} to port ${JSON.stringify(e.port.name)} but ${other.purpose} sends ${describe(other)}; OSM admits one protocol per port from outside the mesh: use one protocol, or separate ports`);
      } else if (!other) perPort.set(e.port.name, e);
    }
    return out.list;
  }

  public bind(scope: Construct, b: MeshBinding): void {
    const classes = constructClasses();
    const root = new classes.Construct(scope, 'OsmSmiMesh');
    const d = b.deployment;
    if (this.sidecarInjection) d.addPodAnnotation(OSM_SIDECAR_INJECTION, 'enabled');
    const bypassed = b.ports.filter((p) => p.bypassMesh).map((p) => p.targetPort);
    if (bypassed.length) d.addPodAnnotation(OSM_KEYS.inboundPortExclusions, bypassed.join(','));
    if (!b.egressUnrestricted) {
      // DNS over TCP is redirected to the sidecar, which refuses it with egress off (UDP is not intercepted).
      d.addPodAnnotation(OSM_KEYS.outboundPortExclusions, String(b.cluster.platform.dns.servicePort));
      if (b.kubernetesApi) d.addPodAnnotation(OSM_KEYS.outboundIPRangeExclusions, `${b.cluster.platform.apiServer.serviceIP}/32`);
    }

    (b.mesh.allow ?? []).forEach((allow, i) => {
      const name = allowName(b.app, allow, i);
      const covered = this.coveredPorts(b.ports, allow);
      const httpPorts = covered.filter((p) => this.seesHttp(p));
      const tcpPorts = covered.filter((p) => !this.seesHttp(p));
      const ruleScope = new classes.Construct(root, name);
      const rules: TrafficTargetRule[] = [];
      if (httpPorts.length) {
        const group = new classes.SmiHttpRouteGroup(ruleScope, 'Routes', {
          name,
          namespace: b.namespace,
          labels: b.labels,
          matches: allow.http ?? [{ name: 'any', pathRegex: '.*', methods: ['*'] }],
        });
        rules.push({ kind: 'HTTPRouteGroup', name, matches: group.matchNames, routeGroup: group });
      }
      if (tcpPorts.length) {
        const tcpName = httpPorts.length ? `${name}-tcp` : name;
        new classes.SmiTcpRoute(ruleScope, 'TcpRoutes', { name: tcpName, namespace: b.namespace, labels: b.labels, ports: tcpPorts.map((p) => p.targetPort) });
        rules.push({ kind: 'TCPRoute', name: tcpName });
      }
      new classes.SmiTrafficTarget(ruleScope, 'Target', {
        name,
        namespace: b.namespace,
        labels: b.labels,
        destinationServiceAccount: b.serviceAccountName,
        sources: allow.from,
        rules,
      });
    });

    // One IngressBackend per port reached from outside the mesh, with the union of its sources.
    const perPort = new Map<string, MeshEntry[]>();
    for (const e of b.entries) {
      if (e.port.bypassMesh) continue; // the sidecar does not intercept it
      perPort.set(e.port.name, [...(perPort.get(e.port.name) ?? []), e]);
    }
    for (const [portName, entries] of perPort) {
      const first = entries[0];
      const sources = dedupeSources(entries.flatMap((e) => e.sources));
      new classes.OsmIngressBackend(root, `IngressBackend-${portName}`, {
        name: perPort.size === 1 ? b.app : `${b.app}-${portName}`,
        namespace: b.namespace,
        labels: b.labels,
        backends: [{
          name: b.serviceName ?? b.app,
          port: first.port.targetPort,
          protocol: first.protocol,
          skipClientCertValidation: first.protocol === 'https' ? !first.validateClientCertificate : undefined,
        }],
        sources,
      });
    }

    if (!b.egressUnrestricted) {
      for (const dest of b.egress) {
        new classes.OsmEgress(root, `Egress-${dest.name}`, {
          name: `${b.app}-${dest.name}`,
          namespace: b.namespace,
          labels: b.labels,
          serviceAccount: b.serviceAccountName,
          hosts: dest.hosts,
          ipAddresses: dest.ipRanges,
          ports: dest.ports,
        });
      }
    }
  }

  public optOut(deployment: SecureDeployment): void {
    deployment.addPodAnnotation(OSM_SIDECAR_INJECTION, 'disabled');
  }

  public bindCluster(scope: Construct, cluster: ClusterContext): void {
    const m = cluster.mesh;
    if (!m || !m.writeMeshConfig) return;
    const classes = constructClasses();
    new classes.OsmMeshConfig(scope, 'OsmMeshConfig', {
      name: m.osm.meshConfigName,
      namespace: m.osm.namespace,
      permissive: m.permissive,
      enableEgress: m.enableEgress,
      ingressGateway: m.ingressGateway,
      privilegedInitContainer: cluster.platform.privilegedMeshInitContainer === true,
    });
  }

  /** The ports an allow rule covers: its `ports`, or every port the mesh governs. */
  private coveredPorts(ports: ResolvedPort[], allow: MeshAllow): ResolvedPort[] {
    return ports.filter((p) => !p.bypassMesh && (allow.ports === undefined || allow.ports.includes(p.name)));
  }
}

function describe(e: MeshEntry): string {
  return e.protocol === 'https' ? `TLS${e.validateClientCertificate ? ' with a client certificate' : ''}` : 'plain HTTP';
}

function dedupeSources<T>(sources: T[]): T[] {
  const seen = new Set<string>();
  return sources.filter((s) => { const k = JSON.stringify(s); return seen.has(k) ? false : (seen.add(k), true); });
}
