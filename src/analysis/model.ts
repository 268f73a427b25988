/**
 * The data model of the offline analysis (`cdk8s-zerotrust verify`): what is read from any folder
 * of Kubernetes manifests, and the verdicts the layers (NetworkPolicy, mesh, entry points) give.
 * Nothing here knows about app specs: verify must work on manifests we did not write.
 */

/** Object metadata as read from a manifest. */
export interface ObjectMetadata {
  readonly name: string;
  /** @default - none (cluster-scoped, or the namespace the reader assigns) */
  readonly namespace?: string;
  /** @default - none */
  readonly labels?: { readonly [key: string]: string };
  /** @default - none */
  readonly annotations?: { readonly [key: string]: string };
}

/**
 * A Kubernetes object as read from a manifest file (any kind): its type, metadata, and every other
 * top-level field as read (`spec`, `data`, `rules`, ...).
 */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ObjectMetadata;
  /**
   * The other top-level fields. TypeScript only: other languages read the object through
   * `SourcedObject` as a whole.
   * @jsii ignore
   */
  readonly [field: string]: any;
}

/** An object and where it was read. */
export interface SourcedObject {
  readonly object: KubeObject;
  /** The file, relative to the folder verify was given. */
  readonly file: string;
  /** 0-based document index in the file (items of a List count as the List's document). */
  readonly index: number;
}

/** `Kind namespace/name` (or `Kind name` when cluster-scoped): how objects are named in verdicts. */
export function objectRef(o: KubeObject): string {
  return o.metadata.namespace ? `${o.kind} ${o.metadata.namespace}/${o.metadata.name}` : `${o.kind} ${o.metadata.name}`;
}

/** A port a container listens on. */
export interface PodPort {
  /** @default - unnamed */
  readonly name?: string;
  readonly containerPort: number;
  /** TCP, UDP or SCTP. */
  readonly protocol: string;
}

/** A container of a pod template, with what admission and the analysis need. */
export interface ContainerInfo {
  readonly name: string;
  /** An init container (or a native sidecar, restartPolicy Always). */
  readonly init: boolean;
  /** The container's securityContext as written. @default - none */
  readonly securityContext?: any;
  readonly ports: PodPort[];
}

/** A workload's pods (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, ...). */
export interface Workload {
  /** The object the pods come from, e.g. `Deployment shop/app2`. */
  readonly ref: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  /** Labels of the pods (the pod template's). */
  readonly podLabels: { readonly [key: string]: string };
  /** Annotations of the pods (the pod template's). */
  readonly podAnnotations: { readonly [key: string]: string };
  /** @default "default" when not written */
  readonly serviceAccount: string;
  readonly hostNetwork: boolean;
  readonly containers: ContainerInfo[];
  /** The pod-level securityContext as written. @default - none */
  readonly podSecurityContext?: any;
  /** Every port of every container. */
  readonly ports: PodPort[];
  readonly source: SourcedObject;
}

/** A port of a Service. */
export interface ServicePortInfo {
  /** @default - unnamed */
  readonly name?: string;
  readonly port: number;
  /** A number or a container port name. */
  readonly targetPort: number | string;
  readonly protocol: string;
  /** @default - none */
  readonly appProtocol?: string;
}

export interface ServiceInfo {
  readonly name: string;
  readonly namespace: string;
  /** @default - none (a Service without selector selects no pods) */
  readonly selector?: { readonly [key: string]: string };
  readonly ports: ServicePortInfo[];
  readonly source: SourcedObject;
}

export interface NamespaceInfo {
  readonly name: string;
  /** Includes `kubernetes.io/metadata.name`, which the API server sets on every namespace. */
  readonly labels: { readonly [key: string]: string };
  readonly annotations: { readonly [key: string]: string };
  /** A Namespace object is in the input (otherwise only referenced: its labels are unknown). */
  readonly declared: boolean;
}

/** Everything read from a folder of manifests. */
export interface ClusterModel {
  readonly objects: SourcedObject[];
  /**
   * Declared and referenced namespaces by name (TypeScript only: a Map).
   * @jsii ignore
   */
  readonly namespaces: Map<string, NamespaceInfo>;
  readonly workloads: Workload[];
  readonly services: ServiceInfo[];
}

/** Where a connection comes from or goes to, as the network sees it. */
export interface NetworkEndpoint {
  /** A pod: its namespace and labels. @default - not a pod */
  readonly pod?: PodEndpoint;
  /** An address outside the pod network (an outside client, a node, the API server, a database). @default - not an address */
  readonly ip?: string;
}

export interface PodEndpoint {
  readonly namespace: string;
  /** The namespace's labels (including kubernetes.io/metadata.name). */
  readonly namespaceLabels: { readonly [key: string]: string };
  readonly labels: { readonly [key: string]: string };
  /** Ports the pod listens on (for named ports in policies). */
  readonly ports: PodPort[];
  /** host-network pods match no pod selector; only ipBlock rules see them (as node addresses). */
  readonly hostNetwork: boolean;
  /** The node address a host-network pod uses. @default - none */
  readonly hostIp?: string;
}

/** A port as a policy sees it: after Service DNAT, the pod's port. */
export interface PortRef {
  readonly port: number;
  /** TCP (default), UDP, SCTP. */
  readonly protocol: string;
}

/** The answer of one layer for one connection. */
export interface Verdict {
  readonly allowed: boolean;
  /** Why, in one line, naming the deciding objects (e.g. "NetworkPolicy shop/app2-allow-router admits it"). */
  readonly reason: string;
  /** The objects that decided (refs as `objectRef` writes them). */
  readonly objects: string[];
}
