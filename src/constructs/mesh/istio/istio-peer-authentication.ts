import { Construct } from 'constructs';
import * as security from '../../../../imports/peerauthentication-security.istio.io';
import { fastRendering } from '../../../render/fast-render';
import { Problems, throwIfProblems } from '../../../spec/problems';
import { dns1123Label, dns1123Subdomain, labelKey, labelValue, oneOf, portNumber } from '../../../spec/rules';

/** The generated class, rendering without the generic resolve pass (see fast-render.ts). */
const PeerAuthentication = fastRendering(security.PeerAuthentication);

/** The annotation that carries why a PeerAuthentication admits plain text: never silent. */
export const PERMISSIVE_REASON_ANNOTATION = 'cdk8s-zerotrust.io/permissive';

/** The mTLS modes this construct writes (DISABLE and UNSET are not). */
const MODES = ['STRICT', 'PERMISSIVE'];

/** The mTLS mode of one workload port. */
export interface IstioPortMtls {
  /** The container (target) port: `portLevelMtls` keys are workload ports. */
  readonly port: number;
  /** STRICT or PERMISSIVE. */
  readonly mode: string;
}

export interface IstioPeerAuthenticationProps {
  /** `default` for a namespace-wide policy by convention. */
  readonly name: string;
  readonly namespace: string;
  /** @default - none */
  readonly labels?: { readonly [key: string]: string };
  /** The pods it applies to. @default - the whole namespace (the whole mesh in the root namespace) */
  readonly selector?: { readonly [key: string]: string };
  /** STRICT or PERMISSIVE. @default "STRICT" */
  readonly mode?: string;
  /** Per-port modes; needs a selector (CRD rule "portLevelMtls requires selector"). @default - none */
  readonly portLevelMtls?: IstioPortMtls[];
  /**
   * Why plain text is admitted: required when any mode is PERMISSIVE, written to the object as
   * the `cdk8s-zerotrust.io/permissive` annotation.
   * @default - none (PERMISSIVE is refused)
   */
  readonly permissiveReason?: string;
}

/**
 * An Istio PeerAuthentication (security.istio.io/v1): whether a workload's sidecar accepts plain
 * text. Scope: the root namespace without selector = the mesh, a namespace without selector = the
 * namespace, a selector = those workloads; the narrowest wins, and UNSET inherits (istio/api
 * security/v1beta1/peer_authentication.proto). STRICT by default; PERMISSIVE only with a written
 * reason, so it is never emitted silently.
 */
export class IstioPeerAuthentication extends Construct {
  public readonly name: string;

  constructor(scope: Construct, id: string, props: IstioPeerAuthenticationProps) {
    super(scope, id);
    const problems = new Problems();
    problems.add('name', dns1123Subdomain(props.name));
    problems.add('namespace', dns1123Label(props.namespace));
    const mode = props.mode ?? 'STRICT';
    problems.add('mode', oneOf(mode, MODES, 'mode'));
    if (props.selector !== undefined) {
      if (Object.keys(props.selector).length === 0) problems.add('selector', 'an empty selector selects nothing; leave it out for a namespace-wide policy');
      for (const [k, v] of Object.entries(props.selector)) {
        problems.add(`selector[${k}]`, labelKey(k));
        problems.add(`selector[${k}]`, labelValue(v));
      }
    }
    const ports = props.portLevelMtls ?? [];
    if (ports.length && !props.selector) problems.add('portLevelMtls', 'portLevelMtls requires a selector (CRD rule; istiod refuses it too): port numbers mean nothing without the workload');
    const seen = new Set<number>();
    ports.forEach((p, i) => {
      problems.add(`portLevelMtls[${i}].port`, portNumber(p.port));
      problems.add(`portLevelMtls[${i}].mode`, oneOf(p.mode, MODES, 'mode'));
      if (seen.has(p.port)) problems.add(`portLevelMtls[${i}].port`, `port ${p.port} is listed twice`);
      seen.add(p.port);
    });
    const permissive = mode === 'PERMISSIVE' || ports.some((p) => p.mode === 'PERMISSIVE');
    if (permissive && !props.permissiveReason) problems.add('permissiveReason', 'PERMISSIVE admits plain text from anyone the authorization policy admits; give the reason, which is written to the object');
    throwIfProblems(`peer authentication ${JSON.stringify(props.name)}`, problems.list);
    this.name = props.name;
    const portLevelMtls: { [port: string]: security.PeerAuthenticationSpecPortLevelMtls } = {};
    for (const p of [...ports].sort((a, b) => a.port - b.port)) portLevelMtls[String(p.port)] = { mode: p.mode as security.PeerAuthenticationSpecPortLevelMtlsMode };
    new PeerAuthentication(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels: props.labels,
        annotations: permissive ? { [PERMISSIVE_REASON_ANNOTATION]: props.permissiveReason! } : undefined,
      },
      spec: {
        selector: props.selector ? { matchLabels: { ...props.selector } } : undefined,
        mtls: { mode: mode as security.PeerAuthenticationSpecMtlsMode },
        portLevelMtls: ports.length ? portLevelMtls : undefined,
      },
    });
  }
}
