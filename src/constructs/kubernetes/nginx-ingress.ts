import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import { fastRendering } from '../../render/fast-render';
import type { PortProtocol } from '../../spec/app-spec';
import { Problems, throwIfProblems } from '../../spec/problems';
import { dns1123Label, dns1123Subdomain } from '../../spec/rules';
import { NginxIngressProps, ingressProblems } from './ingress-problems';

/** The generated class, rendering without the generic resolve pass (see fast-render.ts). */
const KubeIngress = fastRendering(k8s.KubeIngress, { alphabeticalConverter: true });

export const NGINX = 'nginx.ingress.kubernetes.io';

/** The annotation that says, in every Ingress we write, that its controller is end of life. */
export const DEPRECATION_ANNOTATION = 'cdk8s-zerotrust.io/deprecated';
/** Why: ingress-nginx was retired (no releases, no security fixes). */
export const INGRESS_NGINX_DEPRECATION = 'ingress-nginx was retired in March 2026 (no releases, no security fixes): move this app to spec.gateway (README "Exposing an app")';

/**
 * The ingress-nginx `backend-protocol` for what the backend speaks: the app's own protocol, or
 * TLS to a mesh sidecar. Opaque TCP cannot go through an HTTP ingress.
 */
export function backendProtocol(protocol: PortProtocol, tlsToSidecar: boolean): string | undefined {
  const grpc = protocol === 'grpc' || protocol === 'grpcs';
  if (tlsToSidecar) return grpc ? 'GRPCS' : 'HTTPS';
  switch (protocol) {
    case 'https': return 'HTTPS';
    case 'grpc': return 'GRPC';
    case 'grpcs': return 'GRPCS';
    default: return undefined; // http: the controller's default
  }
}

/**
 * A networking.k8s.io/v1 Ingress for ingress-nginx: the backend protocol follows what the app
 * (or its mesh sidecar) speaks; with `backendTls` the controller verifies the backend and
 * presents a client certificate (`proxy-ssl-*`); with `clientAuth` it asks clients for a
 * certificate from a CA (`auth-tls-*`). ingress-nginx was retired in March 2026.
 */
export class NginxIngress extends Construct {
  /** The generated Ingress object. */
  public readonly resource: k8s.KubeIngress;

  constructor(scope: Construct, id: string, props: NginxIngressProps) {
    super(scope, id);
    const problems = new Problems();
    problems.add('name', dns1123Subdomain(props.name));
    problems.add('namespace', dns1123Label(props.namespace));
    problems.nest('', ingressProblems(props));
    if (props.backendTls && props.backendTls.clientCertSecret === undefined) {
      problems.add('backendTls.clientCertSecret', 'a "namespace/name" Secret is required: its ca.crt verifies the backend and its tls.crt/tls.key are the client certificate');
    }
    throwIfProblems(`ingress ${JSON.stringify(props.name)}`, problems.list);

    const annotations: { [key: string]: string } = { ...props.annotations, [DEPRECATION_ANNOTATION]: INGRESS_NGINX_DEPRECATION };
    const protocol = backendProtocol(props.protocol ?? 'http', props.backendTls?.toSidecar === true);
    if (protocol) annotations[`${NGINX}/backend-protocol`] = protocol;
    const tls = props.backendTls;
    if (tls) {
      annotations[`${NGINX}/proxy-ssl-secret`] = tls.clientCertSecret!;
      annotations[`${NGINX}/proxy-ssl-verify`] = tls.verify === false ? 'off' : 'on';
      annotations[`${NGINX}/proxy-ssl-name`] = tls.serverName;
      annotations[`${NGINX}/proxy-ssl-server-name`] = 'on';
    }
    const auth = props.clientAuth;
    if (auth) {
      annotations[`${NGINX}/auth-tls-secret`] = auth.caSecret;
      annotations[`${NGINX}/auth-tls-verify-client`] = auth.verify ?? 'on';
      annotations[`${NGINX}/auth-tls-verify-depth`] = String(auth.depth ?? 1);
      annotations[`${NGINX}/auth-tls-pass-certificate-to-upstream`] = auth.passCertificateToUpstream ? 'true' : 'false';
    }

    this.resource = new KubeIngress(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels: props.labels,
        annotations: Object.keys(annotations).length ? annotations : undefined,
      },
      spec: {
        ingressClassName: props.className,
        tls: props.tlsSecretName ? [{ hosts: [props.host], secretName: props.tlsSecretName }] : undefined,
        rules: [{
          host: props.host,
          http: {
            paths: [{
              path: props.path ?? '/',
              pathType: 'Prefix',
              backend: { service: { name: props.serviceName, port: { name: props.servicePort } } },
            }],
          },
        }],
      },
    });
  }
}
