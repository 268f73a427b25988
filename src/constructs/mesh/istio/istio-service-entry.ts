import { Construct } from 'constructs';
import * as networking from '../../../../imports/serviceentry-networking.istio.io';
import { fastRendering } from '../../../render/fast-render';
import { Problems, throwIfProblems } from '../../../spec/problems';
import { cidr, dns1123Label, dns1123Subdomain, hostName, oneOf, portNumber } from '../../../spec/rules';

/** The generated class, rendering without the generic resolve pass (see fast-render.ts). */
const ServiceEntry = fastRendering(networking.ServiceEntry, { alphabeticalConverter: true });

/** The port protocols this construct writes (pkg/config/protocol/instance.go). */
const PROTOCOLS = ['HTTP', 'HTTPS', 'TLS', 'TCP', 'HTTP2', 'GRPC'];
/** The resolutions this construct writes. */
const RESOLUTIONS = ['DNS', 'NONE'];

/** A port of an external service. */
export interface IstioServiceEntryPort {
  readonly number: number;
  /** HTTP (Host header), HTTPS or TLS (SNI), TCP (address only), HTTP2, GRPC. */
  readonly protocol: string;
  /** @default "<protocol lowercase>-<number>" */
  readonly name?: string;
}

export interface IstioServiceEntryProps {
  readonly name: string;
  readonly namespace: string;
  /** @default - none */
  readonly labels?: { readonly [key: string]: string };
  /** Host names (`*.example.com` allowed, `*` not). */
  readonly hosts: string[];
  /** CIDRs the service is reached at; required for TCP ports (IST0134). @default - none */
  readonly addresses?: string[];
  readonly ports: IstioServiceEntryPort[];
  /**
   * DNS (the proxy resolves the hosts) or NONE (the proxy forwards to the address the app
   * dialled). CIDR addresses and wildcard hosts need NONE.
   * @default - NONE with addresses or a wildcard host, DNS otherwise
   */
  readonly resolution?: string;
  /** Namespaces that see it. @default ["."] (only its own namespace) */
  readonly exportTo?: string[];
}

/**
 * An Istio ServiceEntry (networking.istio.io/v1) for a destination outside the mesh
 * (`MESH_EXTERNAL`): with REGISTRY_ONLY, the only way a sidecar reaches it. HTTP ports match the
 * Host header, HTTPS/TLS the SNI, TCP the destination address (so TCP needs `addresses`).
 * Checked as istiod's validation does (pkg/config/validation/validation.go ValidateServiceEntry):
 * no `*` host, CIDRs only with NONE/STATIC, unique port numbers and names.
 */
export class IstioServiceEntry extends Construct {
  public readonly name: string;

  constructor(scope: Construct, id: string, props: IstioServiceEntryProps) {
    super(scope, id);
    const problems = new Problems();
    problems.add('name', dns1123Subdomain(props.name));
    problems.add('namespace', dns1123Label(props.namespace));
    const addresses = props.addresses ?? [];
    const wildcard = props.hosts.some((h) => h.startsWith('*'));
    const resolution = props.resolution ?? (addresses.length || wildcard ? 'NONE' : 'DNS');
    problems.add('resolution', oneOf(resolution, RESOLUTIONS, 'resolution'));
    if (props.hosts.length === 0) problems.add('hosts', 'at least one host is required');
    props.hosts.forEach((h, i) => problems.add(`hosts[${i}]`, h === '*' ? 'the host "*" is not allowed in a ServiceEntry' : hostName(h, true)));
    addresses.forEach((a, i) => problems.add(`addresses[${i}]`, cidr(a)));
    if (resolution === 'DNS' && addresses.length) problems.add('resolution', 'CIDR addresses are allowed only with resolution NONE or STATIC');
    if (resolution === 'DNS' && wildcard) problems.add('resolution', 'a wildcard host cannot be resolved by DNS: use resolution NONE');
    if (props.ports.length === 0) problems.add('ports', 'at least one port is required');
    const numbers = new Set<number>();
    const names = new Set<string>();
    props.ports.forEach((p, i) => {
      problems.add(`ports[${i}].number`, portNumber(p.number));
      problems.add(`ports[${i}].protocol`, oneOf(p.protocol, PROTOCOLS, 'protocol'));
      const name = portName(p);
      if (numbers.has(p.number)) problems.add(`ports[${i}].number`, `port ${p.number} is listed twice; one protocol per port`);
      if (names.has(name)) problems.add(`ports[${i}].name`, `port name ${JSON.stringify(name)} is used twice`);
      numbers.add(p.number);
      names.add(name);
      if (p.protocol === 'TCP' && addresses.length === 0) {
        problems.add(`ports[${i}].protocol`, 'a TCP port is matched by destination address only: addresses are required (IST0134), a host name is invisible in a TCP stream');
      }
    });
    throwIfProblems(`service entry ${JSON.stringify(props.name)}`, problems.list);
    this.name = props.name;
    new ServiceEntry(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
      spec: {
        hosts: [...props.hosts],
        addresses: addresses.length ? [...addresses] : undefined,
        ports: props.ports.map((p) => ({ number: p.number, protocol: p.protocol, name: portName(p) })),
        location: networking.ServiceEntrySpecLocation.MESH_UNDERSCORE_EXTERNAL,
        resolution: resolution as networking.ServiceEntrySpecResolution,
        exportTo: [...(props.exportTo ?? ['.'])],
      },
    });
  }
}

function portName(p: IstioServiceEntryPort): string {
  return p.name ?? `${p.protocol.toLowerCase()}-${p.number}`;
}
