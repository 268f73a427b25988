import { ZeroTrustNetworkPolicy } from '../../../src/constructs/kubernetes/zero-trust-network-policy';
import { oneOf, ofKind, schemaProblems, synth, testChart } from '../../util';

describe('ZeroTrustNetworkPolicy', () => {
  test('denies all ingress by default and admits exactly the named peers and ports', () => {
    const objects = synth((c) => {
      const p = new ZeroTrustNetworkPolicy(c, 'N', { app: 'web', namespace: 'shop' });
      p.allow('router', [{ namespaceLabels: { 'policy-group.network.openshift.io/ingress': '' } }], [8443]);
      p.allow('ingress', [{ namespace: 'ingress-nginx' }, { ipRange: '10.0.0.0/8' }], ['http']);
    });
    expect(oneOf(objects, 'NetworkPolicy', 'web-default-deny').spec).toEqual({ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'web' } }, policyTypes: ['Ingress', 'Egress'], ingress: [], egress: [] });
    expect(oneOf(objects, 'NetworkPolicy', 'web-allow-router').spec.ingress).toEqual([{
      from: [{ namespaceSelector: { matchLabels: { 'policy-group.network.openshift.io/ingress': '' } } }], ports: [{ protocol: 'TCP', port: 8443 }],
    }]);
    expect(oneOf(objects, 'NetworkPolicy', 'web-allow-ingress').spec.ingress[0].from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }, { ipBlock: { cidr: '10.0.0.0/8' } },
    ]);
    expect(ofKind(objects, 'NetworkPolicy').flatMap(schemaProblems)).toEqual([]);
  });
  test('fails the same purpose twice', () => {
    expect(() => synth((c) => {
      const p = new ZeroTrustNetworkPolicy(c, 'N', { app: 'web', namespace: 'shop' });
      p.allow('mesh', [{ namespace: 'a' }], [80]);
      p.allow('mesh', [{ namespace: 'b' }], [80]);
    })).toThrow('name: network policy "web-allow-mesh" is defined twice');
  });
  test('fails an allow without peers and a bad CIDR', () => {
    const p = () => new ZeroTrustNetworkPolicy(testChart(), 'N', { app: 'web', namespace: 'shop' });
    expect(() => p().allow('x', [], [80])).toThrow(/needs at least one peer/);
    expect(() => p().allow('x', [{ ipRange: '10.0.0.0' }], [80])).toThrow(/not a CIDR/);
  });
});
