import { Construct } from 'constructs';
import * as specs from '../../../../imports/httproutegroup-specs.smi-spec.io';
import type { HttpMatch } from '../../../spec/app-spec';
import { Problems, throwIfProblems } from '../../../spec/problems';
import { dns1123Label, dns1123Subdomain } from '../../../spec/rules';
import { fastRendering } from '../../../render/fast-render';
import { httpMatchProblems } from './http-match-problems';

/** The generated class, rendering without the generic resolve pass (see fast-render.ts). */
// The schema lists a match's fields as name, pathRegex, methods, headers (crds/specs.smi-spec.io_httproutegroups.yaml).
const HttpRouteGroup = fastRendering(specs.HttpRouteGroup, { alphabeticalConverter: true, fieldOrder: { 'spec.matches[]': ['name', 'pathRegex', 'methods', 'headers'] } });

export interface SmiHttpRouteGroupProps {
  readonly name: string;
  readonly namespace: string;
  /** @default - none */
  readonly labels?: { readonly [key: string]: string };
  /** At least one; names unique. */
  readonly matches: HttpMatch[];
}

/** An SMI HTTPRouteGroup (specs.smi-spec.io/v1alpha4): the HTTP requests a TrafficTarget admits. */
export class SmiHttpRouteGroup extends Construct {
  public static readonly KIND = 'HTTPRouteGroup';
  public readonly name: string;
  public readonly matchNames: string[];

  constructor(scope: Construct, id: string, props: SmiHttpRouteGroupProps) {
    super(scope, id);
    const problems = new Problems();
    problems.add('name', dns1123Subdomain(props.name));
    problems.add('namespace', dns1123Label(props.namespace));
    problems.nest('matches', httpMatchProblems(props.matches));
    throwIfProblems(`http route group ${JSON.stringify(props.name)}`, problems.list);
    this.name = props.name;
    this.matchNames = props.matches.map((m) => m.name);
    new HttpRouteGroup(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
      spec: {
        matches: props.matches.map((m) => ({
          name: m.name,
          pathRegex: m.pathRegex ?? '.*',
          methods: (m.methods ?? ['*']) as specs.HttpRouteGroupSpecMatchesMethods[],
          // OSM's CRD declares headers as a list of single-entry maps.
          headers: m.headers ? Object.entries(m.headers).map(([k, v]) => ({ [k]: v })) : undefined,
        })),
      },
    });
  }
}
