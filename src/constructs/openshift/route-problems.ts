/**
 * The props of `OpenShiftRoute` and the rules on them, over spec data only: validation
 * (`validateAppSpec`) checks a spec's `spec.route` with them without loading cdk8s and the
 * generated Route class; the construct throws on them.
 */
import type { AlternateBackend, HstsPolicy, InsecureEdgeTerminationPolicy, IssuerRef, RouteTermination } from '../../spec/app-spec';
import { Problem, Problems } from '../../spec/problems';
import { cidr, dns1035Label, dns1123Subdomain, hostName, labelKey, labelValue, oneOf, routerTimeout } from '../../spec/rules';

/** Inline PEM material for the router (puts a private key into the output). */
export interface InlineRouteCertificate {
  readonly certificate: string;
  readonly key: string;
  /** @default - none */
  readonly caCertificate?: string;
}

export interface OpenShiftRouteProps {
  readonly name: string;
  readonly namespace: string;
  /** @default - none */
  readonly labels?: { readonly [key: string]: string };
  /** @default - none */
  readonly annotations?: { readonly [key: string]: string };
  /** The Service the route sends traffic to. */
  readonly serviceName: string;
  /** The Service port name. */
  readonly targetPort: string;
  /** @default - the router generates one */
  readonly host?: string;
  /** @default - all paths */
  readonly path?: string;
  /** @default "edge" */
  readonly termination?: RouteTermination;
  /** @default "Redirect" (unused with termination none) */
  readonly insecureEdgeTerminationPolicy?: InsecureEdgeTerminationPolicy;
  /**
   * A kubernetes.io/tls Secret the router reads (`spec.tls.externalCertificate`).
   * @default - none
   */
  readonly externalCertificateSecret?: string;
  /**
   * cert-manager openshift-routes issuer annotations.
   * @default - none
   */
  readonly certManagerIssuer?: IssuerRef;
  /**
   * Inline PEM; refused unless `allowInlineKeys` is true.
   * @default - none
   */
  readonly inlineCertificate?: InlineRouteCertificate;
  /** @default false */
  readonly allowInlineKeys?: boolean;
  /**
   * reencrypt: PEM CA the router trusts for the pod's certificate.
   * @default - the OpenShift service CA
   */
  readonly destinationCACertificate?: string;
  /** @default "None" */
  readonly wildcardPolicy?: 'None' | 'Subdomain';
  /** @default 100 */
  readonly weight?: number;
  /** @default - none */
  readonly alternateBackends?: AlternateBackend[];
  /** @default - the router default */
  readonly timeout?: string;
  /** @default - no HSTS header */
  readonly hsts?: HstsPolicy;
  /** @default - all sources */
  readonly allowedSourceRanges?: string[];
  /** @default - none */
  readonly shardLabels?: { readonly [key: string]: string };
}

export const ROUTE_TERMINATIONS: readonly RouteTermination[] = ['edge', 'reencrypt', 'passthrough', 'none'];

/**
 * The rules the API server and the OpenShift router apply to a Route, checked before synthesis.
 * Field names are those of `spec.route` in the app spec.
 */
export function routeProblems(r: Omit<OpenShiftRouteProps, 'name' | 'namespace' | 'serviceName' | 'targetPort'>): Problem[] {
  const out = new Problems();
  const add = out.add.bind(out);
  const termination = r.termination ?? 'edge';
  add('termination', oneOf(termination, ROUTE_TERMINATIONS, 'termination'));
  if (r.host !== undefined) add('host', hostName(r.host));
  if (r.path !== undefined) {
    if (!r.path.startsWith('/')) add('path', `path ${JSON.stringify(r.path)} must start with "/"`);
    if (termination === 'passthrough') add('path', 'passthrough routes cannot have a path: the router sees only the TLS SNI, not the request');
  }
  if (r.insecureEdgeTerminationPolicy !== undefined) {
    if (termination === 'passthrough') {
      add('insecureEdgeTerminationPolicy', oneOf(r.insecureEdgeTerminationPolicy, ['None', 'Redirect'] as InsecureEdgeTerminationPolicy[], 'passthrough insecureEdgeTerminationPolicy'));
    } else if (termination === 'none') {
      add('insecureEdgeTerminationPolicy', 'insecureEdgeTerminationPolicy needs TLS; termination "none" has none');
    } else {
      add('insecureEdgeTerminationPolicy', oneOf(r.insecureEdgeTerminationPolicy, ['None', 'Allow', 'Redirect'] as InsecureEdgeTerminationPolicy[], 'insecureEdgeTerminationPolicy'));
    }
  }
  const certSources = [
    r.externalCertificateSecret !== undefined ? 'secretName' : undefined,
    r.certManagerIssuer !== undefined ? 'certManager' : undefined,
    r.inlineCertificate !== undefined ? 'inline' : undefined,
  ].filter((s): s is string => s !== undefined);
  if (certSources.length > 0 && (termination === 'passthrough' || termination === 'none')) {
    add('certificate', `${termination} routes cannot carry a certificate: ${termination === 'passthrough' ? 'the pod terminates TLS' : 'there is no TLS'}`);
  } else if (certSources.length > 1) {
    add('certificate', `certificate sources ${certSources.join(' and ')} are exclusive; use one of secretName, certManager or inline`);
  }
  if (r.externalCertificateSecret !== undefined) add('certificate.secretName', dns1123Subdomain(r.externalCertificateSecret));
  if (r.inlineCertificate !== undefined && r.allowInlineKeys !== true) {
    add('certificate.inline', 'inline certificates put a private key into the output; set certificate.allowInlineKeys: true to accept that, or use secretName');
  }
  if (r.destinationCACertificate !== undefined && termination !== 'reencrypt') {
    add('destinationCA', `only reencrypt routes have a destination CA; termination is ${JSON.stringify(termination)}`);
  }
  if (r.wildcardPolicy !== undefined) {
    add('wildcardPolicy', oneOf(r.wildcardPolicy, ['None', 'Subdomain'] as const, 'wildcardPolicy'));
    if (r.wildcardPolicy === 'Subdomain' && r.host === undefined) add('wildcardPolicy', 'wildcardPolicy Subdomain needs a host');
  }
  if (r.weight !== undefined) add('weight', weight(r.weight));
  const alternates = r.alternateBackends ?? [];
  if (alternates.length > 3) add('alternateBackends', `${alternates.length} alternate backends given; at most 3 are allowed`);
  alternates.forEach((b, i) => {
    add(`alternateBackends[${i}].name`, dns1035Label(b.name));
    add(`alternateBackends[${i}].weight`, weight(b.weight));
  });
  if (r.timeout !== undefined) add('timeout', routerTimeout(r.timeout));
  if (r.hsts !== undefined) {
    if (termination !== 'edge' && termination !== 'reencrypt') add('hsts', `hsts needs the router to terminate TLS (edge or reencrypt); termination is ${JSON.stringify(termination)}`);
    if (!Number.isInteger(r.hsts.maxAge) || r.hsts.maxAge < 0) add('hsts.maxAge', `maxAge ${JSON.stringify(r.hsts.maxAge)} is not a whole number of seconds >= 0`);
  }
  (r.allowedSourceRanges ?? []).forEach((c, i) => add(`allowedSourceRanges[${i}]`, cidr(c)));
  for (const [k, v] of Object.entries(r.shardLabels ?? {})) {
    add(`shardLabels.${k}`, labelKey(k) ?? labelValue(v));
  }
  return out.list;
}

function weight(w: number): string | undefined {
  return Number.isInteger(w) && w >= 0 && w <= 256 ? undefined : `weight ${JSON.stringify(w)} is not a whole number from 0 to 256`;
}
