import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import type { PortProtocol } from '../../spec/app-spec';
import { selectorLabels } from '../labels';
import { assertValid, dns1123Label, dns1035Label, oneOf, portName, portNumber } from '../../spec/rules';
import { fastRendering } from '../../render/fast-render';

/** The generated class, rendering without the generic resolve pass (see fast-render.ts). */
const KubeService = fastRendering(k8s.KubeService, { alphabeticalConverter: true });

export interface ServicePortProps {
  /** IANA service name; the Service targets the container port of the same name. */
  readonly name: string;
  readonly port: number;
  /** @default "http" */
  readonly protocol?: PortProtocol;
  /**
   * The Service appProtocol, when a mesh reads its own values.
   * @default - the protocol's standard value (APP_PROTOCOLS)
   */
  readonly appProtocol?: string;
}

export interface AppServiceProps {
  /** DNS-1035 label; also the selector's app name. */
  readonly name: string;
  readonly namespace: string;
  /** @default - selector labels only */
  readonly labels?: { readonly [key: string]: string };
  readonly ports: ServicePortProps[];
  /** @default - none */
  readonly annotations?: { readonly [key: string]: string };
}

/**
 * The Service appProtocol of each port protocol without a mesh: IANA names, and Kubernetes'
 * `kubernetes.io/h2c` for cleartext gRPC (HTTP/2 without TLS), which the Gateway API and
 * ingress controllers read. gRPC over TLS is HTTP/2 over TLS: `https` (ALPN picks h2). Opaque
 * TCP has no standard value.
 */
export const APP_PROTOCOLS: { readonly [p in PortProtocol]: string | undefined } = {
  'http': 'http',
  'https': 'https',
  'grpc': 'kubernetes.io/h2c',
  'grpcs': 'https',
  'tcp': undefined,
  'tcp-server-first': undefined,
};

/**
 * A ClusterIP Service with named ports that target the container ports by name, each with the
 * appProtocol its protocol implies (so the mesh and ingress controllers pick the right codec).
 */
export class AppService extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  /** The generated Service object (escape hatch: `service.resource.addJsonPatch(...)`). */
  public readonly resource: k8s.KubeService;

  constructor(scope: Construct, id: string, props: AppServiceProps) {
    super(scope, id);
    assertValid('name', dns1035Label(props.name));
    assertValid('namespace', dns1123Label(props.namespace));
    if (props.ports.length === 0) throw new Error('ports: at least one port is required');
    for (const p of props.ports) {
      assertValid('ports.name', portName(p.name));
      assertValid('ports.port', portNumber(p.port));
      assertValid('ports.protocol', oneOf(p.protocol ?? 'http', Object.keys(APP_PROTOCOLS) as PortProtocol[], 'protocol'));
    }
    this.name = props.name;
    this.namespace = props.namespace;
    this.resource = new KubeService(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels: { ...props.labels, ...selectorLabels(props.name) },
        annotations: props.annotations ? { ...props.annotations } : undefined,
      },
      spec: {
        type: 'ClusterIP',
        selector: selectorLabels(props.name),
        ports: props.ports.map((p) => ({
          name: p.name,
          port: p.port,
          targetPort: k8s.IntOrString.fromString(p.name),
          protocol: 'TCP',
          appProtocol: p.appProtocol ?? APP_PROTOCOLS[p.protocol ?? 'http'],
        })),
      },
    });
  }

  /** Adds an annotation to the Service (for example the OpenShift serving-certificate request). */
  public addAnnotation(key: string, value: string): void {
    this.resource.metadata.addAnnotation(key, value);
  }
}
