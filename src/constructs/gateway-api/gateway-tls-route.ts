import type { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as gw from '../../../imports/tlsroute-gateway.networking.k8s.io';
import { fastRendering } from '../../render/fast-render';
import { Problems, throwIfProblems } from '../../spec/problems';
import { dns1123Label, dns1123Subdomain } from '../../spec/rules';
import { GatewayRouteBackend, GatewayRouteParent, backendProblems, hostnameProblems, parentProblems } from './route-rules';

/** The generated class, rendering without the generic resolve pass (see fast-render.ts). */
const TlsRoute = fastRendering(gw.TlsRoute, { alphabeticalConverter: true });

export interface GatewayTlsRouteProps {
  readonly name: string;
  readonly namespace: string;
  /** @default - none */
  readonly labels?: { readonly [key: string]: string };
  /** @default - none */
  readonly annotations?: { readonly [key: string]: string };
  /** The Gateways and their TLS listeners (`protocol: TLS`, `tls.mode: Passthrough`). */
  readonly parents: GatewayRouteParent[];
  /** The SNI names the route matches: 1 to 16, required. */
  readonly hostnames: string[];
  /** The Service and Service port the TLS stream goes to (the app terminates TLS). */
  readonly backend: GatewayRouteBackend;
}

/**
 * A gateway.networking.k8s.io/v1 TLSRoute: the client's TLS passes through the gateway, matched
 * by SNI, to a Service port where the app terminates it (our passthrough).
 */
export class GatewayTlsRoute extends Construct {
  /** The generated TLSRoute object. */
  /** The generated object (escape hatch: `addJsonPatch`). */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: GatewayTlsRouteProps) {
    super(scope, id);
    const problems = new Problems();
    problems.add('name', dns1123Subdomain(props.name));
    problems.add('namespace', dns1123Label(props.namespace));
    problems.nest('', parentProblems(props.parents));
    problems.nest('', hostnameProblems(props.hostnames, true));
    problems.nest('', backendProblems(props.backend));
    throwIfProblems(`tls route ${JSON.stringify(props.name)}`, problems.list);

    this.resource = new TlsRoute(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels, annotations: props.annotations },
      spec: {
        parentRefs: props.parents.map((p) => ({ name: p.name, namespace: p.namespace, sectionName: p.sectionName })),
        hostnames: [...props.hostnames],
        rules: [{ backendRefs: [{ name: props.backend.name, namespace: props.backend.namespace, port: props.backend.port }] }],
      },
    });
  }
}
