/**
 * Platform facts: where DNS, the API server and the router are, as NetworkPolicy and a mesh see
 * them. One profile per platform (kubernetes.ts, openshift.ts); constructs and the analysis read
 * these and never hard-code a platform's selector, namespace or port. Upstream references are
 * in each profile.
 */

/** Pods a NetworkPolicy peer selects: a namespace (by labels) and, optionally, pod labels. */
export interface PodPeerFact {
  /** Namespace labels (a namespace by name: `kubernetes.io/metadata.name`). */
  readonly namespaceLabels: { readonly [key: string]: string };
  /** @default - every pod of the matching namespaces */
  readonly podLabels?: { readonly [key: string]: string };
}

/** The cluster DNS. */
export interface DnsFact {
  /** The DNS pods. */
  readonly peer: PodPeerFact;
  /** The namespace the DNS pods run in (for the analysis). */
  readonly namespace: string;
  /** The DNS pods' port (after Service DNAT), UDP and TCP. */
  readonly podPort: number;
  /** The DNS Service port (what a pod's resolver dials, before DNAT). */
  readonly servicePort: number;
}

/** The Kubernetes API server. */
export interface ApiServerFact {
  /** Endpoint addresses. @default - any address (a port-only rule) */
  readonly cidrs?: string[];
  /** The endpoints' port. */
  readonly port: number;
  /** ClusterIP of `default/kubernetes` (what a pod dials, before DNAT). */
  readonly serviceIP: string;
  /** The Service port of `default/kubernetes`. */
  readonly servicePort: number;
}

/** The router that serves OpenShift Routes. */
export interface RouterFact {
  /** The router's pods as a NetworkPolicy peer (namespace only: covers host-network routers). */
  readonly peer: PodPeerFact;
  /** The router pods' namespace. */
  readonly namespace: string;
  /** The router pods' labels (for the analysis). */
  readonly podLabels: { readonly [key: string]: string };
  /** A Service whose endpoints are the router pods (a mesh admits them by it). */
  readonly serviceName: string;
}

/** Everything platform-specific the constructs and the analysis need. */
export interface PlatformProfile {
  readonly name: string;
  readonly dns: DnsFact;
  readonly apiServer: ApiServerFact;
  /** @default - the platform has no router for Routes */
  readonly router?: RouterFact;
  /**
   * The ClusterRole that grants `use` of the SCC a mesh's injected containers need, for
   * platforms with SecurityContextConstraints.
   * @default - no SCC (Pod Security admission only)
   */
  readonly privilegedSccClusterRole?: string;
  /**
   * A mesh's traffic-redirecting init container must run privileged (SCCs strip the bare
   * NET_ADMIN capability): OSM's MeshConfig `sidecar.enablePrivilegedInitContainer`.
   * @default false
   */
  readonly privilegedMeshInitContainer?: boolean;
}

/** The label the API server puts on every namespace, with its name. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** A namespace by name, as a NetworkPolicy namespaceSelector's labels. */
export function namespaceByName(name: string): { readonly [key: string]: string } {
  return { [NAMESPACE_NAME_LABEL]: name };
}
