import type { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as gw from '../../../imports/backendtlspolicy-gateway.networking.k8s.io';
import { fastRendering } from '../../render/fast-render';
import { Problems, throwIfProblems } from '../../spec/problems';
import { dns1123Label, dns1123Subdomain, hostName, portName } from '../../spec/rules';
import { NOT_CA_CRT_CONFIGMAPS } from './gateway-route-problems';

/** The generated class, rendering without the generic resolve pass (see fast-render.ts). */
const BackendTlsPolicy = fastRendering(gw.BackendTlsPolicy, { alphabeticalConverter: true });

export interface GatewayBackendTlsPolicyProps {
  readonly name: string;
  /** The Service's namespace (a BackendTLSPolicy targets Services of its own namespace only). */
  readonly namespace: string;
  /** @default - none */
  readonly labels?: { readonly [key: string]: string };
  /** @default - none */
  readonly annotations?: { readonly [key: string]: string };
  /** The Service the gateway opens TLS to. */
  readonly serviceName: string;
  /** The Service port's name (`targetRefs[].sectionName`). @default - every port of the Service */
  readonly servicePortName?: string;
  /**
   * ConfigMaps in `namespace` whose key `ca.crt` holds the CA that verifies the app's certificate
   * (1 to 8; implementations must support one). Their other keys are not read.
   */
  readonly caConfigMaps: string[];
  /** The name the gateway sends as SNI and expects in the app's certificate. */
  readonly hostname: string;
}

/**
 * A gateway.networking.k8s.io/v1 BackendTLSPolicy: the gateway opens TLS to one port of a
 * Service, sends `hostname` as SNI and verifies the app's certificate against the `ca.crt` of the
 * named ConfigMaps (our reencrypt). Gateway API v1.5: Extended support for Services behind an
 * HTTPRoute; behind a GRPCRoute it is implementation-specific until v1.6.
 */
export class GatewayBackendTlsPolicy extends Construct {
  /** The generated BackendTLSPolicy object. */
  /** The generated object (escape hatch: `addJsonPatch`). */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: GatewayBackendTlsPolicyProps) {
    super(scope, id);
    const problems = new Problems();
    problems.add('name', dns1123Subdomain(props.name));
    problems.add('namespace', dns1123Label(props.namespace));
    problems.add('serviceName', dns1123Label(props.serviceName));
    if (props.servicePortName !== undefined) problems.add('servicePortName', portName(props.servicePortName));
    if (props.caConfigMaps.length < 1 || props.caConfigMaps.length > 8) {
      problems.add('caConfigMaps', `${props.caConfigMaps.length} ConfigMaps given; a BackendTLSPolicy names 1 to 8 (with key ca.crt)`);
    }
    props.caConfigMaps.forEach((c, i) => {
      problems.add(`caConfigMaps[${i}]`, dns1123Subdomain(c));
      const why = NOT_CA_CRT_CONFIGMAPS[c];
      if (why) problems.add(`caConfigMaps[${i}]`, `ConfigMap ${JSON.stringify(c)} has no ca.crt (${why}); the gateway reads only ca.crt: name a ConfigMap that holds the CA under ca.crt`);
    });
    problems.add('hostname', hostName(props.hostname));
    throwIfProblems(`backend tls policy ${JSON.stringify(props.name)}`, problems.list);

    this.resource = new BackendTlsPolicy(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: props.labels, annotations: props.annotations },
      spec: {
        targetRefs: [{ group: '', kind: 'Service', name: props.serviceName, sectionName: props.servicePortName }],
        validation: {
          caCertificateRefs: props.caConfigMaps.map((name) => ({ group: '', kind: 'ConfigMap', name })),
          hostname: props.hostname,
        },
      },
    });
  }
}
