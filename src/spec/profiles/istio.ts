import type { ClusterMeshSpec, ClusterSpecBody } from '../cluster-spec';
import { ResolvedGateway, findGateway, gatewayPrincipal, resolveGateway } from './gateways';


/**
 * Istio facts, pinned to Istio 1.30.3 (istio/istio @56df41f63e51, istio/api @2e43f07b30b6). Each
 * fact names its source; `D` is istio/istio manifests/charts/istio-control/istio-discovery.
 * The three flavours are upstream Istio (Helm or istioctl), OpenShift Service Mesh 3 (the Sail
 * operator, istio-ecosystem/sail-operator) and the AKS Istio add-on (MicrosoftDocs/azure-aks-docs
 * articles/aks).
 */

/** The flavours of Istio a Cluster spec names (`mesh.flavour`). */
export const ISTIO_FLAVOUR_NAMES = ['upstream', 'openshift-service-mesh', 'aks'];

/** What differs between the ways Istio is installed. */
export interface IstioFlavourProfile {
  /** upstream, openshift-service-mesh or aks. */
  readonly name: string;
  /** The namespace istiod runs in, and the mesh's root namespace (MeshConfig `rootNamespace`). */
  readonly controlPlaneNamespace: string;
  /** The Istio CNI plugin is installed unless the Cluster spec says otherwise. */
  readonly cniByDefault: boolean;
  /** Namespaces must name a revision (`istio.io/rev`); `istio-injection: enabled` is ignored. */
  readonly revisionRequired: boolean;
  /** A revision must match this pattern (AKS: `asm-X-Y`). @default - any label value */
  readonly revisionPattern?: string;
  /** Why, for messages. */
  readonly source: string;
}

/**
 * - upstream: istiod in `istio-system` (Helm `global.istioNamespace`; D/templates/configmap.yaml
 *   sets `rootNamespace` to it), no CNI unless installed (D/values.yaml `pilot.cni.enabled: false`).
 * - openshift-service-mesh (OSSM 3): the `Istio` CR's `spec.namespace` defaults to `istio-system`
 *   (sail-operator api/v1/istio_types.go); on OpenShift the `openshift` profile is applied, which
 *   enables the CNI (D/files/profile-platform-openshift.yaml) and an `IstioCNI` resource is required.
 * - aks: istiod in `aks-istio-system`; only `istio.io/rev=asm-X-Y` injects, `istio-injection=enabled`
 *   "will cause the sidecar injection to skip the namespace" (istio-deploy-addon.md @047477a); the
 *   CNI is a preview from asm-1-25 (istio-cni.md @0ee48d3). The root namespace is not stated by
 *   Microsoft; it follows the control plane namespace as upstream's chart does.
 */
export const ISTIO_FLAVOURS: { readonly [name: string]: IstioFlavourProfile } = {
  'upstream': {
    name: 'upstream',
    controlPlaneNamespace: 'istio-system',
    cniByDefault: false,
    revisionRequired: false,
    source: 'istio/istio manifests/charts/istio-control/istio-discovery',
  },
  'openshift-service-mesh': {
    name: 'openshift-service-mesh',
    controlPlaneNamespace: 'istio-system',
    cniByDefault: true,
    revisionRequired: false,
    source: 'istio-ecosystem/sail-operator api/v1/istio_types.go and the openshift profile',
  },
  'aks': {
    name: 'aks',
    controlPlaneNamespace: 'aks-istio-system',
    cniByDefault: false,
    revisionRequired: true,
    revisionPattern: '^asm-[0-9]+-[0-9]+$',
    source: 'MicrosoftDocs/azure-aks-docs articles/aks/istio-deploy-addon.md',
  },
};

/** Label and annotation keys Istio reads (istio/api label/labels.yaml, annotation/annotations.yaml). */
export const ISTIO_KEYS = {
  /**
   * Namespace label of the default revision: `enabled`. D/templates/mutatingwebhook.yaml installs
   * the webhook that reads it only for the default revision (`revision: ""`), and gives it
   * precedence over `istio.io/rev` when both are set.
   */
  injectionLabel: 'istio-injection',
  /** Namespace (or pod) label naming the control plane revision or tag that injects. */
  revisionLabel: 'istio.io/rev',
  /** Pod label: "true" | "false"; the annotation of the same name is deprecated, the label wins (pkg/kube/inject/inject.go injectRequired). */
  sidecarInject: 'sidecar.istio.io/inject',
  /** Pod annotations read by the injected init container (D/files/injection-template.yaml). */
  excludeInboundPorts: 'traffic.sidecar.istio.io/excludeInboundPorts',
  excludeOutboundPorts: 'traffic.sidecar.istio.io/excludeOutboundPorts',
  excludeOutboundIPRanges: 'traffic.sidecar.istio.io/excludeOutboundIPRanges',
  includeInboundPorts: 'traffic.sidecar.istio.io/includeInboundPorts',
} as const;

/**
 * istiod: the sidecars' xDS and certificate port is 15012 (Service `istiod[-<rev>]` port 15012
 * "mTLS with k8s-signed cert", container port `tls-xds` 15012: D/templates/service.yaml,
 * D/templates/deployment.yaml). Every istiod pod carries `app: istiod` whatever its revision (the
 * same deployment template; `istio: pilot` only for the default revision, `istio.io/rev` varies),
 * so the egress peer selects `app: istiod` alone.
 */
export const ISTIOD: IstiodFacts = {
  podLabels: { app: 'istiod' },
  xdsPort: 15012,
};

/** Where a sidecar reaches its control plane. */
export interface IstiodFacts {
  /** Labels every istiod pod carries. */
  readonly podLabels: { readonly [key: string]: string };
  /** The xDS and certificate port sidecars dial. */
  readonly xdsPort: number;
}

/** The default trust domain (pkg/config/mesh/mesh.go DefaultMeshConfig: `constants.DefaultClusterLocalDomain`). */
export const ISTIO_DEFAULT_TRUST_DOMAIN = 'cluster.local';

/** A container Istio injects, with what Pod Security admission reads of it. */
export interface IstioInjectedContainer {
  readonly name: string;
  /** An init container (runs before the app). */
  readonly init: boolean;
  readonly capabilitiesAdded: string[];
  readonly runAsUser: number;
  readonly runAsNonRoot: boolean;
  readonly privileged: boolean;
}

/**
 * The init container of D/files/injection-template.yaml: without the CNI `istio-init` adds
 * NET_ADMIN and NET_RAW and runs as root (runAsUser 0, runAsNonRoot false) to write iptables
 * rules; with the CNI `istio-validation` adds nothing, drops ALL and runs as 1337, non-root.
 * `global.proxy.privileged` defaults to false (D/values.yaml).
 */
export function istioInitContainer(cni: boolean): IstioInjectedContainer {
  return cni
    ? { name: 'istio-validation', init: true, capabilitiesAdded: [], runAsUser: 1337, runAsNonRoot: true, privileged: false }
    : { name: 'istio-init', init: true, capabilitiesAdded: ['NET_ADMIN', 'NET_RAW'], runAsUser: 0, runAsNonRoot: false, privileged: false };
}

/**
 * The Pod Security level a meshed namespace needs, with the reason. Baseline allows only
 * AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP,
 * SETGID, SETPCAP, SETUID and SYS_CHROOT to be added (kubernetes/pod-security-admission
 * policy/check_capabilities_baseline.go), so istio-init's NET_ADMIN and NET_RAW need
 * `privileged`; restricted also requires runAsNonRoot (check_runAsNonRoot.go).
 */
export function istioPodSecurity(cni: boolean): IstioPodSecurity {
  if (cni) {
    return {
      level: 'restricted',
      reason: 'with the Istio CNI the injected istio-validation and istio-proxy containers add no capability, drop ALL and run as non-root 1337 (istio/istio manifests/charts/istio-control/istio-discovery/files/injection-template.yaml); the pod keeps seccompProfile RuntimeDefault, which Istio does not set',
    };
  }
  return {
    level: 'privileged',
    reason: 'without the Istio CNI the injected istio-init container adds NET_ADMIN and NET_RAW and runs as root to write iptables rules (istio/istio manifests/charts/istio-control/istio-discovery/files/injection-template.yaml); Pod Security baseline allows neither capability (kubernetes/pod-security-admission policy/check_capabilities_baseline.go) and restricted also requires non-root; install the Istio CNI (Cluster spec mesh.cni: true) to keep the namespace restricted',
  };
}

/** A Pod Security level and why. */
export interface IstioPodSecurity {
  /** restricted or privileged. */
  readonly level: string;
  readonly reason: string;
}

/**
 * A workload's identity as AuthorizationPolicy `source.principals` matches it:
 * `<trustDomain>/ns/<namespace>/sa/<serviceAccount>` (istio/api security/v1beta1/authorization_policy.proto,
 * Source.principals; requires mTLS).
 */
export function istioPrincipal(trustDomain: string, namespace: string, serviceAccount: string): string {
  return `${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}

/** An Istio ingress gateway's pods: who a Route or an ingress reaches a meshed app through. */
export interface IstioGatewayIdentity {
  /** The gateway pods' namespace. */
  readonly namespace: string;
  /** The gateway pods' ServiceAccount: its principal is what the app's AuthorizationPolicy admits. */
  readonly serviceAccount: string;
  /** The gateway's Service (what an OpenShift Route targets). @default - the ServiceAccount's name */
  readonly serviceName?: string;
}

/**
 * The gateway istiod deploys for a Gateway API `Gateway` of class `istio`: Deployment, Service
 * and ServiceAccount `<gateway>-<class>` unless the Gateway's annotation
 * `gateway.istio.io/service-account` names another (pilot/pkg/config/kube/gatewaycommon:
 * deploymentcontroller.go `ServiceAccount: GetOrDefault(annotation, defaultName)`,
 * gateway_utils.go `GetDefaultName` = `<name>-<gatewayClassName>`).
 */
export function gatewayApiIdentity(gatewayName: string, namespace: string, gatewayClass = 'istio'): IstioGatewayIdentity {
  const name = `${gatewayName}-${gatewayClass}`;
  return { namespace, serviceAccount: name, serviceName: name };
}

/**
 * The AKS add-on's managed ingress gateways: Service and Deployment
 * `aks-istio-ingressgateway-{external,internal}` in `aks-istio-ingress` (istio-deploy-ingress.md
 * @0b79b16). Microsoft's page does not name the ServiceAccount; third-party material shows the
 * principal `cluster.local/ns/aks-istio-ingress/sa/aks-istio-ingressgateway-external`, i.e. a
 * ServiceAccount named like the Deployment. Check `kubectl -n aks-istio-ingress get sa`.
 */
export function aksIngressGateway(kind: string): IstioGatewayIdentity {
  const name = `aks-istio-ingressgateway-${kind}`;
  return { namespace: 'aks-istio-ingress', serviceAccount: name, serviceName: name };
}

/**
 * ingress-nginx's controller runs as ServiceAccount `ingress-nginx` in `ingress-nginx`
 * (kubernetes/ingress-nginx deploy/static/provider/cloud/deploy.yaml @0124c31). Enrolled in the
 * mesh, that is its principal.
 */
export const INGRESS_NGINX_SERVICE_ACCOUNT = 'ingress-nginx';

/** The Istio settings of a cluster, defaults applied. */
export interface IstioSettings {
  readonly flavour: IstioFlavourProfile;
  /** @default - the default revision */
  readonly revision?: string;
  readonly trustDomain: string;
  /** The Istio CNI plugin is installed. */
  readonly cni: boolean;
  /** istiod's namespace, also the root namespace (mesh-wide policies). */
  readonly controlPlaneNamespace: string;
  /** The namespace labels that enrol a namespace. */
  readonly injectionLabels: { readonly [key: string]: string };
  /** Why the labels are what they are. */
  readonly injectionReason: string;
}

/**
 * Resolves the Istio settings of a Cluster spec's `mesh` (flavour, revision, trust domain, CNI,
 * namespace), with each flavour's defaults. An unknown flavour resolves as upstream; check the
 * spec with `istioSettingsProblems`.
 */
export function resolveIstioSettings(mesh?: ClusterMeshSpec): IstioSettings {
  const flavour = ISTIO_FLAVOURS[mesh?.flavour ?? 'upstream'] ?? ISTIO_FLAVOURS.upstream;
  const revision = mesh?.revision;
  const injectionLabels: { readonly [key: string]: string } = revision !== undefined
    ? { [ISTIO_KEYS.revisionLabel]: revision }
    : { [ISTIO_KEYS.injectionLabel]: 'enabled' };
  return {
    flavour,
    revision,
    trustDomain: mesh?.trustDomain ?? ISTIO_DEFAULT_TRUST_DOMAIN,
    cni: mesh?.cni ?? flavour.cniByDefault,
    controlPlaneNamespace: mesh?.namespace ?? flavour.controlPlaneNamespace,
    injectionLabels,
    injectionReason: revision !== undefined
      ? `istio.io/rev=${revision} selects the webhook of revision ${revision} (istio-discovery templates/mutatingwebhook.yaml); istio-injection is left out because it would take precedence`
      : 'istio-injection=enabled selects the default revision\'s webhook (istio-discovery templates/mutatingwebhook.yaml)',
  };
}

/** A problem in the Cluster spec's Istio settings; `field` is relative to the Cluster spec's `spec`. */
export interface IstioSettingsProblem {
  readonly field: string;
  readonly message: string;
}

/** Checks the Istio settings of a Cluster spec's `mesh`. */
export function istioSettingsProblems(mesh?: ClusterMeshSpec): IstioSettingsProblem[] {
  const out: IstioSettingsProblem[] = [];
  if (!mesh) return out;
  const flavour = mesh.flavour ?? 'upstream';
  const profile = ISTIO_FLAVOURS[flavour];
  if (!profile) {
    out.push({ field: 'mesh.flavour', message: `flavour ${JSON.stringify(flavour)} is not known; use one of ${ISTIO_FLAVOUR_NAMES.map((f) => JSON.stringify(f)).join(', ')}` });
    return out;
  }
  const rev = mesh.revision;
  if (rev !== undefined && !/^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/.test(rev)) {
    out.push({ field: 'mesh.revision', message: `revision ${JSON.stringify(rev)} is not a label value istio.io/rev can carry: lowercase letters, digits, '-' and '.', at most 63 characters` });
  }
  if (profile.revisionRequired && rev === undefined) {
    out.push({ field: 'mesh.revision', message: `the ${profile.name} flavour injects only namespaces labelled istio.io/rev=<revision> (istio-injection=enabled is skipped; ${profile.source}): give the installed revision, e.g. "asm-1-25" (az aks show --query serviceMeshProfile.istio.revisions)` });
  } else if (profile.revisionPattern && rev !== undefined && !new RegExp(profile.revisionPattern).test(rev)) {
    out.push({ field: 'mesh.revision', message: `revision ${JSON.stringify(rev)} is not an AKS add-on revision: the add-on names its revisions asm-X-Y, e.g. "asm-1-25" (${profile.source})` });
  }
  const td = mesh.trustDomain;
  if (td !== undefined && !/^[a-zA-Z0-9]([-a-zA-Z0-9._]*[a-zA-Z0-9])?$/.test(td)) {
    out.push({ field: 'mesh.trustDomain', message: `trust domain ${JSON.stringify(td)} is not a trust domain such as "cluster.local": letters, digits, '-', '.', '_', without '/' (principals are <trustDomain>/ns/<namespace>/sa/<serviceAccount>)` });
  }
  if (mesh.namespace !== undefined && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(mesh.namespace)) {
    out.push({ field: 'mesh.namespace', message: `namespace ${JSON.stringify(mesh.namespace)} is not a DNS-1123 label` });
  }
  return out;
}

/**
 * The name istiod gives the gateway Service's port of a Gateway listener: the listener name with
 * '.' as '-', cut at 63 characters (istio/istio deploymentcontroller.go extractServicePorts and
 * sanitizeListenerNameForPort, read in a stored copy not pinned to 1.30.3: the Service port is the
 * listener's port, named after the listener, its target port the same number).
 */
export function gatewayServicePortName(listener: string): string {
  const name = listener.replace(/\./g, '-');
  return name.length <= 63 ? name : name.slice(0, 63);
}

/** The Cluster spec's `mesh.routeGateway`, resolved: the Gateway, its listener, Service port and principal. */
export interface ResolvedRouteGateway {
  /** The Gateway of `gateways` it names, with its implementation's facts. */
  readonly gateway: ResolvedGateway;
  /** The listener the apps' HTTPRoutes attach to. */
  readonly sectionName: string;
  /** The gateway Service's port the Routes target (named after the listener). */
  readonly servicePort: string;
  /** `<trustDomain>/ns/<namespace>/sa/<serviceAccount>` of the gateway pods. */
  readonly principal: string;
}

/**
 * The route gateway of a Cluster spec whose mesh is Istio (`mesh.routeGateway`), when it names a
 * Gateway of `gateways` whose implementation runs it as an Istio mesh workload; undefined
 * otherwise (see `routeGatewayProblems`).
 */
export function resolveRouteGateway(spec: ClusterSpecBody): ResolvedRouteGateway | undefined {
  const m = spec.mesh;
  const rg = m?.routeGateway;
  if (m?.provider !== 'istio' || !rg || typeof rg.name !== 'string' || typeof rg.sectionName !== 'string') return undefined;
  const found = findGateway(spec.gateways, rg.name, rg.namespace);
  if (!found) return undefined;
  const gateway = resolveGateway(found);
  if (!gateway.profile.istioMeshWorkload) return undefined;
  return { gateway, sectionName: rg.sectionName, servicePort: gatewayServicePortName(rg.sectionName), principal: gatewayPrincipal(gateway, m.trustDomain ?? ISTIO_DEFAULT_TRUST_DOMAIN) };
}

/** Problems of `mesh.routeGateway` against the Cluster spec's `gateways`; fields relative to the Cluster spec's `spec`. */
export function routeGatewayProblems(spec: ClusterSpecBody): IstioSettingsProblem[] {
  const rg = spec.mesh?.routeGateway;
  if (!rg) return [];
  const out: IstioSettingsProblem[] = [];
  const at = 'mesh.routeGateway';
  if (typeof rg.name !== 'string' || rg.name === '') out.push({ field: `${at}.name`, message: 'the name of a Gateway of spec.gateways (implementation istio) is required' });
  if (typeof rg.sectionName !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(rg.sectionName)) {
    out.push({ field: `${at}.sectionName`, message: `${JSON.stringify(rg.sectionName)} is not a listener name: the name of the Gateway's HTTP listener (lowercase letters, digits, '-' and '.') is required` });
  }
  if (out.length > 0) return out;
  const declared = spec.gateways ?? [];
  const found = findGateway(declared, rg.name, rg.namespace);
  const known = declared.map((d) => `${d.namespace}/${d.name} (${d.implementation})`).join(', ') || 'none';
  if (!found) {
    out.push({ field: `${at}.name`, message: `gateway ${JSON.stringify(rg.namespace ? `${rg.namespace}/${rg.name}` : rg.name)} is not ${rg.namespace === undefined && declared.filter((d) => d.name === rg.name).length > 1 ? 'unique in' : 'declared in'} spec.gateways; declare the Istio gateway there (implementation istio) and name it here (declared: ${known})` });
  } else if (!resolveGateway(found).profile.istioMeshWorkload) {
    out.push({ field: `${at}.name`, message: `gateway ${JSON.stringify(`${found.namespace}/${found.name}`)} is implementation ${JSON.stringify(found.implementation)}, whose pods are not workloads of the Istio mesh: the app's sidecar could not admit them by principal; name a gateway of implementation istio` });
  }
  return out;
}
