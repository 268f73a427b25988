import { Construct } from 'constructs';
import * as networking from '../../../../imports/networking.istio.io';
import { fastRendering } from '../../../render/fast-render';
import { Problems, throwIfProblems } from '../../../spec/problems';
import { dns1123Label, dns1123Subdomain, hostName, labelKey, labelValue, oneOf } from '../../../spec/rules';

/** The generated class, rendering without the generic resolve pass (see fast-render.ts). */
const Sidecar = fastRendering(networking.Sidecar, { alphabeticalConverter: true });

/** The outbound traffic policies (MeshConfig OutboundTrafficPolicy.Mode). */
const OUTBOUND_MODES = ['REGISTRY_ONLY', 'ALLOW_ANY'];

export interface IstioSidecarProps {
  readonly name: string;
  readonly namespace: string;
  /** @default - none */
  readonly labels?: { readonly [key: string]: string };
  /** @default - none */
  readonly annotations?: { readonly [key: string]: string };
  /**
   * The pods it applies to. At most one selector-less Sidecar per namespace (IST0111); in the
   * root namespace it is the default of every namespace without one.
   * @default - every workload in the namespace
   */
  readonly workloadSelector?: { readonly [key: string]: string };
  /** REGISTRY_ONLY (unknown destinations are dropped) or ALLOW_ANY. @default "REGISTRY_ONLY" */
  readonly outboundTrafficPolicy?: string;
  /**
   * The services the proxy is configured for, as `namespace/dnsName` (`./*` = the Sidecar's
   * namespace, `istio-system/*`, `*\/host`). With REGISTRY_ONLY, a destination outside these is
   * dropped.
   * @default - every service the namespace can see
   */
  readonly egressHosts?: string[];
}

/**
 * An Istio Sidecar (networking.istio.io/v1): which services a sidecar is configured for, and what
 * it does with destinations it does not know (`outboundTrafficPolicy`). REGISTRY_ONLY makes an
 * unknown host fail instead of passing through; it is not a firewall (the app can bypass the
 * proxy; istio/istio#41243): NetworkPolicy is the enforcement, this is the mesh's narrowing.
 * Gateways ignore Sidecars (istio/api networking/v1alpha3/sidecar.proto).
 */
export class IstioSidecar extends Construct {
  public readonly name: string;

  constructor(scope: Construct, id: string, props: IstioSidecarProps) {
    super(scope, id);
    const problems = new Problems();
    problems.add('name', dns1123Subdomain(props.name));
    problems.add('namespace', dns1123Label(props.namespace));
    const mode = props.outboundTrafficPolicy ?? 'REGISTRY_ONLY';
    problems.add('outboundTrafficPolicy', oneOf(mode, OUTBOUND_MODES, 'outbound traffic policy'));
    if (props.workloadSelector !== undefined) {
      if (Object.keys(props.workloadSelector).length === 0) problems.add('workloadSelector', 'an empty selector selects nothing; leave it out for the namespace default');
      for (const [k, v] of Object.entries(props.workloadSelector)) {
        problems.add(`workloadSelector[${k}]`, labelKey(k));
        problems.add(`workloadSelector[${k}]`, labelValue(v));
      }
    }
    if (props.egressHosts !== undefined && props.egressHosts.length === 0) problems.add('egressHosts', 'at least one host is required; leave it out for every service');
    (props.egressHosts ?? []).forEach((h, i) => problems.add(`egressHosts[${i}]`, sidecarHostProblem(h)));
    throwIfProblems(`sidecar ${JSON.stringify(props.name)}`, problems.list);
    this.name = props.name;
    new Sidecar(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels, annotations: props.annotations },
      spec: {
        workloadSelector: props.workloadSelector ? { labels: { ...props.workloadSelector } } : undefined,
        outboundTrafficPolicy: { mode: mode as networking.SidecarSpecOutboundTrafficPolicyMode },
        egress: props.egressHosts ? [{ hosts: [...props.egressHosts] }] : undefined,
      },
    });
  }
}

/** Checks a `namespace/dnsName` Sidecar host. */
export function sidecarHostProblem(h: string): string | undefined {
  const slash = h.indexOf('/');
  if (slash < 0) return `${JSON.stringify(h)} is not namespace/dnsName (e.g. "./*", "istio-system/*")`;
  const ns = h.slice(0, slash);
  const host = h.slice(slash + 1);
  if (ns !== '.' && ns !== '*' && ns !== '~' && dns1123Label(ns)) return `${JSON.stringify(h)}: the namespace part must be ".", "*", "~" or a namespace name`;
  if (host !== '*' && hostName(host, true)) return `${JSON.stringify(h)}: the host part must be "*", "*.suffix" or a DNS name`;
  return undefined;
}
