import { Construct } from 'constructs';
import * as cm from '../../../imports/cert-manager.io';
import type { IssuerRef } from '../../spec/app-spec';
import { assertValid, dns1123Label, dns1123Subdomain } from '../../spec/rules';
import { fastRendering } from '../../render/fast-render';

/** The generated class, rendering without the generic resolve pass (see fast-render.ts). */
const Certificate = fastRendering(cm.Certificate, { alphabeticalConverter: true });

export interface ServingCertificateProps {
  readonly name: string;
  readonly namespace: string;
  /** @default - none */
  readonly labels?: { readonly [key: string]: string };
  /** The Secret cert-manager writes the key pair into. */
  readonly secretName: string;
  readonly issuer: IssuerRef;
  /** DNS names the certificate covers. */
  readonly dnsNames: string[];
  /** @default "2160h" (90 days) */
  readonly duration?: string;
  /** @default "360h" (15 days) */
  readonly renewBefore?: string;
}

/** The in-cluster DNS names of a Service, shortest first. */
export function serviceDnsNames(service: string, namespace: string): string[] {
  return [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`];
}

/**
 * A cert-manager Certificate (cert-manager.io/v1) for the pod's serving certificate:
 * ECDSA P-256, key rotated on every renewal, server and client auth usages (for mTLS).
 */
export class ServingCertificate extends Construct {
  public readonly secretName: string;

  constructor(scope: Construct, id: string, props: ServingCertificateProps) {
    super(scope, id);
    assertValid('name', dns1123Subdomain(props.name));
    assertValid('namespace', dns1123Label(props.namespace));
    assertValid('secretName', dns1123Subdomain(props.secretName));
    if (props.dnsNames.length === 0) throw new Error('dnsNames: at least one DNS name is required');
    this.secretName = props.secretName;
    new Certificate(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
      spec: {
        secretName: props.secretName,
        issuerRef: { name: props.issuer.name, kind: props.issuer.kind ?? 'Issuer', group: props.issuer.group ?? 'cert-manager.io' },
        dnsNames: props.dnsNames,
        duration: props.duration ?? '2160h',
        renewBefore: props.renewBefore ?? '360h',
        privateKey: {
          algorithm: cm.CertificateSpecPrivateKeyAlgorithm.ECDSA,
          size: 256,
          rotationPolicy: cm.CertificateSpecPrivateKeyRotationPolicy.ALWAYS,
        },
        usages: [cm.CertificateSpecUsages.SERVER_AUTH, cm.CertificateSpecUsages.CLIENT_AUTH, cm.CertificateSpecUsages.DIGITAL_SIGNATURE],
      },
    });
  }
}
