/**
 * The props of `NginxIngress` and the rules on them, over spec data only: validation
 * (`validateAppSpec`) checks a spec's `spec.ingress` with them without loading cdk8s and
 * cdk8s-plus; the construct throws on them.
 */
import type { IngressClientAuth, PortProtocol } from '../../spec/app-spec';
import { Problem, Problems } from '../../spec/problems';
import { dns1123Subdomain, hostName } from '../../spec/rules';

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

const SECRET_REF = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

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
