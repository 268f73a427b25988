/**
 * constructs/: what a library user composes in a cdk8s Chart. One construct per file, grouped by
 * the platform whose objects they write: kubernetes/ (core kinds), openshift/ (Route and its
 * certificate access), cert-manager/, mesh/ (the mesh provider seam, and one folder per mesh).
 * `SecureApp` composes them from one `AppSpec`; `validateAppSpec` is its prop validation.
 *
 * May import: spec/, render/, analysis/ (a mesh provider hands verify its model). Never engine/ or cli/.
 */
export * from './secure-app';
export { serviceAccountOwner } from './service-account-owner';
export { AppSpecError, SpecContext, validateAppSpec } from './validate-spec';
export { validateClusterSpec } from './validate-cluster-spec';
export * from './kubernetes/secure-deployment';
export * from './kubernetes/app-service';
export * from './kubernetes/app-namespace';
export * from './kubernetes/zero-trust-network-policy';
export * from './kubernetes/nginx-ingress';
export * from './kubernetes/ingress-problems';
export * from './cert-manager/serving-certificate';
export * from './openshift/openshift-route';
export * from './openshift/route-problems';
export * from './openshift/route-certificate-access';
export * from './mesh/mesh-provider';
export { meshIntent } from './mesh/mesh-intent';
export * from './mesh/osm/osm-egress';
export * from './mesh/osm/osm-mesh-config';
export * from './mesh/osm/osm-smi-mesh';
export * from './mesh/osm/osm-ingress-backend';
export * from './mesh/osm/ingress-source-problems';
export * from './mesh/osm/smi-traffic-target';
export * from './mesh/osm/mesh-source-problems';
export * from './mesh/osm/smi-http-route-group';
export * from './mesh/osm/http-match-problems';
export * from './mesh/osm/smi-tcp-route';
export { meshProviderFor } from './mesh/mesh-providers';
export * from './mesh/istio/istio-mesh';
export * from './mesh/istio/istio-authorization-policy';
export * from './mesh/istio/istio-peer-authentication';
export * from './mesh/istio/istio-sidecar';
export * from './mesh/istio/istio-service-entry';
export * from './gateway-api/app-gateway-route';
export * from './gateway-api/gateway-route-problems';
export * from './gateway-api/gateway-http-route';
export * from './gateway-api/gateway-grpc-route';
export * from './gateway-api/gateway-tls-route';
export * from './gateway-api/gateway-backend-tls-policy';
export * from './gateway-api/gateway-reference-grant';
export { GatewayRouteParent, GatewayRouteBackend } from './gateway-api/route-rules';
export * from './mesh/istio/istio-route-gateway';
