/**
 * The cluster-level spec (`kind: Cluster`): facts about the platform the apps run on and the
 * mesh-wide settings, in one document beside the app documents. At most one per spec set.
 *
 * ```yaml
 * apiVersion: cdk8s-zerotrust/v1alpha1
 * kind: Cluster
 * metadata: { name: prod }
 * spec:
 *   platform: openshift
 *   mesh:
 *     provider: osm
 *     ingressGateway:
 *       secret: { name: osm-nginx-client-cert, namespace: ingress-nginx }
 *       subjectAltNames: [ingress-nginx.ingress-nginx.cluster.local]
 * ```
 */

import type { GatewayClusterSpec } from './gateway-spec';

/** The kind of the cluster-level document. */
export const CLUSTER_SPEC_KIND = 'Cluster';

/** A complete cluster document. */
export interface ClusterSpec {
  /** @default "cdk8s-zerotrust/v1alpha1" */
  readonly apiVersion?: string;
  /** "Cluster". */
  readonly kind: string;
  readonly metadata: ClusterMetadata;
  readonly spec: ClusterSpecBody;
}

export interface ClusterMetadata {
  /** A DNS-1123 label naming the cluster (used in messages). */
  readonly name: string;
}

/** The platforms whose facts (DNS, API server, router) are known. */
export type PlatformName = 'kubernetes' | 'openshift';

/** `spec` of a cluster document. */
export interface ClusterSpecBody {
  /** @default "kubernetes" */
  readonly platform?: PlatformName;
  /**
   * Where the Kubernetes API server is, for apps with `egress.kubernetesApi`.
   * @default - the platform's (OpenShift: any address on TCP 6443; Kubernetes: required when an app asks for the API)
   */
  readonly apiServer?: ApiServerSpec;
  /**
   * The cluster DNS, when it is not the platform's default.
   * @default - the platform's (CoreDNS in kube-system on 53; OpenShift DNS in openshift-dns on 5353)
   */
  readonly dns?: DnsSpec;
  /**
   * The ingress-nginx controllers that `ingress:` sections name by class.
   * @default - one controller in namespace ingress-nginx serving every class
   */
  readonly ingressControllers?: IngressControllerSpec[];
  /** The Gateways apps may attach routes to (`spec.gateway.parentRef`). @default - none */
  readonly gateways?: GatewayClusterSpec[];
  /** @default - no mesh settings: meshed apps get a warning that permissive mode and egress are the mesh's defaults */
  readonly mesh?: ClusterMeshSpec;
  /**
   * Per-environment overrides, deep-merged over `spec` by `--env NAME`.
   * @default - none
   */
  readonly environments?: { readonly [env: string]: { readonly [field: string]: unknown } };
}

/** The Kubernetes API server as NetworkPolicy sees it (after Service DNAT: the endpoints). */
export interface ApiServerSpec {
  /** The API server endpoints' addresses (`kubectl get endpoints kubernetes`). @default - any address (port-only rule) */
  readonly cidrs?: string[];
  /** The endpoints' port. @default 6443 */
  readonly port?: number;
  /**
   * The ClusterIP of Service `default/kubernetes`, which a meshed pod's sidecar must not intercept.
   * @default - the platform's (OpenShift 172.30.0.1, Kubernetes 10.96.0.1)
   */
  readonly serviceIP?: string;
}

/** The cluster DNS pods. */
export interface DnsSpec {
  readonly namespace: string;
  readonly podLabels: { readonly [key: string]: string };
  /** The DNS pods' port (after Service DNAT), UDP and TCP. */
  readonly port: number;
}

/** An ingress-nginx controller. */
export interface IngressControllerSpec {
  /** The IngressClass names this controller serves. @default - every class (the default controller) */
  readonly classNames?: string[];
  /** @default "ingress-nginx" */
  readonly namespace?: string;
  /** The controller pods' labels. @default - app.kubernetes.io/name: ingress-nginx, app.kubernetes.io/component: controller */
  readonly podLabels?: { readonly [key: string]: string };
  /** The controller's Service (a mesh admits its endpoints). @default "ingress-nginx-controller" */
  readonly serviceName?: string;
  /**
   * The ServiceAccount the controller pods run as. Istio admits an enrolled controller by it
   * (principal `<trustDomain>/ns/<namespace>/sa/<serviceAccount>`).
   * @default "ingress-nginx" (upstream deploy.yaml)
   */
  readonly serviceAccount?: string;
}

/** Mesh-wide settings (OSM: the MeshConfig). */
export interface ClusterMeshSpec {
  /** osm or istio. @default "osm" */
  readonly provider?: 'osm' | 'istio';
  /**
   * Istio only: upstream, openshift-service-mesh (OSSM 3: revision labels, IstioCNI) or aks
   * (the AKS add-on: `istio.io/rev=asm-X-Y`, control plane in aks-istio-system).
   * @default "upstream"
   */
  readonly flavour?: 'upstream' | 'openshift-service-mesh' | 'aks';
  /** Istio: the control plane revision namespaces are enrolled with (`istio.io/rev`). Required for aks. @default - the default revision (`istio-injection: enabled`) */
  readonly revision?: string;
  /** Istio: the trust domain of workload identities. @default "cluster.local" */
  readonly trustDomain?: string;
  /** Istio: the Istio CNI plugin is installed (pods need no istio-init and can stay restricted). @default - true for openshift-service-mesh, false otherwise */
  readonly cni?: boolean;
  /** The mesh control plane's namespace. @default - "osm-system" (osm), "istio-system" (istio), "aks-istio-system" (aks) */
  readonly namespace?: string;
  /** The mesh name namespaces are enrolled with. @default "osm" */
  readonly meshName?: string;
  /** Permissive traffic policy mode (every meshed caller allowed). Zero trust keeps it off. @default false */
  readonly permissive?: boolean;
  /** Let meshed apps reach any destination outside the mesh. Zero trust keeps it off. @default false */
  readonly enableEgress?: boolean;
  /**
   * The client certificate the mesh issues for an ingress controller talking mTLS to meshed apps.
   * @default - none (ingress over mTLS is refused)
   */
  readonly ingressGateway?: IngressGatewayCertificateSpec;
  /**
   * Namespaces enrolled in the mesh by someone else (no app of ours owns them).
   * @default - none
   */
  readonly monitoredNamespaces?: string[];
  /**
   * Istio: the gateway OpenShift Routes reach meshed apps through. The router has no mesh
   * identity, so under STRICT mTLS it cannot reach a port the sidecar intercepts; with this set, an
   * app's `spec.route` to such a port is written as a Route in the gateway's namespace targeting
   * the gateway's Service (the listener's port), plus an HTTPRoute (GRPCRoute for grpc ports) from
   * that listener to the app, and the app admits the gateway's pods (NetworkPolicy) and principal
   * (AuthorizationPolicy) on the port instead of the router.
   * @default - none: under Istio a Route to a port the sidecar intercepts is refused
   */
  readonly routeGateway?: RouteGatewaySpec;
  /**
   * Write the mesh-wide settings as a whole object (`object`) or leave them to the platform
   * team and only check (`none`).
   * @default "object"
   */
  readonly meshConfig?: 'object' | 'none';
}

/** The Gateway of `gateways` (implementation istio) that Routes reach meshed apps through (`mesh.routeGateway`). */
export interface RouteGatewaySpec {
  /** The Gateway's name: one of `gateways`, with implementation istio. */
  readonly name: string;
  /** @default - the namespace of the only gateway of `gateways` with that name */
  readonly namespace?: string;
  /**
   * The Gateway's HTTP listener the Routes go to: the apps' HTTPRoutes attach to it, and the Routes
   * target the port istiod names after it on the gateway's Service.
   */
  readonly sectionName: string;
}

/** OSM MeshConfig `spec.certificate.ingressGateway`. */
export interface IngressGatewayCertificateSpec {
  readonly secret: SecretRef;
  /** The certificate's SANs; the first is the principal meshed apps admit. */
  readonly subjectAltNames: string[];
  /** @default "24h" */
  readonly validityDuration?: string;
}

/** A Secret in a namespace. */
export interface SecretRef {
  readonly name: string;
  readonly namespace: string;
}
