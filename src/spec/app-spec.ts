
/**
 * The app spec: the user-facing contract (see the README's spec reference).
 *
 * The TypeScript types below and the YAML form are the same shape. One YAML document
 * (`apiVersion: cdk8s-zerotrust/v1alpha1`, `kind: App`) holds one `AppSpec`.
 */

import type { AppGateway } from './gateway-spec';

/** The apiVersion every YAML app document carries. */
export const APP_SPEC_API_VERSION = 'cdk8s-zerotrust/v1alpha1';
/** The kind every YAML app document carries. */
export const APP_SPEC_KIND = 'App';

/** A complete app document. */
export interface AppSpec {
  /** @default "cdk8s-zerotrust/v1alpha1" */
  readonly apiVersion?: string;
  /** @default "App" */
  readonly kind?: string;
  readonly metadata: AppMetadata;
  readonly spec: AppSpecBody;
}

export interface AppMetadata {
  /** DNS-1123 label (and DNS-1035 for the Service): names the Deployment, Service, ServiceAccount and Route. */
  readonly name: string;
  /** @default "default" */
  readonly namespace?: string;
  /**
   * Labels propagated to every object.
   * @default - no extra labels
   */
  readonly labels?: { readonly [key: string]: string };
  /**
   * Annotations propagated to every object (for example Argo CD sync options).
   * @default - no extra annotations
   */
  readonly annotations?: { readonly [key: string]: string };
}

/**
 * What the pod speaks on a port (README "Protocol model"). It decides the Service `appProtocol`
 * (a mesh's own values when the app is meshed), which Route terminations, ingress-nginx
 * `backend-protocol` values and mesh rules are possible:
 * - `http`: cleartext HTTP/1.1; HTTP-level mesh rules (methods, paths) are enforced.
 * - `https`: the pod terminates TLS and speaks HTTP inside; a sidecar sees only TLS bytes.
 * - `grpc`: cleartext gRPC (HTTP/2 without TLS, h2c); HTTP-level mesh rules are enforced.
 * - `grpcs`: the pod terminates TLS and speaks gRPC inside (gRPC with mutual TLS).
 * - `tcp`: opaque TCP, the client speaks first.
 * - `tcp-server-first`: opaque TCP where the server speaks first (MySQL, SMTP, ...).
 */
export type PortProtocol = 'http' | 'https' | 'grpc' | 'grpcs' | 'tcp' | 'tcp-server-first';

export interface AppPort {
  /** IANA service name: lowercase alphanumerics and '-', at most 15 characters, at least one letter. */
  readonly name: string;
  /** The Service port. */
  readonly port: number;
  /**
   * The container port.
   * @default - the same as `port`
   */
  readonly targetPort?: number;
  /** @default "http" */
  readonly protocol?: PortProtocol;
  /**
   * Keep this port out of the mesh sidecar (OSM: the pod's inbound-port-exclusion-list): traffic
   * to it reaches the app directly, so the mesh neither sees nor governs it; NetworkPolicy and
   * the app's own TLS protect it. The way to put a reencrypt or passthrough Route (or any TLS the
   * app terminates itself) in front of a meshed app. Meshed callers are refused on such a port.
   * @default false
   */
  readonly bypassMesh?: boolean;
}

export type TlsSource = 'serviceCA' | 'certManager' | 'secret';

export interface IssuerRef {
  readonly name: string;
  /** @default "Issuer" */
  readonly kind?: 'Issuer' | 'ClusterIssuer';
  /** @default "cert-manager.io" */
  readonly group?: string;
}

/** The pod's own serving certificate. */
export interface AppTls {
  readonly source: TlsSource;
  /** @default "<name>-tls" */
  readonly secretName?: string;
  /**
   * cert-manager issuer; required with `source: certManager`, not allowed otherwise.
   * @default - none
   */
  readonly issuer?: IssuerRef;
  /** @default "/etc/tls" */
  readonly mountPath?: string;
}

export type RouteTermination = 'edge' | 'reencrypt' | 'passthrough' | 'none';
export type InsecureEdgeTerminationPolicy = 'None' | 'Allow' | 'Redirect';

export interface InlineCertificate {
  /** PEM certificate file, relative to the spec file. */
  readonly certificateFile: string;
  /** PEM private key file, relative to the spec file. */
  readonly keyFile: string;
  /**
   * PEM CA chain file, relative to the spec file.
   * @default - none
   */
  readonly caCertificateFile?: string;
}

/** cert-manager issuing a Route's certificate (its openshift-routes controller). */
export interface RouteCertManager {
  readonly issuer: IssuerRef;
}

/** A PEM CA file, relative to the spec file. */
export interface CaFile {
  readonly file: string;
}

/** The certificate the router presents (edge and reencrypt). */
export interface RouteCertificate {
  /**
   * A kubernetes.io/tls Secret in the app namespace: becomes `spec.tls.externalCertificate`
   * (no key material in the output).
   * @default - none
   */
  readonly secretName?: string;
  /**
   * Ask cert-manager's openshift-routes controller to issue the certificate.
   * @default - none
   */
  readonly certManager?: RouteCertManager;
  /**
   * Certificate and key inline in the Route: puts a private key into the output, so it is
   * refused unless `allowInlineKeys: true`.
   * @default - none
   */
  readonly inline?: InlineCertificate;
  /** @default false */
  readonly allowInlineKeys?: boolean;
}

export interface HstsPolicy {
  /** Seconds. */
  readonly maxAge: number;
  /** @default false */
  readonly includeSubDomains?: boolean;
  /** @default false */
  readonly preload?: boolean;
}

export interface AlternateBackend {
  /** Service name. */
  readonly name: string;
  /** 0-256. */
  readonly weight: number;
}

export interface AppRoute {
  /**
   * @default - the router generates one
   */
  readonly host?: string;
  /**
   * Path prefix; not allowed with passthrough.
   * @default - none (all paths)
   */
  readonly path?: string;
  /**
   * A name from `spec.ports`.
   * @default - the first port
   */
  readonly port?: string;
  /** @default "edge" */
  readonly termination?: RouteTermination;
  /** @default "Redirect" */
  readonly insecureEdgeTerminationPolicy?: InsecureEdgeTerminationPolicy;
  /**
   * @default - the router's default certificate
   */
  readonly certificate?: RouteCertificate;
  /**
   * reencrypt only: the CA the router trusts for the pod's certificate.
   * `serviceCA` lets the router use the OpenShift service CA.
   * @default "serviceCA"
   */
  readonly destinationCA?: 'serviceCA' | CaFile;
  /** @default "None" */
  readonly wildcardPolicy?: 'None' | 'Subdomain';
  /**
   * Router timeout annotation, e.g. "30s".
   * @default - the router default
   */
  readonly timeout?: string;
  /** @default - no HSTS header */
  readonly hsts?: HstsPolicy;
  /** @default - all sources */
  readonly allowedSourceRanges?: string[];
  /** Weight of the app's own Service, 0-256. @default 100 */
  readonly weight?: number;
  /** @default - none */
  readonly alternateBackends?: AlternateBackend[];
  /**
   * Labels that select a router shard.
   * @default - none
   */
  readonly shardLabels?: { readonly [key: string]: string };
}

export interface AppIngress {
  /** @default - the cluster default IngressClass */
  readonly className?: string;
  /** Namespace of the ingress controller's pods, admitted by the NetworkPolicy. @default "ingress-nginx" */
  readonly controllerNamespace?: string;
  readonly host: string;
  /** @default "/" */
  readonly path?: string;
  /** A name from `spec.ports`. @default - the first port */
  readonly port?: string;
  /**
   * TLS Secret for the host.
   * @default - none
   */
  readonly tlsSecretName?: string;
  /**
   * Backend TLS from the controller to the app (through the mesh).
   * @default - plain backend protocol of the port
   */
  readonly backendTls?: IngressBackendTlsSpec;
  /**
   * Client-certificate verification at the controller (ingress-nginx `auth-tls-*`): only clients
   * with a certificate from this CA reach the app.
   * @default - no client certificates asked for
   */
  readonly clientAuth?: IngressClientAuth;
}

/** TLS from the ingress controller to the app (or to its mesh sidecar). */
export interface IngressBackendTlsSpec {
  /**
   * "namespace/name" of the Secret ingress-nginx uses towards the backend (`proxy-ssl-secret`):
   * `ca.crt` verifies the backend's certificate, `tls.crt`/`tls.key` are the client certificate
   * the controller presents.
   * @default - the mesh's ingress gateway certificate from the Cluster spec (meshed apps); required otherwise
   */
  readonly clientCertSecret?: string;
  /** Verify the backend's certificate. @default true */
  readonly verify?: boolean;
  /**
   * The name the controller expects in the backend's certificate.
   * @default - meshed: the mesh identity "<serviceAccount>.<namespace>.cluster.local"; otherwise the Service DNS name "<name>.<namespace>.svc"
   */
  readonly serverName?: string;
}

/** Client-certificate verification at ingress-nginx. */
export interface IngressClientAuth {
  /** "namespace/name" of a Secret with `ca.crt`: the CA client certificates must chain to. */
  readonly caSecret: string;
  /** on (required), optional, optional_no_ca. @default "on" */
  readonly verify?: 'on' | 'optional' | 'optional_no_ca';
  /** Maximum chain depth. @default 1 */
  readonly depth?: number;
  /** Pass the client certificate to the app in the ssl-client-cert header. @default false */
  readonly passCertificateToUpstream?: boolean;
}

/** A caller in the mesh, by its identity (ServiceAccount and namespace). */
export interface MeshSource {
  readonly serviceAccount: string;
  readonly namespace: string;
}

/** The SMI HTTP method enum (case-sensitive). */
export type HttpMethod = '*' | 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE' | 'CONNECT' | 'OPTIONS' | 'TRACE' | 'PATCH';

export interface HttpMatch {
  /** Unique within its rule. */
  readonly name: string;
  /** @default ".*" */
  readonly pathRegex?: string;
  /** @default ["*"] */
  readonly methods?: HttpMethod[];
  /** @default - no header match */
  readonly headers?: { readonly [key: string]: string };
}

export interface MeshAllow {
  /**
   * Name of the TrafficTarget (and its route group).
   * @default "<app>-<first source service account>"
   */
  readonly name?: string;
  readonly from: MeshSource[];
  /**
   * Names from `spec.ports` the callers may reach.
   * @default - every port the mesh governs (not `bypassMesh` ones)
   */
  readonly ports?: string[];
  /**
   * HTTP matches, enforced on `http` and `grpc` ports only (where the sidecar sees requests);
   * a rule with matches may not cover a port whose traffic the sidecar cannot read (`https`,
   * `grpcs`, `tcp`): narrow it with `ports`. Omitted: every request, and any TCP stream.
   * @default - everything
   */
  readonly http?: HttpMatch[];
}

/** A Service in a namespace. */
export interface ServiceRef {
  readonly name: string;
  readonly namespace: string;
}

/** A source outside the mesh: exactly one of service, principal or ipRange. */
export interface MeshIngressSource {
  /** A Service whose endpoints (the source pods) are admitted. @default - none */
  readonly service?: ServiceRef;
  /** @default - none */
  readonly principal?: string;
  /** @default - none */
  readonly ipRange?: string;
}

export interface MeshIngress {
  /** A name from `spec.ports`. @default - the first port */
  readonly port?: string;
  readonly from: MeshIngressSource[];
  /**
   * https backend with client certificate validation; needs a `principal` source.
   * @default false
   */
  readonly mtls?: boolean;
}

export interface AppMesh {
  /**
   * Meshed callers: who may call this app, on which ports, with which requests.
   * @default - no meshed caller
   */
  readonly allow?: MeshAllow[];
  /**
   * Sources outside the mesh beyond this app's own Route and Ingress (those are admitted into
   * the mesh automatically, on exactly their port).
   * @default - none
   */
  readonly ingress?: MeshIngress;
}

/*
 * Probes and resources are written as in a Kubernetes container (core/v1 Probe and
 * ResourceRequirements). The types are declared here rather than imported from
 * @kubernetes/client-node, whose typings pull in its HTTP and WebSocket clients and do not compile
 * in a default cdk8s TypeScript app; test/app-spec.test.ts checks that they have the fields of
 * client-node's V1Probe and V1ResourceRequirements.
 */

/** A command run in the container; exit status 0 is healthy. */
export interface AppExecAction {
  /** @default - none */
  readonly command?: string[];
}

/** A gRPC health check (grpc.health.v1). */
export interface AppGrpcAction {
  /** Port number of the gRPC service. */
  readonly port: number;
  /** The service name in the HealthCheckRequest. @default - the server's overall health */
  readonly service?: string;
}

/** A header of an HTTP probe. */
export interface AppHttpHeader {
  readonly name: string;
  readonly value: string;
}

/** An HTTP GET; a status from 200 to 399 is healthy. */
export interface AppHttpGetAction {
  /** A port number or a port name from `ports`. */
  readonly port: number | string;
  /** @default "/" */
  readonly path?: string;
  /** HTTP or HTTPS. @default "HTTP" */
  readonly scheme?: string;
  /** @default - the pod IP */
  readonly host?: string;
  /** @default - none */
  readonly httpHeaders?: AppHttpHeader[];
}

/** A TCP connection; healthy when it opens. */
export interface AppTcpSocketAction {
  /** A port number or a port name from `ports`. */
  readonly port: number | string;
  /** @default - the pod IP */
  readonly host?: string;
}

/** A container probe, as in a Kubernetes container (one of exec, grpc, httpGet, tcpSocket). */
export interface AppProbe {
  /** @default - no command check */
  readonly exec?: AppExecAction;
  /** @default - no gRPC check */
  readonly grpc?: AppGrpcAction;
  /** @default - no HTTP check */
  readonly httpGet?: AppHttpGetAction;
  /** @default - no TCP check */
  readonly tcpSocket?: AppTcpSocketAction;
  /** @default 0 */
  readonly initialDelaySeconds?: number;
  /** @default 10 */
  readonly periodSeconds?: number;
  /** @default 1 */
  readonly timeoutSeconds?: number;
  /** Must be 1 for liveness and startup probes. @default 1 */
  readonly successThreshold?: number;
  /** @default 3 */
  readonly failureThreshold?: number;
  /** @default - the pod's terminationGracePeriodSeconds */
  readonly terminationGracePeriodSeconds?: number;
}

/** Container requests and limits, as quantities ("100m", "128Mi"). */
export interface AppResources {
  /** @default - none */
  readonly requests?: { readonly [resource: string]: string };
  /** @default - none */
  readonly limits?: { readonly [resource: string]: string };
}

export interface AppProbes {
  /** @default - a TCP check of the first port */
  readonly readiness?: AppProbe;
  /** @default - the readiness check with a longer delay and period */
  readonly liveness?: AppProbe;
  /** @default - none */
  readonly startup?: AppProbe;
}

/** `spec` of an app document. */
export interface AppSpecBody {
  /** Image with a pinned tag or digest (not "latest"). */
  readonly image: string;
  /** @default 2 */
  readonly replicas?: number;
  /**
   * A HorizontalPodAutoscaler (not written by us) owns the replica count: the Deployment has no
   * `replicas`, so a GitOps sync never resets what the autoscaler chose.
   * @default false
   */
  readonly autoscaled?: boolean;
  /** The mesh identity. @default - metadata.name */
  readonly serviceAccount?: string;
  /** @default - the image entrypoint */
  readonly command?: string[];
  /** @default - the image command */
  readonly args?: string[];
  /** @default - none */
  readonly env?: { readonly [name: string]: string };
  /** @default - requests cpu 100m, memory 128Mi; limits memory 256Mi */
  readonly resources?: AppResources;
  /** @default - see AppProbes */
  readonly probes?: AppProbes;
  /**
   * What the app listens on. A pure client (it only calls others) has none: no Service is written.
   * @default - none
   */
  readonly ports?: AppPort[];
  /** @default - no serving certificate */
  readonly tls?: AppTls;
  /** @default - not exposed outside the cluster */
  readonly route?: AppRoute;
  /** @default - no Ingress */
  readonly ingress?: AppIngress;
  /** A Gateway API route to a platform-owned Gateway. @default - no Gateway API route */
  readonly gateway?: AppGateway;
  /** @default - no mesh objects */
  readonly mesh?: AppMesh;
  /**
   * In-cluster callers outside any mesh (apps, namespaces, address ranges), admitted by
   * NetworkPolicy on the named ports. Meshed apps admit callers with `mesh.allow` (meshed
   * callers) and `mesh.ingress` (callers outside the mesh) instead.
   * @default - none
   */
  readonly allow?: AppAllow[];
  /**
   * Where the app may open connections besides DNS and the apps that admit it (derived from
   * their specs): external destinations, the Kubernetes API, or no restriction at all.
   * @default - DNS, the apps that admit this one and, when meshed, the mesh control plane
   */
  readonly egress?: AppEgress;
  /** Deny by default and allow only what the spec declares. @default true */
  readonly networkPolicy?: boolean;
  /**
   * This app owns its namespace: a Namespace is written with Pod Security "restricted" labels and,
   * with `mesh`, the mesh's labels (OSM: monitored-by and sidecar injection). One app per namespace.
   * @default false
   */
  readonly ownsNamespace?: boolean;
  /**
   * Per-environment overrides, deep-merged over `spec` by `--env NAME`.
   * @default - none
   */
  readonly environments?: { readonly [env: string]: AppSpecOverride };
}

/** A caller outside the mesh: exactly one of `app`, `namespace` (all its pods) or `ipRange`. */
export interface AllowedCaller {
  /** An app's pods (by its `app.kubernetes.io/name` label). @default - not an app */
  readonly app?: string;
  /** With `app`: the app's namespace; alone: every pod in that namespace. @default - this app's namespace (with `app`) */
  readonly namespace?: string;
  /** A CIDR outside the pod network. @default - not an address range */
  readonly ipRange?: string;
}

/** Callers admitted on some ports, without a mesh. */
export interface AppAllow {
  readonly from: AllowedCaller[];
  /** Names from `spec.ports`. @default - every port */
  readonly ports?: string[];
}

/** Egress: what an app may connect to (README "Egress"). */
export interface AppEgress {
  /** Destinations outside the cluster. @default - none */
  readonly to?: EgressDestination[];
  /** The Kubernetes API server (address and port from the Cluster spec's platform). @default false */
  readonly kubernetesApi?: boolean;
  /**
   * No egress restriction at all (no egress NetworkPolicy, mesh egress not narrowed). Loud: the
   * objects carry the annotation `cdk8s-zerotrust.io/egress: unrestricted` and synth warns.
   * @default false
   */
  readonly unrestricted?: boolean;
}

/** An external destination. NetworkPolicy enforces `ipRanges`; a mesh can enforce `hosts`. */
export interface EgressDestination {
  /** Names the destination's objects (`<app>-<name>`). */
  readonly name: string;
  /** CIDRs. @default - none (then `hosts` is required and the app must be meshed) */
  readonly ipRanges?: string[];
  /** DNS names (Host header for http, SNI for https), enforced by the mesh. @default - none */
  readonly hosts?: string[];
  readonly ports: EgressPort[];
}

/** A port of an external destination. */
export interface EgressPort {
  readonly port: number;
  /** http, https, tcp, tcp-server-first. @default "tcp" */
  readonly protocol?: 'http' | 'https' | 'tcp' | 'tcp-server-first';
}

/** A partial `spec`, deep-merged over it (arrays are replaced, not merged). */
export type AppSpecOverride = { readonly [field: string]: unknown };
