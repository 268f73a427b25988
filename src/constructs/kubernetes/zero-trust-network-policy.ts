import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import { selectorLabels } from '../labels';
import { assertValid, cidr, dns1123Label } from '../../spec/rules';
import { fastRendering } from '../../render/fast-render';

/** The generated class, rendering without the generic resolve pass (see fast-render.ts). */
const KubeNetworkPolicy = fastRendering(k8s.KubeNetworkPolicy);

/** Where allowed traffic may come from. */
export interface NetworkPeer {
  /** Pods in this namespace. @default - none */
  readonly namespace?: string;
  /** Pods in namespaces with these labels. @default - none */
  readonly namespaceLabels?: { readonly [key: string]: string };
  /** Only pods with these labels (within the namespaces above). @default - every pod */
  readonly podLabels?: { readonly [key: string]: string };
  /** An IP range. @default - none */
  readonly ipRange?: string;
}

export interface ZeroTrustNetworkPolicyProps {
  /** The app whose pods the policies select. */
  readonly app: string;
  readonly namespace: string;
  /** @default - none */
  readonly labels?: { readonly [key: string]: string };
}

/** The namespace label OpenShift puts on the router's namespace. */
export const OPENSHIFT_INGRESS_POLICY_GROUP = 'policy-group.network.openshift.io/ingress';
/** The label Kubernetes puts on every namespace with its own name. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * Deny-by-default ingress for an app's pods: a NetworkPolicy that selects them and admits nothing,
 * and one NetworkPolicy per `allow` call that admits exactly the named peers on the named ports.
 */
export class ZeroTrustNetworkPolicy extends Construct {
  private readonly props: ZeroTrustNetworkPolicyProps;
  private readonly names = new Set<string>();

  constructor(scope: Construct, id: string, props: ZeroTrustNetworkPolicyProps) {
    super(scope, id);
    assertValid('app', dns1123Label(props.app));
    this.props = props;
    this.policy('default-deny', [], undefined);
  }

  /**
   * Admits traffic from `peers` to the container `ports` (names or numbers) in a policy named
   * `<app>-allow-<purpose>`.
   */
  public allow(purpose: string, peers: NetworkPeer[], ports: Array<string | number>): void {
    if (peers.length === 0) throw new Error(`peers: allow ${JSON.stringify(purpose)} needs at least one peer`);
    peers.forEach((p) => { if (p.ipRange !== undefined) assertValid('peers.ipRange', cidr(p.ipRange)); });
    this.policy(`allow-${purpose}`, peers, ports);
  }

  private policy(suffix: string, peers: NetworkPeer[], ports: Array<string | number> | undefined): void {
    const name = `${this.props.app}-${suffix}`;
    assertValid('name', dns1123Label(name));
    if (this.names.has(name)) throw new Error(`name: network policy ${JSON.stringify(name)} is defined twice`);
    this.names.add(name);
    new KubeNetworkPolicy(this, suffix, {
      metadata: { name, namespace: this.props.namespace, labels: { ...this.props.labels, ...selectorLabels(this.props.app) } },
      spec: {
        podSelector: { matchLabels: selectorLabels(this.props.app) },
        policyTypes: ['Ingress'],
        ingress: ports === undefined ? [] : [{
          from: peers.map(toPeer),
          ports: ports.map((p) => ({ protocol: 'TCP', port: typeof p === 'number' ? k8s.IntOrString.fromNumber(p) : k8s.IntOrString.fromString(p) })),
        }],
      },
    });
  }
}

function toPeer(p: NetworkPeer): k8s.NetworkPolicyPeer {
  if (p.ipRange !== undefined) return { ipBlock: { cidr: p.ipRange } };
  const nsLabels = p.namespace !== undefined ? { [NAMESPACE_NAME_LABEL]: p.namespace } : p.namespaceLabels;
  return {
    namespaceSelector: nsLabels ? { matchLabels: { ...nsLabels } } : undefined,
    podSelector: p.podLabels ? { matchLabels: { ...p.podLabels } } : undefined,
  };
}
