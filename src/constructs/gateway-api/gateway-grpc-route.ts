import type { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as gw from '../../../imports/grpcroute-gateway.networking.k8s.io';
import { fastRendering } from '../../render/fast-render';
import type { GatewayGrpcMatch } from '../../spec/gateway-spec';
import { Problems, throwIfProblems } from '../../spec/problems';
import { dns1123Label, dns1123Subdomain } from '../../spec/rules';
import { GatewayRouteBackend, GatewayRouteParent, backendProblems, grpcMatchProblems, hostnameProblems, parentProblems } from './route-rules';

/** The generated class, rendering without the generic resolve pass (see fast-render.ts). */
const GrpcRoute = fastRendering(gw.GrpcRoute, { alphabeticalConverter: true });

export interface GatewayGrpcRouteProps {
  readonly name: string;
  readonly namespace: string;
  /** @default - none */
  readonly labels?: { readonly [key: string]: string };
  /** @default - none */
  readonly annotations?: { readonly [key: string]: string };
  /** The Gateways (and listeners) the route attaches to. */
  readonly parents: GatewayRouteParent[];
  /** At most 16. @default - every hostname of the listener */
  readonly hostnames?: string[];
  /** At most 64, in one rule. @default - every call */
  readonly matches?: GatewayGrpcMatch[];
  /**
   * The Service and Service port the calls go to. The gateway speaks HTTP/2 to it: h2c when the
   * Service port's appProtocol is `kubernetes.io/h2c`, h2 over TLS with a BackendTLSPolicy.
   */
  readonly backend: GatewayRouteBackend;
}

/**
 * A gateway.networking.k8s.io/v1 GRPCRoute with one rule: exact gRPC service/method matches and
 * one backendRef to a Service port. gRPC goes through a GRPCRoute rather than an HTTPRoute:
 * implementations pick HTTP/2 for it, and matches name services and methods.
 */
export class GatewayGrpcRoute extends Construct {
  /** The generated GRPCRoute object. */
  /** The generated object (escape hatch: `addJsonPatch`). */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: GatewayGrpcRouteProps) {
    super(scope, id);
    const problems = new Problems();
    problems.add('name', dns1123Subdomain(props.name));
    problems.add('namespace', dns1123Label(props.namespace));
    problems.nest('', parentProblems(props.parents));
    problems.nest('', hostnameProblems(props.hostnames, false));
    problems.nest('', grpcMatchProblems(props.matches));
    problems.nest('', backendProblems(props.backend));
    throwIfProblems(`grpc route ${JSON.stringify(props.name)}`, problems.list);

    const matches = (props.matches ?? []).map((m): gw.GrpcRouteSpecRulesMatches => ({
      method: { type: gw.GrpcRouteSpecRulesMatchesMethodType.EXACT, service: m.service, method: m.method },
    }));
    this.resource = new GrpcRoute(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels, annotations: props.annotations },
      spec: {
        parentRefs: props.parents.map((p) => ({ name: p.name, namespace: p.namespace, sectionName: p.sectionName })),
        hostnames: props.hostnames?.length ? [...props.hostnames] : undefined,
        rules: [{
          matches: matches.length ? matches : undefined,
          backendRefs: [{ name: props.backend.name, namespace: props.backend.namespace, port: props.backend.port }],
        }],
      },
    });
  }
}
