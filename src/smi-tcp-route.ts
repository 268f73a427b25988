import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { portNumber } from './rules';

export interface SmiTcpRouteProps {
  readonly name: string;
  readonly namespace: string;
  /** @default - none */
  readonly labels?: { readonly [key: string]: string };
  /** Container ports admitted. @default - all ports */
  readonly ports?: number[];
}

/**
 * An SMI TCPRoute (specs.smi-spec.io/v1alpha4): the TCP ports a TrafficTarget admits.
 * No upstream CRD file ships with this project for TCPRoute, so it is an ApiObject written
 * to the SMI v1alpha4 shape (spec.matches.ports) rather than a generated import.
 */
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
    new ApiObject(this, 'Resource', {
      apiVersion: 'specs.smi-spec.io/v1alpha4',
      kind: SmiTcpRoute.KIND,
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
      spec: { matches: { ports: props.ports ?? [] } },
    });
  }
}
