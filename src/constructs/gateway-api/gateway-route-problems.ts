/**
 * The checks of an app's `spec.gateway` and its mesh entry, over spec data only: validation
 * (`validateAppSpec`, `meshIntent`) reads them without loading cdk8s and the generated Gateway API
 * classes; `AppGatewayRoute` throws on them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ClusterContext } from '../../spec/cluster-context';
import type { AppGateway } from '../../spec/gateway-spec';
import { ResolvedPort, carriesGrpc, servesTls } from '../../spec/ports';
import { Problem, Problems } from '../../spec/problems';
import { ResolvedGateway, findGateway, gatewayPrincipal, resolveGateway } from '../../spec/profiles/gateways';
import { dns1123Label, dns1123Subdomain, hostName } from '../../spec/rules';
import type { MeshEntry } from '../mesh/mesh-provider';
import { grpcMatchProblems, hostnameProblems, httpMatchProblems } from './route-rules';

/** ConfigMaps that exist in every namespace but hold their CA under another key than `ca.crt`. */
export const NOT_CA_CRT_CONFIGMAPS: { readonly [name: string]: string } = {
  'openshift-service-ca.crt': 'the OpenShift service CA is under service-ca.crt (service-ca-operator pkg/controller/api/api.go InjectionDataKey)',
};

/**
 * The gateway's entry into a meshed app: a `MeshEntry` (sources: the gateway's Service, which OSM
 * admits by its endpoints) plus, for gateways that are Istio mesh workloads, their principal.
 */
export interface GatewayMeshEntry extends MeshEntry {
  /**
   * Istio's principal of the gateway pods, `<trustDomain>/ns/<namespace>/sa/<serviceAccount>`
   * (an AuthorizationPolicy `from.source.principals` entry).
   * @default - the gateway is not a workload of an Istio mesh
   */
  readonly principal?: string;
}

/** What `gatewayProblems` checks: an app's `spec.gateway` against its ports and the cluster. */
export interface GatewayCheckInput {
  readonly app: string;
  readonly namespace: string;
  readonly ports: ResolvedPort[];
  readonly gateway: AppGateway;
  readonly cluster: ClusterContext;
  /** The app is meshed (`spec.mesh`). @default false */
  readonly meshed?: boolean;
  /** The mesh provider's name (osm, istio). @default - the Cluster spec's mesh provider, else "osm" */
  readonly meshProvider?: string;
  /** `spec.tls.source` (serviceCA, certManager, secret), for advice on the backend CA. @default - no serving certificate */
  readonly tlsSource?: string;
  /** Directory `backendCA.file` is read from. @default - the file is not checked */
  readonly baseDir?: string;
}

/** The route kind a port needs: HTTPRoute, GRPCRoute or TLSRoute (undefined when none can carry it). */
export function gatewayRouteKind(port: ResolvedPort, tls: string | undefined): string | undefined {
  if (port.protocol === 'tcp' || port.protocol === 'tcp-server-first') return undefined;
  if (servesTls(port.protocol) && (tls ?? 'terminate') === 'passthrough') return 'TLSRoute';
  return carriesGrpc(port.protocol) ? 'GRPCRoute' : 'HTTPRoute';
}

const q = (v: unknown): string => JSON.stringify(v);

/**
 * Every problem of an app's `spec.gateway` (errors and warnings), with fields from `spec`: the
 * Gateway it names must be declared in the Cluster spec; the route kind follows the port's
 * protocol (tcp cannot go through the Gateway API's standard routes, passthrough needs a TLS
 * port, TLS to the app needs a CA in a ConfigMap under `ca.crt`); the CRD limits (hostnames,
 * matches); what the implementation serves (TLSRoute, BackendTLSPolicy, gRPC); what the mesh can
 * admit (TLS ports behind a sidecar, gateways outside an Istio mesh); client certificates, which
 * only the Gateway's owner can require.
 */
export function gatewayProblems(input: GatewayCheckInput): Problem[] {
  const out = new Problems();
  const g = input.gateway;
  const at = 'spec.gateway';
  const ref = g.parentRef ?? ({} as AppGateway['parentRef']);
  if (typeof ref.name === 'string' && ref.name.length > 253) out.add(`${at}.parentRef.name`, `gateway name ${q(ref.name)} has more than 253 characters`);
  if (ref.namespace !== undefined) out.add(`${at}.parentRef.namespace`, dns1123Label(ref.namespace));
  if (ref.sectionName !== undefined && dns1123Subdomain(ref.sectionName)) out.add(`${at}.parentRef.sectionName`, `listener name ${q(ref.sectionName)} is not a section name: dot-separated lowercase labels of letters, digits and '-'`);
  const declared = input.cluster.spec.gateways ?? [];
  const spec = findGateway(declared, ref.name, ref.namespace);
  if (!spec) {
    const known = declared.map((d) => q(`${d.namespace}/${d.name}`)).join(', ') || 'none';
    const ambiguous = ref.namespace === undefined && declared.filter((d) => d.name === ref.name).length > 1;
    out.add(`${at}.parentRef`, ambiguous
      ? `gateway ${q(ref.name)} is declared in several namespaces in the Cluster spec; set parentRef.namespace (declared: ${known})`
      : `gateway ${q(ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name)} is not declared in the Cluster spec (gateways); declared: ${known}`);
  }
  const gw = spec ? resolveGateway(spec) : undefined;

  const tls = g.tls ?? 'terminate';
  if (!['terminate', 'passthrough'].includes(tls)) out.add(`${at}.tls`, `${q(g.tls)} is not allowed; use "terminate" or "passthrough"`);
  if (g.routeNamespace !== undefined) out.add(`${at}.routeNamespace`, dns1123Label(g.routeNamespace));

  const wanted = g.port ?? input.ports[0]?.name;
  const port = input.ports.find((p) => p.name === wanted);
  if (input.ports.length === 0) out.add(`${at}.port`, 'the app has no ports (spec.ports): nothing can reach it');
  else if (!port) out.add(`${at}.port`, `port ${q(wanted)} is not in spec.ports; use one of ${input.ports.map((p) => q(p.name)).join(', ')}`);
  const portIndex = port ? input.ports.indexOf(port) : -1;
  const kind = port ? gatewayRouteKind(port, tls) : undefined;

  if (port && !kind) {
    out.add(`${at}.port`, `port ${q(port.name)} is ${port.protocol}: the Gateway API's standard routes carry HTTP, gRPC and TLS (TCPRoute is experimental and not in the standard CRDs); expose it some other way`);
  }
  if (port && g.tls !== undefined && !servesTls(port.protocol)) {
    out.add(`${at}.tls`, `tls applies to ports the app serves TLS on (https, grpcs); ${q(port.name)} is ${port.protocol}${tls === 'passthrough' ? ': passthrough needs the app to terminate TLS' : ''}`);
  }
  const httpMatches = g.httpMatches ?? [];
  const grpcMatches = g.grpcMatches ?? [];
  if (kind === 'TLSRoute' && (httpMatches.length || grpcMatches.length)) {
    out.add(`${at}.${httpMatches.length ? 'httpMatches' : 'grpcMatches'}`, 'a passthrough route matches the TLS server name (hostnames) only: the gateway never sees requests');
  } else if (kind === 'HTTPRoute' && grpcMatches.length) {
    out.add(`${at}.grpcMatches`, `port ${q(port!.name)} is ${port!.protocol}: gRPC matches need a grpc or grpcs port (GRPCRoute); use httpMatches`);
  } else if (kind === 'GRPCRoute' && httpMatches.length) {
    out.add(`${at}.httpMatches`, `port ${q(port!.name)} is ${port!.protocol}: its calls go through a GRPCRoute, which matches services and methods; use grpcMatches`);
  }
  out.nest(at, hostnameProblems(g.hostnames, kind === 'TLSRoute'));
  out.nest(`${at}.httpMatches`, httpMatchProblems(httpMatches).map((p) => ({ ...p, field: p.field.replace(/^matches/, '') })));
  out.nest(`${at}.grpcMatches`, grpcMatchProblems(grpcMatches).map((p) => ({ ...p, field: p.field.replace(/^matches/, '') })));

  const backendTls = kind !== undefined && kind !== 'TLSRoute' && port !== undefined && servesTls(port.protocol);
  const ca = g.backendCA;
  if (backendTls) {
    if (!ca || (ca.configMap === undefined && ca.file === undefined)) {
      out.add(`${at}.backendCA`, `port ${q(port!.name)} is ${port!.protocol}: the gateway opens TLS to the app (BackendTLSPolicy) and verifies it against a ConfigMap's ca.crt; ${backendCaAdvice(input.tlsSource)}`);
    }
  } else if (ca) {
    out.add(`${at}.backendCA`, kind === 'TLSRoute'
      ? 'with passthrough the client\'s TLS goes to the app unopened: the gateway verifies nothing; drop backendCA'
      : `port ${port ? q(port.name) : ''} is ${port?.protocol ?? 'unknown'}: the gateway sends plain ${port && carriesGrpc(port.protocol) ? 'h2c' : 'HTTP'} to it; backendCA applies to https and grpcs ports`);
  }
  if (ca) {
    if (ca.configMap !== undefined && ca.file !== undefined) out.add(`${at}.backendCA`, 'give configMap or file, not both');
    if (ca.configMap !== undefined) {
      out.add(`${at}.backendCA.configMap`, dns1123Subdomain(ca.configMap));
      const why = NOT_CA_CRT_CONFIGMAPS[ca.configMap];
      if (why) out.add(`${at}.backendCA.configMap`, `${q(ca.configMap)} holds no ca.crt (${why}), and a BackendTLSPolicy reads only ca.crt: ${backendCaAdvice('serviceCA')}`);
    }
    if (ca.hostname !== undefined) out.add(`${at}.backendCA.hostname`, hostName(ca.hostname));
    if (ca.file !== undefined && input.baseDir !== undefined) {
      const full = path.resolve(input.baseDir, ca.file);
      if (!fs.existsSync(full)) out.add(`${at}.backendCA.file`, `file ${q(ca.file)} does not exist (looked for ${full})`);
      else if (!/-----BEGIN CERTIFICATE-----/.test(fs.readFileSync(full, 'utf8'))) out.add(`${at}.backendCA.file`, `file ${q(ca.file)} holds no PEM certificate`);
    }
  }

  const meshed = input.meshed === true;
  const provider = input.meshProvider ?? input.cluster.mesh?.provider ?? 'osm';
  const throughMesh = meshed && port !== undefined && !port.bypassMesh;
  if (throughMesh && servesTls(port!.protocol) && kind) {
    out.add(`${at}.port`, `port ${q(port!.name)} is ${port!.protocol} (the app terminates TLS) and the mesh sidecar intercepts it, so the gateway's ${kind === 'TLSRoute' ? 'passthrough TLS' : 'TLS (BackendTLSPolicy)'} cannot reach the app's TLS: `
      + `set spec.ports[${portIndex}].bypassMesh: true (the gateway reaches the app directly; NetworkPolicy and the app's TLS protect the port${provider === 'istio' ? ', and the BackendTLSPolicy, which Istio turns into a DestinationRule for this Service port, concerns no mesh caller' : ''}), or serve ${port!.protocol === 'grpcs' ? 'grpc' : 'http'} behind the sidecar`
      + `${provider === 'istio' ? ' (a BackendTLSPolicy towards a meshed port would replace the mesh\'s mutual TLS for every caller of it)' : ''}`);
  }
  if (gw && throughMesh && provider === 'istio' && !gw.profile.istioMeshWorkload) {
    out.add(`${at}.parentRef`, gw.profile.separateMesh
      ? `gateway ${q(`${gw.namespace}/${gw.name}`)} (openshift-default) runs on the Ingress Operator's own istiod in openshift-ingress, with its own trust bundle: it is not a workload of the app's mesh and the app's sidecar cannot admit it by principal; use a Gateway of implementation istio on the mesh's control plane, or bypassMesh on the port`
      : `gateway ${q(`${gw.namespace}/${gw.name}`)} (${gw.implementation}) is not a workload of the Istio mesh: it sends plain traffic, which the app's sidecar refuses under mutual TLS; use a Gateway of implementation istio, or bypassMesh on the port`);
  }
  if (gw && throughMesh && provider === 'osm' && !(input.cluster.mesh?.monitoredNamespaces ?? []).includes(gw.podNamespace)) {
    out.warn(`${at}.parentRef`, `OSM admits the gateway by the endpoints of Service ${q(`${gw.podNamespace}/${gw.serviceName}`)}, which it sees only in namespaces it monitors: enrol ${q(gw.podNamespace)} without injection (osm namespace add ${gw.podNamespace} --disable-sidecar-injection) and list it in the Cluster spec's mesh.monitoredNamespaces`);
  }

  if (gw && kind === 'TLSRoute' && !gw.tlsRoute) out.add(`${at}.tls`, `gateway ${q(`${gw.namespace}/${gw.name}`)} (${gw.implementation}${spec?.version ? ` ${spec.version}` : ''}) does not serve TLSRoute${gw.implementation === 'openshift' ? ' (OpenShift installs it from 4.23)' : ''}; use tls: terminate`);
  if (gw && backendTls && !gw.backendTlsPolicy) out.add(`${at}.tls`, `gateway ${q(`${gw.namespace}/${gw.name}`)} (${gw.implementation}${spec?.version ? ` ${spec.version}` : ''}) does not serve BackendTLSPolicy${gw.implementation === 'openshift' ? ' (OpenShift installs it from 4.22)' : ''}, so it cannot open TLS to the app; use tls: passthrough, or serve plain ${port!.protocol === 'grpcs' ? 'grpc' : 'http'} on the port`);
  if (gw && kind === 'GRPCRoute' && !gw.grpcRoute) out.add(`${at}.port`, `gateway ${q(`${gw.namespace}/${gw.name}`)} (${gw.implementation}) does not serve GRPCRoute (HTTP/2 to the backend)`);
  if (gw && kind === 'GRPCRoute' && backendTls && gw.backendTlsPolicy && !gw.backendTlsPolicyGrpc) {
    out.add(`${at}.tls`, `gateway ${q(`${gw.namespace}/${gw.name}`)} (${gw.implementation}) applies BackendTLSPolicy to HTTPRoute backends only: a GRPCRoute to the app's TLS would go unencrypted; use tls: passthrough`);
  } else if (gw && kind === 'GRPCRoute' && backendTls) {
    out.warn(`${at}.tls`, `a BackendTLSPolicy behind a GRPCRoute is implementation-specific in Gateway API v1.5 (Extended from v1.6); ${gw.implementation} applies it, so the gateway speaks h2 over TLS to port ${q(port!.name)}`);
  }
  if (gw && !gw.portableSelector) {
    out.warn(`${at}.parentRef`, `gateway ${q(`${gw.namespace}/${gw.name}`)} (${gw.implementation}) does not use the portable selector (gateway.networking.k8s.io/gateway-name in the Gateway's namespace): its pods are admitted as namespace ${q(gw.podNamespace)} with labels ${q(gw.podLabels)}`);
  }

  if (g.requireClientCertificates) {
    if (kind === 'TLSRoute') {
      out.add(`${at}.requireClientCertificates`, 'with passthrough the app terminates TLS: it asks for client certificates itself (the gateway never sees them)');
    } else if (gw && !gw.frontendValidation) {
      out.add(`${at}.requireClientCertificates`, `gateway ${q(`${gw.namespace}/${gw.name}`)} (${gw.implementation}${spec?.version ? ` ${spec.version}` : ''}) installs Gateway API CRDs without spec.tls.frontend (OpenShift has it from 4.23): client certificates cannot be required`);
    } else if (gw) {
      out.warn(`${at}.requireClientCertificates`, clientCertificatePatch(gw, ref.sectionName));
    }
  }
  return out.list;
}

function backendCaAdvice(tlsSource: string | undefined): string {
  switch (tlsSource) {
    case 'serviceCA':
      return 'the OpenShift service CA is published under service-ca.crt (openshift-service-ca.crt in every namespace, inject-cabundle ConfigMaps), never ca.crt, so it cannot be referenced directly: have the platform copy it into a ConfigMap with key ca.crt (e.g. a trust-manager Bundle from openshift-service-ca.crt/service-ca.crt to key ca.crt) and name it in backendCA.configMap, or give the CA as backendCA.file';
    case 'certManager':
      return 'cert-manager writes the CA into the issued Secret\'s ca.crt, but BackendTLSPolicy reads ConfigMaps: publish it as a ConfigMap with key ca.crt (e.g. a trust-manager Bundle) and name it in backendCA.configMap, or give the issuer\'s CA as backendCA.file';
    default:
      return 'name a ConfigMap with key ca.crt in backendCA.configMap, or give the CA that signed the app\'s certificate as backendCA.file';
  }
}

/** The warning (with the patch) for client certificates, which the Gateway's owner sets for a whole Gateway port. */
function clientCertificatePatch(gw: ResolvedGateway, sectionName?: string): string {
  const patch = { spec: { tls: { frontend: { default: { validation: { caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: '<client-ca>' }] } } } } } };
  const istio = gw.implementation === 'istio' || gw.implementation === 'openshift';
  return `client certificates are asked for by the Gateway, for a whole Gateway port, not by a route: the owner of Gateway ${q(`${gw.namespace}/${gw.name}`)} must set spec.tls.frontend`
    + ` (JSON merge patch: ${JSON.stringify(patch)}, or perPort for the port of listener ${sectionName ? q(sectionName) : 'the route attaches to'}; ConfigMap <client-ca> holds ca.crt)`
    + `${istio ? '; Istio then makes the HTTPS listeners MUTUAL (one CA ConfigMap; the listener option gateway.istio.io/tls-terminate-mode: OPTIONAL_MUTUAL would make certificates optional again)' : ''}`
    + '; verify reports whether the Gateway object enforces it when it is in the folder';
}

/**
 * The mesh entry of a meshed app's `spec.gateway` (for `meshIntent`, before any construct exists):
 * the gateway's Service as the source (OSM admits its endpoints), its Istio principal when it is an
 * Istio mesh workload, on the port, plain HTTP (or h2c) to the sidecar. Undefined when the Gateway
 * is not declared, the port does not exist or bypasses the mesh.
 */
export function gatewayMeshEntry(gateway: AppGateway, ports: ResolvedPort[], cluster: ClusterContext): GatewayMeshEntry | undefined {
  const spec = findGateway(cluster.spec.gateways, gateway.parentRef?.name, gateway.parentRef?.namespace);
  const port = ports.find((p) => p.name === (gateway.port ?? ports[0]?.name));
  if (!spec || !port || port.bypassMesh) return undefined;
  const gw = resolveGateway(spec);
  const trustDomain = cluster.spec.mesh?.trustDomain ?? 'cluster.local';
  return {
    purpose: 'the gateway',
    field: 'spec.gateway',
    port,
    protocol: 'http',
    validateClientCertificate: false,
    sources: [{ service: { name: gw.serviceName, namespace: gw.podNamespace } }],
    principal: gw.profile.istioMeshWorkload ? gatewayPrincipal(gw, trustDomain) : undefined,
  };
}
