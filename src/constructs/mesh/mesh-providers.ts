import type { ClusterContext } from '../../spec/cluster-context';
import { IstioMesh } from './istio/istio-mesh';
import type { IMeshProvider } from './mesh-provider';
import { OsmSmiMesh } from './osm/osm-smi-mesh';

/**
 * The mesh provider the Cluster spec chooses (`mesh.provider`): Open Service Mesh with SMI
 * (the default) or Istio. The app specs are the same for both.
 */
export function meshProviderFor(cluster: ClusterContext): IMeshProvider {
  return cluster.spec.mesh?.provider === 'istio' ? new IstioMesh() : new OsmSmiMesh();
}
