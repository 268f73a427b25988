import { Construct } from 'constructs';
import * as access from '../../../../imports/access.smi-spec.io';
import type { MeshSource } from '../../../spec/app-spec';
import { Problems, throwIfProblems } from '../../../spec/problems';
import type { SmiHttpRouteGroup } from './smi-http-route-group';
import { dns1123Label, dns1123Subdomain } from '../../../spec/rules';
import { fastRendering } from '../../../render/fast-render';
import { meshSourceProblems } from './mesh-source-problems';

/** The generated class, rendering without the generic resolve pass (see fast-render.ts). */
// The schema lists a rule's fields as kind, name, matches (crds/access.smi-spec.io_traffictargets.yaml).
const TrafficTarget = fastRendering(access.TrafficTarget, { alphabeticalConverter: true, fieldOrder: { 'spec.rules[]': ['kind', 'name', 'matches'] } });

/** A route group a TrafficTarget admits, with the names of the matches it uses. */
export interface TrafficTargetRule {
  readonly kind: 'HTTPRouteGroup' | 'TCPRoute';
  readonly name: string;
  /** @default - every match of the group */
  readonly matches?: string[];
  /**
   * The route group this rule names, to check that it and the matches exist.
   * @default - not checked (the group is defined elsewhere)
   */
  readonly routeGroup?: SmiHttpRouteGroup;
}

export interface SmiTrafficTargetProps {
  readonly name: string;
  /** The destination namespace: TrafficTargets live beside what they protect. */
  readonly namespace: string;
  /** @default - none */
  readonly labels?: { readonly [key: string]: string };
  /** The destination's ServiceAccount (its mesh identity). */
  readonly destinationServiceAccount: string;
  /** Caller identities. */
  readonly sources: MeshSource[];
  readonly rules: TrafficTargetRule[];
}

/**
 * An SMI TrafficTarget (access.smi-spec.io/v1alpha3): which ServiceAccounts may call the
 * destination ServiceAccount, and with which routes. Created in the destination namespace.
 */
export class SmiTrafficTarget extends Construct {
  public readonly name: string;

  constructor(scope: Construct, id: string, props: SmiTrafficTargetProps) {
    super(scope, id);
    const problems = new Problems();
    problems.add('name', dns1123Subdomain(props.name));
    problems.add('namespace', dns1123Label(props.namespace));
    problems.nest('sources', meshSourceProblems(props.sources));
    if (props.rules.length === 0) problems.add('rules', 'at least one rule is required');
    props.rules.forEach((r, i) => {
      const group = r.routeGroup;
      if (!group) return;
      if (r.kind !== 'HTTPRouteGroup' || r.name !== group.name) {
        problems.add(`rules[${i}].name`, `${r.kind} ${JSON.stringify(r.name)} is not the given route group HTTPRouteGroup ${JSON.stringify(group.name)}`);
      }
      (r.matches ?? []).forEach((m, j) => {
        if (!group.matchNames.includes(m)) {
          problems.add(`rules[${i}].matches[${j}]`, `match ${JSON.stringify(m)} is not in HTTPRouteGroup ${JSON.stringify(group.name)}; it has ${group.matchNames.map((n) => JSON.stringify(n)).join(', ')}`);
        }
      });
    });
    throwIfProblems(`traffic target ${JSON.stringify(props.name)}`, problems.list);
    this.name = props.name;
    new TrafficTarget(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
      spec: {
        destination: { kind: 'ServiceAccount', name: props.destinationServiceAccount, namespace: props.namespace },
        sources: props.sources.map((s) => ({ kind: 'ServiceAccount', name: s.serviceAccount, namespace: s.namespace })),
        rules: props.rules.map((r) => ({ kind: r.kind as access.TrafficTargetSpecRulesKind, name: r.name, matches: r.matches })),
      },
    });
  }
}
