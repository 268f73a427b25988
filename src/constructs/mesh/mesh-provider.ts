import type { Construct } from 'constructs';
import type { AppMesh, PortProtocol } from '../../spec/app-spec';
import type { Problem } from '../../spec/problems';
import type { SecureDeployment } from '../kubernetes/secure-deployment';

/** A port of an app after defaults are applied. */
export interface ResolvedPort {
  readonly name: string;
  /** The Service port. */
  readonly port: number;
  /** The container port. */
  readonly targetPort: number;
  readonly protocol: PortProtocol;
}

/** What a mesh needs to know about one app to write its policy. */
export interface MeshBinding {
  readonly app: string;
  readonly namespace: string;
  readonly serviceAccountName: string;
  readonly serviceName: string;
  readonly labels: { readonly [key: string]: string };
  readonly ports: readonly ResolvedPort[];
  readonly mesh: AppMesh;
  /** The workload, for pod annotations such as sidecar injection. */
  readonly deployment: SecureDeployment;
}

/**
 * A service mesh implementation. The app spec's `mesh` section is mesh-neutral (who may call the
 * app, with which HTTP requests, and who may reach it from outside the mesh); a provider turns it
 * into its own policy objects. `OsmSmiMesh` (Open Service Mesh with SMI) is the default; another
 * mesh (for example Istio AuthorizationPolicy or Gateway API) plugs in by implementing this.
 */
export interface IMeshProvider {
  /** A short name for messages, e.g. "osm". */
  readonly name: string;
  /** Problems in `mesh` that this provider cannot express; fields relative to `spec.mesh`. */
  validate(mesh: AppMesh, ports: readonly ResolvedPort[]): Problem[];
  /** Adds the mesh's objects for one app under `scope`. */
  bind(scope: Construct, binding: MeshBinding): void;
  /**
   * Labels and annotations that enrol a namespace in this mesh (for namespaces an app owns).
   * @default - none
   */
  namespaceMetadata?(): { labels?: { [key: string]: string }; annotations?: { [key: string]: string } };
}
