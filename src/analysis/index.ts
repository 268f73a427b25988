/**
 * analysis/: what `verify` knows of any folder of Kubernetes manifests, ours or not: the loader
 * (bounded reading), the cluster model (workloads, Services, namespaces), Kubernetes NetworkPolicy
 * and Pod Security semantics, Gateway API attachment, the reachability table, and each mesh's
 * semantics (mesh/: OSM and Istio behind `IMeshModel`).
 *
 * May import: spec/, render/. Never constructs/, engine/ or cli/.
 */
export * from './model';
export { ManifestProblem, LoadManifestsOptions, LoadedManifests, loadManifests, formatManifestProblem } from './manifests';
export { buildClusterModel, LabelSelector, LabelSelectorRequirement } from './cluster';
export { ingressVerdict, egressVerdict, connectionVerdict } from './network-policy';
export { PodSecurityFinding, PodSecurityOptions, PodSecurityConfig, NamespacePodSecurity, evaluatePodSecurity, namespaceLevel, admissionVerdict } from './pod-security';
export { TrafficSource, TrafficDestination, PathVerdict, ExternalProbe, ReachabilityOptions, ReachabilityReport, analyzeReachability } from './reachability';
export { GatewayEntrySource } from './gateway-api';
export * from './mesh/mesh-model';
export { OsmModel, OsmModelProps, OsmMeshSettings } from './mesh/osm-model';
export { IstioModel, IstioModelProps, IstioMeshSettings, IstioPortProtocol, IstioMtlsMode } from './mesh/istio-model';
