import type { ClusterModel, ContainerInfo, Verdict, Workload } from '../model';

/**
 * The mesh-neutral contract between `cdk8s-zerotrust verify` and a service mesh's semantics.
 *
 * A mesh model answers, from manifests alone, what a mesh does to one connection: whether a pod
 * gets a sidecar, whether the source's sidecar lets the connection out (`outbound`), whether the
 * destination's sidecar lets it in (`inbound`), and both together (`connection`). NetworkPolicy
 * and the app are other layers: a mesh verdict that allows means only "the mesh does not stop it".
 *
 * Implementations: `OsmModel` (Open Service Mesh, ./osm-model.ts) and `IstioModel` (Istio in
 * sidecar mode, ./istio-model.ts). All types are named interfaces (jsii: no unions, generics or anonymous types
 * in exported signatures); enumerations are strings with their values documented.
 */

/**
 * A peer that is not a workload of the input: the OpenShift router, an ingress controller
 * installed elsewhere, a client or server outside the cluster. It has a sidecar of the mesh being
 * modelled only when the mesh can tell from the input: a pod of the cluster with a known
 * `serviceAccount` in a namespace the input enrols (an ingress controller enrolled in the mesh), or
 * a gateway the mesh's own control plane deploys (Istio: a Gateway API Gateway of class istio);
 * otherwise it has none.
 */
export interface ExternalPeer {
  /** How verdicts name it, e.g. "ingress-nginx controller" or "the OpenShift router". */
  readonly name: string;
  /** The namespace of its pods, when it is a pod of the cluster. @default - not a pod of the cluster */
  readonly namespace?: string;
  /**
   * The labels of its pods: with `namespace`, the Services of the input that select these labels
   * count as Services it is an endpoint of. @default - none
   */
  readonly podLabels?: { readonly [key: string]: string };
  /** Services it is an endpoint of, as "namespace/name", in addition to those found by `podLabels`. @default - none */
  readonly services?: string[];
  /**
   * The ServiceAccount its pods run as, when it is a pod of the cluster (with `namespace`): a mesh
   * that injects pods of that namespace gives it the identity of that account (Istio:
   * `<trustDomain>/ns/<namespace>/sa/<serviceAccount>`), e.g. an ingress controller enrolled in the
   * mesh. @default - unknown: the peer has no mesh identity
   */
  readonly serviceAccount?: string;
}

/** One end of a connection: exactly one of `workload` and `external`. */
export interface MeshPeer {
  /** A workload of the input (its pods). @default - not a workload of the input */
  readonly workload?: Workload;
  /** A peer outside the input. @default - not an external peer */
  readonly external?: ExternalPeer;
  /**
   * The IP address of this end (a pod IP, a node IP for host-network pods, an outside address),
   * for rules on IP ranges. For a destination reached through a Service, the Service's address is
   * read from the Service instead. @default - unknown: IP-range rules cannot match it
   */
  readonly ip?: string;
  /**
   * The DNS name the source uses for a destination outside the input (the HTTP Host header and the
   * TLS server name unless `MeshConnectionRequest.sni` says otherwise). @default - none
   */
  readonly host?: string;
}

/** An HTTP request carried by a connection, for rules on HTTP requests. */
export interface MeshHttpRequest {
  /** GET, POST, ... (gRPC calls are POST). */
  readonly method: string;
  /** The request path, without the query string. */
  readonly path: string;
  /** Request headers by lower-case name (`host` is the Host/:authority header). @default - none */
  readonly headers?: { readonly [key: string]: string };
}

/**
 * One connection to judge. `port` is the destination pod's container port (after Service address
 * translation, as NetworkPolicy sees it) when the destination is a workload, and the port dialled
 * otherwise.
 */
export interface MeshConnectionRequest {
  readonly source: MeshPeer;
  readonly destination: MeshPeer;
  readonly port: number;
  /** The transport protocol: TCP, UDP or SCTP. @default "TCP" */
  readonly protocol?: string;
  /**
   * The Service (in the destination's namespace) the source dials to reach a workload.
   * @default - any Service of the input that sends to `port` of the destination; the pod address when none does
   */
  readonly service?: string;
  /**
   * What the source's application sends on the connection: "http" (plain HTTP/1.x, h2c or gRPC),
   * "https" (TLS it originates itself) or "tcp" (any other byte stream, opaque to a proxy).
   * @default - what the receiving proxy expects (the protocol of the port or policy that applies)
   */
  readonly transport?: string;
  /**
   * The Subject Alternative Name of a client certificate the source presents in its TLS handshake
   * (transport "https"), the certificate being issued by the mesh's certificate authority.
   * @default - no client certificate
   */
  readonly clientPrincipal?: string;
  /** The TLS server name (SNI) the source sends (transport "https"). @default - the destination's `host` */
  readonly sni?: string;
  /**
   * An HTTP request on the connection, for HTTP rules. Without one, a rule on requests counts as
   * allowing the connection when it admits some request (the verdict names the requests).
   * @default - no particular request
   */
  readonly http?: MeshHttpRequest;
  /**
   * Whether the verdict must say why. Without, a model may answer with an empty reason and no
   * objects (the table of a synth keeps only whether each path is allowed); `allowed` is the same.
   * @default true
   */
  readonly explain?: boolean;
}

/**
 * A connection a workload's sidecar makes itself (as the proxy's own user, not intercepted), which
 * NetworkPolicy must still allow for the mesh to work, e.g. to the control plane.
 */
export interface MeshSidecarConnection {
  /** What it is for, citing where the mesh configures it. */
  readonly description: string;
  /** The namespace of the pods it reaches. @default - outside the cluster, or the cluster DNS wherever it runs */
  readonly namespace?: string;
  /** The labels of the pods it reaches. @default - none */
  readonly podLabels?: { readonly [key: string]: string };
  /** The Service it dials, as "namespace/name", or a host name. @default - none */
  readonly service?: string;
  /** The destination port (the container port of the pods reached). */
  readonly port: number;
  /** TCP or UDP. */
  readonly protocol: string;
}

/** The semantics of one service mesh, as `cdk8s-zerotrust verify` asks them. */
export interface IMeshModel {
  /** A short name for verdicts, e.g. "osm". */
  readonly name: string;
  /** Whether the input uses this mesh at all (its namespaces, annotations or resources). */
  detect(model: ClusterModel): boolean;
  /** Whether the workload's pods get this mesh's sidecar (`allowed` true: meshed), and why. */
  isMeshed(model: ClusterModel, workload: Workload): Verdict;
  /**
   * The source side: whether the source's sidecar (if any) lets the connection out. A source
   * without a sidecar is not stopped by the mesh here.
   */
  outbound(model: ClusterModel, request: MeshConnectionRequest): Verdict;
  /**
   * The destination side: whether the destination's sidecar (if any) accepts the connection, in
   * the form the source side sends it (through the mesh, or as plain traffic).
   */
  inbound(model: ClusterModel, request: MeshConnectionRequest): Verdict;
  /** Both sides: allowed when the source side lets it out and the destination side lets it in. */
  connection(model: ClusterModel, request: MeshConnectionRequest): Verdict;
  /** Connections the workload's sidecar itself needs (none when it is not meshed). */
  sidecarConnections(model: ClusterModel, workload: Workload): MeshSidecarConnection[];
  /**
   * The containers the mesh's injector adds to the workload's pods (none when it is not meshed),
   * for Pod Security admission: it evaluates pods after mutating webhooks.
   */
  injectedContainers(model: ClusterModel, workload: Workload): ContainerInfo[];
}
