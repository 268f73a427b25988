import { formatVerify, verifyObjects } from '../../src/engine/verify';
import type { AppSpec } from '../../src/spec/app-spec';
import { ClusterContext } from '../../src/spec/cluster-context';
import { sourced, synthScenario, verifyScenario } from '../scenario';
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

describe('verify without reasons (explain: false, as synth runs it)', () => {
  const objects = () => sourced(synthScenario(shop(), OPENSHIFT_OSM));
  const cluster = ClusterContext.fromSpec(OPENSHIFT_OSM);
  const verdicts = (r: ReturnType<typeof verifyObjects>) => r.report.paths.map((p) => `${p.source} -> ${p.destination}: ${p.allowed}`);

  test('judges every path as with reasons, and keeps only the deciding layers', () => {
    const explained = verifyObjects(objects(), { specs: shop(), cluster });
    const terse = verifyObjects(objects(), { specs: shop(), cluster, explain: false });
    expect(verdicts(terse)).toEqual(verdicts(explained));
    expect(terse.report.paths.length).toBeGreaterThan(10);
    const layers = /^(entry|network policy|mesh \([a-z]+\))(; (network policy|mesh \([a-z]+\)))*$/;
    for (const p of terse.report.paths) {
      expect(p.reason).toMatch(layers);
      expect(p.objects).toEqual([]);
    }
    // the layers are those whose reasons the explained table gives, in the same order
    const explainedLayers = explained.report.paths.map((p) => p.reason.split('; ').map((part) => /^(entry|network policy|mesh \([a-z]+\)):/.exec(part)?.[1]).filter(Boolean).join('; '));
    expect(terse.report.paths.map((p) => p.reason)).toEqual(explainedLayers);
    expect(terse.missing).toEqual([]);
    expect(terse.unexpected).toEqual([]);
  });

  test('a path to report is reported with its reason and objects (the table is made again with reasons)', () => {
    const broken = () => sourced(synthScenario(shop(), OPENSHIFT_OSM).filter((o) => o.kind !== 'IngressBackend'));
    const explained = verifyObjects(broken(), { specs: shop(), cluster });
    const terse = verifyObjects(broken(), { specs: shop(), cluster, explain: false });
    expect(terse.missing.length).toBe(1);
    expect(terse.missing).toEqual(explained.missing);
    expect(terse.missing[0].reason).toMatch(/^declared by .*; mesh \(osm\): .+/);
    expect(terse.report.paths).toEqual(explained.report.paths);
  });
});
