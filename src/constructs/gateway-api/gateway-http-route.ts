import type { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as gw from '../../../imports/gateway.networking.k8s.io';
import { fastRendering } from '../../render/fast-render';
import type { GatewayHttpMatch } from '../../spec/gateway-spec';
import { Problems, throwIfProblems } from '../../spec/problems';
import { dns1123Label, dns1123Subdomain } from '../../spec/rules';
import { GatewayRouteBackend, GatewayRouteParent, backendProblems, hostnameProblems, httpMatchProblems, parentProblems } from './route-rules';

/** The generated class, rendering without the generic resolve pass (see fast-render.ts). */
const HttpRoute = fastRendering(gw.HttpRoute, { alphabeticalConverter: true });

export interface GatewayHttpRouteProps {
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
  /** At most 64, in one rule. @default - every request (the CRD's default: PathPrefix "/") */
  readonly matches?: GatewayHttpMatch[];
  /** The Service and Service port the requests go to. */
  readonly backend: GatewayRouteBackend;
}

/**
 * A gateway.networking.k8s.io/v1 HTTPRoute with one rule: the matches (path, method, exact
 * headers) and one backendRef to a Service port. The Gateway API's limits are checked up front
 * (hostnames, matches, paths, header names, parents).
 */
export class GatewayHttpRoute extends Construct {
  /** The generated HTTPRoute object. */
  /** The generated object (escape hatch: `addJsonPatch`). */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: GatewayHttpRouteProps) {
    super(scope, id);
    const problems = new Problems();
    problems.add('name', dns1123Subdomain(props.name));
    problems.add('namespace', dns1123Label(props.namespace));
    problems.nest('', parentProblems(props.parents));
    problems.nest('', hostnameProblems(props.hostnames, false));
    problems.nest('', httpMatchProblems(props.matches));
    problems.nest('', backendProblems(props.backend));
    throwIfProblems(`http route ${JSON.stringify(props.name)}`, problems.list);

    const matches = (props.matches ?? []).map((m): gw.HttpRouteSpecRulesMatches => {
      const headers = Object.entries(m.headers ?? {});
      return {
        path: { type: (m.pathType ?? 'PathPrefix') as gw.HttpRouteSpecRulesMatchesPathType, value: m.path ?? '/' },
        method: m.method as gw.HttpRouteSpecRulesMatchesMethod | undefined,
        headers: headers.length ? headers.map(([name, value]) => ({ name, value, type: gw.HttpRouteSpecRulesMatchesHeadersType.EXACT })) : undefined,
      };
    });
    this.resource = new HttpRoute(this, 'Resource', {
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
