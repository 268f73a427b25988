import { createHash } from 'node:crypto';
import type { GatewayClusterSpec, GatewayImplementation } from '../gateway-spec';
import type { Problem } from '../problems';
import { dns1123Label, dns1123Subdomain, labelKey, labelValue } from '../rules';
import { PodPeerFact, namespaceByName } from './platform-profile';

/**
 * Gateway API implementations as NetworkPolicy and a mesh see them: where each runs the data-plane
 * pods of a Gateway, how it labels them, which ServiceAccount (mesh identity) and Service they
 * have, and what of the Gateway API it serves. Each fact cites the upstream source it was read
 * from; the README's "Exposing an app" summarises them.
 *
 * Sources (read at these revisions):
 * - [IST] istio/istio 1.30.3: manifests/charts/istio-control/istio-discovery/files/kube-gateway.yaml
 *   (Deployment, pod labels), pilot/pkg/config/kube/gatewaycommon/{gateway_utils.go GetDefaultName,
 *   deploymentcontroller.go} (names `<gateway>-<class>`, overridable by the annotations
 *   `gateway.istio.io/name-override` and `gateway.istio.io/service-account`),
 *   pilot/pkg/config/kube/gateway/conversion.go buildTLS (frontend validation -> MUTUAL),
 *   pkg/config/kube/conversion.go ConvertProtocol (`kubernetes.io/h2c` -> HTTP2),
 *   pilot/pkg/config/kube/gateway/supported_features.go (skipped: GatewayBackendClientCertificate,
 *   GatewayFrontendClientCertificateValidation).
 * - [CIO] openshift/cluster-ingress-operator release-4.19..4.23 + master@acca9642:
 *   pkg/manifests/assets/gateway-api/ (CRD bundle v1.2.1 in 4.19/4.20, v1.3.0 in 4.21, v1.4.1 +
 *   BackendTLSPolicy in 4.22, v1.5.1 + TLSRoute + ListenerSet in 4.23),
 *   pkg/operator/controller/names.go (class `openshift-default`, `<gateway>-openshift-default`),
 *   pkg/operator/controller/gateway-networkpolicy/networkpolicy.go (4.22: selects the gateway pods by
 *   `gateway.networking.k8s.io/gateway-name` in the Gateway's namespace),
 *   pkg/operator/controller/gatewayclass/istio_olm.go (its own istiod in openshift-ingress with its
 *   own trust bundle, injection off by default, labels not copied from the Gateway).
 * - [EG] envoyproxy/gateway main@d32f2829: internal/gatewayapi/{translator.go,helpers.go
 *   OwnerLabels}, internal/infrastructure/kubernetes/proxy/{resource.go ExpectedResourceHashedName,
 *   EnvoyAppLabel; resource_provider.go Name, envoyLabels, serviceAccountName},
 *   internal/infrastructure/kubernetes/proxy_infra.go GetResourceNamespace,
 *   internal/envoygateway/config/config.go (DefaultNamespace envoy-gateway-system),
 *   internal/utils/misc.go GetHashedName, internal/gatewayapi/route.go resolveBackendProtocol.
 * - [NGF] nginx/nginx-gateway-fabric v2.6.7 and main@e55bfe33: internal/controller/provisioner/objects.go
 *   buildLabelsAndAnnotations, internal/framework/controller/{labels.go,resource.go
 *   CreateNginxResourceName}, internal/controller/state/graph/backend_refs.go
 *   validateRouteBackendRefAppProtocol (v2.6.7: HTTPRoute to `kubernetes.io/h2c` is refused; GRPCRoute
 *   is served with grpc_pass; main after PR #5308, unreleased: HTTPRoute h2c too).
 * - [GW] kubernetes-sigs/gateway-api v1.5.1: apis/v1/backendtlspolicy_types.go (Extended support for
 *   Services behind HTTPRoute only; other route kinds implementation-specific until v1.6, #4745).
 */

/** The label the Gateway API asks implementations to put on a Gateway's resources (GEP-1762). */
export const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';

/** What an implementation does, as data (one per implementation). */
export interface GatewayImplementationProfile {
  readonly name: string;
  /** The usual GatewayClass name. */
  readonly defaultClassName: string;
  /** The namespace the pods run in when it is not the Gateway's. @default - the Gateway's namespace */
  readonly podNamespace?: string;
  /** The pods are workloads of an Istio mesh (istio-proxy with mesh certificates): a meshed app admits them by principal. */
  readonly istioMeshWorkload: boolean;
  /** The pods belong to a mesh of their own that application meshes do not trust (OpenShift's gateway istiod). */
  readonly separateMesh: boolean;
  /** Serves GRPCRoute, speaking h2c (or h2 over TLS) to the backend. */
  readonly grpcRoute: boolean;
  /** Serves an HTTPRoute to a Service port with appProtocol `kubernetes.io/h2c` (HTTP/2 upstream). */
  readonly h2cHttpRoute: boolean;
  /** Serves BackendTLSPolicy for Services behind HTTPRoute. */
  readonly backendTlsPolicy: boolean;
  /** Also applies BackendTLSPolicy to Services behind GRPCRoute (implementation-specific before Gateway API v1.6). */
  readonly backendTlsPolicyGrpc: boolean;
  /** Serves TLSRoute (passthrough). */
  readonly tlsRoute: boolean;
  /** What it does with `Gateway.spec.tls.frontend` (client certificates). */
  readonly frontendClientCertificates: string;
  /** Whether it presents `Gateway.spec.tls.backend.clientCertificateRef` to backends. */
  readonly backendClientCertificate: boolean;
  /** Where its pod selector departs from the portable one, and other caveats. */
  readonly notes: string[];
}

/** Istio 1.30 (class `istio`) [IST]. */
export const ISTIO_GATEWAY: GatewayImplementationProfile = {
  name: 'istio',
  defaultClassName: 'istio',
  istioMeshWorkload: true,
  separateMesh: false,
  grpcRoute: true,
  h2cHttpRoute: true,
  backendTlsPolicy: true,
  // BackendTLSPolicy becomes a DestinationRule for the Service, whatever the route kind (and for mesh callers too).
  backendTlsPolicyGrpc: true,
  tlsRoute: true,
  frontendClientCertificates: 'spec.tls.frontend validation (one CA ConfigMap) makes HTTPS Terminate listeners MUTUAL: clients must present a certificate; mode AllowInsecureFallback is not read, the listener option gateway.istio.io/tls-terminate-mode: OPTIONAL_MUTUAL makes it optional, MUTUAL asks for certificates even without frontend validation (CA from the certificate Secret); conformance for frontend validation is skipped',
  backendClientCertificate: false,
  notes: [
    'pods in the Gateway\'s namespace, labelled gateway.networking.k8s.io/gateway-name: <gateway> (the portable selector)',
    'Deployment, Service and ServiceAccount <gateway>-<class> unless the Gateway sets gateway.istio.io/name-override or gateway.istio.io/service-account',
    'a BackendTLSPolicy becomes a DestinationRule (SIMPLE) that mesh callers use too, replacing their mutual TLS',
  ],
};

/** The OpenShift Ingress Operator's Gateway API (class `openshift-default`, OpenShift 4.19+) [CIO]. */
export const OPENSHIFT_GATEWAY: GatewayImplementationProfile = {
  name: 'openshift',
  defaultClassName: 'openshift-default',
  istioMeshWorkload: false,
  separateMesh: true,
  grpcRoute: true,
  h2cHttpRoute: true,
  backendTlsPolicy: true,
  backendTlsPolicyGrpc: true,
  tlsRoute: true,
  frontendClientCertificates: 'from 4.23 (Gateway API v1.5.1 CRDs) as Istio\'s: frontend validation makes HTTPS listeners MUTUAL; before 4.23 the CRDs have no spec.tls.frontend',
  backendClientCertificate: false,
  notes: [
    'an Istio of its own: pods in the Gateway\'s namespace (the docs use openshift-ingress, where DNS records are managed), labelled gateway.networking.k8s.io/gateway-name',
    'ServiceAccount and Service <gateway>-openshift-default',
    'its istiod in openshift-ingress has its own trust bundle and no injection: it is not a workload of an application mesh',
    'BackendTLSPolicy from 4.22, TLSRoute from 4.23; the Ingress Operator owns the CRDs',
  ],
};

/** Envoy Gateway [EG]. */
export const ENVOY_GATEWAY: GatewayImplementationProfile = {
  name: 'envoy-gateway',
  defaultClassName: 'eg',
  podNamespace: 'envoy-gateway-system',
  istioMeshWorkload: false,
  separateMesh: false,
  grpcRoute: true,
  h2cHttpRoute: true,
  backendTlsPolicy: true,
  // The BackendTLSPolicy is read for every route kind's backends (route.go processDestination).
  backendTlsPolicyGrpc: true,
  tlsRoute: true,
  frontendClientCertificates: 'spec.tls.frontend (default and perPort, AllowValidOnly and AllowInsecureFallback)',
  backendClientCertificate: true,
  notes: [
    'breaks the portable selector: by default the proxies run in the controller\'s namespace (envoy-gateway-system), labelled gateway.envoyproxy.io/owning-gateway-name and owning-gateway-namespace, not gateway.networking.k8s.io/gateway-name',
    'GatewayNamespace mode: the proxies run in the Gateway\'s namespace and also carry gateway.networking.k8s.io/gateway-name',
    'mergeGateways: one proxy fleet per class, labelled gateway.envoyproxy.io/owning-gatewayclass only (every Gateway of the class shares the pods)',
    'ServiceAccount and Service envoy-<namespace>-<gateway>-<8 hex digits of sha256("<namespace>/<gateway>")> (the Gateway\'s name in GatewayNamespace mode)',
    'HTTP/2 to the backend only when the Service port\'s appProtocol is kubernetes.io/h2c (or grpc)',
  ],
};

/** NGINX Gateway Fabric [NGF]. */
export const NGINX_GATEWAY_FABRIC: GatewayImplementationProfile = {
  name: 'nginx-gateway-fabric',
  defaultClassName: 'nginx',
  istioMeshWorkload: false,
  separateMesh: false,
  grpcRoute: true,
  // v2.6.x refuses an HTTPRoute backend with appProtocol kubernetes.io/h2c (nginx/nginx-gateway-fabric#4626, fixed on main by #5308, unreleased).
  h2cHttpRoute: false,
  backendTlsPolicy: true,
  backendTlsPolicyGrpc: true,
  // TLSRoute is served (conformance skips some TLSRoute tests on OpenShift only).
  tlsRoute: true,
  frontendClientCertificates: 'spec.tls.frontend CA references are resolved per listener',
  backendClientCertificate: true,
  notes: [
    'pods in the Gateway\'s namespace, labelled gateway.networking.k8s.io/gateway-name: <gateway> and app.kubernetes.io/name: <gateway>-<class>',
    'breaks the portable selector for Gateway names over 63 characters: gateway-name is then an annotation, so the pods are selected by app.kubernetes.io/name',
    'ServiceAccount and Service <gateway>-<class> (truncated and hashed over 63 characters)',
    'HTTPRoute backends with appProtocol kubernetes.io/h2c are refused in v2.6 (nginx does not speak h2c there); GRPCRoute uses grpc_pass',
  ],
};

/** The profiles by implementation name. */
export const GATEWAY_IMPLEMENTATIONS: { readonly [name in GatewayImplementation]: GatewayImplementationProfile } = {
  'istio': ISTIO_GATEWAY,
  'openshift': OPENSHIFT_GATEWAY,
  'envoy-gateway': ENVOY_GATEWAY,
  'nginx-gateway-fabric': NGINX_GATEWAY_FABRIC,
};

/** A Gateway of the Cluster spec with its implementation's facts applied. */
export interface ResolvedGateway {
  /** The Gateway object's name. */
  readonly name: string;
  /** The Gateway object's namespace. */
  readonly namespace: string;
  readonly className: string;
  readonly implementation: string;
  readonly profile: GatewayImplementationProfile;
  /** Where the data-plane pods run. */
  readonly podNamespace: string;
  /** Labels that select the data-plane pods (within `podNamespace`). */
  readonly podLabels: { readonly [key: string]: string };
  /** The pods as a NetworkPolicy peer: their namespace by name, and their labels. */
  readonly peer: PodPeerFact;
  /** The Service whose endpoints are the pods (in `podNamespace`). */
  readonly serviceName: string;
  /** The pods' ServiceAccount (their mesh identity). */
  readonly serviceAccount: string;
  /** The pods are selected by the portable `gateway.networking.k8s.io/gateway-name` label in the Gateway's namespace. */
  readonly portableSelector: boolean;
  /** Capabilities after `version` (OpenShift). */
  readonly grpcRoute: boolean;
  readonly h2cHttpRoute: boolean;
  readonly backendTlsPolicy: boolean;
  readonly backendTlsPolicyGrpc: boolean;
  readonly tlsRoute: boolean;
  /** `Gateway.spec.tls.frontend` exists in the CRDs this implementation installs. */
  readonly frontendValidation: boolean;
}

/** Envoy Gateway's hashed resource name for a Gateway: `envoy-` + GetHashedName("<ns>/<name>", 48). */
export function envoyGatewayResourceName(namespace: string, name: string): string {
  const key = `${namespace}/${name}`;
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 8);
  const resource = key.replace(/\//g, '-');
  const base = resource.length > 48 ? resource.slice(0, 48).replace(/-$/, '') : resource; // strings.TrimSuffix: one '-'
  return `envoy-${base}-${hash}`;
}

/** NGINX Gateway Fabric's resource name for a Gateway: CreateNginxResourceName(gateway, class). */
export function nginxGatewayResourceName(gateway: string, className: string): string {
  const full = `${gateway}-${className}`;
  if (full.length <= 63) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  const budget = 63 - 2 - 8;
  const suffix = className.length >= budget ? className.slice(0, budget - 1) : className;
  const name = gateway.slice(0, budget - suffix.length).replace(/-+$/, '');
  return `${name}-${hash}-${suffix}`;
}

/** OpenShift "4.N" as N (undefined when not of that form). */
function openshiftMinor(version: string | undefined): number | undefined {
  const m = version === undefined ? undefined : /^4\.(\d+)(\.\d+)?$/.exec(version);
  return m ? Number(m[1]) : undefined;
}

/** A Cluster spec gateway resolved to its implementation's pods, names and capabilities. */
export function resolveGateway(spec: GatewayClusterSpec): ResolvedGateway {
  const profile = GATEWAY_IMPLEMENTATIONS[spec.implementation] ?? ISTIO_GATEWAY;
  const className = spec.className ?? profile.defaultClassName;
  let podNamespace = spec.namespace;
  let labels: { readonly [key: string]: string } = { [GATEWAY_NAME_LABEL]: spec.name };
  let resourceName = `${spec.name}-${className}`;
  let portable = true;
  let caps = {
    grpcRoute: profile.grpcRoute, h2cHttpRoute: profile.h2cHttpRoute, backendTlsPolicy: profile.backendTlsPolicy,
    backendTlsPolicyGrpc: profile.backendTlsPolicyGrpc, tlsRoute: profile.tlsRoute, frontendValidation: true,
  };
  switch (profile.name) {
    case 'envoy-gateway':
      if (spec.gatewayNamespaceMode) {
        resourceName = spec.name;
        labels = { [GATEWAY_NAME_LABEL]: spec.name };
      } else {
        portable = false;
        podNamespace = profile.podNamespace!;
        resourceName = envoyGatewayResourceName(spec.namespace, spec.name);
        labels = spec.mergeGateways
          ? { 'gateway.envoyproxy.io/owning-gatewayclass': className }
          : { 'gateway.envoyproxy.io/owning-gateway-name': spec.name, 'gateway.envoyproxy.io/owning-gateway-namespace': spec.namespace };
      }
      break;
    case 'nginx-gateway-fabric':
      resourceName = nginxGatewayResourceName(spec.name, className);
      if (spec.name.length > 63) {
        portable = false;
        labels = { 'app.kubernetes.io/name': resourceName };
      }
      break;
    case 'openshift': {
      const minor = openshiftMinor(spec.version);
      if (minor !== undefined) {
        caps = {
          ...caps,
          grpcRoute: minor >= 19,
          h2cHttpRoute: minor >= 19,
          backendTlsPolicy: minor >= 22,
          backendTlsPolicyGrpc: minor >= 22,
          tlsRoute: minor >= 23,
          frontendValidation: minor >= 23,
        };
      }
      break;
    }
    default:
      break;
  }
  if (spec.podNamespace !== undefined && spec.podNamespace !== spec.namespace) portable = false;
  if (spec.podLabels !== undefined) portable = false;
  podNamespace = spec.podNamespace ?? podNamespace;
  const podLabels = spec.podLabels ? { ...spec.podLabels } : labels;
  return {
    name: spec.name,
    namespace: spec.namespace,
    className,
    implementation: profile.name,
    profile,
    podNamespace,
    podLabels,
    peer: { namespaceLabels: namespaceByName(podNamespace), podLabels },
    serviceName: spec.serviceName ?? resourceName,
    serviceAccount: spec.serviceAccount ?? resourceName,
    portableSelector: portable,
    ...caps,
  };
}

/** Istio's principal for a gateway's pods: `<trustDomain>/ns/<namespace>/sa/<serviceAccount>`. */
export function gatewayPrincipal(gateway: ResolvedGateway, trustDomain = 'cluster.local'): string {
  return `${trustDomain}/ns/${gateway.podNamespace}/sa/${gateway.serviceAccount}`;
}

/** The Cluster spec's gateway a parentRef names: by name and namespace, or by name alone when one gateway has it. */
export function findGateway(gateways: GatewayClusterSpec[] | undefined, name: string, namespace?: string): GatewayClusterSpec | undefined {
  const named = (gateways ?? []).filter((g) => g.name === name && (namespace === undefined || g.namespace === namespace));
  return named.length === 1 ? named[0] : undefined;
}

/** Checks the Cluster spec's `gateways`; fields are relative to `spec.gateways`. */
export function gatewayClusterProblems(gateways: GatewayClusterSpec[] | undefined): Problem[] {
  const out: Problem[] = [];
  const add = (field: string, message: string | undefined) => { if (message !== undefined) out.push({ field, message }); };
  const seen = new Map<string, number>();
  (gateways ?? []).forEach((g, i) => {
    const at = `[${i}]`;
    add(`${at}.name`, dns1123Subdomain(String(g.name)));
    add(`${at}.namespace`, dns1123Label(String(g.namespace)));
    if (!(g.implementation in GATEWAY_IMPLEMENTATIONS)) {
      add(`${at}.implementation`, `${JSON.stringify(g.implementation)} is not a profiled implementation; use one of ${Object.keys(GATEWAY_IMPLEMENTATIONS).map((n) => JSON.stringify(n)).join(', ')}`);
    }
    const key = `${g.namespace}/${g.name}`;
    if (seen.has(key)) add(`${at}.name`, `gateway ${JSON.stringify(key)} repeats spec.gateways[${seen.get(key)}]; a Gateway is declared once`);
    seen.set(key, i);
    if (g.className !== undefined) add(`${at}.className`, dns1123Subdomain(g.className));
    if (g.podNamespace !== undefined) add(`${at}.podNamespace`, dns1123Label(g.podNamespace));
    if (g.serviceName !== undefined) add(`${at}.serviceName`, dns1123Label(g.serviceName));
    if (g.serviceAccount !== undefined) add(`${at}.serviceAccount`, dns1123Subdomain(g.serviceAccount));
    for (const [k, v] of Object.entries(g.podLabels ?? {})) add(`${at}.podLabels.${k}`, labelKey(k) ?? labelValue(v));
    if (g.podLabels !== undefined && Object.keys(g.podLabels).length === 0) add(`${at}.podLabels`, 'an empty label map selects every pod of the namespace; give the gateway pods\' labels');
    if ((g.gatewayNamespaceMode || g.mergeGateways) && g.implementation !== 'envoy-gateway') {
      add(`${at}.${g.gatewayNamespaceMode ? 'gatewayNamespaceMode' : 'mergeGateways'}`, `is an Envoy Gateway setting; implementation is ${JSON.stringify(g.implementation)}`);
    }
    if (g.gatewayNamespaceMode && g.mergeGateways) add(`${at}.mergeGateways`, 'Envoy Gateway does not merge Gateways in GatewayNamespace mode; set one of them');
    if (g.version !== undefined && g.implementation === 'openshift' && openshiftMinor(g.version) === undefined) {
      add(`${at}.version`, `${JSON.stringify(g.version)} is not an OpenShift version such as "4.22"`);
    }
    if (g.implementation === 'openshift' && g.version !== undefined && (openshiftMinor(g.version) ?? 19) < 19) {
      add(`${at}.version`, `OpenShift ${g.version} has no Gateway API; it comes with 4.19`);
    }
  });
  return out;
}
