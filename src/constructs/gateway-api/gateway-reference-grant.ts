import type { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as gw from '../../../imports/referencegrant-gateway.networking.k8s.io';
import { fastRendering } from '../../render/fast-render';
import { Problems, throwIfProblems } from '../../spec/problems';
import { dns1123Label, dns1123Subdomain } from '../../spec/rules';

/** The generated class, rendering without the generic resolve pass (see fast-render.ts). */
const ReferenceGrant = fastRendering(gw.ReferenceGrant, { alphabeticalConverter: true });

/** Objects of one kind in one namespace that may refer to the grant's targets. */
export interface GatewayReferenceGrantFrom {
  /** The referring kind, e.g. HTTPRoute, GRPCRoute, TLSRoute. */
  readonly kind: string;
  readonly namespace: string;
  /** @default "gateway.networking.k8s.io" */
  readonly group?: string;
}

export interface GatewayReferenceGrantProps {
  readonly name: string;
  /** The namespace of the objects referred to (a grant lives beside what it grants access to). */
  readonly namespace: string;
  /** @default - none */
  readonly labels?: { readonly [key: string]: string };
  /** @default - none */
  readonly annotations?: { readonly [key: string]: string };
  /** Who may refer (1 to 16). */
  readonly from: GatewayReferenceGrantFrom[];
  /** The Services they may refer to, by name (1 to 16). */
  readonly toServices: string[];
}

/**
 * A gateway.networking.k8s.io/v1 ReferenceGrant in the target's namespace: routes of the `from`
 * namespaces may send to the named Services here. Needed for backendRefs across namespaces (not
 * for a route attaching to a Gateway in another namespace: the listener's allowedRoutes decides that).
 */
export class GatewayReferenceGrant extends Construct {
  /** The generated ReferenceGrant object. */
  /** The generated object (escape hatch: `addJsonPatch`). */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: GatewayReferenceGrantProps) {
    super(scope, id);
    const problems = new Problems();
    problems.add('name', dns1123Subdomain(props.name));
    problems.add('namespace', dns1123Label(props.namespace));
    if (props.from.length < 1 || props.from.length > 16) problems.add('from', `${props.from.length} entries given; a ReferenceGrant has 1 to 16`);
    props.from.forEach((f, i) => {
      problems.add(`from[${i}].namespace`, dns1123Label(f.namespace));
      if (!/^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/.test(f.kind)) problems.add(`from[${i}].kind`, `${JSON.stringify(f.kind)} is not a kind name`);
      if (f.namespace === props.namespace) problems.add(`from[${i}].namespace`, `${JSON.stringify(f.namespace)} is the grant's own namespace; references within a namespace need no grant`);
    });
    if (props.toServices.length < 1 || props.toServices.length > 16) problems.add('toServices', `${props.toServices.length} Services given; a ReferenceGrant has 1 to 16 targets`);
    props.toServices.forEach((s, i) => problems.add(`toServices[${i}]`, dns1123Label(s)));
    throwIfProblems(`reference grant ${JSON.stringify(props.name)}`, problems.list);

    this.resource = new ReferenceGrant(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels, annotations: props.annotations },
      spec: {
        from: props.from.map((f) => ({ group: f.group ?? 'gateway.networking.k8s.io', kind: f.kind, namespace: f.namespace })),
        to: props.toServices.map((name) => ({ group: '', kind: 'Service', name })),
      },
    });
  }
}
