import { Construct } from 'constructs';
import * as config from '../../../../imports/config.openservicemesh.io';
import { fastRendering } from '../../../render/fast-render';
import type { IngressGatewayCertificateSpec } from '../../../spec/cluster-spec';
import { Problems, throwIfProblems } from '../../../spec/problems';
import { dns1123Label, dns1123Subdomain } from '../../../spec/rules';

/** The generated class, rendering without the generic resolve pass (see fast-render.ts). */
const MeshConfig = fastRendering(config.MeshConfig);

export interface OsmMeshConfigProps {
  /** @default "osm-mesh-config" */
  readonly name?: string;
  /** The control plane's namespace. */
  readonly namespace: string;
  /** @default - none */
  readonly labels?: { readonly [key: string]: string };
  /** Every meshed caller allowed, whatever the SMI policy says. @default false */
  readonly permissive?: boolean;
  /** Meshed pods reach any destination outside the mesh (Egress policies ignored). @default false */
  readonly enableEgress?: boolean;
  /** Run OSM's init container privileged (OpenShift: SCCs do not grant a bare NET_ADMIN). @default false */
  readonly privilegedInitContainer?: boolean;
  /** The client certificate OSM issues for an ingress controller. @default - none */
  readonly ingressGateway?: IngressGatewayCertificateSpec;
}

/** OSM's chart defaults for the fields the CRD requires beside `certificate.ingressGateway`. */
const CERTIFICATE_DEFAULTS = { serviceCertValidityDuration: '24h', certKeyBitSize: 2048 };

/**
 * OSM's mesh-wide settings (config.openservicemesh.io/v1alpha2 MeshConfig, a singleton named
 * `osm-mesh-config` in the control plane's namespace). Written with only the fields zero trust
 * needs: permissive mode and egress (both off by default, while OSM's chart turns both on), the
 * IngressBackend and Egress policy features, and the ingress gateway's client certificate.
 * Server-side apply (or `kubectl apply`) of this partial object leaves the other fields to the
 * installation.
 */
export class OsmMeshConfig extends Construct {
  public readonly name: string;

  constructor(scope: Construct, id: string, props: OsmMeshConfigProps) {
    super(scope, id);
    const problems = new Problems();
    const name = props.name ?? 'osm-mesh-config';
    problems.add('name', dns1123Subdomain(name));
    problems.add('namespace', dns1123Label(props.namespace));
    const gw = props.ingressGateway;
    if (gw) {
      problems.add('ingressGateway.secret.name', dns1123Subdomain(gw.secret.name));
      problems.add('ingressGateway.secret.namespace', dns1123Label(gw.secret.namespace));
      if (gw.subjectAltNames.length === 0) problems.add('ingressGateway.subjectAltNames', 'at least one subject alternative name is required');
      gw.subjectAltNames.forEach((san, i) => problems.add(`ingressGateway.subjectAltNames[${i}]`, dns1123Subdomain(san)));
      if (gw.validityDuration !== undefined && !/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(gw.validityDuration)) {
        problems.add('ingressGateway.validityDuration', `${JSON.stringify(gw.validityDuration)} is not a Go duration such as "24h" or "90m"`);
      }
    }
    throwIfProblems(`mesh config ${JSON.stringify(name)}`, problems.list);
    this.name = name;
    new MeshConfig(this, 'Resource', {
      metadata: { name, namespace: props.namespace, labels: props.labels },
      spec: {
        sidecar: props.privilegedInitContainer ? { enablePrivilegedInitContainer: true } : undefined,
        traffic: { enablePermissiveTrafficPolicyMode: props.permissive ?? false, enableEgress: props.enableEgress ?? false },
        featureFlags: { enableIngressBackendPolicy: true, enableEgressPolicy: true },
        certificate: gw ? {
          ...CERTIFICATE_DEFAULTS,
          ingressGateway: {
            secret: { name: gw.secret.name, namespace: gw.secret.namespace },
            subjectAltNames: [...gw.subjectAltNames],
            validityDuration: gw.validityDuration ?? '24h',
          },
        } : undefined,
      },
    });
  }
}
