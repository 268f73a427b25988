

/** Open Service Mesh facts (openservicemesh/osm @7bec5b6b, archived by the CNCF in 2023). */
export interface OsmProfile {
  /** The control plane's namespace. */
  readonly namespace: string;
  readonly meshName: string;
  /** The osm-controller pods, which every sidecar dials for its configuration (ADS). */
  readonly controllerPodLabels: { readonly [key: string]: string };
  /** The osm-controller xDS port (Service 15128 -> 15128). */
  readonly xdsPort: number;
  /** The singleton MeshConfig's name. */
  readonly meshConfigName: string;
}

/** Annotation and label keys OSM reads (pkg/constants, pkg/injector). */
export const OSM_KEYS = {
  /** Pod or namespace annotation: enabled | disabled. */
  sidecarInjection: 'openservicemesh.io/sidecar-injection',
  /** Namespace label: the mesh name. */
  monitoredBy: 'openservicemesh.io/monitored-by',
  inboundPortExclusions: 'openservicemesh.io/inbound-port-exclusion-list',
  outboundPortExclusions: 'openservicemesh.io/outbound-port-exclusion-list',
  outboundIPRangeExclusions: 'openservicemesh.io/outbound-ip-range-exclusion-list',
} as const;

/**
 * OSM's defaults: control plane in osm-system; the sidecar's bootstrap dials
 * `osm-controller.<ns>.svc.cluster.local:15128` (pkg/injector/bootstrap.go), pods `app: osm-controller`
 * (charts/osm/templates/osm-deployment.yaml); MeshConfig `osm-mesh-config`.
 */
export const OSM_DEFAULTS: OsmProfile = {
  namespace: 'osm-system',
  meshName: 'osm',
  controllerPodLabels: { app: 'osm-controller' },
  xdsPort: 15128,
  meshConfigName: 'osm-mesh-config',
};
