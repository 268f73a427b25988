import * as net from 'node:net';
import { NAMESPACE_NAME_LABEL, objectNamespace, selectorMatches } from './cluster';
import type { LabelSelector, WorkloadEndpoint } from './cluster';
import type { ClusterModel, KubeObject, NamespaceInfo, NetworkEndpoint, PodEndpoint, PodPort, PortRef, Verdict } from './model';
import { objectRef } from './model';

/**
 * Kubernetes NetworkPolicy (networking.k8s.io/v1) as upstream defines it: a pod is isolated for a
 * direction when a policy of its namespace selects it for that direction, and an isolated pod
 * admits exactly the union of the rules of those policies. Host-network pods are never isolated
 * (policies do not apply to the host's network namespace) and are seen by rules only as node
 * addresses, through ipBlock.
 */

/** The direction of traffic a policy rule is about, as `policyTypes` names it. */
export type PolicyDirection = 'Ingress' | 'Egress';

/** A NetworkPolicy as the analysis reads it: defaults applied, rules kept as written. */
interface Policy {
  readonly ref: string;
  readonly namespace: string;
  readonly podSelector: LabelSelector;
  /** Rules per direction the policy is about (a direction not in policyTypes is absent). */
  readonly rules: { [direction: string]: Rule[] | undefined };
}

/** One ingress or egress rule: peers (`from` / `to`) and ports, undefined when they do not restrict. */
interface Rule {
  readonly peers?: unknown[];
  readonly ports?: unknown[];
}

const policyCache = new WeakMap<ClusterModel, Map<string, NamespacePolicies>>();
/** What selects a pod endpoint, per direction: endpoints are reused across many verdicts. */
const selectingCache = new WeakMap<ClusterModel, WeakMap<PodEndpoint, { [direction: string]: Policy[] | undefined }>>();

/**
 * Whether `source` may open a connection to `port` of the `dest` pod, as the ingress side of
 * NetworkPolicy decides it (the source's own egress is `egressVerdict`). Without `explain`, the
 * verdict is the same but its reason is empty and it names no objects.
 */
export function ingressVerdict(model: ClusterModel, dest: PodEndpoint, port: PortRef, source: NetworkEndpoint, explain: boolean = true): Verdict {
  return verdict(model, dest, 'Ingress', source, port, dest.ports, explain);
}

/**
 * Whether the `source` pod may open a connection to `port` of `dest`, as the egress side of
 * NetworkPolicy decides it. Named ports resolve against the destination pod's ports (never an address's).
 * Without `explain`, the verdict is the same but its reason is empty and it names no objects.
 */
export function egressVerdict(model: ClusterModel, source: PodEndpoint, dest: NetworkEndpoint, port: PortRef, explain: boolean = true): Verdict {
  return verdict(model, source, 'Egress', dest, port, dest.pod?.ports ?? [], explain);
}

/**
 * Both sides of a connection: the source pod's egress (when the source is a pod) and the
 * destination pod's ingress (when the destination is a pod). Allowed when both allow it; the
 * reason and objects are those of the sides that deny it, or of both sides when it is allowed.
 * Without `explain`, the verdict is the same but its reason is empty and it names no objects
 * (the ingress side is then not asked when the egress side denies).
 */
export function connectionVerdict(model: ClusterModel, source: NetworkEndpoint, dest: NetworkEndpoint, port: PortRef, explain: boolean = true): Verdict {
  const egress = source.pod ? egressVerdict(model, source.pod, dest, port, explain) : undefined;
  if (!explain && egress && !egress.allowed) return DENIED;
  const ingress = dest.pod ? ingressVerdict(model, dest.pod, port, source, explain) : undefined;
  if (!explain) return ingress && !ingress.allowed ? DENIED : ALLOWED;
  const sides: Array<[string, Verdict]> = [];
  if (egress) sides.push(['egress', egress]);
  if (ingress) sides.push(['ingress', ingress]);
  if (sides.length === 0) return { allowed: true, reason: 'neither end is a pod: NetworkPolicy does not apply', objects: [] };
  const denied = sides.filter(([, v]) => !v.allowed);
  const deciding = denied.length > 0 ? denied : sides;
  return {
    allowed: denied.length === 0,
    reason: deciding.map(([side, v]) => `${side}: ${v.reason}`).join('; '),
    objects: [...new Set(deciding.flatMap(([, v]) => v.objects))],
  };
}

const ALLOWED: Verdict = Object.freeze({ allowed: true, reason: '', objects: Object.freeze([]) as unknown as string[] });
const DENIED: Verdict = Object.freeze({ allowed: false, reason: '', objects: Object.freeze([]) as unknown as string[] });

/** A verdict without its reason and objects, as the analysis answers without `explain` (shared and frozen: never written to). */
export function terseVerdict(allowed: boolean): Verdict {
  return allowed ? ALLOWED : DENIED;
}

/** The NetworkPolicies (refs) that isolate a pod for a direction, in input order; none for host-network pods. */
export function isolatingPolicies(model: ClusterModel, pod: PodEndpoint, direction: PolicyDirection): string[] {
  return selecting(model, pod, direction).map((p) => p.ref);
}

/**
 * Whether an address is in an ipBlock: in its `cidr` (IPv4 or IPv6, same family as the address)
 * and in none of its `except` CIDRs. A malformed ipBlock or address matches nothing.
 */
export function ipBlockMatches(ipBlock: unknown, ip: string): boolean {
  if (!isMapping(ipBlock) || typeof ipBlock.cidr !== 'string') return false;
  if (ipBlock.except !== undefined && ipBlock.except !== null && !Array.isArray(ipBlock.except)) return false;
  const except: unknown[] = ipBlock.except ?? [];
  return cidrContains(ipBlock.cidr, ip) && !except.some((e) => typeof e === 'string' && cidrContains(e, ip));
}

const cidrCache = new Map<string, net.BlockList | null>();

/**
 * Whether a CIDR (`10.0.0.0/8`, `fd00::/8`; host bits are ignored) contains an address of the
 * same family (node's `net.BlockList` does the prefix math). A malformed CIDR or address, or one
 * of the other family, is not contained.
 */
export function cidrContains(cidr: string, ip: string): boolean {
  const list = cidrBlock(cidr);
  const family = net.isIP(ip);
  return list !== null && family !== 0 && familyOf(cidr) === family && list.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

/** Whether a CIDR is well formed (an address of either family, `/`, a prefix length that fits it). */
export function isCidr(cidr: string): boolean {
  return cidrBlock(cidr) !== null;
}

/** The CIDR's block, parsed once (up to 10,000 CIDRs are kept); null when malformed. */
function cidrBlock(cidr: string): net.BlockList | null {
  let list = cidrCache.get(cidr);
  if (list === undefined) {
    list = parseCidr(cidr);
    if (cidrCache.size < 10_000) cidrCache.set(cidr, list);
  }
  return list;
}

function parseCidr(cidr: string): net.BlockList | null {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(cidr);
  if (!match) return null;
  const family = net.isIP(match[1]);
  const prefix = Number(match[2]);
  if (family === 0 || prefix > (family === 4 ? 32 : 128)) return null;
  const list = new net.BlockList();
  list.addSubnet(match[1], prefix, family === 4 ? 'ipv4' : 'ipv6');
  return list;
}

function familyOf(cidr: string): number {
  return net.isIP(cidr.split('/')[0]);
}

/**
 * The verdict of one pod's policies for one direction, against the connection's other end
 * (`other`: the source for ingress, the destination for egress), which a rule peer of a policy
 * must match. Without `explain`, the same decision without a reason or objects.
 */
function verdict(model: ClusterModel, pod: PodEndpoint, direction: PolicyDirection, other: NetworkEndpoint, port: PortRef, destPorts: PodPort[], explain: boolean): Verdict {
  const dir = direction.toLowerCase();
  if (pod.hostNetwork) return explain ? { allowed: true, reason: `${describePod(pod)} uses the host network: NetworkPolicy does not apply to it`, objects: [] } : ALLOWED;
  const isolating = selecting(model, pod, direction);
  if (isolating.length === 0) return explain ? { allowed: true, reason: `no NetworkPolicy selects ${describePod(pod)} for ${dir}`, objects: [] } : ALLOWED;
  if (!explain) {
    for (const p of isolating) if (admitting(p, direction, other, port, destPorts)) return ALLOWED;
    return DENIED;
  }
  const admitted = isolating.filter((p) => admitting(p, direction, other, port, destPorts)).map((p) => p.ref);
  if (admitted.length > 0) return { allowed: true, reason: `${listRefs(admitted)} ${admitted.length === 1 ? 'admits' : 'admit'} it`, objects: admitted };
  const refs = isolating.map((p) => p.ref);
  const none = refs.length === 1 ? 'no rule of it admits it' : 'no rule of theirs admits it';
  return { allowed: false, reason: `${listRefs(refs)} ${refs.length === 1 ? 'isolates' : 'isolate'} ${describePod(pod)} for ${dir} and ${none}`, objects: refs };
}

/**
 * Whether a rule of the policy for `direction` admits the connection: its peers (none: any) match
 * the other end and its ports (none: any) the port. Plain loops, so that the table's many
 * verdicts allocate no closures.
 */
function admitting(p: Policy, direction: PolicyDirection, other: NetworkEndpoint, port: PortRef, destPorts: PodPort[]): boolean {
  const rules = p.rules[direction];
  if (rules === undefined) return false;
  for (const rule of rules) {
    if (rule.peers !== undefined && !anyPeerMatches(rule.peers, p.namespace, other)) continue;
    if (rule.ports === undefined || anyPortMatches(rule.ports, port, destPorts)) return true;
  }
  return false;
}

function anyPeerMatches(peers: unknown[], policyNamespace: string, other: NetworkEndpoint): boolean {
  for (const peer of peers) if (peerMatches(peer, policyNamespace, other)) return true;
  return false;
}

function anyPortMatches(entries: unknown[], port: PortRef, destPorts: PodPort[]): boolean {
  for (const entry of entries) if (portMatches(entry, port, destPorts)) return true;
  return false;
}

/** The policies of a pod's namespace that select it and are about a direction (cached per endpoint). */
function selecting(model: ClusterModel, pod: PodEndpoint, direction: PolicyDirection): Policy[] {
  if (pod.hostNetwork) return [];
  let byPod = selectingCache.get(model);
  if (!byPod) selectingCache.set(model, byPod = new WeakMap());
  let known = byPod.get(pod);
  if (!known) byPod.set(pod, known = { Ingress: undefined, Egress: undefined }); // one shape for every endpoint
  return known[direction] ??= candidatePolicies(policies(model).get(pod.namespace), pod.labels)
    .filter((p) => p.rules[direction] !== undefined && selectorMatches(p.podSelector, pod.labels));
}

/**
 * The policies of one namespace, in input order, indexed by the first `matchLabels` entry of their
 * pod selector: a pod can only be selected by the policies filed under one of its own labels, or by
 * those with no such entry (`{}`, only `matchExpressions`, malformed), which are kept aside. With
 * one policy per app this keeps the lookup of a pod's policies from scanning the whole namespace.
 */
interface NamespacePolicies {
  readonly all: Policy[];
  readonly byLabel: Map<string, Policy[]>;
  readonly unindexed: Policy[];
  readonly order: Map<Policy, number>;
}

/** The policies of a namespace that may select a pod with these labels, in input order (a superset: callers match the selectors). */
function candidatePolicies(ns: NamespacePolicies | undefined, labels: { readonly [key: string]: string }): Policy[] {
  if (!ns) return [];
  if (ns.byLabel.size === 0) return ns.unindexed;
  const lists: Policy[][] = ns.unindexed.length ? [ns.unindexed] : [];
  for (const k of Object.keys(labels)) {
    const l = ns.byLabel.get(labelKey(k, labels[k]));
    if (l) lists.push(l);
  }
  if (lists.length === 0) return [];
  if (lists.length === 1) return lists[0];
  const merged = [...new Set(lists.flat())];
  return merged.sort((a, b) => ns.order.get(a)! - ns.order.get(b)!);
}

const labelKey = (k: string, v: string) => `${k}\u0000${v}`;

/** The first `matchLabels` entry of a selector when it has a string value, as an index key. */
function firstMatchLabel(selector: LabelSelector): string | undefined {
  if (!isMapping(selector) || !isMapping(selector.matchLabels)) return undefined;
  const k = Object.keys(selector.matchLabels)[0];
  if (k === undefined) return undefined;
  const v = selector.matchLabels[k];
  return typeof v === 'string' ? labelKey(k, v) : undefined;
}

/** The NetworkPolicies of a model by namespace (a policy selects pods of its own namespace only), read once per model. */
function policies(model: ClusterModel): Map<string, NamespacePolicies> {
  let byNamespace = policyCache.get(model);
  if (!byNamespace) {
    byNamespace = new Map();
    for (const s of model.objects) {
      if (!isNetworkPolicy(s.object)) continue;
      const p = readPolicy(s.object);
      let ns = byNamespace.get(p.namespace);
      if (!ns) byNamespace.set(p.namespace, ns = { all: [], byLabel: new Map(), unindexed: [], order: new Map() });
      ns.order.set(p, ns.all.length);
      ns.all.push(p);
      const key = firstMatchLabel(p.podSelector);
      if (key === undefined) ns.unindexed.push(p);
      else {
        const l = ns.byLabel.get(key);
        if (l) l.push(p); else ns.byLabel.set(key, [p]);
      }
    }
    policyCache.set(model, byNamespace);
  }
  return byNamespace;
}

/**
 * The namespaces whose pods some rule of the policies isolating `pod` for `direction` could
 * admit as peers (namespace selectors matched against the model's namespaces; a pod selector alone
 * means the policy's own namespace), or `undefined` when any pod could be admitted (a rule
 * without peers) or the pod is not isolated. ipBlock peers admit no pod. A pre-filter for callers
 * that would otherwise judge every pod against every other.
 */
export function admittedPeers(model: ClusterModel, pod: PodEndpoint, direction: PolicyDirection): PeerSelection[] | undefined {
  const isolating = selecting(model, pod, direction);
  if (isolating.length === 0) return undefined;
  const out: PeerSelection[] = [];
  for (const p of isolating) {
    for (const rule of p.rules[direction] ?? []) {
      if (rule.peers === undefined) return undefined;
      for (const peer of rule.peers) {
        if (!isMapping(peer) || peer.ipBlock !== undefined) continue;
        const podSelector = isMapping(peer.podSelector) ? peer.podSelector as LabelSelector : undefined;
        if (peer.namespaceSelector === undefined) { out.push({ namespaces: [p.namespace], podSelector }); continue; }
        out.push({ namespaces: selectedNamespaces(model, peer.namespaceSelector), podSelector });
      }
    }
  }
  return out;
}

const namespaceSelections = new WeakMap<ClusterModel, WeakMap<object, string[]>>();

/**
 * The namespaces of the model a namespace selector matches, and the one it names by
 * `kubernetes.io/metadata.name` (a namespace not in the model can still match a selector on its
 * name label); cached per model and selector object, as every pod a policy isolates asks again.
 */
function selectedNamespaces(model: ClusterModel, selector: unknown): string[] {
  let bySelector = namespaceSelections.get(model);
  if (!bySelector) namespaceSelections.set(model, bySelector = new WeakMap());
  const cacheable = typeof selector === 'object' && selector !== null;
  const known = cacheable ? bySelector.get(selector) : undefined;
  if (known) return known;
  const namespaces = new Set<string>();
  const first = firstMatchLabel(selector as LabelSelector);
  const pool = first === undefined ? model.namespaces.values() : namespacesByLabel(model).get(first) ?? [];
  for (const ns of pool) if (selectorMatches(selector as LabelSelector, ns.labels)) namespaces.add(ns.name);
  const byName = (selector as LabelSelector)?.matchLabels?.['kubernetes.io/metadata.name'];
  if (byName) namespaces.add(byName);
  const out = [...namespaces];
  if (cacheable) bySelector.set(selector, out);
  return out;
}

const namespaceIndexes = new WeakMap<ClusterModel, Map<string, NamespaceInfo[]>>();

/** The model's namespaces by each `label=value` they carry, in the model's order. */
function namespacesByLabel(model: ClusterModel): Map<string, NamespaceInfo[]> {
  let index = namespaceIndexes.get(model);
  if (!index) {
    index = new Map();
    for (const ns of model.namespaces.values()) {
      for (const k of Object.keys(ns.labels)) {
        const key = labelKey(k, ns.labels[k]);
        const l = index.get(key);
        if (l) l.push(ns); else index.set(key, [ns]);
      }
    }
    namespaceIndexes.set(model, index);
  }
  return index;
}

/** Pods a rule peer may select: in these namespaces, matching the pod selector. */
export interface PeerSelection {
  readonly namespaces: string[];
  /** @default - every pod of the namespaces */
  readonly podSelector?: LabelSelector;
}

function isNetworkPolicy(o: KubeObject): boolean {
  return o.kind === 'NetworkPolicy' && o.apiVersion.startsWith('networking.k8s.io/');
}

/**
 * A policy with the API server's defaults: an omitted podSelector is `{}`; omitted (or empty)
 * policyTypes are Ingress, plus Egress when `egress` has at least one rule (`egress: []` does not
 * count, as in upstream's SetDefaults_NetworkPolicy).
 */
function readPolicy(o: KubeObject): Policy {
  const spec = isMapping(o.spec) ? o.spec : {};
  const egressRules = Array.isArray(spec.egress) ? spec.egress : [];
  const types: unknown[] = Array.isArray(spec.policyTypes) && spec.policyTypes.length > 0
    ? spec.policyTypes
    : ['Ingress', ...(egressRules.length > 0 ? ['Egress'] : [])];
  const rules: { [direction: string]: Rule[] | undefined } = {};
  if (types.includes('Ingress')) rules.Ingress = readRules(spec.ingress, 'from');
  if (types.includes('Egress')) rules.Egress = readRules(spec.egress, 'to');
  return {
    ref: objectRef(o),
    namespace: objectNamespace(o) ?? 'default',
    podSelector: spec.podSelector === undefined || spec.podSelector === null ? {} : spec.podSelector,
    rules,
  };
}

/** Rules as written; `from`/`to` and `ports` that are omitted or empty do not restrict. */
function readRules(list: unknown, peersField: 'from' | 'to'): Rule[] {
  if (!Array.isArray(list)) return [];
  return list.map((r) => {
    const rule = isMapping(r) ? r : {};
    const peers = rule[peersField];
    const ports = rule.ports;
    return {
      peers: Array.isArray(peers) && peers.length > 0 ? peers : undefined,
      ports: Array.isArray(ports) && ports.length > 0 ? ports : undefined,
    };
  });
}

/**
 * Whether a rule peer matches the other end of a connection. `podSelector` alone: pods of the
 * policy's namespace; `namespaceSelector` alone: every pod of matching namespaces; both: pods
 * matching both. `ipBlock` (alone: a peer mixing it with selectors is invalid and matches
 * nothing) matches addresses and host-network pods' node addresses, never pod-network pods.
 */
function peerMatches(peer: unknown, policyNamespace: string, end: NetworkEndpoint): boolean {
  if (!isMapping(peer)) return false;
  const hasPods = peer.podSelector !== undefined && peer.podSelector !== null;
  const hasNamespaces = peer.namespaceSelector !== undefined && peer.namespaceSelector !== null;
  if (peer.ipBlock !== undefined && peer.ipBlock !== null) {
    const ip = addressOf(end);
    return !hasPods && !hasNamespaces && ip !== undefined && ipBlockMatches(peer.ipBlock, ip);
  }
  const pod = end.pod;
  if ((!hasPods && !hasNamespaces) || !pod || pod.hostNetwork) return false;
  const inNamespace = hasNamespaces ? selectorMatches(peer.namespaceSelector, namespaceLabelsOf(pod)) : pod.namespace === policyNamespace;
  return inNamespace && (!hasPods || selectorMatches(peer.podSelector, pod.labels));
}

/** The address ipBlock sees: an outside address, or a host-network pod's node address; none for pod-network pods. */
function addressOf(end: NetworkEndpoint): string | undefined {
  if (end.pod) return end.pod.hostNetwork ? end.pod.hostIp : undefined;
  return end.ip;
}

/** A pod's namespace labels, with the `kubernetes.io/metadata.name` label every namespace has (the model's labels carry it already). */
function namespaceLabelsOf(pod: PodEndpoint): { readonly [key: string]: string } {
  const labels = pod.namespaceLabels;
  return labels[NAMESPACE_NAME_LABEL] === pod.namespace ? labels : { ...labels, [NAMESPACE_NAME_LABEL]: pod.namespace };
}

/**
 * Whether a rule's port entry matches: same protocol (default TCP), and the port a number (with
 * `endPort`, a range), a name resolved against the destination pod's ports (same name and
 * protocol), or omitted (every port of the protocol). Malformed entries match nothing.
 */
function portMatches(entry: unknown, port: PortRef, destPorts: PodPort[]): boolean {
  if (!isMapping(entry)) return false;
  const protocol = typeof entry.protocol === 'string' && entry.protocol !== '' ? entry.protocol : 'TCP';
  if (protocol !== (port.protocol || 'TCP')) return false;
  const { port: first, endPort } = entry;
  const hasEnd = endPort !== undefined && endPort !== null;
  if (first === undefined || first === null) return !hasEnd;
  if (typeof first === 'string') return !hasEnd && destPorts.some((p) => p.name === first && p.protocol === protocol && p.containerPort === port.port);
  if (typeof first !== 'number') return false;
  if (!hasEnd) return port.port === first;
  return typeof endPort === 'number' && endPort >= first && port.port >= first && port.port <= endPort;
}

/** A pod in a reason: its workload's ref when known, otherwise its namespace and labels. */
function describePod(pod: PodEndpoint): string {
  const ref = (pod as Partial<WorkloadEndpoint>).ref;
  if (typeof ref === 'string' && ref !== '') return ref;
  const labels = Object.entries(pod.labels).map(([k, v]) => `${k}=${v}`).join(',');
  return labels ? `the pods labelled ${labels} in namespace ${pod.namespace}` : `the unlabelled pods of namespace ${pod.namespace}`;
}

/** `A`, `A and B`, `A, B and C`. */
function listRefs(refs: string[]): string {
  return refs.length <= 1 ? refs.join('') : `${refs.slice(0, -1).join(', ')} and ${refs[refs.length - 1]}`;
}

function isMapping(value: unknown): value is { [key: string]: any } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
