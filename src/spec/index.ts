/**
 * spec/: the user-facing contract. The `AppSpec` types (the YAML app document and the JSON
 * Schema's source), the cluster-level spec, field rules (names, ports, CIDRs, images) and the
 * `Problem` type every validation reports in.
 *
 * May import: render/ only (and nothing that creates Kubernetes objects).
 */
export * from './app-spec';
export * from './cluster-spec';
export * from './gateway-spec';
export { ResolvedPort } from './ports';
export { ClusterContext, ResolvedMeshSettings, PLATFORMS } from './cluster-context';
export { AppDirectory, DirectoryApp, Callee } from './app-directory';
export * from './profiles/platform-profile';
export { KUBERNETES_PLATFORM } from './profiles/kubernetes';
export { OPENSHIFT_PLATFORM, OPENSHIFT_INGRESS_POLICY_GROUP } from './profiles/openshift';
export { INGRESS_NGINX, IngressControllerProfile } from './profiles/ingress-nginx';
export { OSM_DEFAULTS, OsmProfile } from './profiles/osm';
export * from './profiles/istio';
export * from './profiles/gateways';
export { Problem } from './problems';
