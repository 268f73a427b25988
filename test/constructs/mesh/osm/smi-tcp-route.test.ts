import { SmiTcpRoute } from '../../../../src/constructs/mesh/osm/smi-tcp-route';
import { oneOf, synth } from '../../../util';

describe('SmiTcpRoute', () => {
  test('admits the given ports', () => {
    const r = oneOf(synth((c) => new SmiTcpRoute(c, 'R', { name: 'db', namespace: 'shop', ports: [5432] })), 'TCPRoute');
    expect(r).toEqual({ apiVersion: 'specs.smi-spec.io/v1alpha4', kind: 'TCPRoute', metadata: { name: 'db', namespace: 'shop' }, spec: { matches: { ports: [5432] } } });
  });
  test('fails a port out of range', () => {
    expect(() => synth((c) => new SmiTcpRoute(c, 'R', { name: 'db', namespace: 'shop', ports: [0] }))).toThrow('ports: port 0 is not an integer from 1 to 65535');
  });
});
