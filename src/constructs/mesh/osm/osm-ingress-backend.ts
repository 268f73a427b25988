import { Construct } from 'constructs';
import * as policy from '../../../../imports/ingressbackend-policy.openservicemesh.io';
import type { MeshIngressSource } from '../../../spec/app-spec';
import { Problem, Problems, throwIfProblems } from '../../../spec/problems';
import { dns1035Label, dns1123Label, dns1123Subdomain, portNumber } from '../../../spec/rules';
import { fastRendering } from '../../../render/fast-render';
import { ingressSourceProblems } from './ingress-source-problems';

/** The generated class, rendering without the generic resolve pass (see fast-render.ts). */
// The schema lists the spec's fields as backends, sources, matches (crds/policy.openservicemesh.io_ingressbackends.yaml).
const IngressBackend = fastRendering(policy.IngressBackend, { alphabeticalConverter: true, fieldOrder: { spec: ['backends', 'sources', 'matches'] } });

export interface IngressBackendTarget {
  /** The Service name. */
  readonly name: string;
  /** The container (target) port: OSM matches the pod's port, not the Service port. */
  readonly port: number;
  /** @default "http" */
  readonly protocol?: 'http' | 'https';
  /** With https: accept clients without a mesh-trusted certificate. @default false */
  readonly skipClientCertValidation?: boolean;
  /** @default - any SNI */
  readonly sniHosts?: string[];
}

export interface OsmIngressBackendProps {
  readonly name: string;
  readonly namespace: string;
  /** @default - none */
  readonly labels?: { readonly [key: string]: string };
  readonly backends: IngressBackendTarget[];
  readonly sources: MeshIngressSource[];
}

/** Checks backends: https needs an AuthenticatedPrincipal to validate, (name, port) unique. */
export function ingressBackendProblems(props: Pick<OsmIngressBackendProps, 'backends' | 'sources'>): Problem[] {
  const out = new Problems();
  out.nest('sources', ingressSourceProblems(props.sources));
  const seen = new Set<string>();
  props.backends.forEach((b, i) => {
    out.add(`backends[${i}].name`, typeof b.name === 'string' ? dns1035Label(b.name) : 'a Service name is required');
    out.add(`backends[${i}].port`, portNumber(b.port));
    const key = `${b.name}:${b.port}`;
    if (seen.has(key)) out.add(`backends[${i}]`, `backend ${b.name} port ${b.port} is listed twice`);
    seen.add(key);
    const protocol = b.protocol ?? 'http';
    if (protocol !== 'http' && protocol !== 'https') out.add(`backends[${i}].protocol`, `protocol ${JSON.stringify(protocol)} is not allowed; use "http" or "https"`);
    if (protocol === 'https' && !b.skipClientCertValidation && !props.sources.some((s) => s.principal !== undefined)) {
      out.add('sources', 'an https backend that validates client certificates needs a principal (AuthenticatedPrincipal) source');
    }
  });
  return out.list;
}

/**
 * An OSM IngressBackend (policy.openservicemesh.io/v1alpha1): who outside the mesh (an ingress
 * controller's Service, an authenticated principal, an IP range) may reach the app's pods.
 */
export class OsmIngressBackend extends Construct {
  public readonly name: string;

  constructor(scope: Construct, id: string, props: OsmIngressBackendProps) {
    super(scope, id);
    const problems = new Problems();
    problems.add('name', dns1123Subdomain(props.name));
    problems.add('namespace', dns1123Label(props.namespace));
    problems.nest('', ingressBackendProblems(props));
    throwIfProblems(`ingress backend ${JSON.stringify(props.name)}`, problems.list);
    this.name = props.name;
    new IngressBackend(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
      spec: {
        backends: props.backends.map((b) => ({
          name: b.name,
          port: { number: b.port, protocol: b.protocol ?? 'http' },
          tls: (b.protocol ?? 'http') === 'https' ? { skipClientCertValidation: b.skipClientCertValidation ?? false, sniHosts: b.sniHosts } : undefined,
        })),
        sources: props.sources.map((s) => {
          if (s.service) return { kind: 'Service', name: s.service.name, namespace: s.service.namespace };
          if (s.principal !== undefined) return { kind: 'AuthenticatedPrincipal', name: s.principal };
          return { kind: 'IPRange', name: s.ipRange! };
        }),
      },
    });
  }
}
