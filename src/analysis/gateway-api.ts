import type { GatewayClusterSpec } from '../spec/gateway-spec';
import { GATEWAY_IMPLEMENTATIONS, ResolvedGateway, gatewayPrincipal, resolveGateway } from '../spec/profiles/gateways';
import { namespaceLabels, objectNamespace, resolveTargetPort, selectorMatches, servicePods } from './cluster';
import type { MeshPeer } from './mesh/mesh-model';
import type { ClusterModel, KubeObject, NetworkEndpoint, ServiceInfo, ServicePortInfo, Verdict, Workload } from './model';
import { objectRef } from './model';

/**
 * The Gateway API as an entry point, from manifests (`cdk8s-zerotrust verify`): which routes
 * attach to a Gateway (parentRefs against its listeners when the Gateway object is in the input:
 * sectionName and port, protocol and kinds, allowedRoutes namespaces, hostnames), where their
 * backendRefs send (Service port -> target port on a workload, a ReferenceGrant for another
 * namespace), what the gateway speaks to the backend (plain HTTP/h2c, TLS with a BackendTLSPolicy
 * whose CA ConfigMap has `ca.crt`, or the client's TLS passed through), and whether the Gateway
 * enforces client certificates. The gateway's pods are a source of the truth table, placed by the
 * implementation's profile (spec/profiles/gateways.ts).
 *
 * Semantics: kubernetes-sigs/gateway-api v1.5.1 apis/v1 (httproute_types.go, gateway_types.go,
 * backendtlspolicy_types.go, referencegrant_types.go); implementation facts as in the profiles.
 */

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';
/** Route kinds and the listener protocols they attach to (Core: HTTP/HTTPS for HTTPRoute and GRPCRoute, TLS for TLSRoute). */
const ROUTE_PROTOCOLS: { readonly [kind: string]: string[] } = { HTTPRoute: ['HTTP', 'HTTPS'], GRPCRoute: ['HTTP', 'HTTPS'], TLSRoute: ['TLS'] };
/** The Istio listener option that sets the server TLS mode (istio/istio 1.30.3 pilot/pkg/config/kube/gateway/conversion.go buildTLS). */
export const ISTIO_TLS_TERMINATE_MODE = 'gateway.istio.io/tls-terminate-mode';

/** A Gateway's data-plane pods as a source of the truth table (the shape of reachability's TrafficSource). */
export interface GatewayEntrySource {
  /** `gateway:<namespace>/<name>`. */
  readonly id: string;
  readonly label: string;
  /** "gateway". */
  readonly kind: string;
  /** The pods as NetworkPolicy sees them (the profile's namespace and labels). */
  readonly endpoint: NetworkEndpoint;
  /** The pods as a mesh sees them: outside the mesh, endpoints of the gateway's Service. */
  readonly meshPeer: MeshPeer;
  /** The Gateway with its implementation's facts. */
  readonly gateway: ResolvedGateway;
  /**
   * Istio's principal of the pods (`<trustDomain>/ns/<ns>/sa/<sa>`), for gateways that are Istio mesh workloads.
   * @default - not a workload of an Istio mesh
   */
  readonly principal?: string;
  /** The Gateway object, when it is in the input. @default - not in the input */
  readonly gatewayObject?: KubeObject;
}

/** How a gateway reaches one workload port (the shape of reachability's Entry). */
export interface GatewayEntryVerdict {
  /** Always true: a gateway only sends where its routes point. */
  readonly applies: boolean;
  readonly allowed: boolean;
  readonly verdict: Verdict;
  /** What the gateway sends: http (HTTP/1.1 or h2c), https (its TLS, or the client's passed through), tcp (TLS terminated at a TLS listener). @default - nothing is sent */
  readonly transport?: string;
  /** The Service the route sends through, "namespace/name". @default - none */
  readonly service?: string;
  /** The routes that send here (or that were judged). */
  readonly routes: string[];
}

/** The Gateway objects of the input whose class is an implementation's usual one, as cluster gateways. */
export function discoverGateways(model: ClusterModel): GatewayClusterSpec[] {
  const byClass = new Map(Object.entries(GATEWAY_IMPLEMENTATIONS).map(([name, p]) => [p.defaultClassName, name]));
  return model.objects.map((s) => s.object).filter(isGateway).flatMap((o) => {
    const implementation = byClass.get(o.spec?.gatewayClassName);
    return implementation ? [{ name: o.metadata.name, namespace: objectNamespace(o)!, implementation } as GatewayClusterSpec] : [];
  });
}

/** The gateways' pods as sources (`trustDomain`: the Istio mesh's, for principals). */
export function gatewayEntries(model: ClusterModel, gateways: ResolvedGateway[], trustDomain = 'cluster.local'): GatewayEntrySource[] {
  return gateways.map((g) => {
    const gatewayObject = findGatewayObject(model, g);
    return {
      id: `gateway:${g.namespace}/${g.name}`,
      label: `gateway ${g.namespace}/${g.name} (${g.implementation}, pods in ${g.podNamespace})`,
      kind: 'gateway',
      endpoint: {
        pod: {
          namespace: g.podNamespace,
          namespaceLabels: namespaceLabels(model, g.podNamespace),
          labels: { ...g.podLabels },
          ports: [],
          hostNetwork: false,
        },
      },
      meshPeer: { external: { name: `gateway ${g.namespace}/${g.name}`, namespace: g.podNamespace, podLabels: { ...g.podLabels }, services: [`${g.podNamespace}/${g.serviceName}`] } },
      gateway: g,
      principal: g.profile.istioMeshWorkload ? gatewayPrincipal(g, trustDomain) : undefined,
      gatewayObject,
    };
  });
}

/** Resolves cluster gateways (a convenience for callers holding the Cluster spec's list). */
export function resolveGateways(specs: GatewayClusterSpec[] | undefined): ResolvedGateway[] {
  return (specs ?? []).map(resolveGateway);
}

/** Whether, and how, the gateway's routes send to `port` (a container port) of `dest`. */
export function gatewayEntry(model: ClusterModel, source: GatewayEntrySource, dest: Workload, port: number): GatewayEntryVerdict {
  const g = source.gateway;
  const gwRef = `Gateway ${g.namespace}/${g.name}`;
  const failures: { reason: string; objects: string[] }[] = [];
  const judged: string[] = [];
  for (const route of model.objects.map((s) => s.object).filter(isRoute)) {
    const rns = objectNamespace(route)!;
    const refs = ((route.spec?.parentRefs ?? []) as any[]).filter((r) => isMapping(r)
      && (r.group ?? GATEWAY_GROUP) === GATEWAY_GROUP && (r.kind ?? 'Gateway') === 'Gateway'
      && r.name === g.name && (r.namespace ?? rns) === g.namespace);
    if (refs.length === 0) continue;
    const rref = objectRef(route);
    judged.push(rref);
    const attach = attachment(model, route, refs, source);
    if (!attach.attached) { failures.push({ reason: attach.reason, objects: [rref, ...attach.objects] }); continue; }
    for (const rule of (route.spec?.rules ?? []) as any[]) {
      for (const b of (rule?.backendRefs ?? []) as any[]) {
        if (!isMapping(b) || (b.group ?? '') !== '' || (b.kind ?? 'Service') !== 'Service' || b.weight === 0) continue;
        const sns = b.namespace ?? rns;
        const svc = model.services.find((s) => s.namespace === sns && s.name === b.name);
        if (!svc) continue;
        if (!servicePods(model, svc).includes(dest)) continue;
        const sp = svc.ports.find((p) => p.port === b.port);
        if (!sp) {
          if (svc.ports.some((p) => resolveTargetPort(dest, p) === port)) {
            failures.push({ reason: `${rref} sends to port ${b.port} of Service ${sns}/${svc.name}, which has no such port (backendRefs.port is the Service port, not the container port): BackendNotFound`, objects: [rref] });
          }
          continue;
        }
        if (resolveTargetPort(dest, sp) !== port) continue;
        const objects = [rref, ...attach.objects];
        if (sns !== rns) {
          const grant = referenceGrant(model, route.kind, rns, sns, svc.name);
          if (!grant) {
            failures.push({ reason: `${rref} in ${rns} sends to Service ${sns}/${svc.name}, and no ReferenceGrant in ${sns} allows ${route.kind}s from ${rns}: RefNotPermitted`, objects });
            continue;
          }
          objects.push(grant);
        }
        const transport = backendTransport(model, route, svc, sp, attach.listenerTls, g);
        if (!transport.ok) { failures.push({ reason: transport.reason, objects: [...objects, ...transport.objects] }); continue; }
        return {
          applies: true,
          allowed: true,
          transport: transport.transport,
          service: `${svc.namespace}/${svc.name}`,
          routes: [rref],
          verdict: { allowed: true, reason: `${rref} (attached to ${gwRef}${attach.reason ? `: ${attach.reason}` : ''}) sends here through Service ${svc.namespace}/${svc.name} port ${sp.name ?? sp.port}; ${transport.reason}`, objects: [...new Set([...objects, ...transport.objects])] },
        };
      }
    }
  }
  if (failures.length) {
    const f = failures[0];
    return { applies: true, allowed: false, routes: judged, verdict: { allowed: false, reason: f.reason, objects: [...new Set(f.objects)] } };
  }
  return { applies: true, allowed: false, routes: judged, verdict: { allowed: false, reason: `no route of ${gwRef} sends to this port`, objects: [] } };
}

/**
 * Whether the Gateway object enforces client certificates on its HTTPS listeners (or on the one
 * named `sectionName`): `spec.tls.frontend` (perPort for the listener's port, else default) with
 * CA references and mode AllowValidOnly; for Istio and OpenShift (Istio 1.30.3 buildTLS), CA
 * references make the listener MUTUAL whatever the mode, the listener option
 * `gateway.istio.io/tls-terminate-mode: OPTIONAL_MUTUAL` makes certificates optional, and MUTUAL
 * (or ISTIO_MUTUAL) requires them even without frontend validation.
 */
export function gatewayClientCertificates(model: ClusterModel, source: GatewayEntrySource, sectionName?: string): Verdict {
  const g = source.gateway;
  const gw = source.gatewayObject ?? findGatewayObject(model, g);
  const gwRef = `Gateway ${g.namespace}/${g.name}`;
  if (!gw) return { allowed: false, reason: `${gwRef} is not in the input: whether it asks for client certificates is unknown`, objects: [] };
  const listeners = ((gw.spec?.listeners ?? []) as any[]).filter((l) => isMapping(l) && (sectionName === undefined ? l.protocol === 'HTTPS' : l.name === sectionName));
  if (listeners.length === 0) return { allowed: false, reason: `${gwRef} has no ${sectionName ? `listener ${JSON.stringify(sectionName)}` : 'HTTPS listener'}`, objects: [objectRef(gw)] };
  const istio = g.implementation === 'istio' || g.implementation === 'openshift';
  const reasons: string[] = [];
  let all = true;
  for (const l of listeners) {
    const name = `listener ${JSON.stringify(l.name)}`;
    if (l.protocol !== 'HTTPS' || (l.tls?.mode ?? 'Terminate') !== 'Terminate') {
      all = false;
      reasons.push(`${name} (${l.protocol}${l.tls?.mode ? ` ${l.tls.mode}` : ''}) does not terminate TLS: it cannot ask for client certificates`);
      continue;
    }
    const frontend = gw.spec?.tls?.frontend;
    const perPort = ((frontend?.perPort ?? []) as any[]).find((p) => isMapping(p) && p.port === l.port);
    const config = perPort ? perPort.tls : frontend?.default;
    const where = perPort ? `spec.tls.frontend.perPort[port ${l.port}]` : 'spec.tls.frontend.default';
    const cas = Array.isArray(config?.validation?.caCertificateRefs) ? config.validation.caCertificateRefs.length : 0;
    const mode = config?.validation?.mode ?? 'AllowValidOnly';
    if (istio) {
      const option = l.tls?.options?.[ISTIO_TLS_TERMINATE_MODE];
      if (option === 'MUTUAL' || option === 'ISTIO_MUTUAL') reasons.push(`${name}: ${ISTIO_TLS_TERMINATE_MODE}: ${option} requires client certificates`);
      else if (option === 'OPTIONAL_MUTUAL') { all = false; reasons.push(`${name}: ${ISTIO_TLS_TERMINATE_MODE}: OPTIONAL_MUTUAL lets clients without a certificate through`); } else if (cas > 0) reasons.push(`${name}: ${where} names a CA, which Istio turns into MUTUAL${mode !== 'AllowValidOnly' ? ` (mode ${mode} is not read)` : ''}`);
      else { all = false; reasons.push(`${name}: no ${where}.validation and no ${ISTIO_TLS_TERMINATE_MODE}: the listener is SIMPLE TLS`); }
    } else if (cas === 0) {
      all = false;
      reasons.push(`${name}: no ${where}.validation.caCertificateRefs`);
    } else if (mode !== 'AllowValidOnly') {
      all = false;
      reasons.push(`${name}: ${where}.validation.mode ${mode} lets clients without a valid certificate through`);
    } else {
      reasons.push(`${name}: ${where} requires certificates from its CA`);
    }
  }
  return { allowed: all, reason: `${gwRef} ${all ? 'enforces' : 'does not enforce'} client certificates: ${reasons.join('; ')}`, objects: [objectRef(gw)] };
}

function isGateway(o: KubeObject): boolean {
  return o.kind === 'Gateway' && o.apiVersion.startsWith(`${GATEWAY_GROUP}/`);
}

function isRoute(o: KubeObject): boolean {
  return o.kind in ROUTE_PROTOCOLS && o.apiVersion.startsWith(`${GATEWAY_GROUP}/`);
}

function findGatewayObject(model: ClusterModel, g: ResolvedGateway): KubeObject | undefined {
  return model.objects.map((s) => s.object).find((o) => isGateway(o) && o.metadata.name === g.name && objectNamespace(o) === g.namespace);
}

interface Attachment {
  readonly attached: boolean;
  readonly reason: string;
  readonly objects: string[];
  /** The accepting listener's TLS mode (for TLSRoute): Passthrough or Terminate. @default - unknown (no Gateway object) */
  readonly listenerTls?: string;
}

/** Whether one of the route's parentRefs to this Gateway is accepted by a listener. */
function attachment(model: ClusterModel, route: KubeObject, refs: any[], source: GatewayEntrySource): Attachment {
  const gw = source.gatewayObject;
  const gwRef = `Gateway ${source.gateway.namespace}/${source.gateway.name}`;
  if (!gw) return { attached: true, reason: `${gwRef} is not in the input: attachment assumed`, objects: [] };
  const rns = objectNamespace(route)!;
  if (gw.spec?.gatewayClassName !== source.gateway.className) {
    return { attached: false, reason: `${objectRef(gw)} has class ${JSON.stringify(gw.spec?.gatewayClassName)}, not ${JSON.stringify(source.gateway.className)} of ${source.gateway.implementation}: other pods serve it`, objects: [objectRef(gw)] };
  }
  const listeners = ((gw.spec?.listeners ?? []) as any[]).filter(isMapping);
  const hostnames: string[] = Array.isArray(route.spec?.hostnames) ? route.spec.hostnames : [];
  const why: string[] = [];
  for (const ref of refs) {
    const candidates = listeners.filter((l) => (ref.sectionName === undefined || l.name === ref.sectionName) && (ref.port === undefined || l.port === ref.port));
    if (candidates.length === 0) { why.push(`no listener ${ref.sectionName ? JSON.stringify(ref.sectionName) : ''}${ref.port ? ` on port ${ref.port}` : ''} (NoMatchingParent)`); continue; }
    for (const l of candidates) {
      const name = `listener ${JSON.stringify(l.name)}`;
      if (!(ROUTE_PROTOCOLS[route.kind] ?? []).includes(l.protocol)) { why.push(`${name} is ${l.protocol}, which does not carry ${route.kind}s (NotAllowedByListeners)`); continue; }
      const kinds = l.allowedRoutes?.kinds;
      if (Array.isArray(kinds) && kinds.length && !kinds.some((k: any) => (k?.group ?? GATEWAY_GROUP) === GATEWAY_GROUP && k?.kind === route.kind)) {
        why.push(`${name} allows kinds ${kinds.map((k: any) => k?.kind).join(', ')}, not ${route.kind} (NotAllowedByListeners)`);
        continue;
      }
      const from = l.allowedRoutes?.namespaces?.from ?? 'Same';
      const nsOk = from === 'All' || (from === 'Same' && rns === objectNamespace(gw))
        || (from === 'Selector' && selectorMatches(l.allowedRoutes?.namespaces?.selector, namespaceLabels(model, rns)));
      if (!nsOk) { why.push(`${name} admits routes from ${from === 'Selector' ? 'namespaces matching its selector' : from === 'Same' ? `its own namespace ${objectNamespace(gw)} only` : `no namespace (${from})`}, not ${rns} (NotAllowedByListeners)`); continue; }
      if (typeof l.hostname === 'string' && hostnames.length && !hostnames.some((h) => hostnamesIntersect(l.hostname, h))) {
        why.push(`${name} serves ${l.hostname}, and none of the route's hostnames ${hostnames.join(', ')} matches it (NoMatchingListenerHostname)`);
        continue;
      }
      return { attached: true, reason: `${name} accepts it`, objects: [objectRef(gw)], listenerTls: l.tls?.mode ?? (l.protocol === 'TLS' ? undefined : 'Terminate') };
    }
  }
  return { attached: false, reason: `${objectRef(route)} does not attach to ${gwRef}: ${why.join('; ')}`, objects: [objectRef(gw)] };
}

/** Listener and route hostnames intersect (a `*.` wildcard matches one or more labels, never the bare domain). */
export function hostnamesIntersect(a: string, b: string): boolean {
  if (a === b) return true;
  const matches = (wild: string, host: string) => wild.startsWith('*.') && host.endsWith(wild.slice(1)) && host.length > wild.length - 1;
  if (a.startsWith('*.') && b.startsWith('*.')) return matches(a, b) || matches(b, a);
  return matches(a, b) || matches(b, a);
}

/** A ReferenceGrant in `targetNs` letting `kind`s of `fromNs` refer to Service `name`. */
function referenceGrant(model: ClusterModel, kind: string, fromNs: string, targetNs: string, name: string): string | undefined {
  const grant = model.objects.map((s) => s.object).find((o) => o.kind === 'ReferenceGrant' && o.apiVersion.startsWith(`${GATEWAY_GROUP}/`) && objectNamespace(o) === targetNs
    && ((o.spec?.from ?? []) as any[]).some((f) => f?.group === GATEWAY_GROUP && f?.kind === kind && f?.namespace === fromNs)
    && ((o.spec?.to ?? []) as any[]).some((t) => (t?.group ?? '') === '' && t?.kind === 'Service' && (t?.name === undefined || t?.name === '' || t?.name === name)));
  return grant ? objectRef(grant) : undefined;
}

interface Transport { readonly ok: boolean; readonly transport?: string; readonly reason: string; readonly objects: string[] }

/** What the gateway speaks to the backend port, and whether it can (BackendTLSPolicy and its CA, h2c support). */
function backendTransport(model: ClusterModel, route: KubeObject, svc: ServiceInfo, sp: ServicePortInfo, listenerTls: string | undefined, g: ResolvedGateway): Transport {
  if (route.kind === 'TLSRoute') {
    return listenerTls === 'Terminate'
      ? { ok: true, transport: 'tcp', reason: 'the TLS listener terminates TLS and sends the bytes on in the clear', objects: [] }
      : { ok: true, transport: 'https', reason: 'the client\'s TLS passes through (Passthrough listener)', objects: [] };
  }
  const policy = model.objects.map((s) => s.object).find((o) => o.kind === 'BackendTLSPolicy' && o.apiVersion.startsWith(`${GATEWAY_GROUP}/`) && objectNamespace(o) === svc.namespace
    && ((o.spec?.targetRefs ?? []) as any[]).some((t) => (t?.group ?? '') === '' && t?.kind === 'Service' && t?.name === svc.name && (t?.sectionName === undefined || t?.sectionName === sp.name)));
  if (policy) {
    const pref = objectRef(policy);
    if (route.kind === 'GRPCRoute' && !g.backendTlsPolicyGrpc) {
      return { ok: true, transport: 'http', reason: `${g.implementation} applies ${pref} to HTTPRoute backends only: h2c in the clear`, objects: [pref] };
    }
    const validation = policy.spec?.validation ?? {};
    const refs = (Array.isArray(validation.caCertificateRefs) ? validation.caCertificateRefs : []) as any[];
    for (const r of refs) {
      if ((r?.group ?? '') !== '' || r?.kind !== 'ConfigMap') continue;
      const cm = model.objects.map((s) => s.object).find((o) => o.kind === 'ConfigMap' && o.apiVersion === 'v1' && objectNamespace(o) === svc.namespace && o.metadata.name === r.name);
      if (cm && typeof cm.data?.['ca.crt'] !== 'string') {
        const keys = Object.keys(cm.data ?? {});
        return {
          ok: false,
          reason: `${pref} verifies the backend with ${objectRef(cm)}, which has no ca.crt${keys.includes('service-ca.crt') ? ' (only service-ca.crt: the OpenShift service CA\'s key, which the Gateway API does not read)' : keys.length ? ` (keys: ${keys.join(', ')})` : ''}: the policy is NoValidCACertificate and the gateway answers 5xx`,
          objects: [pref, objectRef(cm)],
        };
      }
    }
    return { ok: true, transport: 'https', reason: `${pref} makes the gateway open TLS to it (SNI ${JSON.stringify(validation.hostname)})`, objects: [pref] };
  }
  if (route.kind === 'HTTPRoute' && sp.appProtocol === 'kubernetes.io/h2c' && !g.h2cHttpRoute) {
    return { ok: false, reason: `Service ${svc.namespace}/${svc.name} port ${sp.name ?? sp.port} is appProtocol kubernetes.io/h2c, which ${g.implementation} refuses behind an HTTPRoute (use a GRPCRoute for gRPC)`, objects: [] };
  }
  if (route.kind === 'GRPCRoute' && sp.appProtocol !== 'kubernetes.io/h2c' && sp.appProtocol !== 'grpc') {
    return { ok: true, transport: 'http', reason: `h2c in the clear (Service port appProtocol is ${sp.appProtocol ? JSON.stringify(sp.appProtocol) : 'unset'}, not kubernetes.io/h2c: the protocol is the implementation's choice)`, objects: [] };
  }
  return { ok: true, transport: 'http', reason: route.kind === 'GRPCRoute' ? 'h2c in the clear' : 'plain HTTP', objects: [] };
}

function isMapping(value: unknown): value is { [key: string]: any } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
