import * as fc from 'fast-check';
import { TRUST_GRAPH_MAX_NODES, TrustGraph, drawableGraph, trustGraph, trustLayers, trustMarkdown, trustSvg } from '../../src/engine/trust-graph';
import { verifyObjects } from '../../src/engine/verify';
import type { AppSpec } from '../../src/spec/app-spec';
import { sourced, synthScenario } from '../scenario';
import { appSpec } from '../util';

const CLUSTER = { platform: 'openshift' as const, mesh: { monitoredNamespaces: ['openshift-ingress'] } };

function report(specs: AppSpec[], mutate: (objects: any[]) => any[] = (o) => o) {
  return verifyObjects(sourced(mutate(synthScenario(specs, CLUSTER))), { specs }).report;
}

const app1 = appSpec({ ownsNamespace: true, mesh: {} }, { name: 'app1' });
const app2 = appSpec({
  route: { host: 'app2.example.com', termination: 'edge' },
  mesh: { allow: [{ from: [{ serviceAccount: 'app1', namespace: 'shop' }], http: [{ name: 'gets', methods: ['GET', 'HEAD'], pathRegex: '/api/.*' }] }] },
}, { name: 'app2' });

describe('trust graph (drawn from the analysis of the objects)', () => {
  const graph = trustGraph(report([app2, app1]));

  test('draws the paths every layer lets through, apps as nodes, DNS and control plane counted but not drawn', () => {
    expect(graph.edges.map((e) => `${e.from} -> ${e.to} ${e.label}`)).toEqual([
      'router -> app:shop/app2 http (8080)',
      'app:shop/app1 -> app:shop/app2 http (8080)',
    ]);
    expect(graph.nodes.find((n) => n.id === 'app:shop/app1')?.kind).toBe('app');
    expect(graph.omitted).toBe(6); // 2 apps x (DNS over UDP, DNS over TCP, OSM control plane)
  });

  test('is the same whatever the order of the specs', () => {
    expect(trustGraph(report([app1, app2]))).toEqual(graph);
  });

  test('is the same from a table without reasons (synth analyses with explain: false)', () => {
    const specs = [app2, app1];
    expect(trustGraph(verifyObjects(sourced(synthScenario(specs, CLUSTER)), { specs, explain: false }).report)).toEqual(graph);
  });

  test('an edge goes via the layers the reason names, not via words inside a layer\'s reason', () => {
    const r = report([app2, app1]);
    const paths = r.paths.map((p) => (p.allowed && p.source === 'app:shop/app1' && p.destination.startsWith('shop/app2')
      ? { ...p, reason: 'network policy: NetworkPolicy shop/app2-allow-mesh admits it; mesh (istio): a ServiceEntry for the entry point' }
      : p));
    const edge = trustGraph({ ...r, paths }).edges.find((e) => e.from === 'app:shop/app1')!;
    expect(edge.via).toBe('network policy, mesh');
    expect(graph.edges.map((e) => e.via)).toEqual(['entry, network policy, mesh', 'network policy, mesh']);
  });

  test('a path the objects deny is missing from the picture (here: the IngressBackend is gone, OSM refuses the router)', () => {
    const broken = trustGraph(report([app2, app1], (objects) => objects.filter((o) => o.kind !== 'IngressBackend')));
    expect(broken.edges.map((e) => `${e.from} -> ${e.to}`)).toEqual(['app:shop/app1 -> app:shop/app2']);
  });

  test('TRUST.md has a Mermaid flowchart and a table with every edge', () => {
    const md = trustMarkdown(graph, 'prod');
    expect(md).toMatch(/^# Who may call whom \(prod\)/);
    expect(md).toContain('```mermaid\nflowchart LR\n');
    expect(md.match(/ -->\|/g)).toHaveLength(graph.edges.length);
    expect(md).toContain('| shop/app1 | shop/app2 | network policy, mesh | http (8080) |');
    expect(md).toContain('Not drawn: 6 connections to the cluster DNS and the mesh control plane');
  });

  test('lays out callers left of the apps they call, cycles included', () => {
    const a = appSpec({ ownsNamespace: true, mesh: { allow: [{ from: [{ serviceAccount: 'b', namespace: 'shop' }] }] } }, { name: 'a' });
    const b = appSpec({ route: { host: 'b.example.com' }, mesh: { allow: [{ from: [{ serviceAccount: 'a', namespace: 'shop' }] }] } }, { name: 'b' });
    const svg = trustSvg(trustGraph(report([a, b])));
    const x = (label: string) => Number(new RegExp(`<rect x="([\\d.]+)"[^>]*/>\\n  <text[^>]*>${label}<`).exec(svg)![1]);
    expect(x('OpenShift router')).toBeLessThan(x('shop/b'));
    expect(x('shop/b')).toBeLessThan(x('shop/a'));
  });

  test('the SVG draws every node and edge, with escaped text', () => {
    const svg = trustSvg({ nodes: [{ id: 'a', label: 'a<b>&', kind: 'app' }, { id: 'b', label: 'b', kind: 'service' }], edges: [{ from: 'a', to: 'b', label: 'x<y', via: 'mesh' }], omitted: 0 });
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="\d+" height="\d+"/);
    expect(svg.match(/<rect x=/g)).toHaveLength(2);
    expect(svg.match(/<path d="[^"]*" fill="none"/g)).toHaveLength(1);
    expect(svg).toContain('a&lt;b&gt;&amp;');
    expect(svg.trim().endsWith('</svg>')).toBe(true);
  });
});

/** The layout of trust.svg before it was made linear (it rescanned every node whenever only cycles were left): the reference. */
function quadraticLayers(graph: TrustGraph): Map<string, number> {
  const col = new Map<string, number>(graph.nodes.map((n) => [n.id, 0]));
  const preds = new Map<string, string[]>(graph.nodes.map((n) => [n.id, []]));
  const succs = new Map<string, string[]>(graph.nodes.map((n) => [n.id, []]));
  const indegree = new Map<string, number>(graph.nodes.map((n) => [n.id, 0]));
  for (const e of graph.edges) {
    if (e.from === e.to) continue;
    preds.get(e.to)!.push(e.from);
    succs.get(e.from)!.push(e.to);
    indegree.set(e.to, indegree.get(e.to)! + 1);
  }
  const placed = new Set<string>();
  const queue = graph.nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id);
  for (let next = 0; placed.size < graph.nodes.length;) {
    if (next >= queue.length) {
      let stuck = '';
      let best = -1;
      for (const n of graph.nodes) {
        if (placed.has(n.id)) continue;
        const known = preds.get(n.id)!.filter((p) => placed.has(p)).length;
        if (known > best) { best = known; stuck = n.id; }
      }
      indegree.set(stuck, 0);
      queue.push(stuck);
    }
    const id = queue[next++];
    if (placed.has(id)) continue;
    col.set(id, Math.max(0, ...preds.get(id)!.filter((p) => placed.has(p)).map((p) => col.get(p)! + 1)));
    placed.add(id);
    for (const s of succs.get(id)!) {
      indegree.set(s, indegree.get(s)! - 1);
      if (indegree.get(s) === 0) queue.push(s);
    }
  }
  return col;
}

describe('trust graph layout and size', () => {
  test('the linear layout places every node where the quadratic one did, cycles and repeated edges included', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 30 }).chain((n) => fc.tuple(fc.constant(n), fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 80 }))), ([n, pairs]) => {
      const nodes = Array.from({ length: n }, (_, i) => ({ id: `n${i}`, label: `ns/app${String(i).padStart(2, '0')}`, kind: 'app' }));
      const graph: TrustGraph = { nodes, edges: pairs.map(([a, b]) => ({ from: `n${a}`, to: `n${b}`, label: 'http (8080)', via: 'mesh' })), omitted: 0 };
      expect(trustLayers(graph)).toEqual(quadraticLayers(graph));
    }), { numRuns: 500 });
  });

  test('thousands of apps in small cycles are laid out in linear time', () => {
    const n = 20000;
    const nodes = Array.from({ length: n }, (_, i) => ({ id: `app:ns${i % 50}/a${i}`, label: `ns${i % 50}/a${String(i).padStart(5, '0')}`, kind: 'app' }));
    const edges = nodes.map((node, i) => ({ from: node.id, to: nodes[i ^ 1].id, label: 'http (8080)', via: 'mesh' }));
    const started = Date.now();
    const col = trustLayers({ nodes, edges, omitted: 0 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(new Set(col.values())).toEqual(new Set([0, 1]));
  });

  test(`above ${TRUST_GRAPH_MAX_NODES} nodes TRUST.md and trust.svg show a summary per namespace, and say so`, () => {
    const apps = Array.from({ length: 400 }, (_, i) => ({ id: `app:ns${i % 4}/a${i}`, label: `ns${i % 4}/a${String(i).padStart(3, '0')}`, kind: 'app' }));
    const router = { id: 'router', label: 'OpenShift router', kind: 'router' };
    const edges = [
      ...apps.map((a) => ({ from: 'router', to: a.id, label: 'http (8080)', via: 'entry, network policy, mesh' })),
      ...apps.map((a, i) => ({ from: a.id, to: apps[(i + 1) % apps.length].id, label: 'http (8080)', via: 'network policy, mesh' })),
    ];
    const full: TrustGraph = { nodes: [router, ...apps].sort((a, b) => (a.label < b.label ? -1 : 1)), edges, omitted: 800 };
    const graph = drawableGraph(full);
    expect(graph.summary).toEqual({ nodes: 401, edges: 800, apps: 400, threshold: TRUST_GRAPH_MAX_NODES });
    expect(graph.nodes.map((x) => x.label)).toEqual(['OpenShift router', 'namespace ns0 (100 apps)', 'namespace ns1 (100 apps)', 'namespace ns2 (100 apps)', 'namespace ns3 (100 apps)']);
    expect(graph.edges.find((e) => e.from === 'router' && e.to === 'namespace:ns0')).toEqual({ from: 'router', to: 'namespace:ns0', label: '100 connections: http (8080)', via: 'entry, network policy, mesh' });
    const md = trustMarkdown(graph, 'base');
    expect(md).toContain('**Summary per namespace.** The full graph has 400 apps (401 nodes) and 800 edges');
    expect(md).toContain('```mermaid');
    expect(md).toContain('| OpenShift router | namespace ns0 (100 apps) | entry, network policy, mesh | 100 connections: http (8080) |');
    expect(trustSvg(graph).match(/<rect x=/g)).toHaveLength(5);
    expect(drawableGraph({ ...full, nodes: full.nodes.slice(0, 300), edges: [] })).toEqual({ ...full, nodes: full.nodes.slice(0, 300), edges: [] });
  });

  test('when even the namespaces are too many, TRUST.md has only the table and trust.svg a note', () => {
    const apps = Array.from({ length: 700 }, (_, i) => ({ id: `app:ns${i % 350}/a${i}`, label: `ns${String(i % 350).padStart(3, '0')}/a${i}`, kind: 'app' }));
    const graph = drawableGraph({ nodes: apps, edges: [{ from: apps[0].id, to: apps[1].id, label: 'http (8080)', via: 'mesh' }], omitted: 0 });
    expect(graph.nodes).toHaveLength(350);
    const md = trustMarkdown(graph, 'base');
    expect(md).not.toContain('```mermaid');
    expect(md).toContain('Even per namespace there are 350 nodes: no flowchart is drawn, only the table.');
    expect(trustSvg(graph)).toContain('700 apps in 350 namespaces and entry points: too many to draw.');
  });
});
