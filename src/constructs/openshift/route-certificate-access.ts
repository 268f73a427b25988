import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import { assertValid, dns1123Label, dns1123Subdomain } from '../../spec/rules';
import { fastRendering } from '../../render/fast-render';

/** The generated classes, rendering without the generic resolve pass (see fast-render.ts). */
const KubeRole = fastRendering(k8s.KubeRole, { alphabeticalConverter: true });
const KubeRoleBinding = fastRendering(k8s.KubeRoleBinding, { alphabeticalConverter: true });

export interface RouteCertificateAccessProps {
  /** Names the Role and RoleBinding. */
  readonly name: string;
  readonly namespace: string;
  /** @default - none */
  readonly labels?: { readonly [key: string]: string };
  /** The TLS Secret a Route references through `externalCertificate`. */
  readonly secretName: string;
  /** @default "router" */
  readonly routerServiceAccount?: string;
  /** @default "openshift-ingress" */
  readonly routerNamespace?: string;
}

/**
 * Lets the OpenShift router read exactly one TLS Secret (get, list, watch on that name), which a
 * Route's `spec.tls.externalCertificate` needs: a Role and a RoleBinding in the app namespace.
 */
export class RouteCertificateAccess extends Construct {
  constructor(scope: Construct, id: string, props: RouteCertificateAccessProps) {
    super(scope, id);
    assertValid('name', dns1123Subdomain(props.name));
    assertValid('namespace', dns1123Label(props.namespace));
    assertValid('secretName', dns1123Subdomain(props.secretName));
    const metadata = { name: props.name, namespace: props.namespace, labels: props.labels };
    new KubeRole(this, 'Role', {
      metadata,
      rules: [{ apiGroups: [''], resources: ['secrets'], resourceNames: [props.secretName], verbs: ['get', 'list', 'watch'] }],
    });
    new KubeRoleBinding(this, 'Binding', {
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: props.name },
      subjects: [{ kind: 'ServiceAccount', name: props.routerServiceAccount ?? 'router', namespace: props.routerNamespace ?? 'openshift-ingress' }],
    });
  }
}
