/**
 * Gateway API as an entry point (README "Exposing an app"): an app attaches a route to a
 * platform-owned Gateway; the route kind follows the port's protocol. The Gateway itself and its
 * implementation are cluster facts (`gateways` in the Cluster spec).
 */

/** The Gateway (and listener) a route attaches to. */
export interface GatewayParentRef {
  /** The Gateway's name. */
  readonly name: string;
  /** @default - the app's namespace */
  readonly namespace?: string;
  /** The listener name. @default - every listener that allows the route */
  readonly sectionName?: string;
}

/** An HTTP request match (HTTPRoute). */
export interface GatewayHttpMatch {
  /** @default "/" */
  readonly path?: string;
  /** Exact, PathPrefix or RegularExpression. @default "PathPrefix" */
  readonly pathType?: string;
  /** @default - any method */
  readonly method?: string;
  /** Exact header matches. @default - none */
  readonly headers?: { readonly [name: string]: string };
}

/** A gRPC method match (GRPCRoute). */
export interface GatewayGrpcMatch {
  /** The fully qualified service, e.g. "helloworld.Greeter". @default - any service */
  readonly service?: string;
  /** @default - any method */
  readonly method?: string;
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
  /** HTTP matches (HTTPRoute). @default - every request */
  readonly httpMatches?: GatewayHttpMatch[];
  /** gRPC matches (GRPCRoute). @default - every call */
  readonly grpcMatches?: GatewayGrpcMatch[];
  /**
   * Require client certificates at the gateway. The Gateway API sets this per Gateway port
   * (`Gateway.spec.tls.frontend`), which the platform owns: synth warns with the patch, and
   * verify checks the Gateway object when it is in the folder.
   * @default false
   */
  readonly requireClientCertificates?: boolean;
}

/** A platform-owned Gateway the apps may attach to (Cluster spec `gateways`). */
export interface GatewayClusterSpec {
  readonly name: string;
  readonly namespace: string;
  /**
   * Whose data plane runs it: istio, openshift, envoy-gateway, nginx-gateway-fabric. Decides the
   * namespace and labels of the gateway pods (the NetworkPolicy source) and its mesh identity.
   */
  readonly implementation: string;
  /** Envoy Gateway: the pods run in the Gateway's namespace (GatewayNamespace mode). @default false */
  readonly gatewayNamespaceMode?: boolean;
}
