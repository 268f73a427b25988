import type { ApiObject } from 'cdk8s';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import { fastRendering } from '../../render/fast-render';
import type { ClusterContext } from '../../spec/cluster-context';
import type { AppGateway } from '../../spec/gateway-spec';
import { ResolvedPort, servesTls } from '../../spec/ports';
import { Problem, Problems, throwIfProblems } from '../../spec/problems';
import { ResolvedGateway, findGateway, resolveGateway } from '../../spec/profiles/gateways';
import type { PodPeerFact } from '../../spec/profiles/platform-profile';
import { dns1123Label } from '../../spec/rules';
import { GatewayBackendTlsPolicy } from './gateway-backend-tls-policy';
import { GatewayGrpcRoute } from './gateway-grpc-route';
import { GatewayHttpRoute } from './gateway-http-route';
import { GatewayReferenceGrant } from './gateway-reference-grant';
import { GatewayMeshEntry, gatewayMeshEntry, gatewayProblems, gatewayRouteKind } from './gateway-route-problems';
import { GatewayTlsRoute } from './gateway-tls-route';

/** The generated class, rendering without the generic resolve pass (see fast-render.ts). */
const KubeConfigMap = fastRendering(k8s.KubeConfigMap, { alphabeticalConverter: true });

export interface AppGatewayRouteProps {
  /** The app's name: its Service's name too. */
  readonly app: string;
  readonly namespace: string;
  /** @default - none */
  readonly labels?: { readonly [key: string]: string };
  /** @default - none */
  readonly annotations?: { readonly [key: string]: string };
  /** The app's ports (Service port, container port, protocol). */
  readonly ports: ResolvedPort[];
  /** The app's `spec.gateway`. */
  readonly gateway: AppGateway;
  /** The cluster, with the Gateways apps may attach to (`gateways`). */
  readonly cluster: ClusterContext;
  /** The app is meshed (`spec.mesh`). @default false */
  readonly meshed?: boolean;
  /** The mesh provider's name (osm, istio). @default - the Cluster spec's mesh provider, else "osm" */
  readonly meshProvider?: string;
  /** The PEM text of `gateway.backendCA.file` (read by the caller). @default - none */
  readonly backendCaCertificate?: string;
}

/**
 * An app's Gateway API entry, from its `spec.gateway`: the route its port's protocol needs
 * (HTTPRoute, GRPCRoute or TLSRoute, `backendRefs.port` = the Service port), a BackendTLSPolicy
 * (and the CA ConfigMap, when given as a file) when the gateway opens TLS to the app, and a
 * ReferenceGrant when the route lives in another namespace. It tells the app what else to admit:
 * `gatewayPeer` (the gateway's pods, from the implementation's profile) on `targetPort` for the
 * NetworkPolicy, and `meshEntry` for the mesh.
 *
 * Throws listing every problem of `gatewayProblems` (warnings are in `warnings`).
 */
export class AppGatewayRoute extends Construct {
  /** HTTPRoute, GRPCRoute or TLSRoute. */
  public readonly kind: string;
  /** The route object. */
  public readonly route: ApiObject;
  /** @default - the route is not an HTTPRoute */
  public readonly httpRoute?: GatewayHttpRoute;
  /** @default - the route is not a GRPCRoute */
  public readonly grpcRoute?: GatewayGrpcRoute;
  /** @default - the route is not a TLSRoute */
  public readonly tlsRoute?: GatewayTlsRoute;
  /** @default - the gateway speaks plain HTTP/h2c to the app, or passes TLS through */
  public readonly backendTlsPolicy?: GatewayBackendTlsPolicy;
  /** The CA ConfigMap written from `backendCA.file`. @default - none */
  public readonly caConfigMap?: k8s.KubeConfigMap;
  /** @default - the route is in the app's namespace */
  public readonly referenceGrant?: GatewayReferenceGrant;
  /** The app's port the gateway reaches. */
  public readonly port: ResolvedPort;
  /** The container port NetworkPolicy and the mesh must admit the gateway on (gateways send to endpoints). */
  public readonly targetPort: number;
  /** The Gateway as its implementation runs it. */
  public readonly resolvedGateway: ResolvedGateway;
  /** The gateway's pods as a NetworkPolicy peer. */
  public readonly gatewayPeer: PodPeerFact;
  /** What the gateway sends the app: http (plain HTTP or h2c) or https (its own TLS, or the client's passed through). */
  public readonly transport: string;
  /** The mesh entry for a meshed app's port. @default - the app is not meshed, or the port bypasses the mesh */
  public readonly meshEntry?: GatewayMeshEntry;
  /** Warnings (client certificates to be set by the Gateway's owner, implementation-specific support). */
  public readonly warnings: Problem[];

  constructor(scope: Construct, id: string, props: AppGatewayRouteProps) {
    super(scope, id);
    const all = gatewayProblems({
      app: props.app, namespace: props.namespace, ports: props.ports, gateway: props.gateway, cluster: props.cluster,
      meshed: props.meshed, meshProvider: props.meshProvider,
    });
    const errors = all.filter((p) => !p.warning);
    const problems = new Problems();
    problems.add('app', dns1123Label(props.app));
    problems.add('namespace', dns1123Label(props.namespace));
    problems.nest('', errors);
    if (props.gateway.backendCA?.file !== undefined && props.backendCaCertificate === undefined) {
      problems.add('backendCaCertificate', 'gateway.backendCA.file is set: pass the file\'s PEM text as backendCaCertificate');
    }
    throwIfProblems(`gateway route for ${JSON.stringify(props.app)}`, problems.list);
    this.warnings = all.filter((p) => p.warning);

    const g = props.gateway;
    const spec = findGateway(props.cluster.spec.gateways, g.parentRef.name, g.parentRef.namespace)!;
    const gw = resolveGateway(spec);
    const port = props.ports.find((p) => p.name === (g.port ?? props.ports[0].name))!;
    const kind = gatewayRouteKind(port, g.tls)!;
    const routeNamespace = g.routeNamespace ?? props.namespace;
    const crossNamespace = routeNamespace !== props.namespace;
    const routeName = crossNamespace ? `${props.namespace}-${props.app}` : props.app;
    const common = {
      name: routeName,
      namespace: routeNamespace,
      labels: props.labels,
      annotations: props.annotations,
      parents: [{ name: gw.name, namespace: gw.namespace, sectionName: g.parentRef.sectionName }],
      hostnames: g.hostnames,
      backend: { name: props.app, namespace: crossNamespace ? props.namespace : undefined, port: port.port },
    };
    this.kind = kind;
    this.port = port;
    this.targetPort = port.targetPort;
    this.resolvedGateway = gw;
    this.gatewayPeer = gw.peer;
    if (kind === 'TLSRoute') {
      this.tlsRoute = new GatewayTlsRoute(this, 'TlsRoute', { ...common, hostnames: g.hostnames ?? [] });
      this.route = this.tlsRoute.resource;
    } else if (kind === 'GRPCRoute') {
      this.grpcRoute = new GatewayGrpcRoute(this, 'GrpcRoute', { ...common, matches: g.grpcMatches });
      this.route = this.grpcRoute.resource;
    } else {
      this.httpRoute = new GatewayHttpRoute(this, 'HttpRoute', { ...common, matches: g.httpMatches });
      this.route = this.httpRoute.resource;
    }

    const backendTls = kind !== 'TLSRoute' && servesTls(port.protocol);
    if (backendTls) {
      const ca = g.backendCA!;
      let configMap = ca.configMap;
      if (ca.file !== undefined) {
        configMap = `${props.app}-backend-ca`;
        this.caConfigMap = new KubeConfigMap(this, 'BackendCA', {
          metadata: { name: configMap, namespace: props.namespace, labels: props.labels ? { ...props.labels } : undefined, annotations: props.annotations ? { ...props.annotations } : undefined },
          data: { 'ca.crt': props.backendCaCertificate! },
        });
      }
      this.backendTlsPolicy = new GatewayBackendTlsPolicy(this, 'BackendTlsPolicy', {
        name: `${props.app}-${port.name}`,
        namespace: props.namespace,
        labels: props.labels,
        annotations: props.annotations,
        serviceName: props.app,
        servicePortName: port.name,
        caConfigMaps: [configMap!],
        hostname: ca.hostname ?? `${props.app}.${props.namespace}.svc`,
      });
    }
    this.transport = kind === 'TLSRoute' || backendTls ? 'https' : 'http';

    if (crossNamespace) {
      this.referenceGrant = new GatewayReferenceGrant(this, 'ReferenceGrant', {
        name: `${props.app}-from-${routeNamespace}`,
        namespace: props.namespace,
        labels: props.labels,
        annotations: props.annotations,
        from: [{ kind, namespace: routeNamespace }],
        toServices: [props.app],
      });
    }

    this.meshEntry = props.meshed ? gatewayMeshEntry(g, props.ports, props.cluster) : undefined;
  }
}
