import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import { fastRendering } from '../../render/fast-render';
import { NAMESPACE_NAME_LABEL } from '../../spec/profiles/platform-profile';
import { Problems, throwIfProblems } from '../../spec/problems';
import { assertValid, cidr, dns1123Label, dns1123Subdomain, portName, portNumber } from '../../spec/rules';
import { selectorLabels } from '../labels';

export { NAMESPACE_NAME_LABEL } from '../../spec/profiles/platform-profile';
export { OPENSHIFT_INGRESS_POLICY_GROUP } from '../../spec/profiles/openshift';

/** The generated class, rendering without the generic resolve pass (see fast-render.ts). */
const KubeNetworkPolicy = fastRendering(k8s.KubeNetworkPolicy, { alphabeticalConverter: true });

/** Where allowed traffic may come from or go to. */
export interface NetworkPeer {
  /** Pods in this namespace. @default - none */
  readonly namespace?: string;
  /** Pods in namespaces with these labels. @default - none */
  readonly namespaceLabels?: { readonly [key: string]: string };
  /** Only pods with these labels (within the namespaces above). @default - every pod */
  readonly podLabels?: { readonly [key: string]: string };
  /** An IP range outside the pod network. @default - none */
  readonly ipRange?: string;
  /** Ranges inside `ipRange` that are excluded. @default - none */
  readonly except?: string[];
}

/** A port as NetworkPolicy sees it: the pod's port (after Service DNAT), by number or name. */
export interface NetworkPolicyPort {
  /** A port number, or a container port name. */
  readonly port: number | string;
  /** @default "TCP" */
  readonly protocol?: 'TCP' | 'UDP' | 'SCTP';
}

export interface ZeroTrustNetworkPolicyProps {
  /** The app whose pods the policies select. */
  readonly app: string;
  readonly namespace: string;
  /** @default - none */
  readonly labels?: { readonly [key: string]: string };
  /** Isolate egress too (the default-deny policy covers both directions). @default true */
  readonly isolateEgress?: boolean;
  /** Annotations of every policy (e.g. that egress is unrestricted). @default - none */
  readonly annotations?: { readonly [key: string]: string };
}

/**
 * Deny-by-default for an app's pods: a NetworkPolicy `<app>-default-deny` that selects them and
 * admits nothing (ingress, and egress unless `isolateEgress: false`), and one NetworkPolicy per
 * `allowIngress` / `allowEgress` call that admits exactly the named peers on the named ports.
 * Policies are additive (their union applies), so each purpose is a policy of its own.
 */
export class ZeroTrustNetworkPolicy extends Construct {
  /** Every NetworkPolicy written, in order. */
  public readonly policies: k8s.KubeNetworkPolicy[] = [];
  private readonly props: ZeroTrustNetworkPolicyProps;
  private readonly names = new Set<string>();

  constructor(scope: Construct, id: string, props: ZeroTrustNetworkPolicyProps) {
    super(scope, id);
    assertValid('app', dns1123Label(props.app));
    assertValid('namespace', dns1123Label(props.namespace));
    this.props = props;
    const types = props.isolateEgress === false ? ['Ingress'] : ['Ingress', 'Egress'];
    this.policy('default-deny', types, {});
  }

  /** Admits traffic from `peers` to the pods' `ports` in a policy named `<app>-allow-<purpose>`. */
  public allowIngress(purpose: string, peers: NetworkPeer[], ports: NetworkPolicyPort[]): void {
    if (peers.length === 0) throw new Error(`peers: allow ${JSON.stringify(purpose)} needs at least one peer`);
    checkPeersAndPorts(peers, ports);
    this.policy(`allow-${purpose}`, ['Ingress'], { ingress: [{ from: peers.map(toPeer), ports: ports.map(toPort) }] });
  }

  /**
   * Lets the pods connect to `peers` on `ports` (the destination pods' ports), in a policy named
   * `<app>-egress-<purpose>`. No peers: any destination on those ports (a port-only rule).
   */
  public allowEgress(purpose: string, peers: NetworkPeer[], ports: NetworkPolicyPort[]): void {
    if (this.props.isolateEgress === false) throw new Error(`egress ${JSON.stringify(purpose)}: egress is not isolated for ${this.props.app}; nothing to allow`);
    if (ports.length === 0) throw new Error(`ports: egress ${JSON.stringify(purpose)} needs at least one port`);
    checkPeersAndPorts(peers, ports);
    this.policy(`egress-${purpose}`, ['Egress'], { egress: [{ to: peers.length ? peers.map(toPeer) : undefined, ports: ports.map(toPort) }] });
  }

  /** @deprecated use allowIngress; kept for one minor version. */
  public allow(purpose: string, peers: NetworkPeer[], ports: Array<string | number>): void {
    this.allowIngress(purpose, peers, ports.map((port) => ({ port })));
  }

  private policy(suffix: string, policyTypes: string[], rules: { ingress?: k8s.NetworkPolicyIngressRule[]; egress?: k8s.NetworkPolicyEgressRule[] }): void {
    const name = `${this.props.app}-${suffix}`;
    assertValid('name', dns1123Subdomain(name));
    if (this.names.has(name)) throw new Error(`name: network policy ${JSON.stringify(name)} is defined twice`);
    this.names.add(name);
    const annotations = this.props.annotations && Object.keys(this.props.annotations).length ? { ...this.props.annotations } : undefined;
    this.policies.push(new KubeNetworkPolicy(this, suffix, {
      metadata: { name, namespace: this.props.namespace, labels: { ...this.props.labels, ...selectorLabels(this.props.app) }, annotations },
      spec: {
        podSelector: { matchLabels: selectorLabels(this.props.app) },
        policyTypes,
        // default-deny: an empty rule list for each isolated direction.
        ingress: policyTypes.includes('Ingress') ? (rules.ingress ?? []) : undefined,
        egress: policyTypes.includes('Egress') ? (rules.egress ?? []) : undefined,
      },
    }));
  }
}

function checkPeersAndPorts(peers: NetworkPeer[], ports: NetworkPolicyPort[]): void {
  const problems = new Problems();
  peers.forEach((p, i) => {
    if (p.ipRange !== undefined) problems.add(`peers[${i}].ipRange`, cidr(p.ipRange));
    (p.except ?? []).forEach((e, j) => problems.add(`peers[${i}].except[${j}]`, cidr(e)));
    if (p.namespace !== undefined) problems.add(`peers[${i}].namespace`, dns1123Label(p.namespace));
    if (p.ipRange !== undefined && (p.namespace !== undefined || p.namespaceLabels !== undefined || p.podLabels !== undefined)) {
      problems.add(`peers[${i}]`, 'an ipRange peer cannot also select namespaces or pods');
    }
  });
  ports.forEach((p, i) => problems.add(`ports[${i}].port`, typeof p.port === 'number' ? portNumber(p.port) : portName(p.port)));
  throwIfProblems('network policy', problems.list);
}

function toPort(p: NetworkPolicyPort): k8s.NetworkPolicyPort {
  return { protocol: p.protocol ?? 'TCP', port: typeof p.port === 'number' ? k8s.IntOrString.fromNumber(p.port) : k8s.IntOrString.fromString(p.port) };
}

function toPeer(p: NetworkPeer): k8s.NetworkPolicyPeer {
  if (p.ipRange !== undefined) return { ipBlock: { cidr: p.ipRange, except: p.except?.length ? [...p.except] : undefined } };
  const nsLabels = p.namespace !== undefined ? { [NAMESPACE_NAME_LABEL]: p.namespace } : p.namespaceLabels;
  return {
    namespaceSelector: nsLabels ? { matchLabels: { ...nsLabels } } : undefined,
    podSelector: p.podLabels ? { matchLabels: { ...p.podLabels } } : undefined,
  };
}
