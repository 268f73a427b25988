/**
 * Gateway API as an entry point (README "Exposing an app"): an app attaches a route to a
 * platform-owned Gateway; the route kind follows the port's protocol. The Gateway itself and its
 * implementation are cluster facts (`gateways` in the Cluster spec, resolved to the
 * implementation's profile by spec/profiles/gateways.ts).
 *
 * | port protocol | `tls`       | objects written                                         |
 * |---------------|-------------|---------------------------------------------------------|
 * | http          | -           | HTTPRoute                                               |
 * | grpc          | -           | GRPCRoute (the Service port's appProtocol is `kubernetes.io/h2c`) |
 * | https         | terminate   | HTTPRoute + BackendTLSPolicy (our reencrypt)            |
 * | grpcs         | terminate   | GRPCRoute + BackendTLSPolicy (implementation-specific in Gateway API v1.5) |
 * | https, grpcs  | passthrough | TLSRoute (behind a TLS listener with `mode: Passthrough`) |
 * | tcp, tcp-server-first | -   | refused: TCPRoute is not in the standard channel        |
 *
 * `backendRefs.port` is always the Service port (never the container port); NetworkPolicy and the
 * mesh admit the gateway's pods on the container (target) port, since gateways send to endpoints.
 */

/** The Gateway (and listener) a route attaches to: one of the Cluster spec's `gateways`. */
export interface GatewayParentRef {
  /** The Gateway's name. */
  readonly name: string;
  /** @default - the namespace of the Cluster spec's gateway of that name (when exactly one has it) */
  readonly namespace?: string;
  /** The listener name. @default - every listener that allows the route */
  readonly sectionName?: string;
}

/** An HTTP request match (HTTPRoute). */
export interface GatewayHttpMatch {
  /** Starts with "/"; at most 1024 characters. @default "/" */
  readonly path?: string;
  /** Exact, PathPrefix or RegularExpression. @default "PathPrefix" */
  readonly pathType?: string;
  /** GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE or PATCH. @default - any method */
  readonly method?: string;
  /** Exact header matches (at most 16). @default - none */
  readonly headers?: { readonly [name: string]: string };
}

/** A gRPC method match (GRPCRoute); at least one of service and method. */
export interface GatewayGrpcMatch {
  /** The fully qualified service, e.g. "helloworld.Greeter". @default - any service */
  readonly service?: string;
  /** @default - any method */
  readonly method?: string;
}

/**
 * The CA the gateway verifies the app's certificate with (BackendTLSPolicy
 * `validation.caCertificateRefs`): a ConfigMap in the app's namespace whose key **`ca.crt`**
 * holds it. Exactly one of `configMap` and `file`.
 *
 * The Gateway API reads only `ca.crt`. The OpenShift service CA is published under another key
 * (`service-ca.crt` in every namespace's `openshift-service-ca.crt`, and in any ConfigMap with
 * `service.beta.openshift.io/inject-cabundle`, which replaces all other data), so it cannot be
 * referenced directly: the platform copies it into a ConfigMap with `ca.crt` (e.g. a trust-manager
 * Bundle whose source is `openshift-service-ca.crt`/`service-ca.crt` and whose target key is
 * `ca.crt`), and `configMap` names that copy. With cert-manager, the CA is in the issued Secret's
 * `ca.crt`, but Secrets are not a Core reference: publish it the same way, or give the issuer's CA
 * as a `file`.
 */
export interface GatewayBackendCA {
  /** A ConfigMap in the app's namespace with key `ca.crt`, kept by the platform. @default - none */
  readonly configMap?: string;
  /** A PEM CA file, relative to the spec file: written as ConfigMap `<name>-backend-ca` (key `ca.crt`). @default - none */
  readonly file?: string;
  /** The name the gateway sends as SNI and expects in the app's certificate. @default "<name>.<namespace>.svc" */
  readonly hostname?: string;
}

/** `spec.gateway`: expose the app through a Gateway API route. */
export interface AppGateway {
  readonly parentRef: GatewayParentRef;
  /** Host names the route serves (HTTPRoute/GRPCRoute: at most 16; TLSRoute: 1 to 16, required). @default - the listener's */
  readonly hostnames?: string[];
  /** A name from `spec.ports`. @default - the first port */
  readonly port?: string;
  /**
   * For a port the app serves TLS on (`https`, `grpcs`): `terminate` (the gateway terminates
   * the client's TLS and opens TLS to the app, verified with a BackendTLSPolicy: our reencrypt)
   * or `passthrough` (a TLSRoute behind a Passthrough listener).
   * @default "terminate"
   */
  readonly tls?: string;
  /** With `tls: terminate` on an https/grpcs port: the CA that verifies the app. @default - none (required there) */
  readonly backendCA?: GatewayBackendCA;
  /** HTTP matches (HTTPRoute, at most 64). @default - every request */
  readonly httpMatches?: GatewayHttpMatch[];
  /** gRPC matches (GRPCRoute, at most 64). @default - every call */
  readonly grpcMatches?: GatewayGrpcMatch[];
  /**
   * The namespace the route is written in, when the Gateway admits routes only from some
   * namespaces (its own, `allowedRoutes.namespaces.from: Same`): the route then points across
   * namespaces, and a ReferenceGrant in the app's namespace lets it reach the app's Service.
   * @default - the app's namespace
   */
  readonly routeNamespace?: string;
  /**
   * Require client certificates at the gateway. The Gateway API sets this per Gateway port
   * (`Gateway.spec.tls.frontend`), which the platform owns: synth warns with the patch, and
   * verify checks the Gateway object when it is in the folder.
   * @default false
   */
  readonly requireClientCertificates?: boolean;
}

/**
 * The Gateway API implementations with a profile (spec/profiles/gateways.ts):
 * - `istio`: Istio's Gateway API controller (class `istio`);
 * - `openshift`: the OpenShift Ingress Operator's (class `openshift-default`, an Istio of its own in openshift-ingress);
 * - `envoy-gateway`: Envoy Gateway (proxies in its controller's namespace unless GatewayNamespace mode);
 * - `nginx-gateway-fabric`: NGINX Gateway Fabric.
 */
export type GatewayImplementation = 'istio' | 'openshift' | 'envoy-gateway' | 'nginx-gateway-fabric';

/** A platform-owned Gateway the apps may attach to (Cluster spec `gateways`). */
export interface GatewayClusterSpec {
  readonly name: string;
  /** The Gateway object's namespace. */
  readonly namespace: string;
  /**
   * Whose data plane runs it: istio, openshift, envoy-gateway, nginx-gateway-fabric. Decides the
   * namespace and labels of the gateway pods (the NetworkPolicy source) and its mesh identity.
   */
  readonly implementation: GatewayImplementation;
  /** The Gateway's `gatewayClassName`. @default - the implementation's usual class: istio, openshift-default, eg, nginx */
  readonly className?: string;
  /**
   * The implementation's version, where support came later (OpenShift "4.19" ... "4.23":
   * BackendTLSPolicy from 4.22, TLSRoute from 4.23).
   * @default - the newest profiled
   */
  readonly version?: string;
  /** Envoy Gateway: the pods run in the Gateway's namespace (GatewayNamespace mode). @default false */
  readonly gatewayNamespaceMode?: boolean;
  /** Envoy Gateway: `mergeGateways` (one proxy fleet per class: the pods are labelled by class only). @default false */
  readonly mergeGateways?: boolean;
  /** Where the gateway pods run, when not where the profile says (e.g. Envoy Gateway installed elsewhere). @default - the profile's */
  readonly podNamespace?: string;
  /** The gateway pods' labels, for hand-deployed or customized gateways. @default - the profile's */
  readonly podLabels?: { readonly [key: string]: string };
  /** The Service whose endpoints are the gateway pods (OSM admits it). @default - the profile's */
  readonly serviceName?: string;
  /** The gateway pods' ServiceAccount (their mesh identity). @default - the profile's */
  readonly serviceAccount?: string;
}
