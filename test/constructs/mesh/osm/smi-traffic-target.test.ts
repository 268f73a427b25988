import { SmiHttpRouteGroup } from '../../../../src/constructs/mesh/osm/smi-http-route-group';
import { SmiTrafficTarget } from '../../../../src/constructs/mesh/osm/smi-traffic-target';
import { oneOf, schemaProblems, synth } from '../../../util';

const base = { name: 'app2-from-app1', namespace: 'shop', destinationServiceAccount: 'app2', sources: [{ serviceAccount: 'app1', namespace: 'front' }] };

describe('SmiTrafficTarget', () => {
  test('names ServiceAccount sources with namespaces and the destination in its own namespace', () => {
    const tt = oneOf(synth((c) => new SmiTrafficTarget(c, 'T', { ...base, rules: [{ kind: 'HTTPRouteGroup', name: 'g', matches: ['a'] }] })), 'TrafficTarget');
    expect(tt.apiVersion).toBe('access.smi-spec.io/v1alpha3');
    expect(tt.metadata.namespace).toBe('shop');
    expect(tt.spec).toEqual({
      destination: { kind: 'ServiceAccount', name: 'app2', namespace: 'shop' },
      sources: [{ kind: 'ServiceAccount', name: 'app1', namespace: 'front' }],
      rules: [{ kind: 'HTTPRouteGroup', name: 'g', matches: ['a'] }],
    });
    expect(schemaProblems(tt)).toEqual([]);
  });
  test('fails a source without a namespace', () => {
    expect(() => synth((c) => new SmiTrafficTarget(c, 'T', { ...base, sources: [{ serviceAccount: 'app1' } as any], rules: [{ kind: 'TCPRoute', name: 't' }] })))
      .toThrow(/sources\[0\]\.namespace: a namespace is required/);
  });
  test('fails a rule naming matches its route group does not have', () => {
    expect(() => synth((c) => {
      const group = new SmiHttpRouteGroup(c, 'G', { name: 'g', namespace: 'shop', matches: [{ name: 'gets' }] });
      new SmiTrafficTarget(c, 'T', { ...base, rules: [{ kind: 'HTTPRouteGroup', name: 'g', matches: ['gets', 'posts'], routeGroup: group }] });
    })).toThrow(/rules\[0\]\.matches\[1\]: match "posts" is not in HTTPRouteGroup "g"; it has "gets"/);
  });
  test('passes a rule whose matches its route group has', () => {
    const objects = synth((c) => {
      const group = new SmiHttpRouteGroup(c, 'G', { name: 'g', namespace: 'shop', matches: [{ name: 'gets' }] });
      new SmiTrafficTarget(c, 'T', { ...base, rules: [{ kind: 'HTTPRouteGroup', name: 'g', matches: ['gets'], routeGroup: group }] });
    });
    expect(oneOf(objects, 'TrafficTarget').spec.rules).toEqual([{ kind: 'HTTPRouteGroup', name: 'g', matches: ['gets'] }]);
  });
  test('fails without rules', () => {
    expect(() => synth((c) => new SmiTrafficTarget(c, 'T', { ...base, rules: [] }))).toThrow(/rules: at least one rule is required/);
  });
});
