import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import type { PortProtocol } from '../../spec/app-spec';
import { Problem, Problems, throwIfProblems } from '../../spec/problems';
import { dns1123Subdomain, hostName } from '../../spec/rules';
import { fastRendering } from '../../render/fast-render';

/** The generated class, rendering without the generic resolve pass (see fast-render.ts). */
const KubeIngress = fastRendering(k8s.KubeIngress);

export interface IngressBackendTls {
  /** "namespace/name" of the client certificate Secret the controller presents to the mesh. */
  readonly clientCertSecret: string;
  /** @default true */
  readonly verify?: boolean;
  /** The name the controller expects in the backend's certificate (the mesh identity). */
  readonly serverName: string;
}

export interface NginxIngressProps {
  readonly name: string;
  readonly namespace: string;
  /** @default - none */
  readonly labels?: { readonly [key: string]: string };
  /** @default - the cluster default IngressClass */
  readonly className?: string;
  readonly host: string;
  /** @default "/" */
  readonly path?: string;
  readonly serviceName: string;
  readonly servicePort: string;
  /** The backend port's protocol. @default "http" */
  readonly protocol?: PortProtocol;
  /** @default - no TLS section */
  readonly tlsSecretName?: string;
  /** @default - plain backend protocol */
  readonly backendTls?: IngressBackendTls;
}

export const NGINX = 'nginx.ingress.kubernetes.io';

/** Checks Ingress settings; fields are those of `spec.ingress`. */
export function ingressProblems(props: Pick<NginxIngressProps, 'host' | 'path' | 'className' | 'tlsSecretName'> & {
  readonly backendTls?: Pick<IngressBackendTls, 'clientCertSecret'>;
}): Problem[] {
  const problems = new Problems();
  if (typeof props.host === 'string') problems.add('host', hostName(props.host, true));
  if (props.path !== undefined && !props.path.startsWith('/')) problems.add('path', `path ${JSON.stringify(props.path)} must start with "/"`);
  if (props.className !== undefined) problems.add('className', dns1123Subdomain(props.className));
  if (props.tlsSecretName !== undefined) problems.add('tlsSecretName', dns1123Subdomain(props.tlsSecretName));
  if (props.backendTls && !/^[a-z0-9-]+\/[a-z0-9.-]+$/.test(props.backendTls.clientCertSecret)) {
    problems.add('backendTls.clientCertSecret', `${JSON.stringify(props.backendTls.clientCertSecret)} is not "namespace/name"`);
  }
  return problems.list;
}

/**
 * A networking.k8s.io/v1 Ingress for ingress-nginx; with `backendTls` it speaks HTTPS to the
 * mesh sidecar, presenting a client certificate and verifying the app's mesh identity.
 */
export class NginxIngress extends Construct {
  constructor(scope: Construct, id: string, props: NginxIngressProps) {
    super(scope, id);
    throwIfProblems(`ingress ${JSON.stringify(props.name)}`, ingressProblems(props));

    const annotations: { [key: string]: string } = {};
    const grpc = props.protocol === 'grpc';
    if (props.backendTls) {
      annotations[`${NGINX}/backend-protocol`] = grpc ? 'GRPCS' : 'HTTPS';
      annotations[`${NGINX}/proxy-ssl-secret`] = props.backendTls.clientCertSecret;
      annotations[`${NGINX}/proxy-ssl-verify`] = props.backendTls.verify === false ? 'off' : 'on';
      annotations[`${NGINX}/proxy-ssl-name`] = props.backendTls.serverName;
      annotations[`${NGINX}/proxy-ssl-server-name`] = 'on';
    } else if (props.protocol === 'https' || grpc) {
      annotations[`${NGINX}/backend-protocol`] = grpc ? 'GRPC' : 'HTTPS';
    }

    new KubeIngress(this, 'Resource', {
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
