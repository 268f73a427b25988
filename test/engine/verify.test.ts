import { formatVerify } from '../../src/engine/verify';
import type { AppSpec } from '../../src/spec/app-spec';
import { verifyScenario } from '../scenario';
import { appSpec } from '../util';

const OPENSHIFT_OSM = {
  platform: 'openshift' as const,
  mesh: {
    monitoredNamespaces: ['openshift-ingress', 'ingress-nginx'],
    ingressGateway: { secret: { name: 'osm-nginx-client-cert', namespace: 'osm-system' }, subjectAltNames: ['ingress-nginx.ingress-nginx.cluster.local'] },
  },
};

function shop(): AppSpec[] {
  return [
    appSpec({ ownsNamespace: true, mesh: {} }, { name: 'app1' }),
    appSpec({
      ports: [{ name: 'http', port: 8080 }],
      route: { host: 'app2.apps.example.com', termination: 'edge' },
      mesh: { allow: [{ from: [{ serviceAccount: 'app1', namespace: 'shop' }], http: [{ name: 'gets', methods: ['GET'] }] }] },
    }, { name: 'app2' }),
  ];
}

describe('verify', () => {
  test('OSM app1 -> app2 GET-only behind an edge route: declared == allowed', () => {
    const result = verifyScenario(shop(), OPENSHIFT_OSM);
    const text = formatVerify(result).join('\n');
    if (process.env.SHOW) console.log(formatVerify(result, true).join('\n'));
    expect(result.missing).toEqual([]);
    expect(result.unexpected).toEqual([]);
    expect(text).toMatch(/allowed +OpenShift router/);
  });
});
