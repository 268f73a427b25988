import { trustGraph, trustMarkdown, trustSvg } from '../../src/engine/trust-graph';
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
