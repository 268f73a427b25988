import { Construct } from 'constructs';
import * as route from '../../../imports/route.openshift.io';
import type { RouteTermination } from '../../spec/app-spec';
import { throwIfProblems } from '../../spec/problems';
import { assertValid, dns1123Label } from '../../spec/rules';
import { fastRendering } from '../../render/fast-render';
import { OpenShiftRouteProps, routeProblems } from './route-problems';

/** The generated class, rendering without the generic resolve pass (see fast-render.ts). */
// Without its converter unless spec.tls has destinationCACertificate (RENAMED_PROPS_FIELDS).
const Route = fastRendering(route.Route, { alphabeticalConverter: true });

export const ROUTE_ANNOTATIONS = {
  timeout: 'haproxy.router.openshift.io/timeout',
  hsts: 'haproxy.router.openshift.io/hsts_header',
  allowlist: 'haproxy.router.openshift.io/ip_allowlist',
  issuerName: 'cert-manager.io/issuer-name',
  issuerKind: 'cert-manager.io/issuer-kind',
  issuerGroup: 'cert-manager.io/issuer-group',
} as const;

/**
 * An OpenShift Route (route.openshift.io/v1) with edge, reencrypt or passthrough TLS.
 * Redirects plain HTTP by default; presents a certificate from a Secret the router reads
 * (`externalCertificate`), so no private key is written to the output unless explicitly allowed.
 */
export class OpenShiftRoute extends Construct {
  public readonly name: string;
  public readonly termination: RouteTermination;

  constructor(scope: Construct, id: string, props: OpenShiftRouteProps) {
    super(scope, id);
    assertValid('name', dns1123Label(props.name));
    assertValid('namespace', dns1123Label(props.namespace));
    throwIfProblems(`route ${JSON.stringify(props.name)}`, routeProblems(props));
    this.name = props.name;
    this.termination = props.termination ?? 'edge';

    const annotations: { [key: string]: string } = { ...props.annotations };
    if (props.timeout) annotations[ROUTE_ANNOTATIONS.timeout] = props.timeout;
    if (props.hsts) {
      annotations[ROUTE_ANNOTATIONS.hsts] = [`max-age=${props.hsts.maxAge}`, props.hsts.includeSubDomains ? 'includeSubDomains' : undefined, props.hsts.preload ? 'preload' : undefined]
        .filter(Boolean).join(';');
    }
    if (props.allowedSourceRanges?.length) annotations[ROUTE_ANNOTATIONS.allowlist] = props.allowedSourceRanges.join(' ');
    if (props.certManagerIssuer) {
      annotations[ROUTE_ANNOTATIONS.issuerName] = props.certManagerIssuer.name;
      annotations[ROUTE_ANNOTATIONS.issuerKind] = props.certManagerIssuer.kind ?? 'Issuer';
      annotations[ROUTE_ANNOTATIONS.issuerGroup] = props.certManagerIssuer.group ?? 'cert-manager.io';
    }

    new Route(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels: { ...props.labels, ...props.shardLabels },
        annotations: Object.keys(annotations).length ? annotations : undefined,
      },
      spec: {
        host: props.host,
        path: props.path,
        to: { kind: route.RouteSpecToKind.SERVICE, name: props.serviceName, weight: props.weight ?? 100 },
        alternateBackends: props.alternateBackends?.map((b) => ({ kind: route.RouteSpecAlternateBackendsKind.SERVICE, name: b.name, weight: b.weight })),
        port: { targetPort: props.targetPort },
        wildcardPolicy: props.wildcardPolicy === 'Subdomain' ? route.RouteSpecWildcardPolicy.SUBDOMAIN : route.RouteSpecWildcardPolicy.NONE,
        tls: this.termination === 'none' ? undefined : {
          termination: this.termination as route.RouteSpecTlsTermination,
          insecureEdgeTerminationPolicy: (props.insecureEdgeTerminationPolicy ?? 'Redirect') as route.RouteSpecTlsInsecureEdgeTerminationPolicy,
          externalCertificate: props.externalCertificateSecret ? { name: props.externalCertificateSecret } : undefined,
          certificate: props.inlineCertificate?.certificate,
          key: props.inlineCertificate?.key,
          caCertificate: props.inlineCertificate?.caCertificate,
          destinationCaCertificate: props.destinationCACertificate,
        },
      },
    });
  }
}
