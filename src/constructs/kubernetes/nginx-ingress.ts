import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import { fastRendering } from '../../render/fast-render';
import type { IngressClientAuth, PortProtocol } from '../../spec/app-spec';
import { Problem, Problems, throwIfProblems } from '../../spec/problems';
import { dns1123Label, dns1123Subdomain, hostName } from '../../spec/rules';

/** The generated class, rendering without the generic resolve pass (see fast-render.ts). */
const KubeIngress = fastRendering(k8s.KubeIngress);

export interface IngressBackendTls {
  /**
   * "namespace/name" of the `proxy-ssl-secret`: `ca.crt` verifies the backend, `tls.crt`/`tls.key`
   * are the client certificate the controller presents.
   */
  readonly clientCertSecret?: string;
  /** @default true */
  readonly verify?: boolean;
  /** The name the controller expects in the backend's certificate. */
  readonly serverName: string;
  /** TLS goes to a mesh sidecar (which hands plain HTTP or gRPC to the app), not to the app. @default false */
  readonly toSidecar?: boolean;
}

export interface NginxIngressProps {
  readonly name: string;
  readonly namespace: string;
  /** @default - none */
  readonly labels?: { readonly [key: string]: string };
  /** @default - none */
  readonly annotations?: { readonly [key: string]: string };
  /** @default - the cluster default IngressClass */
  readonly className?: string;
  readonly host: string;
  /** @default "/" */
  readonly path?: string;
  readonly serviceName: string;
  readonly servicePort: string;
  /** What the app speaks on the backend port. @default "http" */
  readonly protocol?: PortProtocol;
  /** @default - no TLS section */
  readonly tlsSecretName?: string;
  /** @default - the port's own protocol, backend certificate not verified */
  readonly backendTls?: IngressBackendTls;
  /** @default - no client certificates asked for */
  readonly clientAuth?: IngressClientAuth;
}

export const NGINX = 'nginx.ingress.kubernetes.io';

/** The annotation that says, in every Ingress we write, that its controller is end of life. */
export const DEPRECATION_ANNOTATION = 'cdk8s-zerotrust.io/deprecated';
/** Why: ingress-nginx was retired (no releases, no security fixes). */
export const INGRESS_NGINX_DEPRECATION = 'ingress-nginx was retired in March 2026 (no releases, no security fixes): move this app to spec.gateway (README "Exposing an app")';

const SECRET_REF = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

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

/** Checks Ingress settings; fields are those of `spec.ingress`. */
export function ingressProblems(props: Pick<NginxIngressProps, 'host' | 'path' | 'className' | 'tlsSecretName' | 'clientAuth' | 'protocol'> & {
  readonly backendTls?: Pick<IngressBackendTls, 'clientCertSecret'>;
}): Problem[] {
  const problems = new Problems();
  if (typeof props.host === 'string') problems.add('host', hostName(props.host, true));
  if (props.path !== undefined && !props.path.startsWith('/')) problems.add('path', `path ${JSON.stringify(props.path)} must start with "/"`);
  if (props.className !== undefined) problems.add('className', dns1123Subdomain(props.className));
  if (props.tlsSecretName !== undefined) problems.add('tlsSecretName', dns1123Subdomain(props.tlsSecretName));
  const secret = props.backendTls?.clientCertSecret;
  if (secret !== undefined && !SECRET_REF.test(secret)) problems.add('backendTls.clientCertSecret', `${JSON.stringify(secret)} is not "namespace/name"`);
  if (props.protocol === 'tcp' || props.protocol === 'tcp-server-first') {
    problems.add('port', `an Ingress carries HTTP and gRPC only; the port's protocol is ${props.protocol}`);
  }
  const auth = props.clientAuth;
  if (auth) {
    if (!SECRET_REF.test(auth.caSecret)) problems.add('clientAuth.caSecret', `${JSON.stringify(auth.caSecret)} is not "namespace/name"`);
    if (auth.verify !== undefined && !['on', 'optional', 'optional_no_ca'].includes(auth.verify)) {
      problems.add('clientAuth.verify', `${JSON.stringify(auth.verify)} is not allowed; use one of "on", "optional", "optional_no_ca"`);
    }
    if (auth.depth !== undefined && (!Number.isInteger(auth.depth) || auth.depth < 1 || auth.depth > 10)) {
      problems.add('clientAuth.depth', `${JSON.stringify(auth.depth)} is not a whole number from 1 to 10`);
    }
    if (props.tlsSecretName === undefined) problems.add('clientAuth', 'client certificates are asked for during the TLS handshake: set tlsSecretName so the controller terminates TLS for the host');
  }
  return problems.list;
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
