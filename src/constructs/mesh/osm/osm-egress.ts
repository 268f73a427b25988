import { Construct } from 'constructs';
import * as policy from '../../../../imports/egress-policy.openservicemesh.io';
import { fastRendering } from '../../../render/fast-render';
import type { EgressPort } from '../../../spec/app-spec';
import { Problems, throwIfProblems } from '../../../spec/problems';
import { cidr, dns1123Label, dns1123Subdomain, hostName, portNumber } from '../../../spec/rules';

/** The generated class, rendering without the generic resolve pass (see fast-render.ts). */
const Egress = fastRendering(policy.Egress, { alphabeticalConverter: true, fieldOrder: { spec: ['sources', 'hosts', 'ipAddresses', 'ports', 'matches'] } });

export interface OsmEgressProps {
  readonly name: string;
  readonly namespace: string;
  /** @default - none */
  readonly labels?: { readonly [key: string]: string };
  /** The ServiceAccount of the pods that may use this egress. */
  readonly serviceAccount: string;
  /** Host names (http: Host header; https: SNI). @default - none */
  readonly hosts?: string[];
  /** CIDRs (tcp, tcp-server-first, https). @default - none */
  readonly ipAddresses?: string[];
  readonly ports: EgressPort[];
}

/**
 * An OSM Egress policy (policy.openservicemesh.io/v1alpha1): with the MeshConfig's
 * `enableEgress: false`, the only way a meshed pod reaches a destination outside the mesh.
 * http ports match by Host header, https by SNI or address, tcp and tcp-server-first by address
 * (openservicemesh/osm pkg/catalog/egress.go).
 */
export class OsmEgress extends Construct {
  public readonly name: string;

  constructor(scope: Construct, id: string, props: OsmEgressProps) {
    super(scope, id);
    const problems = new Problems();
    problems.add('name', dns1123Subdomain(props.name));
    problems.add('namespace', dns1123Label(props.namespace));
    problems.add('serviceAccount', dns1123Subdomain(props.serviceAccount));
    (props.hosts ?? []).forEach((h, i) => problems.add(`hosts[${i}]`, hostName(h, true)));
    (props.ipAddresses ?? []).forEach((c, i) => problems.add(`ipAddresses[${i}]`, cidr(c)));
    if (props.ports.length === 0) problems.add('ports', 'at least one port is required');
    props.ports.forEach((p, i) => {
      problems.add(`ports[${i}].port`, portNumber(p.port));
      const protocol = p.protocol ?? 'tcp';
      if (protocol === 'http' && !props.hosts?.length) problems.add(`ports[${i}].protocol`, 'http egress matches the Host header: hosts are required');
      if ((protocol === 'tcp' || protocol === 'tcp-server-first') && !props.ipAddresses?.length) {
        problems.add(`ports[${i}].protocol`, `${protocol} egress matches addresses: ipAddresses are required (a mesh cannot see a host name in a TCP stream)`);
      }
    });
    throwIfProblems(`egress ${JSON.stringify(props.name)}`, problems.list);
    this.name = props.name;
    new Egress(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
      spec: {
        sources: [{ kind: 'ServiceAccount', name: props.serviceAccount, namespace: props.namespace }],
        hosts: props.hosts?.length ? [...props.hosts] : undefined,
        ipAddresses: props.ipAddresses?.length ? [...props.ipAddresses] : undefined,
        ports: props.ports.map((p) => ({ number: p.port, protocol: p.protocol ?? 'tcp' })),
      },
    });
  }
}
