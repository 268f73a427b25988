import { SmiHttpRouteGroup } from '../../../../src/constructs/mesh/osm/smi-http-route-group';
import { oneOf, schemaProblems, synth } from '../../../util';

describe('SmiHttpRouteGroup', () => {
  test('defaults pathRegex and methods and writes headers as OSM expects (a list of maps)', () => {
    const g = oneOf(synth((c) => new SmiHttpRouteGroup(c, 'G', {
      name: 'g', namespace: 'shop', matches: [{ name: 'any' }, { name: 'gets', pathRegex: '/api/.*', methods: ['GET', 'HEAD'], headers: { 'x-tenant': 'a' } }],
    })), 'HTTPRouteGroup');
    expect(g.spec.matches).toEqual([
      { name: 'any', pathRegex: '.*', methods: ['*'] },
      { name: 'gets', pathRegex: '/api/.*', methods: ['GET', 'HEAD'], headers: [{ 'x-tenant': 'a' }] },
    ]);
    expect(schemaProblems(g)).toEqual([]);
  });
  test('fails a lowercase method', () => {
    expect(() => synth((c) => new SmiHttpRouteGroup(c, 'G', { name: 'g', namespace: 's', matches: [{ name: 'a', methods: ['get' as any] }] })))
      .toThrow(/matches\[0\]\.methods\[0\]: method "get" is not allowed/);
  });
  test('fails duplicate match names', () => {
    expect(() => synth((c) => new SmiHttpRouteGroup(c, 'G', { name: 'g', namespace: 's', matches: [{ name: 'a' }, { name: 'a' }] }))).toThrow(/used twice/);
  });
});
