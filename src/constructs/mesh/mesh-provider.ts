import type { Construct } from 'constructs';
import type { AppMesh, EgressDestination, MeshIngressSource, ServiceRef } from '../../spec/app-spec';
import type { ClusterContext } from '../../spec/cluster-context';
import type { ResolvedPort } from '../../spec/ports';
import type { Problem } from '../../spec/problems';
import type { PodPeerFact } from '../../spec/profiles/platform-profile';
import type { SecureDeployment } from '../kubernetes/secure-deployment';

export type { ResolvedPort } from '../../spec/ports';

/** How a source outside the mesh speaks to a meshed app's sidecar. */
export type MeshEntryProtocol = 'http' | 'https';


/**
 * An entry into the mesh: sources outside it (the OpenShift router, an ingress controller, the
 * app's `mesh.ingress`) reaching one port of a meshed app.
 */
export interface MeshEntry {
  /** What admits it, for messages and names: "route", "ingress", "mesh.ingress". */
  readonly purpose: string;
  /** The spec field it comes from (for problems), e.g. "spec.route". */
  readonly field: string;
  readonly port: ResolvedPort;
  /** http: the source sends plain HTTP to the sidecar; https: TLS to the sidecar. */
  readonly protocol: MeshEntryProtocol;
  /** With https: validate the source's client certificate against the mesh CA. */
  readonly validateClientCertificate: boolean;
  readonly sources: MeshIngressSource[];
}

/** What a mesh needs to know about one app to check and write its policy (plain data). */
export interface MeshIntent {
  readonly app: string;
  readonly namespace: string;
  readonly serviceAccountName: string;
  /** @default - the app has no Service (a pure client) */
  readonly serviceName?: string;
  readonly labels: { readonly [key: string]: string };
  readonly ports: ResolvedPort[];
  readonly mesh: AppMesh;
  /** Entries into the mesh derived from the app's Route, Ingress and `mesh.ingress`. */
  readonly entries: MeshEntry[];
  /** External destinations the app declares (`egress.to`). */
  readonly egress: EgressDestination[];
  /** The app calls the Kubernetes API. */
  readonly kubernetesApi: boolean;
  /** The app owns its namespace (it writes namespace-wide objects, once per namespace). */
  readonly ownsNamespace: boolean;
  /** The Services this app may call (from the callees' specs: a mesh may narrow the app's egress to them). */
  readonly callees: ServiceRef[];
  /** Egress is unrestricted (`egress.unrestricted`). */
  readonly egressUnrestricted: boolean;
  readonly cluster: ClusterContext;
}

/** A mesh intent bound to the app's workload. */
export interface MeshBinding extends MeshIntent {
  /** The workload, for pod annotations such as sidecar injection. */
  readonly deployment: SecureDeployment;
}

/** Labels, annotations and the Pod Security level a namespace needs to be in the mesh. */
export interface NamespaceEnrolment {
  readonly labels: { [key: string]: string };
  readonly annotations: { [key: string]: string };
  /**
   * The Pod Security level the injected containers pass (`restricted`, `baseline` or
   * `privileged`); a namespace enforcing a stricter level rejects every meshed pod.
   */
  readonly podSecurityLevel: string;
  /** Why, for the README and warnings. */
  readonly podSecurityReason: string;
}

/** How an ingress controller reaches a meshed app's port, as the mesh needs it. */
export interface IngressToMesh {
  /** The controller opens TLS to the sidecar (with the mesh-issued client certificate): `backendTls` applies. */
  readonly tlsToSidecar: boolean;
  /** Annotations the Ingress needs (e.g. Istio: `service-upstream`, `upstream-vhost`). */
  readonly annotations: { [key: string]: string };
}

/** Pods a meshed app's data plane must reach (a NetworkPolicy egress peer and its ports). */
export interface DataPlaneDestination {
  /** For the policy's name and messages, e.g. "mesh-control-plane". */
  readonly purpose: string;
  readonly peer: PodPeerFact;
  readonly ports: number[];
}

/**
 * A service mesh implementation. The app spec's `mesh` section is mesh-neutral (who may call the
 * app, on which ports, with which requests; who outside the mesh may reach it); a provider turns
 * it into its own objects and tells the rest of the app what the mesh needs (Service
 * appProtocol values, Pod Security level, control-plane egress, the cluster-wide settings).
 * `OsmSmiMesh` (Open Service Mesh with SMI) is the default.
 */
export interface IMeshProvider {
  /** A short name for messages, e.g. "osm". */
  readonly name: string;
  /** Problems in the intent this provider cannot express; fields are spec paths (`spec.mesh.allow[0].http`). */
  validate(intent: MeshIntent): Problem[];
  /** The Service appProtocol of a meshed app's port, as this mesh reads it. @default - none */
  appProtocol(port: ResolvedPort): string | undefined;
  /** Whether the sidecar sees HTTP requests on the port (so HTTP-level rules can be enforced). */
  seesHttp(port: ResolvedPort): boolean;
  /** Adds the mesh's objects for one app under `scope` (and annotates its pods). */
  bind(scope: Construct, binding: MeshBinding): void;
  /** How a namespace is enrolled in this mesh. */
  namespaceEnrolment(cluster: ClusterContext): NamespaceEnrolment;
  /** What a meshed pod's data plane must reach besides the app's own destinations. */
  dataPlaneDestinations(cluster: ClusterContext): DataPlaneDestination[];
  /** Adds the cluster-wide mesh settings (OSM: MeshConfig) under `scope`. */
  bindCluster(scope: Construct, cluster: ClusterContext): void;
  /**
   * Keeps an app that is not meshed out of the mesh when its namespace is enrolled (OSM injects
   * every pod of an enrolled namespace unless the pod says otherwise).
   */
  optOut(deployment: SecureDeployment): void;
  /**
   * How an ingress-nginx controller reaches a meshed app's Service `serviceName` in `namespace`;
   * `backendTls` is whether the spec asks for TLS to the backend.
   */
  ingressToMesh(serviceName: string, namespace: string, backendTls: boolean): IngressToMesh;
}
