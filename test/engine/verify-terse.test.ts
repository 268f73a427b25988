import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { VerifyResult, verifyObjects } from '../../src/engine/verify';
import type { AppSpec } from '../../src/spec/app-spec';
import { ClusterContext } from '../../src/spec/cluster-context';
import type { ClusterSpec, ClusterSpecBody } from '../../src/spec/cluster-spec';
import { sourced, synthScenario } from '../scenario';
import { ROOT } from '../util';

/**
 * The terse table (explain: false, as synth analyses) decides every path as the explained one:
 * the NetworkPolicy and mesh layers are asked without reasons, and must still give the same
 * verdicts and the same deciding layers. The examples under OSM and Istio, whole and with every
 * other object of a kind removed (so that paths are denied by each layer).
 */

function exampleDocs(file: string): any[] {
  return (yaml.loadAll(fs.readFileSync(path.join(ROOT, 'examples', file), 'utf8')) as any[]).filter((d) => d);
}

const OSM = (exampleDocs('cluster.yaml')[0] as ClusterSpec).spec;
const ISTIO: ClusterSpecBody = {
  ...OSM,
  gateways: [...(OSM.gateways ?? []), { name: 'mesh-ingress', namespace: 'istio-ingress', implementation: 'istio' }],
  mesh: {
    provider: 'istio', flavour: 'openshift-service-mesh', permissive: false, enableEgress: false,
    monitoredNamespaces: ['ingress-nginx'], routeGateway: { name: 'mesh-ingress', namespace: 'istio-ingress', sectionName: 'http' },
  },
};

const synth = (specs: AppSpec[], clusterSpec: ClusterSpecBody): any[] => synthScenario(specs, clusterSpec, path.join(ROOT, 'examples'));

/** Each path's verdict and the layers that decided it (the explained reason's `<layer>: ` prefixes). */
function layers(result: VerifyResult, explained: boolean): string[] {
  return result.report.paths.map((p) => {
    const names = explained
      ? p.reason.split('; ').map((part) => /^(entry|network policy|mesh \([a-z]+\)):/.exec(part)?.[1]).filter(Boolean).join('; ')
      : p.reason;
    return `${p.source} -> ${p.destination}: ${p.allowed} (${names})`;
  });
}

const EXAMPLES = ['flask-edge.yaml', 'shop-app1-app2.yaml', 'bookstore-ingress.yaml', 'grpc.yaml', 'mtls-no-mesh.yaml', 'egress.yaml'];
const DROPPED = ['NetworkPolicy', 'IngressBackend', 'TrafficTarget', 'HTTPRouteGroup', 'Egress', 'AuthorizationPolicy', 'PeerAuthentication', 'Sidecar', 'ServiceEntry'];

// gateway.yaml's meshed storefront behind the OpenShift gateway is refused under Istio (see istio-equivalence.test.ts).
describe.each([['OSM', OSM, [...EXAMPLES, 'gateway.yaml']], ['Istio', ISTIO, EXAMPLES]] as const)('terse and explained tables under %s', (_name, clusterSpec, examples) => {
  test.each(examples)('%s', (file) => {
    const objects = synth(exampleDocs(file) as AppSpec[], clusterSpec);
    const cluster = ClusterContext.fromSpec(clusterSpec);
    let denied = 0;
    for (const kind of [undefined, ...DROPPED]) {
      let seen = 0;
      const input = sourced(kind === undefined ? objects : objects.filter((o) => o.kind !== kind || seen++ % 2 === 1));
      // Without specs: the terse table is the one returned (nothing to report makes it again with reasons).
      const explained = verifyObjects(input, { cluster });
      const terse = verifyObjects(input, { cluster, explain: false });
      expect(layers(terse, false)).toEqual(layers(explained, true));
      expect(terse.report.paths.every((p) => p.objects.length === 0)).toBe(true);
      expect(terse.report.deniedWithoutEvaluation).toBe(explained.report.deniedWithoutEvaluation);
      denied += explained.report.paths.filter((p) => !p.allowed).length;
    }
    expect(denied).toBeGreaterThan(0);
  });
});
