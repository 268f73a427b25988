import { Construct } from 'constructs';
import type { ClusterContext } from '../../../spec/cluster-context';
import type { ResolvedPort } from '../../../spec/ports';
import { ResolvedRouteGateway, resolveRouteGateway } from '../../../spec/profiles/istio';
import type { PodPeerFact } from '../../../spec/profiles/platform-profile';
import { GatewayHttpRoute } from '../../gateway-api/gateway-http-route';

/**
 * The route gateway an app's `spec.route` goes through under Istio: the Cluster spec's
 * `mesh.routeGateway`, when the mesh is Istio, the app is meshed and the route's port is one the
 * sidecar intercepts (the OpenShift router has no mesh identity, so it cannot reach such a port
 * under STRICT mTLS). Undefined otherwise: the Route goes to the app as usual.
 */
export function routeGatewayFor(cluster: ClusterContext, meshed: boolean, port: ResolvedPort | undefined): ResolvedRouteGateway | undefined {
  if (!meshed || !port || port.bypassMesh) return undefined;
  return resolveRouteGateway(cluster.spec);
}

export interface IstioRouteGatewayEntryProps {
  /** The app's name: its Service's name too. */
  readonly app: string;
  /** The app's namespace. */
  readonly namespace: string;
  /** @default - none */
  readonly labels?: { readonly [key: string]: string };
  /** @default - none */
  readonly annotations?: { readonly [key: string]: string };
  /** The app's port the route targets. */
  readonly port: ResolvedPort;
  /** The gateway (`resolveRouteGateway`). */
  readonly routeGateway: ResolvedRouteGateway;
  /** The Route's host. @default - every host of the listener */
  readonly host?: string;
  /** The Route's wildcard policy ("Subdomain": every host of the host's parent domain). @default "None" */
  readonly wildcardPolicy?: string;
  /** The Route's path (a prefix). @default "/" */
  readonly path?: string;
}

/**
 * Istio's half of an OpenShift Route into a meshed app (the facts note's "gateway + Route",
 * pattern B): the router reaches an Istio gateway of the mesh (a Gateway API Gateway of class
 * istio, whose pods istiod deploys with a sidecar and the gateway's ServiceAccount), and the
 * gateway reaches the app with Istio mTLS under its own principal. This construct writes the
 * HTTPRoute from the gateway's listener to the app's Service port (host and path as the Route's),
 * and tells the caller where the Route goes (`routeNamespace`, `routeServiceName`,
 * `routeTargetPort`: the gateway's Service, in the gateway's namespace, port named after the
 * listener) and whom the app admits (`gatewayPeer` for NetworkPolicy, `principal` for the
 * AuthorizationPolicy, which IstioMesh writes).
 */
export class IstioRouteGatewayEntry extends Construct {
  /** The HTTPRoute from the gateway's listener to the app. */
  public readonly httpRoute: GatewayHttpRoute;
  /** The namespace the Route is written in: the gateway Service's. */
  public readonly routeNamespace: string;
  /** The Route's name there: `<app>-<namespace>` (apps of several namespaces share the gateway's). */
  public readonly routeName: string;
  /** The Service the Route targets: the gateway's. */
  public readonly routeServiceName: string;
  /** The Service port the Route targets (named after the listener). */
  public readonly routeTargetPort: string;
  /** The gateway's pods as a NetworkPolicy peer (admitted on the app's target port instead of the router). */
  public readonly gatewayPeer: PodPeerFact;
  /** The gateway pods' Istio principal. */
  public readonly principal: string;

  constructor(scope: Construct, id: string, props: IstioRouteGatewayEntryProps) {
    super(scope, id);
    const rg = props.routeGateway;
    const gw = rg.gateway;
    const host = props.host === undefined ? undefined
      : props.wildcardPolicy === 'Subdomain' ? `*.${props.host.split('.').slice(1).join('.')}` : props.host;
    this.httpRoute = new GatewayHttpRoute(this, 'HttpRoute', {
      name: `${props.app}-route`,
      namespace: props.namespace,
      labels: props.labels,
      annotations: props.annotations,
      parents: [{ name: gw.name, namespace: gw.namespace, sectionName: rg.sectionName }],
      hostnames: host ? [host] : undefined,
      matches: props.path !== undefined ? [{ path: props.path, pathType: 'PathPrefix' }] : undefined,
      backend: { name: props.app, port: props.port.port },
    });
    this.routeNamespace = gw.podNamespace;
    this.routeName = `${props.app}-${props.namespace}`;
    this.routeServiceName = gw.serviceName;
    this.routeTargetPort = rg.servicePort;
    this.gatewayPeer = gw.peer;
    this.principal = rg.principal;
  }
}
