import { Construct } from 'constructs';
import * as specs from '../../../../imports/tcproute-specs.smi-spec.io';
import { fastRendering } from '../../../render/fast-render';
import { portNumber } from '../../../spec/rules';

export interface SmiTcpRouteProps {
  readonly name: string;
  readonly namespace: string;
  /** @default - none */
  readonly labels?: { readonly [key: string]: string };
  /** Container ports admitted. @default - all ports */
  readonly ports?: number[];
}

/** The generated class, rendering without the generic resolve pass (see fast-render.ts). */
const TcpRoute = fastRendering(specs.TcpRoute, { alphabeticalConverter: true });

/** An SMI TCPRoute (specs.smi-spec.io/v1alpha4): the TCP ports a TrafficTarget admits. */
export class SmiTcpRoute extends Construct {
  public static readonly KIND = 'TCPRoute';
  public readonly name: string;

  constructor(scope: Construct, id: string, props: SmiTcpRouteProps) {
    super(scope, id);
    for (const p of props.ports ?? []) {
      const problem = portNumber(p);
      if (problem) throw new Error(`ports: ${problem}`);
    }
    this.name = props.name;
    new TcpRoute(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
      spec: { matches: { ports: props.ports ?? [] } },
    });
  }
}
