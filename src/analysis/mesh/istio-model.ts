import * as net from 'node:net';
import * as yaml from 'js-yaml';
import { resolveTargetPort, servicePods } from '../cluster';
import type { ClusterModel, ContainerInfo, KubeObject, ServiceInfo, ServicePortInfo, Verdict, Workload } from '../model';
import { objectRef } from '../model';
import { ISTIO_INJECT_TEMPLATES_ANNOTATION, ISTIO_PROXY_CONTAINER_NAME, istioInjectedContainers } from './istio-injection';
import type { IMeshModel, MeshConnectionRequest, MeshHttpRequest, MeshPeer, MeshSidecarConnection } from './mesh-model';
import { cidrContains as cidrBlockContains } from '../network-policy';
import { bothSides, explains, firstAllowed, isMapping, l4, peerName, refList, serviceAddress, strings, transportName, unique } from './mesh-words';
import { apiGroupOf } from '../api-group';

/**
 * Istio in sidecar mode (upstream, OpenShift Service Mesh 3, the AKS add-on), as istiod, its
 * injector and the Envoy proxies would treat a folder of manifests. Ambient mode (ztunnel,
 * waypoints) is out of scope: a namespace labelled `istio.io/dataplane-mode=ambient` is reported
 * as not meshed by sidecars.
 *
 * Every rule cites the file it was read from: `istio:path:line` is istio/istio at tag 1.30.3
 * (commit 56df41f63e51; `D` = manifests/charts/istio-control/istio-discovery), `api:path:line` is
 * istio/api at v1.30.3 (commit 2e43f07b30b6), `istio.io:path` the istio/istio.io docs. What is
 * inferred rather than read is marked "(inf.)".
 */

/** Namespace label of the default revision's webhooks (istio:D/templates/mutatingwebhook.yaml:114-127). */
export const ISTIO_INJECTION_LABEL = 'istio-injection';
/** Namespace or pod label naming a revision or tag (istio:D/templates/mutatingwebhook.yaml:65-108). */
export const ISTIO_REV_LABEL = 'istio.io/rev';
/** Pod label "true"/"false" (the annotation of the same name is the deprecated form; istio:pkg/kube/inject/inject.go:223-227). */
export const ISTIO_SIDECAR_INJECT_LABEL = 'sidecar.istio.io/inject';
/** AuthorizationPolicy annotation: shadow mode, never enforced (istio:pilot/pkg/security/authz/builder/builder.go:152-162). */
export const ISTIO_DRY_RUN_ANNOTATION = 'istio.io/dry-run';
/** Service annotation: namespaces the Service is visible to (api:networking/v1alpha3/service_entry.proto:617-620). */
export const ISTIO_EXPORT_TO_ANNOTATION = 'networking.istio.io/exportTo';
/** Pod label of a Gateway API gateway's pods (istio:pilot/pkg/model/policyattachment.go:104-107). */
export const GATEWAY_API_GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';
/** Gateway annotation overriding the service account istiod gives a deployed gateway (istio:pilot/pkg/config/kube/gatewaycommon/deploymentcontroller.go:429). */
export const ISTIO_GATEWAY_SERVICE_ACCOUNT_ANNOTATION = 'gateway.istio.io/service-account';
/** Endpoint label auto mTLS reads: "istio" (set by the injector) means the endpoint takes mTLS (istio:D/files/injection-template.yaml:34, pilot/pkg/networking/core/cluster_tls.go:48,98-107). */
export const ISTIO_TLS_MODE_LABEL = 'security.istio.io/tlsMode';
/** The port of istiod's xDS and CA server (istio:D/templates/configmap.yaml:72, files/injection-template.yaml:248). */
export const ISTIOD_XDS_PORT = 15012;

/** Namespaces the injector never injects (istio:pkg/kube/inject/initializer.go:38-42). */
const NEVER_INJECTED_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage'];
/** Ports the init container never redirects inbound: 15090, 15021 and the status port 15020 (istio:D/files/injection-template.yaml:106-113, values.yaml:408). */
const NEVER_REDIRECTED_INBOUND = [15090, 15021, 15020];
/** Service ports Istio reads as TCP when no protocol is declared (istio:pkg/config/kube/conversion.go:26-40,86-91). */
const WELL_KNOWN_TCP_PORTS = [25, 53, 3306, 27017];
/** Protocols with an HTTP filter chain (istio:pkg/config/protocol/instance.go:116-124). */
const HTTP_PROTOCOLS = ['HTTP', 'HTTP2', 'HTTP_PROXY', 'GRPC', 'GRPC-Web'];
/** `when` keys that exist only in HTTP (istio:pilot/pkg/security/authz/model/generator.go:255-385). */
const HTTP_ONLY_WHEN = /^request\.(headers|auth\.)/;

/** Options of `IstioModel`. */
export interface IstioModelProps {
  /**
   * upstream, openshift-service-mesh (OSSM 3: CNI on by default) or aks (the AKS add-on: control
   * plane in aks-istio-system, only `istio.io/rev=asm-X-Y` injects, mesh config also in
   * `istio-shared-configmap-<revision>`).
   * @default "upstream"
   */
  readonly flavour?: string;
  /** The control plane revision (`istio.io/rev` value). Required for aks. @default "" (the default revision) */
  readonly revision?: string;
  /** Revision tags pointing at this revision; the tag "default" also serves `istio-injection=enabled`. @default - none */
  readonly revisionTags?: string[];
  /** istiod's namespace. @default "istio-system" ("aks-istio-system" for aks) */
  readonly controlPlaneNamespace?: string;
  /** MeshConfig rootNamespace. @default - the mesh config's in the input, else the control-plane namespace */
  readonly rootNamespace?: string;
  /** The trust domain. @default - the mesh config's in the input, else "cluster.local" */
  readonly trustDomain?: string;
  /** The Istio CNI plugin is installed (istio-validation instead of istio-init). @default - true for openshift-service-mesh, false otherwise */
  readonly cni?: boolean;
  /** The injector makes istio-proxy a native sidecar (Kubernetes 1.33+ nodes with ENABLE_NATIVE_SIDECARS=auto). @default false */
  readonly nativeSidecar?: boolean;
  /** The cluster DNS domain of Service host names. @default "cluster.local" */
  readonly clusterDomain?: string;
}

/** Mesh-wide settings read from the input's mesh config, or Istio's defaults. */
export interface IstioMeshSettings {
  /** The objects read (ConfigMap, Istio CR, IstioOperator). */
  readonly sources: string[];
  /** ALLOW_ANY or REGISTRY_ONLY. */
  readonly outboundTrafficPolicy: string;
  /** Where `outboundTrafficPolicy` comes from, for verdicts. */
  readonly outboundTrafficPolicySource: string;
  readonly trustDomain: string;
  readonly trustDomainAliases: string[];
  readonly rootNamespace: string;
  readonly enableAutoMtls: boolean;
}

/** The mTLS mode a sidecar applies to one inbound port, and why. */
export interface IstioMtlsMode {
  /** STRICT, PERMISSIVE or DISABLE. */
  readonly mode: string;
  readonly reason: string;
  readonly objects: string[];
}

/** The protocol Istio gives a port of a workload, and why. */
export interface IstioPortProtocol {
  /** Istio's name: HTTP, HTTP2, GRPC, GRPC-Web, HTTP_PROXY, TCP, HTTPS, TLS, Mongo, Redis, MySQL, UDP, or UnsupportedProtocol (sniffed). */
  readonly protocol: string;
  /** "http" (HTTP filter chain), "tcp" (TCP filter chain) or "auto" (sniffed: HTTP when the bytes are HTTP). */
  readonly chain: string;
  readonly how: string;
  /** The Service it was read from. @default - none (no Service: the inbound passthrough chain, sniffed) */
  readonly service?: string;
}

// ---------------------------------------------------------------------------------------------
// Parsed Istio resources

interface PeerAuth { ref: string; namespace: string; selector?: { readonly [key: string]: string }; mode: string; portLevel: Map<number, string> }
interface AuthzPolicy { ref: string; namespace: string; selector?: { readonly [key: string]: string }; targetGateways: string[]; hasTargetRefs: boolean; action: string; provider?: string; rules?: any[]; dryRun: boolean }
interface EgressListener { port?: number; hosts: string[] }
interface SidecarRes { ref: string; namespace: string; selector?: { readonly [key: string]: string }; egress: EgressListener[]; outboundMode?: string }
interface SePort { number: number; protocol: string; name: string }
interface ServiceEntryRes { ref: string; namespace: string; hosts: string[]; addresses: string[]; ports: SePort[]; location: string; resolution: string; exportTo: string[] }
interface DestRule { ref: string; namespace: string; host: string; exportTo: string[]; selector?: { readonly [key: string]: string }; tlsMode?: string; portTls: Map<number, string> }
interface KubeGateway { ref: string; namespace: string; name: string; serviceAccount: string }

interface Resources {
  settings: IstioMeshSettings;
  peerAuths: PeerAuth[];
  authz: AuthzPolicy[];
  sidecars: SidecarRes[];
  serviceEntries: ServiceEntryRes[];
  destinationRules: DestRule[];
  gateways: KubeGateway[];
  /** Istio objects labelled for another revision (ignored by this control plane). */
  otherRevision: string[];
  /** Whether the input has an object of security.istio.io or networking.istio.io (of any revision). */
  istioObjects: boolean;
  /** Memos: per workload, its verdicts and Services; Services by host name. */
  meshed: Map<Workload, Verdict>;
  gateway: Map<Workload, boolean>;
  servicesOf?: Map<Workload, ServiceInfo[]>;
  authzOf: Map<Workload, AuthzPolicy[]>;
  protocolOf: Map<Workload, Map<number, IstioPortProtocol>>;
  serviceByHost?: Map<string, ServiceInfo>;
}

/** One way the source reaches the destination: through a Service port, or at an address. */
interface DialPath {
  service?: ServiceInfo;
  servicePort?: ServicePortInfo;
  /** The port the source dials. */
  port: number;
  ip?: string;
}

/** The source side's answer, and the form in which the connection reaches the destination. */
interface Leg {
  allowed: boolean;
  reason: string;
  objects: string[];
  /** "mtls" (Istio mTLS from the source's proxy), "tls" (TLS the source's proxy originates without a mesh identity) or "plain" (as the app sent it). */
  arrival: string;
  /** The mesh identity the destination sees with mTLS (without "spiffe://"). */
  principal?: string;
  via?: string;
}

/** A meshed source: a workload with a proxy, or a Gateway API gateway of the input whose pods are not in it. */
interface MeshedSource { ref: string; namespace: string; serviceAccount: string; labels: { readonly [key: string]: string }; gateway: boolean; workload?: Workload }

/** The attributes an authorization rule is matched against. */
interface AuthzContext {
  principal?: string;
  sourceIp?: string;
  destinationIp?: string;
  port: number;
  chain: string;
  http?: MeshHttpRequest;
  authority?: string;
  sni?: string;
}

/** Three-valued match: yes, no, or "some" (depends on HTTP request attributes not given). */
type Tri = 'yes' | 'no' | 'some';

interface RuleResult { result: Tri; dropped?: string; notes: string[]; some: string[] }

/**
 * Istio's traffic semantics in sidecar mode: injection (webhook selectors and the injector's
 * policy), PeerAuthentication, AuthorizationPolicy, protocol selection, Sidecar and ServiceEntry
 * egress, DestinationRule TLS, and gateways as mesh sources.
 *
 * A source has a mesh identity only through Istio mTLS from its proxy: `MeshConnectionRequest.clientPrincipal`
 * (a certificate the app itself presents) is TLS the sidecar passes through as opaque TCP
 * (istio:pilot/pkg/networking/core/filterchain_options.go:73-81), so it is not a principal here. An
 * `ExternalPeer` has an Istio proxy in two cases. A gateway: pods labelled
 * `gateway.networking.k8s.io/gateway-name` whose Gateway is in the input (class `istio`, or a
 * GatewayClass of controller istio.io/gateway-controller; the service account istiod creates), or
 * that carry a `serviceAccount` (reachability gives one only to gateways whose implementation runs
 * them as Istio mesh workloads). A pod of the cluster with a `namespace` and `serviceAccount`
 * (an ingress controller): injected exactly as a workload with its labels in that namespace would
 * be (`isMeshed`), with the principal of that account. Any other external peer has none.
 */
export class IstioModel implements IMeshModel {
  public readonly name: string = 'istio';
  public readonly flavour: string;
  public readonly revision: string;
  public readonly revisionTags: string[];
  public readonly controlPlaneNamespace: string;
  public readonly cni: boolean;
  public readonly clusterDomain: string;
  private readonly nativeSidecar: boolean;
  private readonly rootNamespaceProp?: string;
  private readonly trustDomainProp?: string;
  private readonly cache = new WeakMap<ClusterModel, Resources>();
  private readonly externalWorkloads = new Map<string, Workload>();

  constructor(props: IstioModelProps = {}) {
    this.flavour = props.flavour ?? 'upstream';
    if (!['upstream', 'openshift-service-mesh', 'aks'].includes(this.flavour)) throw new Error(`IstioModel: unknown flavour "${this.flavour}" (upstream, openshift-service-mesh or aks)`);
    this.revision = props.revision ?? '';
    if (this.flavour === 'aks' && this.revision === '') throw new Error('IstioModel: the AKS add-on needs the revision (istio.io/rev=asm-X-Y)');
    this.revisionTags = props.revisionTags ?? [];
    this.controlPlaneNamespace = props.controlPlaneNamespace ?? (this.flavour === 'aks' ? 'aks-istio-system' : 'istio-system');
    this.cni = props.cni ?? this.flavour === 'openshift-service-mesh';
    this.nativeSidecar = props.nativeSidecar === true;
    this.clusterDomain = props.clusterDomain ?? 'cluster.local';
    this.rootNamespaceProp = props.rootNamespace;
    this.trustDomainProp = props.trustDomain;
  }

  /** The `istio.io/rev` values this control plane's webhooks serve: the revision ("default" for the default one) and its tags. */
  public get revisionNames(): string[] {
    return unique([this.revision === '' ? 'default' : this.revision, ...this.revisionTags]);
  }

  /** Whether the default-revision webhooks (`istio-injection=enabled`, pod label only) are this control plane's. */
  public get servesDefaultWebhooks(): boolean {
    return this.revision === '' || this.revisionTags.includes('default');
  }

  /**
   * The input uses Istio: a namespace labelled `istio-injection` or `istio.io/rev`, a pod labelled
   * `sidecar.istio.io/inject` or `istio.io/rev` or annotated `sidecar.istio.io/...`, an object of
   * security.istio.io or networking.istio.io, or a Gateway API Gateway of class istio.
   */
  public detect(model: ClusterModel): boolean {
    for (const ns of model.namespaces.values()) {
      if (ISTIO_INJECTION_LABEL in ns.labels || ISTIO_REV_LABEL in ns.labels) return true;
    }
    const r = this.resources(model);
    if (r.istioObjects || r.gateways.length > 0) return true;
    return model.workloads.some((w) => ISTIO_SIDECAR_INJECT_LABEL in w.podLabels || ISTIO_REV_LABEL in w.podLabels
      || Object.keys(w.podAnnotations).some((k) => k.startsWith('sidecar.istio.io/')));
  }

  /** The mesh settings in effect. */
  public settings(model: ClusterModel): IstioMeshSettings {
    return this.resources(model).settings;
  }

  /** A workload's mesh identity, `<trustDomain>/ns/<namespace>/sa/<serviceAccount>` (what AuthorizationPolicy `principals` match, without "spiffe://"). */
  public principal(model: ClusterModel, workload: Workload): string {
    return `${this.settings(model).trustDomain}/ns/${workload.namespace}/sa/${workload.serviceAccount}`;
  }

  /**
   * Whether the workload's pods run an Istio proxy (`allowed` true: meshed), and why.
   *
   * A pod that already runs `istio-proxy` (a gateway deployed by istiod from the kube-gateway
   * template, istio:D/files/kube-gateway.yaml:62,68,85, or a pod injected by `istioctl kube-inject`)
   * is meshed. Otherwise the injector must be called and must inject: the API server calls the
   * webhook whose selectors match (istio:D/templates/mutatingwebhook.yaml:65-145 and
   * templates/revision-tags-mwc.yaml:61-126 for tags): `istio.io/rev=<revision or tag>` on the
   * namespace without `istio-injection` (the legacy label wins when both are set, line 66), or on
   * the pod when the namespace has neither; for the default revision (or a "default" tag) also
   * `istio-injection=enabled` on the namespace, or pod label `sidecar.istio.io/inject=true` when
   * the namespace has neither label and the pod no `istio.io/rev`. Pod label
   * `sidecar.istio.io/inject=false` excludes the pod from every webhook. The injector then skips
   * host-network pods and kube-system, kube-public, kube-node-lease, local-path-storage, and honours
   * `sidecar.istio.io/inject` "false" (label, else the deprecated annotation) under the default
   * policy `enabled` (istio:pkg/kube/inject/inject.go:199-291, D/values.yaml:337).
   * `enableNamespacesByDefault` (false by default, istio:D/values.yaml:142) is not modelled.
   */
  public isMeshed(model: ClusterModel, workload: Workload): Verdict {
    const r = this.resources(model);
    let v = r.meshed.get(workload);
    if (v === undefined) {
      v = this.computeMeshed(model, workload);
      r.meshed.set(workload, v);
    }
    return v;
  }

  private computeMeshed(model: ClusterModel, workload: Workload): Verdict {
    const ref = workload.ref;
    const no = (reason: string, objects: string[] = [ref]): Verdict => ({ allowed: false, reason: `${ref} gets no Istio sidecar: ${reason}`, objects });
    if (workload.containers.some((c) => c.name === ISTIO_PROXY_CONTAINER_NAME && !c.init)) {
      const gw = workload.podLabels[GATEWAY_API_GATEWAY_NAME_LABEL];
      const what = gw !== undefined ? `an Istio gateway proxy for Gateway ${workload.namespace}/${gw} (istio-proxy is in its pod spec, as istiod deploys it: istio:D/files/kube-gateway.yaml:62,68)` : 'its pod spec already runs istio-proxy (injected before, e.g. by istioctl kube-inject)';
      return { allowed: true, reason: `${ref} is ${what}`, objects: [ref] };
    }
    if (workload.hostNetwork) return no('it uses the host network, which the injector never injects (istio:pkg/kube/inject/inject.go:207-209)');
    if (NEVER_INJECTED_NAMESPACES.includes(workload.namespace)) return no(`the injector never injects namespace ${workload.namespace} (istio:pkg/kube/inject/initializer.go:38-42)`);
    const nsRef = `Namespace ${workload.namespace}`;
    const ns = model.namespaces.get(workload.namespace);
    const declared = ns !== undefined && ns.declared;
    const nsLabels: { readonly [key: string]: string } = declared ? ns!.labels : {};
    const pod = workload.podLabels;
    const cp = this.revision === '' ? 'the default revision' : `revision ${this.revision}`;
    const podOff = pod[ISTIO_SIDECAR_INJECT_LABEL] === 'false';
    if (nsLabels['istio.io/dataplane-mode'] === 'ambient' && !(ISTIO_INJECTION_LABEL in nsLabels) && !(ISTIO_REV_LABEL in nsLabels)) {
      return no(`${nsRef} is labelled istio.io/dataplane-mode=ambient: ambient mode (ztunnel) is not modelled, only sidecars`, [nsRef, ref]);
    }
    // Which webhook of this control plane the API server calls.
    let webhook: string | undefined;
    for (const name of this.revisionNames) {
      if (nsLabels[ISTIO_REV_LABEL] === name && !(ISTIO_INJECTION_LABEL in nsLabels) && !podOff) { webhook = `${nsRef} is labelled ${ISTIO_REV_LABEL}=${name}`; break; }
      if (!(ISTIO_REV_LABEL in nsLabels) && !(ISTIO_INJECTION_LABEL in nsLabels) && !podOff && pod[ISTIO_REV_LABEL] === name) { webhook = `its pods are labelled ${ISTIO_REV_LABEL}=${name}`; break; }
    }
    if (!webhook && this.servesDefaultWebhooks) {
      if (nsLabels[ISTIO_INJECTION_LABEL] === 'enabled' && !podOff) webhook = `${nsRef} is labelled ${ISTIO_INJECTION_LABEL}=enabled`;
      else if (!(ISTIO_INJECTION_LABEL in nsLabels) && !(ISTIO_REV_LABEL in nsLabels) && pod[ISTIO_SIDECAR_INJECT_LABEL] === 'true' && !(ISTIO_REV_LABEL in pod)) webhook = `its pods are labelled ${ISTIO_SIDECAR_INJECT_LABEL}=true`;
    }
    const unknownNs = declared ? '' : ` (${nsRef} is not in the input, so its labels are unknown)`;
    if (!webhook) {
      const why: string[] = [];
      if (podOff) why.push(`its pods are labelled ${ISTIO_SIDECAR_INJECT_LABEL}=false, which every injection webhook's objectSelector excludes`);
      else if (nsLabels[ISTIO_INJECTION_LABEL] !== undefined && nsLabels[ISTIO_REV_LABEL] !== undefined && this.revisionNames.includes(nsLabels[ISTIO_REV_LABEL]) && !this.servesDefaultWebhooks) {
        why.push(`${nsRef} has both ${ISTIO_INJECTION_LABEL}=${nsLabels[ISTIO_INJECTION_LABEL]} and ${ISTIO_REV_LABEL}=${nsLabels[ISTIO_REV_LABEL]}; the revision webhook requires ${ISTIO_INJECTION_LABEL} to be absent (the legacy label wins, istio:D/templates/mutatingwebhook.yaml:66-79), and only the default revision serves ${ISTIO_INJECTION_LABEL}`);
      } else if (nsLabels[ISTIO_INJECTION_LABEL] === 'enabled' && !this.servesDefaultWebhooks) {
        why.push(`${nsRef} is labelled ${ISTIO_INJECTION_LABEL}=enabled, which only the default revision's webhooks serve (istio:D/templates/mutatingwebhook.yaml:111-127); ${cp} serves ${ISTIO_REV_LABEL}=${this.revisionNames.join('|')}${this.flavour === 'aks' ? ' (the AKS add-on skips such namespaces: MicrosoftDocs/azure-aks-docs articles/aks/istio-deploy-addon.md)' : ''}`);
      } else if (nsLabels[ISTIO_INJECTION_LABEL] !== undefined && nsLabels[ISTIO_INJECTION_LABEL] !== 'enabled') {
        why.push(`${nsRef} is labelled ${ISTIO_INJECTION_LABEL}=${nsLabels[ISTIO_INJECTION_LABEL]}, which turns injection off for the namespace (no webhook selects it)`);
      } else if (nsLabels[ISTIO_REV_LABEL] !== undefined) {
        why.push(`${nsRef} is labelled ${ISTIO_REV_LABEL}=${nsLabels[ISTIO_REV_LABEL]}, not a revision or tag of this control plane (${this.revisionNames.join(', ')})`);
      } else if (pod[ISTIO_REV_LABEL] !== undefined) {
        why.push(`its pods are labelled ${ISTIO_REV_LABEL}=${pod[ISTIO_REV_LABEL]}, not a revision or tag of this control plane (${this.revisionNames.join(', ')})`);
      } else if (pod[ISTIO_SIDECAR_INJECT_LABEL] === 'true') {
        why.push(`its pods are labelled ${ISTIO_SIDECAR_INJECT_LABEL}=true, which only the default revision's webhook serves; ${cp} needs ${ISTIO_REV_LABEL}=${this.revisionNames[0]}`);
      } else {
        why.push(`neither ${nsRef} (${ISTIO_INJECTION_LABEL}=enabled or ${ISTIO_REV_LABEL}=${this.revisionNames[0]}) nor its pods (label ${this.servesDefaultWebhooks ? `${ISTIO_SIDECAR_INJECT_LABEL}=true or ` : ''}${ISTIO_REV_LABEL}=${this.revisionNames[0]}) are labelled for injection by ${cp}`);
      }
      return no(`${why.join('; ')}${unknownNs}`, declared ? [nsRef, ref] : [ref]);
    }
    // The injector's own decision (istio:pkg/kube/inject/inject.go:218-291, policy "enabled").
    const annotation = workload.podAnnotations[ISTIO_SIDECAR_INJECT_LABEL];
    const label = pod[ISTIO_SIDECAR_INJECT_LABEL];
    const value = label ?? annotation;
    if (value === 'false') return no(`its pods are ${label !== undefined ? 'labelled' : 'annotated'} ${ISTIO_SIDECAR_INJECT_LABEL}: "false" (the injector honours it, istio:pkg/kube/inject/inject.go:223-233)`);
    const invalid = value !== undefined && value !== 'true' && value !== '' ? ` (${ISTIO_SIDECAR_INJECT_LABEL}: "${value}" is neither "true" nor "false": the injector warns and uses its default policy, enabled)` : '';
    return { allowed: true, reason: `${ref} gets the Istio sidecar of ${cp}: ${webhook}${invalid}${unknownNs}`, objects: declared ? [nsRef, ref] : [ref] };
  }

  /**
   * Whether the workload is an Istio gateway proxy (not a sidecar): its pods carry the Gateway
   * API label `gateway.networking.k8s.io/gateway-name`, or are injected with the `gateway`
   * template (`inject.istio.io/templates`, istio:manifests/charts/gateway/values.yaml:29-34), or
   * run istio-proxy with `proxy router`.
   */
  public isGateway(model: ClusterModel, workload: Workload): boolean {
    const r = this.resources(model);
    let v = r.gateway.get(workload);
    if (v === undefined) {
      v = this.computeGateway(model, workload);
      r.gateway.set(workload, v);
    }
    return v;
  }

  private computeGateway(model: ClusterModel, workload: Workload): boolean {
    if (GATEWAY_API_GATEWAY_NAME_LABEL in workload.podLabels) return true;
    if (!this.isMeshed(model, workload).allowed) return false;
    if ((workload.podAnnotations[ISTIO_INJECT_TEMPLATES_ANNOTATION] ?? '').split(',').map((x) => x.trim()).includes('gateway')) return true;
    const o = workload.source.object;
    const spec = podSpecOf(o);
    const proxy = (Array.isArray(spec?.containers) ? spec.containers : []).find((c: any) => c?.name === ISTIO_PROXY_CONTAINER_NAME);
    return Array.isArray(proxy?.args) && proxy.args.includes('router');
  }

  /** The source side (see `IMeshModel.outbound`). */
  public outbound(model: ClusterModel, request: MeshConnectionRequest): Verdict {
    return this.overPaths(model, request, (path) => {
      const leg = this.sourceLeg(model, request, path);
      return { allowed: leg.allowed, reason: leg.reason, objects: leg.objects };
    });
  }

  /** The destination side (see `IMeshModel.inbound`), in the form the source side sends it. */
  public inbound(model: ClusterModel, request: MeshConnectionRequest): Verdict {
    return this.overPaths(model, request, (path) => {
      const leg = this.sourceLeg(model, request, path);
      const d = this.destinationLeg(model, request, leg);
      const via = !d.allowed && leg.via ? ` (${leg.via})` : '';
      return { allowed: d.allowed, reason: `${d.reason}${via}`, objects: d.objects };
    });
  }

  /** Both sides (see `IMeshModel.connection`). */
  public connection(model: ClusterModel, request: MeshConnectionRequest): Verdict {
    return this.overPaths(model, request, (path) => {
      const s = this.sourceLeg(model, request, path);
      return bothSides(s, () => this.destinationLeg(model, request, s), explains(request));
    });
  }

  /**
   * Connections a meshed workload's proxy makes as its own user (UID 1337, which the init rules
   * return before redirection): xDS and certificates from `istiod[-<revision>].<namespace>.svc:15012`
   * (the mesh config's discoveryAddress and the injected CA_ADDR, istio:D/templates/configmap.yaml:72,
   * files/injection-template.yaml:244-249; Service istio:D/templates/service.yaml:22-43 selecting pods
   * `app: istiod`, `istio.io/rev: <revision|default>`), and the DNS lookups that name needs.
   */
  public sidecarConnections(model: ClusterModel, workload: Workload): MeshSidecarConnection[] {
    if (!this.isMeshed(model, workload).allowed) return [];
    const cp = this.controlPlaneNamespace;
    const svc = this.revision === '' ? 'istiod' : `istiod-${this.revision}`;
    return [
      {
        description: `Istio control plane: the proxy's xDS and CA stream (mTLS) to ${svc}.${cp}.svc:${ISTIOD_XDS_PORT}, from the proxy's own UID, not intercepted (istio:D/templates/configmap.yaml:72, files/injection-template.yaml:244-249)`,
        namespace: cp,
        podLabels: { 'app': 'istiod', 'istio.io/rev': this.revision === '' ? 'default' : this.revision },
        service: `${cp}/${svc}`,
        port: ISTIOD_XDS_PORT,
        protocol: 'TCP',
      },
      { description: `cluster DNS: the proxy resolves ${svc}.${cp}.svc`, port: 53, protocol: 'UDP' },
    ];
  }

  /** The containers the injector adds (see istio-injection.ts); none for pods not injected or that already run istio-proxy. */
  public injectedContainers(model: ClusterModel, workload: Workload): ContainerInfo[] {
    if (workload.containers.some((c) => c.name === ISTIO_PROXY_CONTAINER_NAME && !c.init)) return [];
    if (!this.isMeshed(model, workload).allowed) return [];
    const ns = model.namespaces.get(workload.namespace);
    return istioInjectedContainers({ cni: this.cni, nativeSidecar: this.nativeSidecar, podAnnotations: workload.podAnnotations, namespaceAnnotations: ns?.annotations ?? {} });
  }

  /**
   * The protocol Istio gives a workload's port (the container port): that of the first Service of
   * the input that selects the workload and sends to the port (istiod uses the oldest one, and
   * reports a conflict when protocols differ, istio:pilot/pkg/networking/core/listener_inbound.go:418-425,
   * 715-730; the input order stands for age). A Service port's protocol: UDP for UDP; else
   * `appProtocol`, else the port name's prefix before "-" (grpc-web as a whole), case-insensitive;
   * `kubernetes.io/h2c` is HTTP2, `kubernetes.io/ws` HTTP, `kubernetes.io/wss` HTTPS; anything else
   * is sniffed, except Service ports 25, 53, 3306 and 27017, which are TCP
   * (istio:pkg/config/kube/conversion.go:47-93, pkg/config/protocol/instance.go:67-99;
   * istio.io:content/en/docs/ops/configuration/traffic-management/protocol-selection/index.md @01c499a).
   * A port no Service sends to gets the inbound passthrough chain, sniffed (listener_inbound.go:759-786).
   */
  public portProtocol(model: ClusterModel, workload: Workload, port: number): IstioPortProtocol {
    const r = this.resources(model);
    let byPort = r.protocolOf.get(workload);
    if (!byPort) { byPort = new Map(); r.protocolOf.set(workload, byPort); }
    let p = byPort.get(port);
    if (!p) { p = this.computePortProtocol(model, workload, port); byPort.set(port, p); }
    return p;
  }

  private computePortProtocol(model: ClusterModel, workload: Workload, port: number): IstioPortProtocol {
    for (const svc of this.servicesOf(model, workload)) {
      for (const sp of svc.ports) {
        if (sp.protocol.toUpperCase() !== 'TCP' || resolveTargetPort(workload, sp) !== port) continue;
        const p = servicePortProtocol(sp);
        return { ...p, service: `${svc.namespace}/${svc.name}`, how: `${p.how} of Service ${svc.namespace}/${svc.name} port ${sp.port}` };
      }
    }
    return { protocol: 'UnsupportedProtocol', chain: 'auto', how: 'no Service of the input sends to this port, so it gets the inbound passthrough chain, where Istio sniffs the protocol (istio:pilot/pkg/networking/core/listener_inbound.go:759-786)' };
  }

  /**
   * The mTLS mode of a workload's inbound port (istio:pilot/pkg/security/authn/policy_applier.go:386-466,
   * pilot/pkg/model/authentication.go:282-320): PeerAuthentications in the workload's namespace
   * and the root namespace whose `selector.matchLabels` are a subset of the pod's labels; the
   * selector-less one of the root namespace is mesh-wide, of the workload's namespace
   * namespace-wide, one with a selector outside the root namespace workload-wide (a selector in the
   * root namespace is ignored, api:security/v1beta1/peer_authentication.proto:47); the narrowest
   * set mode wins, UNSET inherits, PERMISSIVE when none is set; `portLevelMtls` (container ports)
   * applies from the workload policy only, UNSET inheriting the workload's mode. Several policies
   * of one scope: the oldest wins (the first in the input stands for it).
   */
  public mtlsMode(model: ClusterModel, workload: Workload, port: number): IstioMtlsMode {
    const r = this.resources(model);
    const root = r.settings.rootNamespace;
    const applicable = ofNamespaces(r.peerAuths, workload.namespace, root).filter((p) => subsetOf(p.selector ?? {}, workload.podLabels));
    const mesh = applicable.find((p) => p.namespace === root && isEmpty(p.selector));
    const nsLevel = workload.namespace === root ? undefined : applicable.find((p) => p.namespace === workload.namespace && isEmpty(p.selector));
    const wl = applicable.find((p) => p.namespace !== root && !isEmpty(p.selector));
    let mode = 'PERMISSIVE';
    let why = 'no PeerAuthentication sets a mode, so PERMISSIVE (istio:pilot/pkg/security/authn/policy_applier.go:400-404)';
    const objects: string[] = [];
    for (const [p, scope] of [[mesh, 'mesh-wide'], [nsLevel, 'namespace-wide'], [wl, 'workload']] as const) {
      if (!p) continue;
      objects.push(p.ref);
      if (p.mode !== 'UNSET') { mode = p.mode; why = `${p.ref} (${scope}) sets ${p.mode}`; }
    }
    if (wl && wl.portLevel.has(port)) {
      const pm = wl.portLevel.get(port)!;
      if (pm !== 'UNSET') { mode = pm; why = `${wl.ref} sets ${pm} for port ${port} (portLevelMtls)`; }
    }
    const ignored = ofNamespaces(r.peerAuths, root).filter((p) => !isEmpty(p.selector) && subsetOf(p.selector!, workload.podLabels));
    const note = ignored.length > 0 ? `; ${refList(ignored.map((p) => p.ref))} has a selector in the root namespace, which istiod ignores (api:security/v1beta1/peer_authentication.proto:47)` : '';
    return { mode, reason: `${why}${note}`, objects };
  }

  // -------------------------------------------------------------------------------------------
  // Paths and legs

  /** The Services of the input that select the workload (in its namespace), in input order. */
  private servicesOf(model: ClusterModel, workload: Workload): ServiceInfo[] {
    const r = this.resources(model);
    if (!r.servicesOf) {
      const index = new Map<Workload, ServiceInfo[]>();
      for (const svc of model.services) for (const w of servicePods(model, svc)) index.set(w, [...(index.get(w) ?? []), svc]);
      r.servicesOf = index;
    }
    return r.servicesOf.get(workload) ?? [];
  }

  /** Evaluates each way the source reaches the destination; the first that is allowed answers, else the first. */
  private overPaths(model: ClusterModel, request: MeshConnectionRequest, judge: (path: DialPath) => Verdict): Verdict {
    const dest = request.destination;
    const protocol = l4(request);
    const paths: DialPath[] = [];
    if (dest.workload) {
      const w = dest.workload;
      for (const svc of this.servicesOf(model, w)) {
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

  /** The meshed identity of a source: a meshed workload, or a Gateway API gateway of the input (an external peer labelled with its name). */
  private meshedSource(model: ClusterModel, peer: MeshPeer): MeshedSource | { reason: string; objects: string[] } {
    if (peer.workload) {
      const w = peer.workload;
      const m = this.isMeshed(model, w);
      if (!m.allowed) return { reason: `${w.ref} has no Istio proxy (${m.reason.replace(`${w.ref} gets no Istio sidecar: `, '')})`, objects: m.objects };
      return { ref: w.ref, namespace: w.namespace, serviceAccount: w.serviceAccount, labels: w.podLabels, gateway: this.isGateway(model, w), workload: w };
    }
    const e = peer.external;
    const gwName = e?.podLabels?.[GATEWAY_API_GATEWAY_NAME_LABEL];
    if (e && e.namespace && gwName !== undefined) {
      const gw = this.resources(model).gateways.find((g) => g.namespace === e.namespace && g.name === gwName);
      if (gw) return { ref: gw.ref, namespace: gw.namespace, serviceAccount: gw.serviceAccount, labels: e.podLabels ?? {}, gateway: true };
      // A Gateway the platform declares (not in the input) whose pods istiod deploys with istio-proxy
      // from the kube-gateway template (istio:D/files/kube-gateway.yaml:62,68,85): reachability gives
      // such a peer its ServiceAccount only when the implementation's pods are Istio mesh workloads.
      if (e.serviceAccount !== undefined) return { ref: `${e.name} (pods deployed by istiod, service account ${e.serviceAccount}; inf.)`, namespace: e.namespace, serviceAccount: e.serviceAccount, labels: e.podLabels ?? {}, gateway: true };
    }
    if (e && e.namespace && e.serviceAccount !== undefined) {
      // A pod of the cluster outside the input (an ingress controller): injected as a workload of its namespace would be.
      const w = this.externalWorkload(e.name, e.namespace, e.podLabels ?? {}, e.serviceAccount);
      const m = this.isMeshed(model, w);
      if (m.allowed) return { ref: w.ref, namespace: w.namespace, serviceAccount: w.serviceAccount, labels: w.podLabels, gateway: false };
      return { reason: `${peerName(peer)} has no Istio proxy (${m.reason.replace(`${w.ref} gets no Istio sidecar: `, '')})`, objects: m.objects };
    }
    return { reason: `${peerName(peer)} has no Istio proxy: nothing intercepts what it sends`, objects: [] };
  }

  /** The pods of an external peer as a workload of the injector's view: its namespace, labels and ServiceAccount, no annotations. */
  private externalWorkload(name: string, namespace: string, podLabels: { readonly [key: string]: string }, serviceAccount: string): Workload {
    const key = `${namespace}\u0000${serviceAccount}\u0000${JSON.stringify(podLabels)}\u0000${name}`;
    let w = this.externalWorkloads.get(key);
    if (!w) {
      const object: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels: { ...podLabels } }, spec: { serviceAccountName: serviceAccount, containers: [] } };
      w = {
        ref: `${name} (pods labelled ${Object.entries(podLabels).map(([k, v]) => `${k}=${v}`).join(',') || 'with no labels'} in namespace ${namespace}, service account ${serviceAccount})`,
        kind: 'Pod', name, namespace, podLabels: { ...podLabels }, podAnnotations: {}, serviceAccount, hostNetwork: false, containers: [], ports: [],
        source: { object, file: '(external peer)', index: -1 },
      };
      this.externalWorkloads.set(key, w);
    }
    return w;
  }

  /**
   * The source's proxy. A sidecar intercepts TCP only (istio:tools/istio-iptables/pkg/capture/run.go:266,283-286),
   * except `traffic.sidecar.istio.io/excludeOutboundPorts`, `excludeOutboundIPRanges` and outside
   * `includeOutboundIPRanges` (pod annotations, istio:D/files/injection-template.yaml:98-121). A
   * Service the source's Sidecar scope imports goes through the mesh: TLS from the DestinationRule
   * (source namespace, then the Service's, then the root namespace; istio:pilot/pkg/model/push_context.go:1240-1300;
   * a BackendTLSPolicy becomes one with `tls.mode: SIMPLE` in the Service's namespace, which istiod
   * lists with the other DestinationRules, so sidecars use it too: istio:pilot/pkg/config/kube/gateway/backend_policies.go:178-281,321,
   * controller.go:505-506),
   * else auto mTLS when the Service's namespace-level mode is not DISABLE and the endpoint is
   * labelled `security.istio.io/tlsMode: istio` (istio:pilot/pkg/networking/core/cluster_tls.go:90-107,463-471,
   * pilot/pkg/model/push_context.go:2503-2537). Anything else: a ServiceEntry the scope imports, or
   * the outbound traffic policy: ALLOW_ANY passes it through unchanged (PassthroughCluster),
   * REGISTRY_ONLY drops it (api:networking/v1alpha3/sidecar.proto:570-581). A gateway proxy does not
   * intercept: it sends only where its routes point (the entry layer's concern), with the same TLS rules.
   */
  private sourceLeg(model: ClusterModel, request: MeshConnectionRequest, path: DialPath): Leg {
    const plain = (reason: string, objects: string[] = [], via?: string): Leg => ({ allowed: true, reason, objects, arrival: 'plain', ...(via ? { via } : {}) });
    const src = this.meshedSource(model, request.source);
    if ('reason' in src) return plain(src.reason, src.objects);
    const r = this.resources(model);
    const s = r.settings;
    const protocol = l4(request);
    const dest = request.destination;
    const skips = `it skips ${src.ref}'s proxy`;
    const w = src.workload;
    if (!src.gateway && w) {
      if (protocol !== 'TCP') return plain(`the sidecar's iptables rules redirect only TCP: ${protocol} leaves ${w.ref} directly (istio:tools/istio-iptables/pkg/capture/run.go:266)`, [], skips);
      const excludedPorts = portList(w.podAnnotations['traffic.sidecar.istio.io/excludeOutboundPorts']);
      if (excludedPorts.includes(path.port)) return plain(`port ${path.port} is excluded from ${w.ref}'s outbound interception (pod annotation traffic.sidecar.istio.io/excludeOutboundPorts; istio:tools/istio-iptables/pkg/capture/run.go:283-286)`, [w.ref], skips);
      const excluded = cidrList(w.podAnnotations['traffic.sidecar.istio.io/excludeOutboundIPRanges']);
      const includedRaw = w.podAnnotations['traffic.sidecar.istio.io/includeOutboundIPRanges'] ?? '*';
      if (path.ip !== undefined) {
        const hit = excluded.find((c) => cidrContains(c, path.ip!));
        if (hit) return plain(`${path.ip} is in ${hit}, excluded from ${w.ref}'s outbound interception (traffic.sidecar.istio.io/excludeOutboundIPRanges)`, [w.ref], skips);
        if (includedRaw.trim() !== '*' && !cidrList(includedRaw).some((c) => cidrContains(c, path.ip!))) {
          return plain(`${path.ip} is outside traffic.sidecar.istio.io/includeOutboundIPRanges "${includedRaw}", so ${w.ref}'s sidecar does not intercept it`, [w.ref], skips);
        }
      } else if (includedRaw.trim() === '') {
        return plain(`traffic.sidecar.istio.io/includeOutboundIPRanges is empty: ${w.ref}'s sidecar intercepts no outbound traffic`, [w.ref], skips);
      }
    }
    const scope = src.gateway ? undefined : this.sidecarScope(model, src);
    const mode = scope?.outboundMode ?? s.outboundTrafficPolicy;
    const modeSource = scope?.outboundMode !== undefined ? `${scope.ref} spec.outboundTrafficPolicy` : s.outboundTrafficPolicySource;
    const scopeRefs = scope ? [scope.ref] : [];

    // A Service of the registry.
    const svcTarget = this.serviceTarget(request, path);
    let unknown: string;
    if (svcTarget) {
      const visible = this.visible(model, src, scope, svcTarget.namespace, svcTarget.host, path.port);
      if (visible.ok) {
        const objects = unique([...(svcTarget.ref ? [svcTarget.ref] : []), ...scopeRefs]);
        const tls = this.upstreamTls(model, src, svcTarget, path, dest);
        const transport = request.transport;
        if (svcTarget.protocol && svcTarget.protocol.chain === 'http' && transport !== undefined && transport !== 'http') {
          return { allowed: false, reason: `port ${path.port} of ${svcTarget.name} is ${svcTarget.protocol.protocol} (${svcTarget.protocol.how}): ${src.ref}'s proxy parses HTTP there and cannot carry ${transportName(transport)} (declare tcp, tls or https for opaque traffic)`, objects: unique([...objects, ...tls.objects]), arrival: tls.arrival };
        }
        const how = src.gateway ? `${src.ref} (an Istio gateway) sends it to ${svcTarget.name} port ${path.port}` : `${src.ref}'s sidecar routes it to ${svcTarget.name} port ${path.port}`;
        return { allowed: true, reason: `${how} with ${tls.describe}${visible.note}`, objects: unique([...objects, ...tls.objects]), arrival: tls.arrival, principal: tls.arrival === 'mtls' ? this.sourcePrincipal(model, src) : undefined };
      }
      unknown = visible.reason;
    } else if (dest.workload) {
      unknown = `${dest.workload.ref} is dialled at its pod address${path.ip ? ` ${path.ip}` : ''}, not through a Service, so no outbound listener of the proxy matches it`;
    } else {
      unknown = `${peerName(dest)} is not a Service of the cluster`;
    }
    if (src.gateway) {
      return { allowed: false, reason: `${unknown}; ${src.ref} is an Istio gateway, which sends only to destinations its routes name`, objects: [], arrival: 'plain' };
    }
    // A ServiceEntry?
    const se = this.serviceEntryMatch(model, request, path, src, scope);
    if (se.entry) {
      return { allowed: true, reason: `${unknown}; ${se.reason}: ${src.ref}'s sidecar sends it as the app sent it`, objects: unique([se.entry.ref, ...scopeRefs]), arrival: 'plain', via: `${src.ref}'s sidecar sends it to ServiceEntry ${se.entry.ref}, as plain traffic` };
    }
    const seNote = se.reason ? ` (${se.reason})` : '';
    if (mode === 'REGISTRY_ONLY') {
      return { allowed: false, reason: `${unknown}; the outbound traffic policy is REGISTRY_ONLY (${modeSource}) and no ServiceEntry admits it${seNote}, so the sidecar drops it (BlackHoleCluster; api:networking/v1alpha3/sidecar.proto:570-576)`, objects: unique([...scopeRefs, ...s.sources]), arrival: 'plain' };
    }
    return { allowed: true, reason: `${unknown}; the outbound traffic policy is ALLOW_ANY (${modeSource}): the sidecar passes it through unchanged (PassthroughCluster; api:networking/v1alpha3/sidecar.proto:577-581)`, objects: unique([...scopeRefs, ...s.sources]), arrival: 'plain', via: `${src.ref}'s sidecar has no route for it and passes it through as plain traffic` };
  }

  /** The mesh identity of a meshed source. */
  private sourcePrincipal(model: ClusterModel, src: MeshedSource): string {
    return `${this.settings(model).trustDomain}/ns/${src.namespace}/sa/${src.serviceAccount}`;
  }

  /**
   * The destination's proxy. No proxy: nothing filters (but mTLS sent to it fails). A sidecar
   * intercepts inbound TCP except ports 15090, 15021, 15020 and `traffic.sidecar.istio.io/excludeInboundPorts`,
   * and only `includeInboundPorts` ("*" by default, "" none; istio:tools/istio-iptables/pkg/capture/run.go:89-143).
   * Then the port's mTLS mode picks the filter chains (istio:pilot/pkg/networking/core/filterchain_options.go:38-206):
   * STRICT takes only mTLS from a mesh proxy; PERMISSIVE takes mTLS and plaintext (and TLS that is
   * not Istio's on a TCP or sniffed port, as opaque TCP); DISABLE only plaintext. Then the
   * AuthorizationPolicies (see `authorize`).
   */
  private destinationLeg(model: ClusterModel, request: MeshConnectionRequest, leg: Leg): Leg {
    const arrival = leg.arrival;
    const out = (allowed: boolean, reason: string, objects: string[] = []): Leg => ({ allowed, reason, objects, arrival });
    const dest = request.destination;
    if (!dest.workload) return out(true, `${peerName(dest)} is outside the mesh: no Istio proxy receives it`);
    const d = dest.workload;
    const meshed = this.isMeshed(model, d);
    const why = meshed.reason.replace(`${d.ref} gets no Istio sidecar: `, '');
    if (!meshed.allowed) {
      if (arrival === 'mtls') return out(false, `the source's proxy sends Istio mTLS, but ${d.ref} has no Istio proxy to accept it (${why}), so the connection fails`, meshed.objects);
      return out(true, `${d.ref} has no Istio proxy (${why}): Istio does not filter what it receives`, meshed.objects);
    }
    if (l4(request) !== 'TCP') return out(true, `Istio redirects only TCP to ${d.ref}'s proxy: ${l4(request)} reaches the app directly`);
    const gateway = this.isGateway(model, d);
    const protocol = this.portProtocol(model, d, request.port);
    if (!gateway) {
      const excludedInbound = [...NEVER_REDIRECTED_INBOUND, ...portList(d.podAnnotations['traffic.sidecar.istio.io/excludeInboundPorts'])];
      const include = d.podAnnotations['traffic.sidecar.istio.io/includeInboundPorts'] ?? '*';
      const notCaptured = excludedInbound.includes(request.port) ? `port ${request.port} is excluded from ${d.ref}'s inbound interception (${NEVER_REDIRECTED_INBOUND.includes(request.port) ? 'Istio never redirects 15090, 15021 and the status port 15020, istio:D/files/injection-template.yaml:106-113' : 'pod annotation traffic.sidecar.istio.io/excludeInboundPorts'})`
        : include.trim() !== '*' && !portList(include).includes(request.port) ? `port ${request.port} is not in ${d.ref}'s traffic.sidecar.istio.io/includeInboundPorts "${include}"` : undefined;
      if (notCaptured) {
        if (arrival === 'mtls') return out(false, `${notCaptured}, so the app itself receives the Istio mTLS the source's proxy sends, and the connection fails`, [d.ref]);
        return out(true, `${notCaptured}: it reaches the app without the proxy, so neither PeerAuthentication nor AuthorizationPolicy applies (istio:tools/istio-iptables/pkg/capture/run.go:89-143)`, [d.ref]);
      }
    }
    // mTLS (sidecars only: a gateway's listeners come from its Gateway resources (inf.)).
    const objects: string[] = [];
    let tlsNote = '';
    if (!gateway) {
      const m = this.mtlsMode(model, d, request.port);
      objects.push(...m.objects);
      const from = peerName(request.source);
      const sends = arrival === 'mtls' ? 'Istio mTLS' : arrival === 'tls' ? 'TLS from its proxy without a mesh client certificate' : request.transport === 'https' ? 'its own TLS, without a mesh client certificate' : 'plaintext';
      if (m.mode === 'STRICT' && arrival !== 'mtls') return out(false, `${d.ref}'s port ${request.port} is STRICT (${m.reason}): it takes only Istio mTLS from a mesh proxy, and ${from} sends ${sends}`, objects);
      if (m.mode === 'DISABLE' && arrival === 'mtls') return out(false, `${d.ref}'s port ${request.port} is DISABLE (${m.reason}) but the source's proxy sends Istio mTLS (auto mTLS follows only the namespace-level mode), so the app receives TLS it does not expect and the connection fails`, objects);
      const opaqueTls = arrival === 'tls' || (arrival === 'plain' && request.transport === 'https');
      if (protocol.chain === 'http' && opaqueTls) return out(false, `${d.ref}'s port ${request.port} is ${protocol.protocol} (${protocol.how}): its proxy has no filter chain for TLS that is not Istio's there (istio:pilot/pkg/networking/core/filterchain_options.go:84-97), and ${from} sends ${sends}`, objects);
      tlsNote = `${m.mode} (${m.reason})`;
    }
    const authz = this.authorize(model, request, d, arrival === 'mtls' ? leg.principal : undefined, protocol, arrival);
    const reason = gateway ? authz.reason : `${d.ref}'s port ${request.port} is ${tlsNote}; ${authz.reason}`;
    return out(authz.allowed, reason, unique([...objects, ...authz.objects]));
  }

  /**
   * AuthorizationPolicy on the destination's proxy (api:security/v1beta1/authorization_policy.proto:25-33;
   * istio:pilot/pkg/security/authz/builder/builder.go:112-141): CUSTOM first (an external
   * authorizer decides: not decidable offline, so a matching CUSTOM rule denies here), then DENY,
   * then ALLOW; no enforced ALLOW policy selecting the workload allows; an ALLOW policy without
   * rules matches nothing (builder.go:294-299). Policies: in the root namespace or the workload's,
   * `selector.matchLabels` a subset of the pod's labels (none: all); policies with `targetRefs` are
   * ignored by sidecars; a Gateway API gateway takes those whose targetRefs name its Gateway, and
   * selector ones (istio:pilot/pkg/model/authorization.go:84-113, policyattachment.go:123-201).
   * `istio.io/dry-run: "true"` policies are shadows, never enforced (builder.go:152-162,257-266).
   * On a TCP filter chain, HTTP-only fields make istiod skip a whole ALLOW rule, but only drop the
   * field from a DENY or CUSTOM rule, which then matches more (pilot/pkg/security/authz/model/model.go:355-365,
   * builder.go:284-288).
   */
  private authorize(model: ClusterModel, request: MeshConnectionRequest, d: Workload, principal: string | undefined,
    protocol: IstioPortProtocol, arrival: string): Verdict {
    const selected = this.policiesOf(model, d);
    const opaque = arrival === 'tls' || (arrival === 'plain' && request.transport === 'https');
    const transport = request.transport ?? (opaque ? 'https' : 'http');
    const chain = protocol.chain === 'auto' ? (transport === 'http' && !opaque ? 'http' : 'tcp') : protocol.chain;
    const chainWhy = protocol.chain === 'auto'
      ? `port ${request.port} has no declared protocol (${protocol.how}): Istio sniffs it, judged as ${chain === 'http' ? 'HTTP' : 'TCP'} from what ${peerName(request.source)} sends`
      : `port ${request.port} is ${protocol.protocol} (${protocol.how}): ${chain === 'http' ? 'HTTP' : 'TCP'} filter chain`;
    const ctx: AuthzContext = {
      principal,
      sourceIp: request.source.ip,
      destinationIp: request.destination.ip,
      port: request.port,
      chain,
      http: chain === 'http' ? request.http : undefined,
      authority: request.http?.headers?.host ?? request.destination.host,
      sni: request.sni,
    };
    const caller = principal ? `${principal}` : `${peerName(request.source)} (no mesh identity: ${arrival === 'mtls' ? 'unknown' : 'not Istio mTLS'})`;
    const enforced = selected.filter((p) => !p.dryRun);
    const shadows = selected.filter((p) => p.dryRun);
    const shadowNote = shadows.length > 0 ? ` (${refList(shadows.map((p) => p.ref))} ${shadows.length === 1 ? 'is' : 'are'} istio.io/dry-run: not enforced)` : '';
    const notes: string[] = [];
    // CUSTOM
    for (const p of enforced.filter((x) => x.action === 'CUSTOM')) {
      const m = this.policyMatch(model, p, ctx, 'CUSTOM');
      notes.push(...m.notes);
      if (m.result === 'yes') return { allowed: false, reason: `${chainWhy}; CUSTOM ${p.ref} sends the request to the external authorizer ${p.provider ?? '(no provider)'}, whose answer cannot be known offline`, objects: [p.ref] };
      if (m.result === 'some') notes.push(`${p.ref} (CUSTOM) sends requests matching ${m.some.join(' or ')} to ${p.provider ?? '(no provider)'}`);
    }
    // DENY
    for (const p of enforced.filter((x) => x.action === 'DENY')) {
      const m = this.policyMatch(model, p, ctx, 'DENY');
      notes.push(...m.notes);
      if (m.result === 'yes') return { allowed: false, reason: `${chainWhy}; DENY ${p.ref} matches ${caller}${m.dropped ? ` (${m.dropped})` : ''}`, objects: [p.ref] };
      if (m.result === 'some') notes.push(`${p.ref} (DENY) denies requests matching ${m.some.join(' or ')}`);
    }
    const allows = enforced.filter((x) => x.action === 'ALLOW');
    const noteText = (xs: string[]) => (xs.length > 0 ? `; ${unique(xs).join('; ')}` : '');
    if (allows.length === 0) {
      return { allowed: true, reason: `${chainWhy}; no ALLOW AuthorizationPolicy selects ${d.ref}, so Istio allows it (api:security/v1beta1/authorization_policy.proto:31)${shadowNote}${noteText(notes)}`, objects: selected.map((p) => p.ref) };
    }
    const misses: string[] = [];
    const some: { ref: string; what: string[] }[] = [];
    for (const p of allows) {
      const m = this.policyMatch(model, p, ctx, 'ALLOW');
      notes.push(...m.notes);
      if (m.result === 'yes') return { allowed: true, reason: `${chainWhy}; ALLOW ${p.ref} admits ${caller}${shadowNote}${noteText(notes)}`, objects: unique([p.ref, ...enforced.filter((x) => x.action !== 'ALLOW').map((x) => x.ref)]) };
      if (m.result === 'some') some.push({ ref: p.ref, what: m.some });
      else misses.push(m.dropped ? m.dropped : `${p.ref} does not match (${m.miss ?? 'no rule matches'})`);
    }
    if (some.length > 0) {
      return { allowed: true, reason: `${chainWhy}; ${some.map((x) => `ALLOW ${x.ref} admits ${caller} for ${x.what.join(' or ')}`).join('; ')}${shadowNote}${noteText(notes)}`, objects: unique([...some.map((x) => x.ref), ...enforced.filter((x) => x.action !== 'ALLOW').map((x) => x.ref)]) };
    }
    return { allowed: false, reason: `${chainWhy}; ALLOW policies select ${d.ref} (${refList(allows.map((p) => p.ref))}) and none admits ${caller}: ${misses.join('; ')}${shadowNote}${noteText(notes)}`, objects: unique(selected.map((p) => p.ref)) };
  }

  /** The AuthorizationPolicies attached to a workload's proxy (see `authorize`). */
  private policiesOf(model: ClusterModel, d: Workload): AuthzPolicy[] {
    const r = this.resources(model);
    let selected = r.authzOf.get(d);
    if (selected) return selected;
    const root = r.settings.rootNamespace;
    const gwName = d.podLabels[GATEWAY_API_GATEWAY_NAME_LABEL];
    selected = ofNamespaces(r.authz, root, d.namespace).filter((p) => {
      if (gwName === undefined) return !p.hasTargetRefs && subsetOf(p.selector ?? {}, d.podLabels);
      if (!p.hasTargetRefs) return subsetOf(p.selector ?? {}, d.podLabels);
      return p.namespace === d.namespace && p.targetGateways.includes(gwName);
    });
    r.authzOf.set(d, selected);
    return selected;
  }

  /** Whether a policy's rules match (any rule), with the reasons rules were dropped or missed. */
  private policyMatch(model: ClusterModel, p: AuthzPolicy, ctx: AuthzContext, action: string): RuleResult & { miss?: string } {
    if (!p.rules || p.rules.length === 0) {
      return { result: 'no', notes: [], some: [], miss: 'it has no rules, so it matches nothing (allow-nothing; istio:pilot/pkg/security/authz/builder/builder.go:294-299)' };
    }
    const dropped: string[] = [];
    const misses: string[] = [];
    const some: string[] = [];
    const notes: string[] = [];
    let result: Tri = 'no';
    p.rules.forEach((rule: any, i: number) => {
      const m = this.ruleMatch(model, p, rule, i, ctx, action);
      notes.push(...m.notes);
      if (m.dropped) {
        if (action === 'ALLOW') { dropped.push(m.dropped); return; }
        notes.push(m.dropped);
      }
      if (m.result === 'yes') result = 'yes';
      else if (m.result === 'some') { if (result === 'no') result = 'some'; some.push(...m.some); } else misses.push(`rule ${i}: ${m.some[0] ?? 'no match'}`);
    });
    const droppedText = dropped.length > 0 ? dropped.join('; ') : undefined;
    const miss = [...misses, ...(droppedText ? [droppedText] : [])].join('; ');
    return { result, notes, some, ...(droppedText && result === 'no' && misses.length === 0 ? { dropped: droppedText } : {}), miss };
  }

  /**
   * One rule (istio:pilot/pkg/security/authz/model/model.go:79-156): any `from` AND any `to` AND
   * every `when`; within a source or operation every field must hold, each field's values OR'ed
   * and its `not` values none matching.
   */
  private ruleMatch(model: ClusterModel, p: AuthzPolicy, rule: any, index: number, ctx: AuthzContext, action: string): RuleResult {
    const s = this.settings(model);
    const notes: string[] = [];
    const ruleName = `${p.ref} rule ${index}`;
    if (!isMapping(rule)) return { result: 'no', notes: [`${ruleName} is not a mapping (skipped)`], some: ['not a rule'] };
    const from: any[] = Array.isArray(rule.from) ? rule.from : [];
    const to: any[] = Array.isArray(rule.to) ? rule.to : [];
    const when: any[] = Array.isArray(rule.when) ? rule.when : [];
    // HTTP-only fields on a TCP chain.
    if (ctx.chain === 'tcp') {
      const http: string[] = [];
      for (const f of from) for (const k of ['requestPrincipals', 'notRequestPrincipals']) if (hasValues(f?.source?.[k])) http.push(`from.source.${k}`);
      for (const t of to) for (const k of ['hosts', 'notHosts', 'methods', 'notMethods', 'paths', 'notPaths']) if (hasValues(t?.operation?.[k])) http.push(`to.operation.${k}`);
      for (const c of when) if (typeof c?.key === 'string' && HTTP_ONLY_WHEN.test(c.key)) http.push(`when ${c.key}`);
      if (http.length > 0) {
        if (action === 'ALLOW') {
          return { result: 'no', notes, some: [], dropped: `${ruleName} uses HTTP-only fields (${unique(http).join(', ')}) on a TCP filter chain, so istiod skips the whole rule ("skipped rule ... on TCP filter chain", istio:pilot/pkg/security/authz/builder/builder.go:284-288, model/model.go:355-365): it admits nothing here` };
        }
        notes.push(`${ruleName} (${action}) uses HTTP-only fields (${unique(http).join(', ')}) on a TCP filter chain: istiod drops those fields, so the rule matches more (istio:pilot/pkg/security/authz/model/model.go:355-365)`);
      }
    }
    const principalFor = ctx.principal ? `spiffe://${ctx.principal}` : undefined;
    const td = [s.trustDomain, ...s.trustDomainAliases];
    const evalSource = (src: any): { r: Tri; why: string } => {
      const x = isMapping(src) ? src : {};
      const parts: { r: Tri; why: string }[] = [];
      const field = (key: string, values: unknown, not: boolean, test: (v: string) => Tri | boolean, httpOnly = false) => {
        const vs = strings(values);
        if (vs.length === 0) return;
        if (httpOnly && ctx.chain === 'tcp') return; // dropped (DENY/CUSTOM)
        const results = vs.map((v) => toTri(test(v)));
        const any: Tri = results.includes('yes') ? 'yes' : results.includes('some') ? 'some' : 'no';
        const r: Tri = not ? (any === 'yes' ? 'no' : any === 'some' ? 'some' : 'yes') : any;
        parts.push({ r, why: `${key} ${vs.join(', ')}` });
      };
      const principals = (vs: string[]) => expandPrincipals(vs, td);
      field('principals', principals(strings(x.principals)), false, (v) => principalFor !== undefined && spiffeMatch(v, principalFor));
      field('notPrincipals', principals(strings(x.notPrincipals)), true, (v) => principalFor !== undefined && spiffeMatch(v, principalFor));
      field('requestPrincipals', x.requestPrincipals, false, () => false, true);
      field('notRequestPrincipals', x.notRequestPrincipals, true, () => false, true);
      field('namespaces', x.namespaces, false, (v) => principalFor !== undefined && namespaceMatch(v, principalFor));
      field('notNamespaces', x.notNamespaces, true, (v) => principalFor !== undefined && namespaceMatch(v, principalFor));
      field('serviceAccounts', x.serviceAccounts, false, (v) => principalFor !== undefined && serviceAccountMatch(v, p.namespace, principalFor));
      field('notServiceAccounts', x.notServiceAccounts, true, (v) => principalFor !== undefined && serviceAccountMatch(v, p.namespace, principalFor));
      field('trustDomains', expandTrustDomains(strings(x.trustDomains), td), false, (v) => principalFor !== undefined && trustDomainMatch(v, principalFor));
      field('notTrustDomains', expandTrustDomains(strings(x.notTrustDomains), td), true, (v) => principalFor !== undefined && trustDomainMatch(v, principalFor));
      field('ipBlocks', x.ipBlocks, false, (v) => ctx.sourceIp !== undefined && cidrContains(v, ctx.sourceIp));
      field('notIpBlocks', x.notIpBlocks, true, (v) => ctx.sourceIp !== undefined && cidrContains(v, ctx.sourceIp));
      field('remoteIpBlocks', x.remoteIpBlocks, false, (v) => ctx.sourceIp !== undefined && cidrContains(v, ctx.sourceIp));
      field('notRemoteIpBlocks', x.notRemoteIpBlocks, true, (v) => ctx.sourceIp !== undefined && cidrContains(v, ctx.sourceIp));
      return combineAnd(parts);
    };
    const evalOperation = (op: any): { r: Tri; why: string } => {
      const x = isMapping(op) ? op : {};
      const parts: { r: Tri; why: string }[] = [];
      const field = (key: string, values: unknown, not: boolean, test: (v: string) => Tri | boolean) => {
        const vs = strings(values);
        if (vs.length === 0) return;
        const results = vs.map((v) => toTri(test(v)));
        const any: Tri = results.includes('yes') ? 'yes' : results.includes('some') ? 'some' : 'no';
        parts.push({ r: not ? (any === 'yes' ? 'no' : any === 'some' ? 'some' : 'yes') : any, why: `${key} ${vs.join(', ')}` });
      };
      field('ports', x.ports, false, (v) => Number(v) === ctx.port);
      field('notPorts', x.notPorts, true, (v) => Number(v) === ctx.port);
      if (ctx.chain === 'http') {
        const http = ctx.http;
        field('hosts', x.hosts, false, (v) => (ctx.authority === undefined ? 'some' : headerMatch(v, stripPort(ctx.authority), true) || headerMatch(v, ctx.authority, true)));
        field('notHosts', x.notHosts, true, (v) => (ctx.authority === undefined ? 'some' : headerMatch(v, stripPort(ctx.authority), true) || headerMatch(v, ctx.authority, true)));
        field('methods', x.methods, false, (v) => (http ? headerMatch(v, http.method, false) : 'some'));
        field('notMethods', x.notMethods, true, (v) => (http ? headerMatch(v, http.method, false) : 'some'));
        field('paths', x.paths, false, (v) => (http ? pathMatch(v, http.path) : 'some'));
        field('notPaths', x.notPaths, true, (v) => (http ? pathMatch(v, http.path) : 'some'));
      }
      return combineAnd(parts);
    };
    const evalWhen = (c: any): { r: Tri; why: string } | 'invalid' => {
      if (!isMapping(c) || typeof c.key !== 'string') return 'invalid';
      const key: string = c.key;
      const values = strings(c.values);
      const notValues = strings(c.notValues);
      const test = (fn: (v: string) => Tri | boolean): { r: Tri; why: string } => {
        const pos: Tri = values.length === 0 ? 'yes' : anyTri(values.map((v) => toTri(fn(v))));
        const negAny: Tri = notValues.length === 0 ? 'no' : anyTri(notValues.map((v) => toTri(fn(v))));
        const neg: Tri = negAny === 'yes' ? 'no' : negAny === 'some' ? 'some' : 'yes';
        const r = combineAnd([{ r: pos, why: '' }, { r: neg, why: '' }]).r;
        return { r, why: `when ${key} ${[...values, ...notValues.map((v) => `not ${v}`)].join(', ')}` };
      };
      if (HTTP_ONLY_WHEN.test(key) && ctx.chain === 'tcp') return { r: 'yes', why: '' }; // dropped (DENY/CUSTOM)
      switch (true) {
        case key === 'source.ip' || key === 'remote.ip': return test((v) => ctx.sourceIp !== undefined && cidrContains(v, ctx.sourceIp));
        case key === 'source.namespace': return test((v) => principalFor !== undefined && namespaceMatch(v, principalFor));
        case key === 'source.principal': return test((v) => principalFor !== undefined && expandPrincipals([v], td).some((x) => spiffeMatch(x, principalFor)));
        case key === 'source.serviceAccount': return test((v) => principalFor !== undefined && serviceAccountMatch(v, p.namespace, principalFor));
        case key === 'source.trustDomain': return test((v) => principalFor !== undefined && expandTrustDomains([v], td).some((x) => trustDomainMatch(x, principalFor)));
        case key === 'destination.ip': return test((v) => ctx.destinationIp !== undefined && cidrContains(v, ctx.destinationIp));
        case key === 'destination.port': return test((v) => Number(v) === ctx.port);
        case key === 'connection.sni': return test((v) => ctx.sni !== undefined && headerMatch(v, ctx.sni, false));
        case key.startsWith('request.headers['): {
          const name = /^request\.headers\[([^\]]+)\]$/.exec(key)?.[1]?.toLowerCase();
          if (!name) return 'invalid';
          return test((v) => (ctx.http ? (ctx.http.headers?.[name] !== undefined && headerMatch(v, ctx.http.headers[name], false)) : 'some'));
        }
        case key.startsWith('request.auth.'): notes.push(`${ruleName}: ${key} needs a JWT; judged as a request without one`); return test(() => false);
        case key.startsWith('experimental.envoy.filters.'): notes.push(`${ruleName}: ${key} reads Envoy metadata, unknown offline (judged as not matching)`); return test(() => false);
        default: return 'invalid';
      }
    };
    const whens = when.map(evalWhen);
    if (whens.includes('invalid')) {
      return { result: 'no', notes: [`${ruleName} has a when condition istiod does not know, so it skips the rule ("skipped invalid rule", istio:pilot/pkg/security/authz/builder/builder.go:275-278)`], some: ['invalid when key'] };
    }
    const fromR: { r: Tri; why: string } = from.length === 0 ? { r: 'yes', why: '' } : combineOr(from.map((f) => evalSource(f?.source)));
    const toR: { r: Tri; why: string } = to.length === 0 ? { r: 'yes', why: '' } : combineOr(to.map((t) => evalOperation(t?.operation)));
    const all = combineAnd([fromR, toR, ...(whens as { r: Tri; why: string }[])]);
    if (all.r === 'some') {
      const what = describeHttp(to, when);
      return { result: 'some', notes, some: [what] };
    }
    if (all.r === 'no') {
      const failing = [fromR, toR, ...(whens as { r: Tri; why: string }[])].filter((x) => x.r === 'no').map((x) => x.why).filter(Boolean);
      return { result: 'no', notes, some: [failing.length > 0 ? `it needs ${failing.join(' and ')}` : 'no match'] };
    }
    return { result: 'yes', notes, some: [] };
  }

  // -------------------------------------------------------------------------------------------
  // Registry, visibility, TLS

  /** The Service of the registry the source dials: a Service of the input, or one of the cluster named by an external peer. */
  private serviceTarget(request: MeshConnectionRequest, path: DialPath):
  { name: string; ref?: string; namespace: string; host: string; protocol?: IstioPortProtocol; service?: ServiceInfo; servicePort?: ServicePortInfo } | undefined {
    if (path.service && path.servicePort) {
      const svc = path.service;
      return { name: objectRef(svc.source.object), ref: objectRef(svc.source.object), namespace: svc.namespace, host: `${svc.name}.${svc.namespace}.svc.${this.clusterDomain}`, protocol: servicePortProtocol(path.servicePort), service: svc, servicePort: path.servicePort };
    }
    const e = request.destination.external;
    if (e) {
      const named = e.services?.[0];
      if (named && named.includes('/')) {
        const [ns, name] = named.split('/');
        return { name: `Service ${ns}/${name} (not in the input; istiod has every Service of the cluster in its registry)`, namespace: ns, host: `${name}.${ns}.svc.${this.clusterDomain}` };
      }
      if (e.namespace) {
        return { name: `a Service of namespace ${e.namespace} (${e.name}; not in the input, inferred to be dialled through a Service, which istiod has in its registry)`, namespace: e.namespace, host: `*.${e.namespace}.svc.${this.clusterDomain}` };
      }
    }
    return undefined;
  }

  /**
   * Whether a Service host is visible to the source: exported to its namespace
   * (`networking.istio.io/exportTo`, default "*", istio:pkg/config/mesh/mesh.go:94) and imported
   * by its Sidecar scope's egress hosts `namespace/dnsName` ("." the Sidecar's namespace, "*" any,
   * "~" none; no egress: "*\/*"; istio:pilot/pkg/model/sidecar.go:322-326,468-503,720-760).
   */
  private visible(model: ClusterModel, src: MeshedSource, scope: SidecarRes | undefined, namespace: string, host: string, port: number): { ok: boolean; reason: string; note: string } {
    const r = this.resources(model);
    if (!r.serviceByHost) r.serviceByHost = new Map(model.services.map((x) => [`${x.name}.${x.namespace}.svc.${this.clusterDomain}`, x]));
    const svc = r.serviceByHost.get(host);
    const exportTo = svc?.source.object.metadata.annotations?.[ISTIO_EXPORT_TO_ANNOTATION];
    if (exportTo !== undefined) {
      const list = exportTo.split(',').map((x) => x.trim());
      const ok = list.includes('*') || list.includes(src.namespace) || (list.includes('.') && namespace === src.namespace);
      if (!ok) return { ok: false, reason: `Service ${namespace}/${svc!.name} is exported only to ${exportTo} (${ISTIO_EXPORT_TO_ANNOTATION}), not to namespace ${src.namespace}, so ${src.ref}'s proxy has no route to it`, note: '' };
    }
    if (!scope) return { ok: true, reason: '', note: '' };
    const listeners = scope.egress.length > 0 ? scope.egress : [{ hosts: ['*/*'] }];
    for (const l of listeners) {
      if (l.port !== undefined && l.port !== port) continue;
      if (l.hosts.some((h) => egressHostMatches(h, scope.namespace, namespace, host))) return { ok: true, reason: '', note: ` (imported by ${scope.ref})` };
    }
    return { ok: false, reason: `${scope.ref} (the Sidecar scope of ${src.ref}) does not import ${host} on port ${port} (egress hosts ${listeners.flatMap((l) => l.hosts).join(', ') || 'none'}), so its proxy has no route to it`, note: '' };
  }

  /** The Sidecar resource of a sidecar (istio:pilot/pkg/model/push_context.go:1189-1233): one selecting it in its namespace, else its namespace's selector-less one, else the root namespace's selector-less one. */
  private sidecarScope(model: ClusterModel, src: MeshedSource): SidecarRes | undefined {
    const r = this.resources(model);
    const mine = ofNamespaces(r.sidecars, src.namespace);
    return mine.find((x) => x.selector !== undefined && subsetOf(x.selector, src.labels))
      ?? mine.find((x) => x.selector === undefined)
      ?? ofNamespaces(r.sidecars, r.settings.rootNamespace).find((x) => x.selector === undefined);
  }

  /** The TLS the source's proxy uses towards a Service (DestinationRule, else auto mTLS). */
  private upstreamTls(model: ClusterModel, src: MeshedSource, target: { host: string; namespace: string; name: string; servicePort?: ServicePortInfo }, path: DialPath, dest: MeshPeer):
  { arrival: string; describe: string; objects: string[] } {
    const r = this.resources(model);
    const s = r.settings;
    const dr = this.destinationRule(model, src, target.host, target.namespace);
    if (dr) {
      const mode = dr.portTls.get(path.port) ?? dr.tlsMode;
      if (mode !== undefined) {
        switch (mode) {
          case 'ISTIO_MUTUAL': return { arrival: 'mtls', describe: `Istio mTLS (${dr.ref} tls.mode ISTIO_MUTUAL)`, objects: [dr.ref] };
          case 'DISABLE': return { arrival: 'plain', describe: `no TLS (${dr.ref} tls.mode DISABLE)`, objects: [dr.ref] };
          default: return { arrival: 'tls', describe: `TLS ${mode} (${dr.ref}), which replaces Istio mTLS: no mesh client certificate`, objects: [dr.ref] };
        }
      }
    }
    if (!s.enableAutoMtls) return { arrival: 'plain', describe: `no TLS (enableAutoMtls is false in ${s.sources.join(', ') || 'the mesh config'})`, objects: s.sources };
    const nsMode = this.namespaceMtlsMode(model, target.namespace);
    if (nsMode.mode === 'DISABLE') return { arrival: 'plain', describe: `plaintext: auto mTLS is off because ${nsMode.reason} (istio:pilot/pkg/networking/core/cluster_tls.go:463)`, objects: nsMode.objects };
    const d = dest.workload;
    const tlsLabel = d ? (d.podLabels[ISTIO_TLS_MODE_LABEL] ?? (this.isMeshed(model, d).allowed && !this.isGateway(model, d) && !d.containers.some((c) => c.name === ISTIO_PROXY_CONTAINER_NAME) ? 'istio' : undefined)) : undefined;
    if (tlsLabel === 'istio') return { arrival: 'mtls', describe: 'Istio mTLS (auto mTLS: the endpoint is labelled security.istio.io/tlsMode=istio by the injector, istio:D/files/injection-template.yaml:34, pilot/pkg/networking/core/cluster_tls.go:90-107)', objects: [] };
    return { arrival: 'plain', describe: `plaintext (auto mTLS: ${d ? `${d.ref} has no security.istio.io/tlsMode=istio label` : 'the endpoints are not known to have Istio proxies'}, istio:pilot/pkg/networking/core/cluster_tls.go:90-107)`, objects: [] };
  }

  /** The namespace-level mTLS mode auto mTLS reads (istio:pilot/pkg/model/authentication.go:135-199,205-210). */
  private namespaceMtlsMode(model: ClusterModel, namespace: string): IstioMtlsMode {
    const r = this.resources(model);
    const root = r.settings.rootNamespace;
    const mesh = ofNamespaces(r.peerAuths, root).find((p) => isEmpty(p.selector));
    const ns = namespace === root ? undefined : ofNamespaces(r.peerAuths, namespace).find((p) => isEmpty(p.selector));
    if (ns && ns.mode !== 'UNSET') return { mode: ns.mode, reason: `${ns.ref} sets ${ns.mode}`, objects: [ns.ref] };
    if (mesh && mesh.mode !== 'UNSET') return { mode: mesh.mode, reason: `${mesh.ref} (mesh-wide) sets ${mesh.mode}`, objects: [mesh.ref] };
    return { mode: 'PERMISSIVE', reason: 'no namespace or mesh PeerAuthentication sets a mode', objects: [] };
  }

  /** The DestinationRule for a host as the source sees it (istio:pilot/pkg/model/push_context.go:1240-1300): its namespace, the Service's, then the root namespace; most specific host. */
  private destinationRule(model: ClusterModel, src: MeshedSource, host: string, serviceNamespace: string): DestRule | undefined {
    const r = this.resources(model);
    const candidates = (ns: string, local: boolean) => ofNamespaces(r.destinationRules, ns).filter((x) => (local || x.exportTo.length === 0 || x.exportTo.includes('*') || x.exportTo.includes(src.namespace))
      && (x.selector === undefined || subsetOf(x.selector, src.labels))
      && drHostMatches(x.host, host));
    const best = (xs: DestRule[]) => xs.sort((a, b) => (a.host.startsWith('*') ? 1 : 0) - (b.host.startsWith('*') ? 1 : 0) || b.host.length - a.host.length)[0];
    return best(candidates(src.namespace, true)) ?? best(candidates(serviceNamespace, false)) ?? best(candidates(r.settings.rootNamespace, false));
  }

  /**
   * A ServiceEntry the source's scope imports that takes the connection: its port number is the
   * one dialled, and the destination address is in `addresses`; without addresses an http port
   * matches by Host header, a tls/https port by SNI, and a tcp port by the port alone
   * (api:networking/v1alpha3/service_entry.proto:476-495,585-589).
   */
  private serviceEntryMatch(model: ClusterModel, request: MeshConnectionRequest, path: DialPath, src: MeshedSource, scope: SidecarRes | undefined): { entry?: ServiceEntryRes; reason: string } {
    const r = this.resources(model);
    const misses: string[] = [];
    const host = request.http?.headers?.host ?? request.destination.host;
    const sni = request.sni ?? request.destination.host;
    for (const se of r.serviceEntries) {
      const exported = se.exportTo.length === 0 || se.exportTo.includes('*') || se.exportTo.includes(src.namespace) || (se.exportTo.includes('.') && se.namespace === src.namespace);
      if (!exported) { misses.push(`${se.ref} is not exported to namespace ${src.namespace}`); continue; }
      const port = se.ports.find((p) => p.number === path.port);
      if (!port) continue;
      const importedHosts = se.hosts.filter((h) => !scope || (scope.egress.length > 0 ? scope.egress : [{ hosts: ['*/*'] }]).some((l) => (l.port === undefined || l.port === path.port) && l.hosts.some((x) => egressHostMatches(x, scope.namespace, se.namespace, h))));
      if (importedHosts.length === 0) { misses.push(`${scope!.ref} does not import the hosts of ${se.ref}`); continue; }
      if (se.addresses.length > 0) {
        if (path.ip !== undefined && se.addresses.some((a) => cidrContains(a.includes('/') ? a : `${a}/${net.isIP(a) === 6 ? 128 : 32}`, path.ip!))) return { entry: se, reason: `ServiceEntry ${se.ref} takes ${path.ip}:${path.port} (addresses ${se.addresses.join(', ')})` };
        misses.push(`${se.ref} takes addresses ${se.addresses.join(', ')}, not ${path.ip ?? '(unknown address)'}`);
        continue;
      }
      const proto = port.protocol.toUpperCase();
      if (HTTP_PROTOCOLS.map((x) => x.toUpperCase()).includes(proto)) {
        if (host !== undefined && importedHosts.some((h) => hostMatches(h, stripPort(host)))) return { entry: se, reason: `ServiceEntry ${se.ref} takes Host ${host} on ${port.protocol} port ${port.number}` };
        misses.push(`${se.ref} port ${port.number} is ${port.protocol} and matches the Host header ${importedHosts.join(', ')}, not ${host ?? '(unknown)'}`);
      } else if (proto === 'TLS' || proto === 'HTTPS') {
        if (sni !== undefined && importedHosts.some((h) => hostMatches(h, sni))) return { entry: se, reason: `ServiceEntry ${se.ref} takes TLS server name ${sni} on port ${port.number}` };
        misses.push(`${se.ref} port ${port.number} is ${port.protocol} and matches the server name ${importedHosts.join(', ')}, not ${sni ?? '(unknown)'}`);
      } else {
        return { entry: se, reason: `ServiceEntry ${se.ref} has no addresses, so its ${port.protocol || 'TCP'} port ${port.number} takes any destination on that port (it is sent to ${se.hosts.join(', ')}; api:networking/v1alpha3/service_entry.proto:482-486)` };
      }
    }
    return { reason: misses.join('; ') };
  }

  // -------------------------------------------------------------------------------------------
  // Reading the input

  private resources(model: ClusterModel): Resources {
    const cached = this.cache.get(model);
    if (cached) return cached;
    const settings = this.readSettings(model);
    const r: Resources = { settings, peerAuths: [], authz: [], sidecars: [], serviceEntries: [], destinationRules: [], gateways: [], otherRevision: [], istioObjects: false, meshed: new Map(), gateway: new Map(), authzOf: new Map(), protocolOf: new Map() };
    const classes = new Set(['istio']);
    for (const { object: o } of model.objects) {
      if (o.kind === 'GatewayClass' && o.apiVersion.startsWith('gateway.networking.k8s.io/') && o.spec?.controllerName === 'istio.io/gateway-controller') classes.add(o.metadata.name);
    }
    for (const { object: o } of model.objects) {
      const group = apiGroupOf(o.apiVersion);
      const istio = group === 'security.istio.io' || group === 'networking.istio.io';
      if (!istio && !(group === 'gateway.networking.k8s.io' && (o.kind === 'Gateway' || o.kind === 'BackendTLSPolicy'))) continue;
      const ns = typeof o.metadata.namespace === 'string' && o.metadata.namespace !== '' ? o.metadata.namespace : 'default';
      const spec = isMapping(o.spec) ? o.spec : {};
      const ref = `${o.kind} ${ns}/${o.metadata.name}`;
      if (group === 'gateway.networking.k8s.io' && o.kind === 'Gateway' && classes.has(spec.gatewayClassName)) {
        const sa = o.metadata.annotations?.[ISTIO_GATEWAY_SERVICE_ACCOUNT_ANNOTATION] ?? `${o.metadata.name}-${spec.gatewayClassName}`;
        r.gateways.push({ ref, namespace: ns, name: o.metadata.name, serviceAccount: sa });
        continue;
      }
      if (group === 'gateway.networking.k8s.io' && o.kind === 'BackendTLSPolicy') {
        for (const t of Array.isArray(spec.targetRefs) ? spec.targetRefs : []) {
          if (!isMapping(t) || t.kind !== 'Service' || (t.group ?? '') !== '' || typeof t.name !== 'string') continue;
          const svc = serviceNamed(model, ns, t.name);
          const portTls = new Map<number, string>();
          let tlsMode: string | undefined = 'SIMPLE';
          if (typeof t.sectionName === 'string') {
            tlsMode = undefined;
            const sp = svc?.ports.find((p) => p.name === t.sectionName);
            if (sp) portTls.set(sp.port, 'SIMPLE');
          }
          r.destinationRules.push({ ref: `${ref} (as the DestinationRule istiod derives from it)`, namespace: ns, host: `${t.name}.${ns}.svc.${this.clusterDomain}`, exportTo: [], tlsMode, portTls });
        }
        continue;
      }
      if (!istio) continue;
      if (o.apiVersion !== group) r.istioObjects = true; // `<group>/<version>`, as `detect` counts them
      // istio:pkg/config/model.go:111-133: objects labelled for another revision are ignored.
      const rev = o.metadata.labels?.[ISTIO_REV_LABEL];
      if (rev !== undefined && this.revision !== '' && rev !== this.revision && !this.revisionTags.includes(rev)) { r.otherRevision.push(ref); continue; }
      switch (`${group}/${o.kind}`) {
        case 'security.istio.io/PeerAuthentication': {
          const portLevel = new Map<number, string>();
          if (isMapping(spec.portLevelMtls)) for (const [k, v] of Object.entries(spec.portLevelMtls)) portLevel.set(Number(k), modeOf((v as any)?.mode));
          r.peerAuths.push({ ref, namespace: ns, selector: nonEmptyMap(spec.selector?.matchLabels), mode: modeOf(spec.mtls?.mode), portLevel });
          break;
        }
        case 'security.istio.io/AuthorizationPolicy': {
          const refs = [...(Array.isArray(spec.targetRefs) ? spec.targetRefs : []), ...(isMapping(spec.targetRef) ? [spec.targetRef] : [])].filter(isMapping);
          const gateways = refs.filter((t) => t.kind === 'Gateway' && t.group === 'gateway.networking.k8s.io' && (t.namespace === undefined || t.namespace === '' || t.namespace === ns)).map((t) => String(t.name));
          const dry = o.metadata.annotations?.[ISTIO_DRY_RUN_ANNOTATION];
          r.authz.push({
            ref, namespace: ns, selector: isMapping(spec.selector) ? stringMap(spec.selector.matchLabels) : undefined, targetGateways: gateways, hasTargetRefs: refs.length > 0,
            action: typeof spec.action === 'string' ? spec.action : 'ALLOW', provider: typeof spec.provider?.name === 'string' ? spec.provider.name : undefined,
            rules: Array.isArray(spec.rules) ? spec.rules : undefined, dryRun: dry !== undefined && ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(dry),
          });
          break;
        }
        case 'networking.istio.io/Sidecar': {
          const egress = (Array.isArray(spec.egress) ? spec.egress : []).filter(isMapping).map((e: any) => ({ ...(typeof e.port?.number === 'number' ? { port: e.port.number } : {}), hosts: strings(e.hosts) }));
          const otp = isMapping(spec.outboundTrafficPolicy) ? (typeof spec.outboundTrafficPolicy.mode === 'string' ? spec.outboundTrafficPolicy.mode : 'REGISTRY_ONLY') : undefined;
          r.sidecars.push({ ref, namespace: ns, selector: isMapping(spec.workloadSelector) ? stringMap(spec.workloadSelector.labels) : undefined, egress, ...(otp ? { outboundMode: otp } : {}) });
          break;
        }
        case 'networking.istio.io/ServiceEntry':
          r.serviceEntries.push({
            ref, namespace: ns, hosts: strings(spec.hosts), addresses: strings(spec.addresses),
            ports: (Array.isArray(spec.ports) ? spec.ports : []).filter((p: any) => isMapping(p) && typeof p.number === 'number').map((p: any) => ({ number: p.number, protocol: typeof p.protocol === 'string' ? p.protocol : '', name: typeof p.name === 'string' ? p.name : '' })),
            location: typeof spec.location === 'string' ? spec.location : 'MESH_EXTERNAL', resolution: typeof spec.resolution === 'string' ? spec.resolution : 'NONE', exportTo: strings(spec.exportTo),
          });
          break;
        case 'networking.istio.io/DestinationRule': {
          const portTls = new Map<number, string>();
          for (const pl of Array.isArray(spec.trafficPolicy?.portLevelSettings) ? spec.trafficPolicy.portLevelSettings : []) {
            if (typeof pl?.port?.number === 'number' && typeof pl?.tls?.mode === 'string') portTls.set(pl.port.number, pl.tls.mode);
          }
          const host = typeof spec.host === 'string' ? (spec.host.includes('.') || spec.host.includes('*') ? spec.host : `${spec.host}.${ns}.svc.${this.clusterDomain}`) : '';
          r.destinationRules.push({
            ref, namespace: ns, host, exportTo: strings(spec.exportTo), selector: isMapping(spec.workloadSelector) ? stringMap(spec.workloadSelector.matchLabels) : undefined,
            tlsMode: typeof spec.trafficPolicy?.tls?.mode === 'string' ? spec.trafficPolicy.tls.mode : undefined, portTls,
          });
          break;
        }
        default: break;
      }
    }
    this.cache.set(model, r);
    return r;
  }

  /**
   * The mesh config: Istio's defaults (ALLOW_ANY, trust domain cluster.local, auto mTLS on,
   * istio:pkg/config/mesh/mesh.go:65-95), overridden by `data.mesh` of ConfigMap `istio[-<revision>]`
   * in the control-plane namespace (istio:D/templates/configmap.yaml:83-110), then for the AKS add-on
   * `istio-shared-configmap-<revision>` (MicrosoftDocs/azure-aks-docs articles/aks/istio-meshconfig.md),
   * and `spec.values.meshConfig` of a Sail `Istio` resource or `spec.meshConfig` of an IstioOperator.
   * The chart's rootNamespace defaults to `global.istioNamespace` (istio:D/templates/configmap.yaml:10);
   * here, without a mesh config, to the control-plane namespace (inf.).
   */
  private readSettings(model: ClusterModel): IstioMeshSettings {
    const cp = this.controlPlaneNamespace;
    const suffix = this.revision === '' ? '' : `-${this.revision}`;
    const layers: { ref: string; mesh: any }[] = [];
    const find = (pred: (o: KubeObject) => boolean) => model.objects.filter((s) => pred(s.object)).map((s) => s.object);
    for (const o of find((x) => x.kind === 'IstioOperator' && x.apiVersion.startsWith('install.istio.io/') && isMapping(x.spec?.meshConfig) && (x.spec?.revision ?? '') === this.revision)) layers.push({ ref: objectRef(o), mesh: o.spec.meshConfig });
    for (const o of find((x) => x.kind === 'Istio' && x.apiVersion.startsWith('sailoperator.io/') && isMapping(x.spec?.values?.meshConfig) && (x.spec?.namespace ?? 'istio-system') === cp)) layers.push({ ref: objectRef(o), mesh: o.spec.values.meshConfig });
    const names = [`istio${suffix}`, ...(this.flavour === 'aks' ? [`istio-shared-configmap${suffix}`] : [])];
    for (const name of names) {
      for (const o of find((x) => x.kind === 'ConfigMap' && x.apiVersion === 'v1' && x.metadata.name === name && x.metadata.namespace === cp && typeof x.data?.mesh === 'string')) {
        try {
          const mesh = yaml.load(o.data.mesh);
          if (isMapping(mesh)) layers.push({ ref: objectRef(o), mesh });
        } catch {
          // An unreadable mesh config: istiod refuses it; the defaults stay.
        }
      }
    }
    let outbound = 'ALLOW_ANY';
    let outboundSource = "Istio's default, as the input has no mesh config that sets outboundTrafficPolicy (istio:pkg/config/mesh/mesh.go:83)";
    let trustDomain = this.trustDomainProp ?? 'cluster.local';
    let aliases: string[] = [];
    let rootNamespace = this.rootNamespaceProp ?? cp;
    let autoMtls = true;
    for (const l of layers) {
      const m = l.mesh;
      if (isMapping(m.outboundTrafficPolicy) && typeof m.outboundTrafficPolicy.mode === 'string') { outbound = m.outboundTrafficPolicy.mode; outboundSource = `${l.ref} outboundTrafficPolicy`; }
      if (typeof m.trustDomain === 'string' && m.trustDomain !== '') trustDomain = m.trustDomain;
      if (Array.isArray(m.trustDomainAliases)) aliases = strings(m.trustDomainAliases);
      if (typeof m.rootNamespace === 'string' && m.rootNamespace !== '' && this.rootNamespaceProp === undefined) rootNamespace = m.rootNamespace;
      if (typeof m.enableAutoMtls === 'boolean') autoMtls = m.enableAutoMtls;
    }
    return { sources: layers.map((l) => l.ref), outboundTrafficPolicy: outbound, outboundTrafficPolicySource: outboundSource, trustDomain, trustDomainAliases: aliases, rootNamespace, enableAutoMtls: autoMtls };
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** A Service port's protocol (istio:pkg/config/kube/conversion.go:47-93). */
function servicePortProtocol(p: ServicePortInfo): IstioPortProtocol {
  if (p.protocol.toUpperCase() === 'UDP') return { protocol: 'UDP', chain: 'tcp', how: 'UDP' };
  let name = p.appProtocol ?? p.name ?? '';
  const how = p.appProtocol !== undefined ? `appProtocol ${p.appProtocol}` : p.name !== undefined ? `port name ${p.name}` : 'no appProtocol and no port name';
  if (p.appProtocol !== undefined) {
    const k8s: { readonly [key: string]: string } = { 'kubernetes.io/h2c': 'HTTP2', 'kubernetes.io/ws': 'HTTP', 'kubernetes.io/wss': 'HTTPS' };
    if (k8s[name] !== undefined) return withChain(k8s[name], how);
  }
  if (name.toLowerCase().startsWith('grpc-web')) return withChain('GRPC-Web', how);
  const dash = name.indexOf('-');
  if (dash >= 0) name = name.slice(0, dash);
  const known: { readonly [key: string]: string } = { tcp: 'TCP', udp: 'UDP', grpc: 'GRPC', http: 'HTTP', http_proxy: 'HTTP_PROXY', http2: 'HTTP2', https: 'HTTPS', tls: 'TLS', mongo: 'Mongo', redis: 'Redis', mysql: 'MySQL' };
  const proto = known[name.toLowerCase()];
  if (proto !== undefined) return withChain(proto, how);
  if (WELL_KNOWN_TCP_PORTS.includes(p.port)) return withChain('TCP', `${how}; Service port ${p.port} is one Istio never sniffs`);
  return { protocol: 'UnsupportedProtocol', chain: 'auto', how: `${how} (not a protocol Istio knows), so it is sniffed` };
}

function withChain(protocol: string, how: string): IstioPortProtocol {
  return { protocol, chain: HTTP_PROTOCOLS.includes(protocol) ? 'http' : 'tcp', how };
}

function podSpecOf(o: KubeObject): any {
  if (o.kind === 'Pod') return o.spec;
  if (o.kind === 'CronJob') return o.spec?.jobTemplate?.spec?.template?.spec;
  return o.spec?.template?.spec;
}

function modeOf(v: unknown): string {
  return typeof v === 'string' && ['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT'].includes(v) ? v : 'UNSET';
}

function subsetOf(selector: { readonly [key: string]: string }, labels: { readonly [key: string]: string }): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function isEmpty(m: { readonly [key: string]: string } | undefined): boolean {
  return m === undefined || Object.keys(m).length === 0;
}

function nonEmptyMap(v: unknown): { readonly [key: string]: string } | undefined {
  const m = stringMap(v);
  return Object.keys(m).length > 0 ? m : undefined;
}

function stringMap(value: unknown): { readonly [key: string]: string } {
  if (!isMapping(value)) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => typeof v === 'string'));
}

function hasValues(value: unknown): boolean {
  return strings(value).length > 0;
}

function portList(value: string | undefined): number[] {
  if (value === undefined) return [];
  return value.split(',').map((x) => x.trim()).filter((x) => /^\d+$/.test(x)).map(Number);
}

function cidrList(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value.split(',').map((x) => x.trim()).filter((x) => x !== '' && x !== '*');
}

function stripPort(host: string): string {
  const m = /^(.*):\d+$/.exec(host);
  return m && !m[1].includes(':') ? m[1] : host;
}

function toTri(v: Tri | boolean): Tri {
  return v === true ? 'yes' : v === false ? 'no' : v;
}

function anyTri(xs: Tri[]): Tri {
  return xs.includes('yes') ? 'yes' : xs.includes('some') ? 'some' : 'no';
}

function combineAnd(parts: { r: Tri; why: string }[]): { r: Tri; why: string } {
  const no = parts.filter((p) => p.r === 'no');
  if (no.length > 0) return { r: 'no', why: no.map((p) => p.why).filter(Boolean).join(' and ') };
  if (parts.some((p) => p.r === 'some')) return { r: 'some', why: parts.map((p) => p.why).filter(Boolean).join(' and ') };
  return { r: 'yes', why: parts.map((p) => p.why).filter(Boolean).join(' and ') };
}

function combineOr(parts: { r: Tri; why: string }[]): { r: Tri; why: string } {
  const yes = parts.find((p) => p.r === 'yes');
  if (yes) return yes;
  const some = parts.find((p) => p.r === 'some');
  if (some) return some;
  return { r: 'no', why: parts.map((p) => p.why).filter(Boolean).join(' or ') };
}

/** The HTTP conditions of a rule, for verdicts naming the requests it admits. */
function describeHttp(to: any[], when: any[]): string {
  const ops = to.map((t) => {
    const o = isMapping(t?.operation) ? t.operation : {};
    const parts: string[] = [];
    for (const k of ['methods', 'paths', 'hosts', 'notMethods', 'notPaths', 'notHosts']) if (hasValues(o[k])) parts.push(`${k} ${strings(o[k]).join('|')}`);
    return parts.join(' ');
  }).filter(Boolean);
  const w = when.filter((c) => typeof c?.key === 'string' && c.key.startsWith('request.headers')).map((c) => `${c.key} ${strings(c.values).join('|')}`);
  return [...ops, ...w].join(', ') || 'some requests';
}

/** Istio's string matching (istio:pilot/pkg/security/authz/matcher/string.go:100-116): "*" any non-empty, "*x" suffix, "x*" prefix, else exact. */
function istioMatch(pattern: string, value: string, prefix = ''): boolean {
  if (pattern === '*') return value.length > 0;
  if (pattern.startsWith('*')) return value.startsWith(prefix) && value.endsWith(pattern.slice(1));
  if (pattern.endsWith('*')) return value.startsWith(prefix + pattern.slice(0, -1));
  return value === prefix + pattern;
}

/** A header matcher (istio:pilot/pkg/security/authz/matcher/header.go): "*" present, prefix/suffix/exact; hosts case-insensitive. */
function headerMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  if (pattern === '*') return true;
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  return istioMatch(p, v);
}

/** A path matcher: Istio's string matching, or a `{*}`/`{**}` template (istio:pilot/pkg/security/authz/model/generator.go:401-415, matcher/template.go). */
function pathMatch(pattern: string, path: string): boolean {
  if (pattern.includes('{*}') || pattern.includes('{**}')) {
    const re = pattern.split(/(\{\*\*\}|\{\*\})/).map((part) => (part === '{**}' ? '.*' : part === '{*}' ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
    return new RegExp(`^${re}$`).test(path);
  }
  return istioMatch(pattern, path);
}

/** `principals` values against "spiffe://<principal>" (istio:pilot/pkg/security/authz/model/generator.go:250-253). */
function spiffeMatch(pattern: string, spiffe: string): boolean {
  return istioMatch(pattern, spiffe, 'spiffe://');
}

/**
 * Principals rewritten for the trust domain and its aliases (istio:pilot/pkg/security/trustdomain/bundle.go:55-160):
 * a principal whose trust domain is "cluster.local" or one of the mesh's becomes one per trust domain.
 */
function expandPrincipals(values: string[], trustDomains: string[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    const parts = v.split('/');
    if (parts.length !== 5 || parts[0] === '*') { out.push(v); continue; }
    if (trustDomains.includes(parts[0]) || parts[0] === 'cluster.local') {
      for (const td of trustDomains) {
        const suffixed = parts[0].startsWith('*') && td.endsWith(parts[0].slice(1));
        out.push(suffixed ? v : [td, ...parts.slice(1)].join('/'));
      }
    } else out.push(v);
  }
  return unique(out);
}

function expandTrustDomains(values: string[], trustDomains: string[]): string[] {
  return unique(values.flatMap((v) => (trustDomains.includes(v) ? trustDomains : [v])));
}

/** `namespaces`: regex `.*\/ns/<ns>/.*` on the principal, "*" as ".*" (istio:pilot/pkg/security/authz/model/generator.go:179-187). */
function namespaceMatch(pattern: string, spiffe: string): boolean {
  const re = pattern.split('*').map(escapeRe).join('.*');
  return new RegExp(`^.*/ns/${re}/.*$`).test(spiffe);
}

/** `serviceAccounts`: `ns/sa` or `sa` (the policy's namespace) (istio:pilot/pkg/security/authz/model/generator.go:197-218). */
function serviceAccountMatch(value: string, policyNamespace: string, spiffe: string): boolean {
  const slash = value.indexOf('/');
  const ns = slash >= 0 ? value.slice(0, slash) : policyNamespace;
  const sa = slash >= 0 ? value.slice(slash + 1) : value;
  return new RegExp(`^spiffe://.+/ns/${escapeRe(ns)}/(.+/|)sa/${escapeRe(sa)}(/.+)?$`).test(spiffe);
}

/** `trustDomains` (istio:pilot/pkg/security/authz/model/generator.go:226-242). */
function trustDomainMatch(value: string, spiffe: string): boolean {
  if (value === '*') return spiffe.startsWith('spiffe://');
  if (!value.includes('*')) return spiffe.startsWith(`spiffe://${value}/`);
  const [a, b] = value.split('*', 2);
  return new RegExp(`^spiffe://${escapeRe(a)}[^/]*${escapeRe(b ?? '')}/.*$`).test(spiffe);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Istio host matching: "*" all, "*.x" any subdomain of x, else exact (case-insensitive). */
function hostMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  if (p === '*') return true;
  if (p.startsWith('*.')) return h.endsWith(p.slice(1));
  return p === h;
}

/** A Sidecar egress host `namespace/dnsName` against a host of a namespace (istio:pilot/pkg/model/sidecar.go:468-503,720-760). */
function egressHostMatches(entry: string, sidecarNamespace: string, hostNamespace: string, host: string): boolean {
  const slash = entry.indexOf('/');
  if (slash < 0 || entry.indexOf('/', slash + 1) >= 0) return false;
  let ns = entry.slice(0, slash);
  const name = entry.slice(slash + 1);
  if (ns === '~') return false;
  if (ns === '.') ns = sidecarNamespace;
  if (ns !== '*' && ns !== hostNamespace) return false;
  if (host.startsWith('*.')) return name === '*'; // only a whole-namespace import takes an unnamed Service of it
  return hostMatches(name, host);
}

/** A DestinationRule host (FQDN or wildcard) against a Service host. */
function drHostMatches(pattern: string, host: string): boolean {
  if (host.startsWith('*.')) return false;
  return hostMatches(pattern, host);
}


/** Whether a CIDR (or a single address) contains an address of its family. */
function cidrContains(cidr: string, ip: string): boolean {
  const c = cidr.trim();
  return cidrBlockContains(c.includes('/') ? c : `${c}/${net.isIP(c) === 6 ? 128 : 32}`, ip);
}

const namespaceIndexes = new WeakMap<readonly { readonly namespace: string }[], Map<string, number[]>>();

/**
 * The items of a list (Istio resources, read once per model and not changed after) in these
 * namespaces, in list order: an index by namespace, built on first use, instead of a scan of every
 * resource of the input for every workload.
 */
function ofNamespaces<T extends { readonly namespace: string }>(list: readonly T[], ...namespaces: string[]): T[] {
  let index = namespaceIndexes.get(list);
  if (!index) {
    const built = new Map<string, number[]>();
    list.forEach((x, i) => { const l = built.get(x.namespace); if (l) l.push(i); else built.set(x.namespace, [i]); });
    namespaceIndexes.set(list, index = built);
  }
  const positions = [...new Set(namespaces)].flatMap((ns) => index!.get(ns) ?? []);
  if (namespaces.length > 1) positions.sort((a, b) => a - b);
  return positions.map((i) => list[i]);
}

const servicesByName = new WeakMap<ClusterModel, Map<string, ServiceInfo>>();

/** The first Service of the input with this namespace and name. */
function serviceNamed(model: ClusterModel, namespace: string, name: string): ServiceInfo | undefined {
  let index = servicesByName.get(model);
  if (!index) {
    index = new Map();
    for (const svc of model.services) { const k = `${svc.namespace}\u0000${svc.name}`; if (!index.has(k)) index.set(k, svc); }
    servicesByName.set(model, index);
  }
  return index.get(`${namespace}\u0000${name}`);
}
