import { buildClusterModel, workloadEndpoint } from '../../src/analysis/cluster';
import type { WorkloadEndpoint } from '../../src/analysis/cluster';
import type { ClusterModel, KubeObject, NetworkEndpoint, PortRef } from '../../src/analysis/model';
import { cidrContains, connectionVerdict, egressVerdict, ingressVerdict, ipBlockMatches, isolatingPolicies } from '../../src/analysis/network-policy';

const model = (...objects: any[]): ClusterModel => buildClusterModel(objects.map((object, index) => ({ object: object as KubeObject, file: 'test.yaml', index })));

/** A Deployment whose pods carry `labels` and listen on `ports` ([name, number, protocol?]). */
function deployment(namespace: string, name: string, labels: any, ports: Array<[string | undefined, number, string?]> = [], extra: any = {}): any {
  const containerPorts = ports.map(([portName, containerPort, protocol]) => ({ ...(portName ? { name: portName } : {}), containerPort, ...(protocol ? { protocol } : {}) }));
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace }, spec: { template: { metadata: { labels }, spec: { containers: [{ name: 'c', ports: containerPorts }], ...extra } } } };
}

const policy = (namespace: string, name: string, spec: any): any => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec });
const namespace = (name: string, labels: any = {}): any => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });

/** The endpoint of the workload with this ref. */
function pod(m: ClusterModel, ref: string, hostIp?: string): WorkloadEndpoint {
  const w = m.workloads.find((x) => x.ref === ref);
  if (!w) throw new Error(`no workload ${ref}: ${m.workloads.map((x) => x.ref).join(', ')}`);
  return workloadEndpoint(m, w, hostIp);
}

const tcp = (port: number): PortRef => ({ port, protocol: 'TCP' });
const udp = (port: number): PortRef => ({ port, protocol: 'UDP' });
const from = (p: WorkloadEndpoint): NetworkEndpoint => ({ pod: p });
const ip = (address: string): NetworkEndpoint => ({ ip: address });

const web = deployment('shop', 'web', { app: 'web' }, [['http', 8080]]);
const router = deployment('shop', 'router', { app: 'router' });
const other = deployment('shop', 'other', { app: 'other' });

describe('isolation', () => {
  test('a pod no policy selects admits everything', () => {
    const m = model(web, router, policy('shop', 'only-router', { podSelector: { matchLabels: { app: 'router' } } }));
    const v = ingressVerdict(m, pod(m, 'Deployment shop/web'), tcp(8080), ip('203.0.113.1'));
    expect(v).toEqual({ allowed: true, reason: 'no NetworkPolicy selects Deployment shop/web for ingress', objects: [] });
  });

  test('fails with an empty podSelector and no ingress: every pod of the namespace is isolated', () => {
    const m = model(web, router, deployment('other-ns', 'x', { app: 'web' }), policy('shop', 'deny-all', { podSelector: {} }));
    const v = ingressVerdict(m, pod(m, 'Deployment shop/web'), tcp(8080), from(pod(m, 'Deployment shop/router')));
    expect(v).toEqual({ allowed: false, reason: 'NetworkPolicy shop/deny-all isolates Deployment shop/web for ingress and no rule of it admits it', objects: ['NetworkPolicy shop/deny-all'] });
    expect(isolatingPolicies(m, pod(m, 'Deployment shop/router'), 'Ingress')).toEqual(['NetworkPolicy shop/deny-all']);
    expect(isolatingPolicies(m, pod(m, 'Deployment other-ns/x'), 'Ingress')).toEqual([]);
  });

  test('fails with `ingress: []`', () => {
    const m = model(web, router, policy('shop', 'deny', { podSelector: {}, policyTypes: ['Ingress'], ingress: [] }));
    expect(ingressVerdict(m, pod(m, 'Deployment shop/web'), tcp(8080), from(pod(m, 'Deployment shop/router'))).allowed).toBe(false);
  });

  test('an empty rule, an empty `from` and an empty `ports` admit everything', () => {
    for (const rule of [{}, { from: [] }, { ports: [] }, { from: [], ports: [] }]) {
      const m = model(web, router, policy('shop', 'open', { podSelector: {}, ingress: [rule] }));
      const dest = pod(m, 'Deployment shop/web');
      expect(ingressVerdict(m, dest, tcp(1), from(pod(m, 'Deployment shop/router')))).toEqual({ allowed: true, reason: 'NetworkPolicy shop/open admits it', objects: ['NetworkPolicy shop/open'] });
      expect(ingressVerdict(m, dest, udp(9999), ip('198.51.100.7')).allowed).toBe(true);
    }
  });

  test('policyTypes omitted: Ingress, plus Egress when egress has a rule', () => {
    const m = model(web, router,
      policy('shop', 'with-egress', { podSelector: { matchLabels: { app: 'web' } }, egress: [{ to: [{ podSelector: { matchLabels: { app: 'router' } } }] }] }),
      policy('shop', 'no-egress', { podSelector: { matchLabels: { app: 'router' } }, ingress: [{}] }),
    );
    const webPod = pod(m, 'Deployment shop/web');
    const routerPod = pod(m, 'Deployment shop/router');
    expect(isolatingPolicies(m, webPod, 'Ingress')).toEqual(['NetworkPolicy shop/with-egress']);
    expect(isolatingPolicies(m, webPod, 'Egress')).toEqual(['NetworkPolicy shop/with-egress']);
    expect(isolatingPolicies(m, routerPod, 'Egress')).toEqual([]);
    expect(egressVerdict(m, webPod, from(routerPod), tcp(80)).allowed).toBe(true);
    expect(egressVerdict(m, webPod, ip('203.0.113.1'), tcp(443)).allowed).toBe(false);
    expect(egressVerdict(m, routerPod, ip('203.0.113.1'), tcp(443)).reason).toBe('no NetworkPolicy selects Deployment shop/router for egress');
  });

  test('policyTypes omitted with `egress: []` is about ingress only (upstream defaults on a non-empty egress)', () => {
    const m = model(web, policy('shop', 'p', { podSelector: {}, egress: [] }));
    const webPod = pod(m, 'Deployment shop/web');
    expect(isolatingPolicies(m, webPod, 'Egress')).toEqual([]);
    expect(isolatingPolicies(m, webPod, 'Ingress')).toEqual(['NetworkPolicy shop/p']);
  });

  test('fails egress with policyTypes [Egress] and no egress rule; ingress stays open', () => {
    const m = model(web, policy('shop', 'deny-egress', { podSelector: {}, policyTypes: ['Egress'] }));
    const webPod = pod(m, 'Deployment shop/web');
    expect(egressVerdict(m, webPod, ip('203.0.113.1'), tcp(443))).toEqual({ allowed: false, reason: 'NetworkPolicy shop/deny-egress isolates Deployment shop/web for egress and no rule of it admits it', objects: ['NetworkPolicy shop/deny-egress'] });
    expect(ingressVerdict(m, webPod, tcp(8080), ip('203.0.113.1')).allowed).toBe(true);
  });

  test('a policy without podSelector selects every pod of its namespace (the field defaults to {})', () => {
    const m = model(web, policy('shop', 'p', {}));
    expect(isolatingPolicies(m, pod(m, 'Deployment shop/web'), 'Ingress')).toEqual(['NetworkPolicy shop/p']);
  });

  test('a policy in another namespace (or without one: default) does not select the pod', () => {
    const m = model(web, deployment('default', 'd', { app: 'web' }), policy('elsewhere', 'p', { podSelector: {} }), { ...policy('x', 'q', { podSelector: {} }), metadata: { name: 'q' } });
    expect(isolatingPolicies(m, pod(m, 'Deployment shop/web'), 'Ingress')).toEqual([]);
    expect(isolatingPolicies(m, pod(m, 'Deployment default/d'), 'Ingress')).toEqual(['NetworkPolicy q']);
  });

  test('podSelector matchExpressions select pods', () => {
    const m = model(web, router, policy('shop', 'p', { podSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['router'] }] } }));
    expect(isolatingPolicies(m, pod(m, 'Deployment shop/web'), 'Ingress')).toEqual(['NetworkPolicy shop/p']);
    expect(isolatingPolicies(m, pod(m, 'Deployment shop/router'), 'Ingress')).toEqual([]);
  });
});

describe('union of policies', () => {
  const m = model(web, router, other, deployment('shop', 'third', { app: 'third' }),
    policy('shop', 'allow-router', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'router' } } }] }] }),
    policy('shop', 'allow-other', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'other' } } }] }] }),
  );
  const dest = pod(m, 'Deployment shop/web');

  test('a connection any selecting policy admits is allowed, naming that policy', () => {
    expect(ingressVerdict(m, dest, tcp(8080), from(pod(m, 'Deployment shop/router')))).toEqual({ allowed: true, reason: 'NetworkPolicy shop/allow-router admits it', objects: ['NetworkPolicy shop/allow-router'] });
    expect(ingressVerdict(m, dest, tcp(8080), from(pod(m, 'Deployment shop/other'))).objects).toEqual(['NetworkPolicy shop/allow-other']);
  });

  test('fails when no selecting policy admits it, listing the isolating policies', () => {
    expect(ingressVerdict(m, dest, tcp(8080), from(pod(m, 'Deployment shop/third')))).toEqual({
      allowed: false,
      reason: 'NetworkPolicy shop/allow-router and NetworkPolicy shop/allow-other isolate Deployment shop/web for ingress and no rule of theirs admits it',
      objects: ['NetworkPolicy shop/allow-router', 'NetworkPolicy shop/allow-other'],
    });
  });
});

describe('peers', () => {
  const objects = [
    namespace('shop'), namespace('monitoring', { team: 'ops' }), namespace('batch', { team: 'ops' }),
    web, router,
    deployment('monitoring', 'prometheus', { app: 'prometheus' }),
    deployment('monitoring', 'grafana', { app: 'grafana' }),
    deployment('batch', 'prometheus', { app: 'prometheus' }),
    deployment('unlabelled', 'prometheus', { app: 'prometheus' }),
  ];

  test('podSelector alone selects pods of the policy namespace only', () => {
    const m = model(...objects, policy('shop', 'p', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] }));
    const dest = pod(m, 'Deployment shop/web');
    expect(ingressVerdict(m, dest, tcp(8080), from(pod(m, 'Deployment shop/router'))).allowed).toBe(true);
    expect(ingressVerdict(m, dest, tcp(8080), from(pod(m, 'Deployment monitoring/prometheus'))).allowed).toBe(false);
    expect(ingressVerdict(m, dest, tcp(8080), ip('10.0.0.1')).allowed).toBe(false);
  });

  test('namespaceSelector alone selects every pod of matching namespaces', () => {
    const m = model(...objects, policy('shop', 'p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'ops' } } }] }] }));
    const dest = pod(m, 'Deployment shop/web');
    expect(ingressVerdict(m, dest, tcp(8080), from(pod(m, 'Deployment monitoring/grafana'))).allowed).toBe(true);
    expect(ingressVerdict(m, dest, tcp(8080), from(pod(m, 'Deployment batch/prometheus'))).allowed).toBe(true);
    expect(ingressVerdict(m, dest, tcp(8080), from(pod(m, 'Deployment shop/router'))).allowed).toBe(false);
  });

  test('namespaceSelector and podSelector in one peer must both match (AND)', () => {
    const m = model(...objects, policy('shop', 'and', {
      podSelector: {},
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { app: 'prometheus' } } }] }],
    }));
    const dest = pod(m, 'Deployment shop/web');
    expect(ingressVerdict(m, dest, tcp(8080), from(pod(m, 'Deployment monitoring/prometheus'))).allowed).toBe(true);
    expect(ingressVerdict(m, dest, tcp(8080), from(pod(m, 'Deployment monitoring/grafana'))).allowed).toBe(false);
    expect(ingressVerdict(m, dest, tcp(8080), from(pod(m, 'Deployment batch/prometheus'))).allowed).toBe(false);
  });

  test('namespaceSelector and podSelector as two peers: either matches (OR)', () => {
    const m = model(...objects, policy('shop', 'or', {
      podSelector: {},
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }, { podSelector: { matchLabels: { app: 'prometheus' } } }] }],
    }));
    const dest = pod(m, 'Deployment shop/web');
    expect(ingressVerdict(m, dest, tcp(8080), from(pod(m, 'Deployment monitoring/grafana'))).allowed).toBe(true);
    // The podSelector peer means prometheus pods of shop (the policy's namespace), not of batch.
    expect(ingressVerdict(m, dest, tcp(8080), from(pod(m, 'Deployment batch/prometheus'))).allowed).toBe(false);
  });

  test('an undeclared namespace still has its kubernetes.io/metadata.name label', () => {
    const m = model(...objects, policy('shop', 'p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'unlabelled' } } }] }] }));
    const source = pod(m, 'Deployment unlabelled/prometheus');
    expect(m.namespaces.get('unlabelled')?.declared).toBe(false);
    expect(ingressVerdict(m, pod(m, 'Deployment shop/web'), tcp(8080), from(source)).allowed).toBe(true);
    expect(ingressVerdict(m, pod(m, 'Deployment shop/web'), tcp(8080), from({ ...source, namespaceLabels: {} })).allowed).toBe(true);
  });

  test('fails with a peer that names nothing, or mixes ipBlock with a selector (invalid)', () => {
    const m = model(...objects, policy('shop', 'p', { podSelector: {}, ingress: [{ from: [{}, { ipBlock: { cidr: '0.0.0.0/0' }, podSelector: {} }] }] }));
    const dest = pod(m, 'Deployment shop/web');
    expect(ingressVerdict(m, dest, tcp(8080), from(pod(m, 'Deployment shop/router'))).allowed).toBe(false);
    expect(ingressVerdict(m, dest, tcp(8080), ip('10.0.0.1')).allowed).toBe(false);
  });
});

describe('ipBlock', () => {
  const m = model(web, router, deployment('kube-system', 'node-agent', { app: 'agent' }, [], { hostNetwork: true }),
    policy('shop', 'p', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }, { ipBlock: { cidr: '2001:db8::/32' } }] }] }));
  const dest = pod(m, 'Deployment shop/web');

  test('admits addresses in the CIDR, not in an except', () => {
    expect(ingressVerdict(m, dest, tcp(8080), ip('10.2.3.4')).allowed).toBe(true);
    expect(ingressVerdict(m, dest, tcp(8080), ip('10.1.2.3')).allowed).toBe(false);
    expect(ingressVerdict(m, dest, tcp(8080), ip('11.0.0.1')).allowed).toBe(false);
    expect(ingressVerdict(m, dest, tcp(8080), ip('2001:db8:1::5')).allowed).toBe(true);
    expect(ingressVerdict(m, dest, tcp(8080), ip('2001:db9::5')).allowed).toBe(false);
  });

  test('fails for pod-network pods, which ipBlock never matches', () => {
    expect(ingressVerdict(m, dest, tcp(8080), from(pod(m, 'Deployment shop/router'))).allowed).toBe(false);
  });

  test('host-network pods are seen as their node address', () => {
    expect(ingressVerdict(m, dest, tcp(8080), from(pod(m, 'Deployment kube-system/node-agent', '10.2.0.9'))).allowed).toBe(true);
    expect(ingressVerdict(m, dest, tcp(8080), from(pod(m, 'Deployment kube-system/node-agent', '192.168.0.9'))).allowed).toBe(false);
    expect(ingressVerdict(m, dest, tcp(8080), from(pod(m, 'Deployment kube-system/node-agent'))).allowed).toBe(false);
  });

  test('cidrContains: IPv4 and IPv6 prefixes, host bits ignored, families kept apart', () => {
    expect(cidrContains('192.168.1.0/24', '192.168.1.255')).toBe(true);
    expect(cidrContains('192.168.1.0/24', '192.168.2.0')).toBe(false);
    expect(cidrContains('192.168.1.7/24', '192.168.1.200')).toBe(true);
    expect(cidrContains('0.0.0.0/0', '8.8.8.8')).toBe(true);
    expect(cidrContains('10.0.0.1/32', '10.0.0.1')).toBe(true);
    expect(cidrContains('10.0.0.1/32', '10.0.0.2')).toBe(false);
    expect(cidrContains('fd00::/8', 'fd12:3456::1')).toBe(true);
    expect(cidrContains('fd00::/8', 'fe80::1')).toBe(false);
    expect(cidrContains('::/0', '8.8.8.8')).toBe(false);
    expect(cidrContains('0.0.0.0/0', '::ffff:8.8.8.8')).toBe(false);
  });

  test('fails to match with a malformed CIDR or address', () => {
    for (const cidr of ['10.0.0.0', '10.0.0.0/33', '10.0.0/8', 'fd00::/129', 'nonsense/8']) expect(cidrContains(cidr, '10.0.0.1')).toBe(false);
    expect(cidrContains('10.0.0.0/8', '10.0.0')).toBe(false);
    expect(ipBlockMatches({ cidr: '10.0.0.0/8', except: 'not-a-list' }, '10.0.0.1')).toBe(false);
    expect(ipBlockMatches({}, '10.0.0.1')).toBe(false);
  });
});

describe('ports', () => {
  test('named ports resolve per destination pod: two pods may give one name different numbers', () => {
    const m = model(
      deployment('shop', 'a', { tier: 'api' }, [['http', 8080]]),
      deployment('shop', 'b', { tier: 'api' }, [['http', 9090]]),
      router,
      policy('shop', 'p', { podSelector: { matchLabels: { tier: 'api' } }, ingress: [{ ports: [{ port: 'http' }] }] }),
    );
    const source = from(pod(m, 'Deployment shop/router'));
    const a = pod(m, 'Deployment shop/a');
    const b = pod(m, 'Deployment shop/b');
    expect(ingressVerdict(m, a, tcp(8080), source).allowed).toBe(true);
    expect(ingressVerdict(m, a, tcp(9090), source).allowed).toBe(false);
    expect(ingressVerdict(m, b, tcp(9090), source).allowed).toBe(true);
    expect(ingressVerdict(m, b, tcp(8080), source).allowed).toBe(false);
  });

  test('egress named ports resolve against the destination pod, and never match an address', () => {
    const m = model(web, router, policy('shop', 'p', { podSelector: { matchLabels: { app: 'router' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'http' }] }] }));
    const routerPod = pod(m, 'Deployment shop/router');
    expect(egressVerdict(m, routerPod, from(pod(m, 'Deployment shop/web')), tcp(8080)).allowed).toBe(true);
    expect(egressVerdict(m, routerPod, ip('203.0.113.1'), tcp(8080)).allowed).toBe(false);
  });

  test('a named port must match the protocol of the pod port', () => {
    const m = model(deployment('shop', 'dns', { app: 'dns' }, [['dns', 53, 'UDP']]), router, policy('shop', 'p', { podSelector: {}, ingress: [{ ports: [{ port: 'dns' }] }] }));
    const dest = pod(m, 'Deployment shop/dns');
    const source = from(pod(m, 'Deployment shop/router'));
    expect(ingressVerdict(m, dest, udp(53), source).allowed).toBe(false); // the entry is TCP by default
    const m2 = model(deployment('shop', 'dns', { app: 'dns' }, [['dns', 53, 'UDP']]), router, policy('shop', 'p', { podSelector: {}, ingress: [{ ports: [{ port: 'dns', protocol: 'UDP' }] }] }));
    expect(ingressVerdict(m2, pod(m2, 'Deployment shop/dns'), udp(53), from(pod(m2, 'Deployment shop/router'))).allowed).toBe(true);
  });

  test('the protocol defaults to TCP: UDP 53 and TCP 53 differ', () => {
    const m = model(web, router, policy('shop', 'p', { podSelector: {}, ingress: [{ ports: [{ port: 53, protocol: 'UDP' }, { port: 8080 }] }] }));
    const dest = pod(m, 'Deployment shop/web');
    const source = from(pod(m, 'Deployment shop/router'));
    expect(ingressVerdict(m, dest, udp(53), source).allowed).toBe(true);
    expect(ingressVerdict(m, dest, tcp(53), source).allowed).toBe(false);
    expect(ingressVerdict(m, dest, tcp(8080), source).allowed).toBe(true);
    expect(ingressVerdict(m, dest, udp(8080), source).allowed).toBe(false);
  });

  test('endPort admits a range; a port entry without port admits every port of its protocol', () => {
    const m = model(web, router, policy('shop', 'p', { podSelector: {}, ingress: [{ ports: [{ port: 32000, endPort: 32768 }, { protocol: 'SCTP' }] }] }));
    const dest = pod(m, 'Deployment shop/web');
    const source = from(pod(m, 'Deployment shop/router'));
    expect([31999, 32000, 32400, 32768, 32769].map((p) => ingressVerdict(m, dest, tcp(p), source).allowed)).toEqual([false, true, true, true, false]);
    expect(ingressVerdict(m, dest, { port: 9, protocol: 'SCTP' }, source).allowed).toBe(true);
  });

  test('fails with a malformed port entry (endPort below port, endPort on a named port)', () => {
    const m = model(web, router, policy('shop', 'p', { podSelector: {}, ingress: [{ ports: [{ port: 9000, endPort: 8000 }, { port: 'http', endPort: 9000 }] }] }));
    const dest = pod(m, 'Deployment shop/web');
    const source = from(pod(m, 'Deployment shop/router'));
    expect(ingressVerdict(m, dest, tcp(8500), source).allowed).toBe(false);
    expect(ingressVerdict(m, dest, tcp(8080), source).allowed).toBe(false);
  });
});

describe('egress to DNS', () => {
  const m = model(
    namespace('shop'), web,
    deployment('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }, [['dns', 53, 'UDP'], ['dns-tcp', 53, 'TCP']]),
    policy('shop', 'allow-dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
      }],
    }),
  );
  const webPod = pod(m, 'Deployment shop/web');
  const dns = from(pod(m, 'Deployment kube-system/coredns'));

  test('admits UDP and TCP 53 to the DNS pods', () => {
    expect(egressVerdict(m, webPod, dns, udp(53))).toEqual({ allowed: true, reason: 'NetworkPolicy shop/allow-dns admits it', objects: ['NetworkPolicy shop/allow-dns'] });
    expect(egressVerdict(m, webPod, dns, tcp(53)).allowed).toBe(true);
  });

  test('fails for port 5353, and for port 53 of another address', () => {
    expect(egressVerdict(m, webPod, dns, udp(5353)).allowed).toBe(false);
    expect(egressVerdict(m, webPod, ip('8.8.8.8'), udp(53)).allowed).toBe(false);
  });
});

describe('host-network pods', () => {
  const m = model(web, deployment('shop', 'agent', { app: 'agent' }, [['metrics', 9100]], { hostNetwork: true }),
    policy('shop', 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    policy('shop', 'from-namespace', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: {} }, { podSelector: {} }] }] }));
  const agent = pod(m, 'Deployment shop/agent', '192.168.0.5');

  test('are not isolated: NetworkPolicy does not apply to the host network', () => {
    expect(ingressVerdict(m, agent, tcp(9100), ip('203.0.113.1'))).toEqual({ allowed: true, reason: 'Deployment shop/agent uses the host network: NetworkPolicy does not apply to it', objects: [] });
    expect(egressVerdict(m, agent, ip('203.0.113.1'), tcp(443)).allowed).toBe(true);
    expect(isolatingPolicies(m, agent, 'Ingress')).toEqual([]);
  });

  test('fails as a source that only pod and namespace selectors admit', () => {
    expect(ingressVerdict(m, pod(m, 'Deployment shop/web'), tcp(8080), from(agent)).allowed).toBe(false);
  });
});

describe('connectionVerdict', () => {
  const m = model(web, router,
    policy('shop', 'router-egress', { podSelector: { matchLabels: { app: 'router' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'web' } } }] }] }),
    policy('shop', 'web-ingress', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'router' } } }], ports: [{ port: 'http' }] }] }));
  const webPod = pod(m, 'Deployment shop/web');
  const routerPod = pod(m, 'Deployment shop/router');

  test('needs the source egress and the destination ingress', () => {
    expect(connectionVerdict(m, from(routerPod), from(webPod), tcp(8080))).toEqual({
      allowed: true,
      reason: 'egress: NetworkPolicy shop/router-egress admits it; ingress: NetworkPolicy shop/web-ingress admits it',
      objects: ['NetworkPolicy shop/router-egress', 'NetworkPolicy shop/web-ingress'],
    });
  });

  test('fails when either side denies, naming only the denying side', () => {
    expect(connectionVerdict(m, from(routerPod), from(webPod), tcp(9000))).toEqual({
      allowed: false,
      reason: 'ingress: NetworkPolicy shop/web-ingress isolates Deployment shop/web for ingress and no rule of it admits it',
      objects: ['NetworkPolicy shop/web-ingress'],
    });
    expect(connectionVerdict(m, from(routerPod), ip('203.0.113.1'), tcp(443)).objects).toEqual(['NetworkPolicy shop/router-egress']);
  });

  test('an address source is judged by the destination ingress only', () => {
    expect(connectionVerdict(m, ip('203.0.113.1'), from(webPod), tcp(8080)).reason).toBe('ingress: NetworkPolicy shop/web-ingress isolates Deployment shop/web for ingress and no rule of it admits it');
    expect(connectionVerdict(m, ip('203.0.113.1'), ip('203.0.113.2'), tcp(80)).allowed).toBe(true);
  });

  test('a pod endpoint without a ref is described by namespace and labels', () => {
    const { ref: _ref, ...anonymous } = webPod;
    expect(ingressVerdict(m, anonymous, tcp(8080), ip('203.0.113.1')).reason).toBe('NetworkPolicy shop/web-ingress isolates the pods labelled app=web in namespace shop for ingress and no rule of it admits it');
  });
});

describe('the index of policies by pod label', () => {
  test('a pod gets the policies that select it, in input order, whatever kind of selector they have', () => {
    const pods = deployment('shop', 'web', { app: 'web', tier: 'front' });
    const policies = [
      policy('shop', 'p1-by-tier', { podSelector: { matchLabels: { tier: 'front' } } }),
      policy('shop', 'p2-all', { podSelector: {} }),
      policy('shop', 'p3-other', { podSelector: { matchLabels: { app: 'other' } } }),
      policy('shop', 'p4-by-app', { podSelector: { matchLabels: { app: 'web', tier: 'front' } } }),
      policy('shop', 'p5-expression', { podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] } }),
      policy('shop', 'p6-both-not-all', { podSelector: { matchLabels: { app: 'web', tier: 'back' } } }),
      policy('shop', 'p7-malformed-value', { podSelector: { matchLabels: { app: 5 } } }),
      policy('shop', 'p8-omitted-selector', {}),
      policy('other', 'p9-other-namespace', { podSelector: {} }),
    ];
    const m = model(pods, ...policies);
    expect(isolatingPolicies(m, pod(m, 'Deployment shop/web'), 'Ingress')).toEqual([
      'NetworkPolicy shop/p1-by-tier', 'NetworkPolicy shop/p2-all', 'NetworkPolicy shop/p4-by-app', 'NetworkPolicy shop/p5-expression', 'NetworkPolicy shop/p8-omitted-selector',
    ]);
    // The same answer as matching every policy of the namespace, for pods of any labels.
    for (const labels of [{}, { app: 'other' }, { tier: 'front' }, { app: 'web', tier: 'back' }] as Array<{ [k: string]: string }>) {
      const m2 = model(deployment('shop', 'x', labels), ...policies);
      const all = policies.filter((p) => p.metadata.namespace === 'shop' && (p.spec.podSelector === undefined || selectsAll(p.spec.podSelector, labels))).map((p) => `NetworkPolicy shop/${p.metadata.name}`);
      expect(isolatingPolicies(m2, pod(m2, 'Deployment shop/x'), 'Ingress')).toEqual(all);
    }
  });
});

/** matchLabels and In expressions, as the tests above use them. */
function selectsAll(selector: any, labels: { [k: string]: string }): boolean {
  const ml = selector.matchLabels ?? {};
  return Object.entries(ml).every(([k, v]) => labels[k] === v)
    && (selector.matchExpressions ?? []).every((e: any) => e.operator === 'In' && e.values.includes(labels[e.key]));
}
