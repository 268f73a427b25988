import type { Construct } from 'constructs';
import type * as ConstructsModule from 'constructs';
import type { EgressDestination, HttpMatch, MeshAllow, MeshIngressSource, MeshSource } from '../../../spec/app-spec';
import type { ClusterContext } from '../../../spec/cluster-context';
import type { ResolvedPort } from '../../../spec/ports';
import { Problem, Problems } from '../../../spec/problems';
import {
  ISTIO_KEYS, ISTIOD, IstioSettings,
  istioPodSecurity, istioPrincipal, resolveIstioSettings, resolveRouteGateway, routeGatewayProblems,
} from '../../../spec/profiles/istio';
import { INGRESS_NGINX } from '../../../spec/profiles/ingress-nginx';
import { namespaceByName } from '../../../spec/profiles/platform-profile';
import { cidr, dns1123Label, dns1123Subdomain } from '../../../spec/rules';
import type { SecureDeployment } from '../../kubernetes/secure-deployment';
import { selectorLabels } from '../../labels';
import { lazy } from '../../lazy';
import type { DataPlaneDestination, IMeshProvider, IngressToMesh, MeshBinding, MeshEntry, MeshIntent, NamespaceEnrolment } from '../mesh-provider';
import { httpMatchProblems } from '../osm/http-match-problems';
import type { IstioAuthorizationRule, IstioRuleCondition, IstioRuleOperation, IstioRuleSource } from './istio-authorization-policy';
import type * as IstioAuthorizationPolicyModule from './istio-authorization-policy';
import type { IstioPortMtls } from './istio-peer-authentication';
import type * as IstioPeerAuthenticationModule from './istio-peer-authentication';
import type { IstioServiceEntryPort } from './istio-service-entry';
import type * as IstioServiceEntryModule from './istio-service-entry';
import type * as IstioSidecarModule from './istio-sidecar';
import { istioStringMatch } from './istio-string-match';

/**
 * The construct classes `bind` and `bindCluster` build, loaded on their first call: the other
 * methods read spec data only, so validating a spec loads neither cdk8s nor the generated Istio
 * classes (test/cli/lazy-loading.test.ts).
 */
const constructClasses = lazy(() => ({
  Construct: (require('constructs') as typeof ConstructsModule).Construct,
  IstioAuthorizationPolicy: (require('./istio-authorization-policy') as typeof IstioAuthorizationPolicyModule).IstioAuthorizationPolicy,
  IstioPeerAuthentication: (require('./istio-peer-authentication') as typeof IstioPeerAuthenticationModule).IstioPeerAuthentication,
  IstioServiceEntry: (require('./istio-service-entry') as typeof IstioServiceEntryModule).IstioServiceEntry,
  IstioSidecar: (require('./istio-sidecar') as typeof IstioSidecarModule).IstioSidecar,
}));

/**
 * Options of `IstioMesh`. The Istio settings (flavour, revision, trust domain, CNI, the route
 * gateway, the ingress controllers' ServiceAccounts) are read from the Cluster spec each app is
 * bound with, so one provider serves every cluster.
 */
export interface IstioMeshProps {}

/**
 * A source of an entry into the mesh as IstioMesh reads it: `MeshIngressSource` plus a
 * mesh-neutral workload identity (a proposed addition to the seam: the gateway of a Gateway API
 * route, an enrolled ingress controller), which each mesh renders as its own principal.
 */
export interface IstioEntrySource extends MeshIngressSource {
  /** @default - none */
  readonly identity?: MeshSource;
}

/**
 * An entry as IstioMesh reads it: `MeshEntry` plus the Istio principal of the pods it comes
 * through, when the entry knows it (the Gateway API entry of `spec.gateway`, through a Gateway
 * whose pods are Istio mesh workloads: `GatewayMeshEntry` of constructs/gateway-api).
 */
export interface IstioMeshEntry extends MeshEntry {
  /** `<trustDomain>/ns/<namespace>/sa/<serviceAccount>`. @default - none */
  readonly principal?: string;
}

/**
 * The Service appProtocol Istio reads for each of our protocols (pkg/config/kube/conversion.go:
 * appProtocol wins over the port name; pkg/config/protocol/instance.go): http and grpc are HTTP
 * (L7 attributes available); https is HTTPS and grpcs TLS, both opaque TCP to the sidecar;
 * server-first protocols must be declared TCP (no sniffing).
 */
const ISTIO_APP_PROTOCOLS: { readonly [protocol: string]: string } = {
  'http': 'http',
  'grpc': 'grpc',
  'https': 'https',
  'grpcs': 'tls',
  'tcp': 'tcp',
  'tcp-server-first': 'tcp',
};

/** What istiod does with HTTP fields in an ALLOW rule on a TCP port (the reason we refuse them). */
const TCP_DROP_REASON = 'on a port Istio treats as TCP, istiod drops an ALLOW rule that has HTTP fields (methods, paths, headers: "skipped rule ... on TCP filter chain", pilot/pkg/security/authz/model/model.go checkError), so the rule admits nobody and the port denies every caller';

/**
 * Istio (upstream, OpenShift Service Mesh 3 or the AKS add-on) with sidecars, zero trust:
 * - per app: a PeerAuthentication STRICT on its pods (port-level PERMISSIVE only for declared
 *   ipRange sources, with the reason written on the object), one ALLOW AuthorizationPolicy on its
 *   pods (callers by principal, methods and paths as Istio string matches, ports as container
 *   ports; entries by the gateway's or controller's principal, or ipBlocks), a Sidecar with
 *   REGISTRY_ONLY and a ServiceEntry per declared external destination;
 * - per owned namespace: PeerAuthentication `default` STRICT and AuthorizationPolicy `allow-nothing`;
 * - per cluster (`bindCluster`, with `meshConfig: object`): PeerAuthentication `default` STRICT
 *   in the root namespace and, with egress off, a root Sidecar REGISTRY_ONLY for every other
 *   workload;
 * - pod annotations: inbound exclusion of `bypassMesh` ports, outbound exclusion of DNS over TCP
 *   and, for API callers, the `kubernetes` ClusterIP (as for OSM).
 */
export class IstioMesh implements IMeshProvider {
  public readonly name = 'istio';

  constructor(_props: IstioMeshProps = {}) {
    // Everything comes from the Cluster spec of each binding.
  }

  public appProtocol(port: ResolvedPort): string | undefined {
    return ISTIO_APP_PROTOCOLS[port.protocol];
  }

  public seesHttp(port: ResolvedPort): boolean {
    return !port.bypassMesh && (port.protocol === 'http' || port.protocol === 'grpc');
  }

  public namespaceEnrolment(cluster: ClusterContext): NamespaceEnrolment {
    const s = resolveIstioSettings(cluster.spec.mesh);
    const ps = istioPodSecurity(s.cni);
    return { labels: { ...s.injectionLabels }, annotations: {}, podSecurityLevel: ps.level, podSecurityReason: ps.reason };
  }

  public dataPlaneDestinations(cluster: ClusterContext): DataPlaneDestination[] {
    const s = resolveIstioSettings(cluster.spec.mesh);
    return [{
      purpose: 'mesh-control-plane',
      peer: { namespaceLabels: namespaceByName(s.controlPlaneNamespace), podLabels: { ...ISTIOD.podLabels } },
      ports: [ISTIOD.xdsPort],
    }];
  }

  public validate(b: MeshIntent): Problem[] {
    const out = new Problems();
    const s = resolveIstioSettings(b.cluster.spec.mesh);
    if (b.cluster.mesh?.permissive) {
      out.add('cluster.spec.mesh.permissive', 'Istio has no mode that ignores AuthorizationPolicies (OSM permissive traffic policy); zero trust keeps it off: remove it');
    }
    if (b.namespace === s.controlPlaneNamespace) {
      out.add('metadata.namespace', `${JSON.stringify(b.namespace)} is the mesh's root namespace: namespace-wide policies there apply to the whole mesh, gateways included; run the app in its own namespace`);
    }
    if (b.app === 'default' || b.app === 'allow-nothing') {
      out.add('metadata.name', `${JSON.stringify(b.app)} is the name of a namespace-wide Istio policy (PeerAuthentication default, AuthorizationPolicy allow-nothing); the app's own policies carry its name: choose another`);
    }
    const byName = new Map(b.ports.map((p) => [p.name, p]));
    (b.mesh.allow ?? []).forEach((allow, i) => {
      const at = `spec.mesh.allow[${i}]`;
      if (!Array.isArray(allow.from)) out.add(`${at}.from`, 'a list of callers ({ serviceAccount, namespace }) is required');
      else {
        if (allow.from.length === 0) out.add(`${at}.from`, 'at least one caller is required (an empty source list is a schema error, IST0106)');
        allow.from.forEach((f, j) => {
          if (typeof f.serviceAccount !== 'string') out.add(`${at}.from[${j}].serviceAccount`, 'a ServiceAccount name is required');
          else out.add(`${at}.from[${j}].serviceAccount`, dns1123Subdomain(f.serviceAccount));
          if (typeof f.namespace !== 'string') out.add(`${at}.from[${j}].namespace`, 'a namespace is required: a caller is a ServiceAccount in a namespace (its principal <trustDomain>/ns/<namespace>/sa/<serviceAccount>)');
          else out.add(`${at}.from[${j}].namespace`, dns1123Label(f.namespace));
        });
      }
      (allow.ports ?? []).forEach((n, j) => {
        const port = byName.get(n);
        if (!port) out.add(`${at}.ports[${j}]`, `port ${JSON.stringify(n)} is not in spec.ports; use one of ${b.ports.map((p) => JSON.stringify(p.name)).join(', ')}`);
        else if (port.bypassMesh) out.add(`${at}.ports[${j}]`, `port ${JSON.stringify(n)} bypasses the mesh (bypassMesh: true): meshed callers cannot reach it through their sidecars; admit them on another port`);
      });
      const covered = coveredPorts(b.ports, allow);
      if (b.ports.length === 0) out.add(at, 'the app has no ports: nothing can call it');
      else if (allow.ports === undefined && covered.length === 0) out.add(at, 'every port bypasses the mesh: meshed callers cannot reach this app');
      if (allow.http !== undefined) {
        out.nest(`${at}.http`, httpMatchProblems(allow.http));
        allow.http.forEach((m, j) => {
          if (typeof m.pathRegex === 'string') {
            const r = istioStringMatch(m.pathRegex);
            if (r.problem) out.add(`${at}.http[${j}].pathRegex`, `${r.problem} (AuthorizationPolicy paths)`);
            if (r.narrowed) out.warn(`${at}.http[${j}].pathRegex`, r.narrowed);
          }
          for (const [name, value] of Object.entries(m.headers ?? {})) {
            if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) out.add(`${at}.http[${j}].headers[${name}]`, `${JSON.stringify(name)} is not an HTTP header name`);
            const r = typeof value === 'string' ? istioStringMatch(value) : { problem: 'a header value (a regular expression) is required', narrowed: undefined };
            if (r.problem) out.add(`${at}.http[${j}].headers[${name}]`, `${r.problem} (AuthorizationPolicy when values)`);
            if (r.narrowed) out.warn(`${at}.http[${j}].headers[${name}]`, r.narrowed);
          }
        });
        const opaque = covered.filter((p) => !this.seesHttp(p));
        if (opaque.length > 0) {
          out.add(`${at}.http`, `http matches cannot be enforced on ${opaque.map((p) => `port ${JSON.stringify(p.name)} (${p.protocol}, appProtocol ${this.appProtocol(p)})`).join(', ')}: ${TCP_DROP_REASON}; `
            + `narrow the rule with ports: [${b.ports.filter((p) => this.seesHttp(p)).map((p) => p.name).join(', ')}], or drop http to admit the whole stream`);
        }
      }
    });
    if (b.mesh.ingress) {
      const from = b.mesh.ingress.from;
      if (!Array.isArray(from)) out.add('spec.mesh.ingress.from', 'a list of sources (principal or ipRange) is required');
      else if (from.length === 0) out.add('spec.mesh.ingress.from', 'at least one source is required (an empty source list is a schema error, IST0106)');
    }
    b.entries.forEach((e) => out.nest('', this.entryProblems(e, b, s)));
    if (!b.egressUnrestricted) {
      b.egress.forEach((d, i) => {
        const at = `spec.egress.to[${i}]`;
        const seen = new Map<number, number>();
        (d.ports ?? []).forEach((p, j) => {
          if (seen.has(p.port)) out.add(`${at}.ports[${j}].port`, `port ${p.port} repeats ports[${seen.get(p.port)}]: a ServiceEntry has one protocol per port number`);
          seen.set(p.port, j);
        });
        if ((d.hosts?.length ?? 0) > 1 && d.ipRanges?.length && (d.ports ?? []).some((p) => entryProtocol(p.protocol, d) === 'TCP')) {
          out.warn(`${at}.hosts`, 'a ServiceEntry with addresses, a TCP port and several hosts draws an istiod warning (only one host can own an address on a TCP port); give one host per destination');
        }
      });
    }
    return out.list;
  }

  public bind(scope: Construct, binding: MeshBinding): void {
    const b = binding;
    const s = resolveIstioSettings(b.cluster.spec.mesh);
    const classes = constructClasses();
    const root = new classes.Construct(scope, 'IstioMesh');
    const selector = selectorLabels(b.app);
    const d = b.deployment;
    const bypassed = b.ports.filter((p) => p.bypassMesh).map((p) => p.targetPort);
    if (bypassed.length) d.addPodAnnotation(ISTIO_KEYS.excludeInboundPorts, bypassed.join(','));
    if (!b.egressUnrestricted) {
      // DNS over TCP would go through the sidecar, which knows the DNS Service only if the Sidecar lists its namespace.
      d.addPodAnnotation(ISTIO_KEYS.excludeOutboundPorts, String(b.cluster.platform.dns.servicePort));
      if (b.kubernetesApi) d.addPodAnnotation(ISTIO_KEYS.excludeOutboundIPRanges, `${b.cluster.platform.apiServer.serviceIP}/32`);
    }

    if (b.ownsNamespace) {
      new classes.IstioPeerAuthentication(root, 'NamespacePeerAuthentication', { name: 'default', namespace: b.namespace, labels: b.labels });
      new classes.IstioAuthorizationPolicy(root, 'AllowNothing', { name: 'allow-nothing', namespace: b.namespace, labels: b.labels });
    }

    // Entries: one rule each, on the container port; ipRange sources need the port to accept plain text.
    const entryRules: IstioAuthorizationRule[] = [];
    const permissive: IstioPortMtls[] = [];
    for (const e of b.entries) {
      if (e.port.bypassMesh) continue; // not intercepted: neither mTLS nor the policy applies
      const principals: string[] = [];
      const ipBlocks: string[] = [];
      for (const src of e.sources as IstioEntrySource[]) {
        const p = this.entryPrincipal(e, src, s, b.cluster);
        if (p) principals.push(p);
        if (src.ipRange !== undefined) ipBlocks.push(src.ipRange);
      }
      const from: IstioRuleSource[] = [];
      if (principals.length) from.push({ principals: dedupe(principals) });
      if (ipBlocks.length) from.push({ ipBlocks: dedupe(ipBlocks) });
      if (!from.length) continue;
      entryRules.push({ from, to: [{ ports: [e.port.targetPort] }] });
      if (ipBlocks.length && !permissive.some((p) => p.port === e.port.targetPort)) permissive.push({ port: e.port.targetPort, mode: 'PERMISSIVE' });
    }

    new classes.IstioPeerAuthentication(root, 'PeerAuthentication', {
      name: b.app,
      namespace: b.namespace,
      labels: b.labels,
      selector,
      portLevelMtls: permissive.length ? permissive : undefined,
      permissiveReason: permissive.length
        ? `spec.mesh.ingress admits address ranges (no mesh identity) on container port${permissive.length > 1 ? 's' : ''} ${permissive.map((p) => p.port).join(', ')}; the AuthorizationPolicy admits only those ipBlocks there`
        : undefined,
    });

    const rules: IstioAuthorizationRule[] = [];
    for (const allow of b.mesh.allow ?? []) rules.push(...this.allowRules(allow, b.ports, s));
    rules.push(...entryRules);
    new classes.IstioAuthorizationPolicy(root, 'AuthorizationPolicy', {
      name: b.app,
      namespace: b.namespace,
      labels: b.labels,
      selector,
      action: 'ALLOW',
      rules,
    });

    if (b.egressUnrestricted) {
      new classes.IstioSidecar(root, 'Sidecar', { name: b.app, namespace: b.namespace, labels: b.labels, workloadSelector: selector, outboundTrafficPolicy: 'ALLOW_ANY' });
      return;
    }
    const hosts = b.callees === undefined
      ? ['*/*']
      : dedupe(['./*', `${s.controlPlaneNamespace}/*`, ...b.callees.filter((c) => c.namespace !== b.namespace).map((c) => `${c.namespace}/*`).sort()]);
    new classes.IstioSidecar(root, 'Sidecar', { name: b.app, namespace: b.namespace, labels: b.labels, workloadSelector: selector, outboundTrafficPolicy: 'REGISTRY_ONLY', egressHosts: hosts });
    for (const dest of b.egress) {
      new classes.IstioServiceEntry(root, `ServiceEntry-${dest.name}`, {
        name: `${b.app}-${dest.name}`,
        namespace: b.namespace,
        labels: b.labels,
        hosts: dest.hosts?.length ? [...dest.hosts] : [`${dest.name}.${b.app}.${b.namespace}.egress.invalid`],
        addresses: dest.ipRanges?.length ? [...dest.ipRanges] : undefined,
        ports: dest.ports.map((p): IstioServiceEntryPort => ({ number: p.port, protocol: entryProtocol(p.protocol, dest) })),
      });
    }
  }

  public optOut(deployment: SecureDeployment): void {
    // The pod label (the annotation is deprecated; the label wins: pkg/kube/inject/inject.go).
    deployment.addPodLabel(ISTIO_KEYS.sidecarInject, 'false');
  }

  /**
   * Istio: the enrolled controller reaches the app through its own sidecar (mesh mTLS), so the
   * Ingress speaks plain HTTP to the Service (not the pod IPs) with the Service's host name, or the
   * controller's sidecar cannot route it (istio.io docs: ingress-nginx with Istio).
   */
  public ingressToMesh(serviceName: string, namespace: string, _backendTls: boolean): IngressToMesh {
    return {
      tlsToSidecar: false,
      annotations: {
        'nginx.ingress.kubernetes.io/service-upstream': 'true',
        'nginx.ingress.kubernetes.io/upstream-vhost': `${serviceName}.${namespace}.svc.cluster.local`,
      },
    };
  }

  public bindCluster(scope: Construct, cluster: ClusterContext): void {
    const m = cluster.mesh;
    if (!m || !m.writeMeshConfig) return;
    const s = resolveIstioSettings(cluster.spec.mesh);
    const classes = constructClasses();
    const root = new classes.Construct(scope, 'IstioMesh');
    // The root namespace: a selector-less PeerAuthentication there is the mesh-wide default.
    new classes.IstioPeerAuthentication(root, 'MeshPeerAuthentication', { name: 'default', namespace: s.controlPlaneNamespace });
    if (!m.enableEgress) {
      // A selector-less Sidecar in the root namespace is the default of every namespace without its own.
      new classes.IstioSidecar(root, 'MeshSidecar', { name: 'default', namespace: s.controlPlaneNamespace, outboundTrafficPolicy: 'REGISTRY_ONLY' });
    }
  }

  /** The rules of one `mesh.allow` entry. */
  private allowRules(allow: MeshAllow, ports: ResolvedPort[], s: IstioSettings): IstioAuthorizationRule[] {
    const covered = coveredPorts(ports, allow).map((p) => p.targetPort);
    if (!covered.length || !allow.from?.length) return [];
    const from: IstioRuleSource[] = [{ principals: dedupe(allow.from.map((f) => istioPrincipal(s.trustDomain, f.namespace, f.serviceAccount))) }];
    if (!allow.http) return [{ from, to: [{ ports: covered }] }];
    const plain: IstioRuleOperation[] = [];
    const rules: IstioAuthorizationRule[] = [];
    for (const m of allow.http) {
      const op = operationOf(m, covered);
      const when = conditionsOf(m);
      if (when.length) rules.push({ from, to: [op], when });
      else plain.push(op);
    }
    return plain.length ? [{ from, to: plain }, ...rules] : rules;
  }

  /** The principal an entry's source is admitted by (undefined for address ranges). */
  private entryPrincipal(e: IstioMeshEntry, src: IstioEntrySource, s: IstioSettings, cluster: ClusterContext): string | undefined {
    if (e.field === 'spec.gateway') return e.principal; // the gateway's pods, not its Service
    if (src.identity) return istioPrincipal(s.trustDomain, src.identity.namespace, src.identity.serviceAccount);
    if (src.principal !== undefined) {
      if (e.field === 'spec.ingress') return undefined; // OSM's ingress-gateway certificate SAN: the controller is admitted by its own identity
      return toIstioPrincipal(src.principal, s.trustDomain).principal;
    }
    if (src.service) {
      if (e.field === 'spec.route') return resolveRouteGateway(cluster.spec)?.principal; // the route gateway's pods, not the router
      if (e.field === 'spec.ingress') return istioPrincipal(s.trustDomain, src.service.namespace, controllerServiceAccount(cluster, src.service.namespace, src.service.name));
    }
    return undefined;
  }

  /** Problems of one entry into the mesh under Istio. */
  private entryProblems(e: MeshEntry, b: MeshIntent, s: IstioSettings): Problem[] {
    const out = new Problems();
    if (e.port.bypassMesh) return out.list;
    // A Gateway API route: gatewayProblems (constructs/gateway-api) refuses a gateway whose pods are not Istio mesh workloads.
    if (e.field === 'spec.gateway') return out.list;
    const port = JSON.stringify(e.port.name);
    if (e.field === 'spec.route') {
      const bad = routeGatewayProblems(b.cluster.spec);
      const rg = resolveRouteGateway(b.cluster.spec);
      if (bad.length > 0) {
        for (const p of bad) out.add(`cluster.spec.${p.field}`, p.message);
      } else if (!rg) {
        out.add(e.field, `the OpenShift router has no mesh identity and STRICT mTLS refuses its plain connections to port ${port}: route through an Istio gateway `
          + '(in the Cluster spec, declare a Gateway of implementation istio in spec.gateways and name it with its HTTP listener in spec.mesh.routeGateway: { name, namespace, sectionName }; '
          + 'the Route then targets the gateway\'s Service and the app admits the gateway\'s principal), or set bypassMesh on the port and keep TLS in the app');
      } else {
        const gw = rg.gateway;
        out.warn(e.field, `under Istio the Route goes through the route gateway ${gw.namespace}/${gw.name}: it is written as Route ${gw.podNamespace}/${b.app}-${b.namespace} targeting Service ${gw.podNamespace}/${gw.serviceName} port ${JSON.stringify(rg.servicePort)}, `
          + `with HTTPRoute ${b.namespace}/${b.app}-route from listener ${JSON.stringify(rg.sectionName)} to this app; the app admits ${rg.principal} on port ${port} (AuthorizationPolicy) and the gateway's pods (NetworkPolicy), not the router; `
          + `a certificate Secret of the Route (certificate.secretName) must be in namespace ${gw.podNamespace}, and the gateway's listener must allow routes from namespace ${b.namespace}`);
      }
      return out.list;
    }
    if (e.field === 'spec.ingress') {
      if (e.protocol === 'https') {
        // The intent (an encrypted, authenticated hop from the controller to the app) is what the
        // enrolled controller's sidecar provides; nginx must not add TLS of its own on top.
        out.warn('spec.ingress.backendTls', `under Istio the enrolled controller's sidecar provides the TLS to the app (Istio mTLS, the controller's principal checked by the app's AuthorizationPolicy): the Ingress must send plain HTTP to port ${port} (no backend-protocol HTTPS, no proxy-ssl-* annotations), since TLS from nginx would reach the app's sidecar as TLS inside mTLS`);
      }
      const controller = e.sources.find((x) => x.service)?.service;
      const sa = controller ? controllerServiceAccount(b.cluster, controller.namespace, controller.name) : 'ingress-nginx';
      out.warn(e.field, `ingress-nginx reaches a meshed app under STRICT mTLS only when the controller is in the mesh (namespace ${controller?.namespace ?? 'of the controller'} enrolled, pod annotations ${ISTIO_KEYS.includeInboundPorts}: "" and ${ISTIO_KEYS.excludeOutboundIPRanges}: <API server>/32) and the Ingress sets nginx.ingress.kubernetes.io/service-upstream: "true" and upstream-vhost: ${b.serviceName ?? b.app}.${b.namespace}.svc.cluster.local (without them nginx dials the pod IP, which Istio passes through without mTLS); the app admits ${istioPrincipal(s.trustDomain, controller?.namespace ?? 'ingress-nginx', sa)} (the controller's ServiceAccount: ingressControllers[].serviceAccount in the Cluster spec). ingress-nginx was retired in March 2026: prefer a Gateway API route through an Istio gateway`);
      return out.list;
    }
    const mtls = e.validateClientCertificate;
    (e.sources as IstioEntrySource[]).forEach((src, i) => {
      const at = `${e.field}.from[${i}]`;
      if (src.identity) return;
      if (src.service) {
        out.add(`${at}.service`, `Istio admits a source by its mesh identity (principal) or its address (ipRange), not by a Service; if ${src.service.namespace}/${src.service.name}'s pods are in the mesh, give their principal ${istioPrincipal(s.trustDomain, src.service.namespace, '<serviceAccount>')}, otherwise their ipRange`);
      }
      if (src.principal !== undefined) {
        const r = toIstioPrincipal(src.principal, s.trustDomain);
        if (r.problem) out.add(`${at}.principal`, r.problem);
        else if (r.translated) out.warn(`${at}.principal`, `${JSON.stringify(src.principal)} is read as ServiceAccount ${r.serviceAccount} in namespace ${r.namespace} (OSM's <serviceAccount>.<namespace>.<trustDomain>): Istio principal ${r.principal}`);
      }
      if (src.ipRange !== undefined) {
        const bad = cidr(src.ipRange);
        if (bad) out.add(`${at}.ipRange`, bad);
        else if (mtls) out.add(`${at}.ipRange`, 'mtls: true requires every source to present a mesh certificate; an address range has no mesh identity under Istio: drop it or drop mtls');
        else out.warn(`${at}.ipRange`, `${src.ipRange} has no mesh identity: container port ${e.port.targetPort} is made PERMISSIVE (plain text accepted) on this app's PeerAuthentication, and the AuthorizationPolicy admits only this range there (ipBlocks)`);
      }
    });
    return out.list;
  }
}

/** The ports an allow rule covers: its `ports`, or every port the mesh governs. */
function coveredPorts(ports: ResolvedPort[], allow: MeshAllow): ResolvedPort[] {
  return ports.filter((p) => !p.bypassMesh && (allow.ports === undefined || allow.ports.includes(p.name)));
}

/** An HTTP match as an Istio operation (methods `*` and path `.*` mean any). */
function operationOf(m: HttpMatch, ports: number[]): IstioRuleOperation {
  const methods = m.methods && !m.methods.includes('*') ? [...m.methods] : undefined;
  const paths = m.pathRegex !== undefined ? istioStringMatch(m.pathRegex).values : undefined;
  return { ports, methods, paths };
}

/** Header matches as conditions on the request headers. */
function conditionsOf(m: HttpMatch): IstioRuleCondition[] {
  return Object.entries(m.headers ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, value]) => {
    const values = istioStringMatch(value).values;
    return { key: `request.headers[${name}]`, values: values ?? ['*'] };
  });
}

/** The ServiceEntry protocol of an egress port: TLS needs a host (SNI), so an address-only https port is TCP. */
function entryProtocol(protocol: string | undefined, d: EgressDestination): string {
  switch (protocol ?? 'tcp') {
    case 'http': return 'HTTP';
    case 'https': return d.hosts?.length ? 'TLS' : 'TCP';
    default: return 'TCP';
  }
}

/** A principal as Istio reads it. */
interface PrincipalReading {
  /** @default - none (a problem) */
  readonly principal?: string;
  readonly translated: boolean;
  /** @default - none */
  readonly serviceAccount?: string;
  /** @default - none */
  readonly namespace?: string;
  /** @default - none */
  readonly problem?: string;
}

/**
 * An Istio principal `<trustDomain>/ns/<namespace>/sa/<serviceAccount>` as given, or OSM's
 * identity `<serviceAccount>.<namespace>.<trustDomain>` translated to it.
 */
function toIstioPrincipal(p: string, trustDomain: string): PrincipalReading {
  const istio = /^[^/\s]+\/ns\/([a-z0-9-]+)\/sa\/([a-z0-9.-]+)$/.exec(p);
  if (istio) return { principal: p, translated: false, namespace: istio[1], serviceAccount: istio[2] };
  const labels = p.split('.');
  if (labels.length >= 3 && labels.every((l) => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(l))) {
    const [sa, ns] = labels;
    return { principal: istioPrincipal(trustDomain, ns, sa), translated: true, serviceAccount: sa, namespace: ns };
  }
  return { translated: false, problem: `${JSON.stringify(p)} is not a principal: use <trustDomain>/ns/<namespace>/sa/<serviceAccount>, e.g. ${istioPrincipal(trustDomain, 'ingress', 'gateway')}` };
}

/** The ServiceAccount of the Cluster spec's ingress controller behind a Service (ingress-nginx's by default). */
function controllerServiceAccount(cluster: ClusterContext, namespace: string, serviceName: string): string {
  const c = cluster.ingressControllers.find((x) => x.namespace === namespace && x.serviceName === serviceName)
    ?? cluster.ingressControllers.find((x) => x.serviceName === serviceName);
  return c?.serviceAccount ?? INGRESS_NGINX.serviceAccount;
}

function dedupe(list: string[]): string[] {
  return [...new Set(list)];
}
