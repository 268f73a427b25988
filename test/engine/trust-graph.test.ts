import { trustGraph, trustMarkdown, trustSvg } from '../../src/engine/trust-graph';
import { appSpec } from '../util';

const app1 = appSpec({ mesh: {} }, { name: 'app1' });
const app2 = appSpec({
  route: { host: 'app2.example.com', termination: 'edge' },
  mesh: {
    allow: [{ from: [{ serviceAccount: 'app1', namespace: 'shop' }, { serviceAccount: 'batch', namespace: 'ops' }], http: [{ name: 'gets', methods: ['GET', 'HEAD'], pathRegex: '/api/.*' }] }],
    ingress: { mtls: true, from: [{ principal: 'nginx.ingress.cluster.local' }, { ipRange: '10.0.0.0/8' }] },
  },
  ingress: { host: 'app2.example.com', className: 'nginx' },
}, { name: 'app2' });

describe('trust graph', () => {
  const graph = trustGraph([app2, app1]);

  test('draws router, ingress, ingress-backend and mesh edges; callers that are apps are drawn as the app', () => {
    expect(graph.edges.map((e) => `${e.from} -> ${e.to} [${e.via}] ${e.label}`)).toEqual([
      'ip:10.0.0.0/8 -> app:shop/app2 [ingressBackend] IngressBackend https mTLS',
      'router -> app:shop/app2 [route] edge app2.example.com',
      'sa:ops/batch -> app:shop/app2 [mesh] GET,HEAD /api/.*',
      'ingress:nginx -> app:shop/app2 [ingress] app2.example.com',
      'principal:nginx.ingress.cluster.local -> app:shop/app2 [ingressBackend] IngressBackend https mTLS',
      'app:shop/app1 -> app:shop/app2 [mesh] GET,HEAD /api/.*',
    ]);
    expect(graph.nodes.find((n) => n.id === 'app:shop/app1')?.kind).toBe('app');
  });

  test('is the same whatever the order of the specs', () => {
    expect(trustGraph([app1, app2])).toEqual(graph);
  });

  test('TRUST.md has a Mermaid flowchart and a table with every edge', () => {
    const md = trustMarkdown(graph, 'prod');
    expect(md).toMatch(/^# Who may call whom \(prod\)/);
    expect(md).toContain('```mermaid\nflowchart LR\n');
    expect(md.match(/ -->\|/g)).toHaveLength(graph.edges.length);
    expect(md).toContain('| shop/app1 | shop/app2 | mesh | GET,HEAD /api/.* |');
  });

  test('lays out callers left of the apps they call, cycles included', () => {
    const a = appSpec({ mesh: { allow: [{ from: [{ serviceAccount: 'b', namespace: 'shop' }] }] } }, { name: 'a' });
    const b = appSpec({ route: {}, mesh: { allow: [{ from: [{ serviceAccount: 'a', namespace: 'shop' }] }] } }, { name: 'b' });
    const svg = trustSvg(trustGraph([a, b]));
    const x = (label: string) => Number(new RegExp(`<rect x="([\\d.]+)"[^>]*/>\\n  <text[^>]*>${label}<`).exec(svg)![1]);
    expect(x('OpenShift router')).toBeLessThan(x('shop/b'));
    expect(x('shop/b')).toBeLessThan(x('shop/a'));
  });

  test('the SVG draws every node and edge, with escaped text', () => {
    const svg = trustSvg(trustGraph([appSpec({ mesh: { allow: [{ from: [{ serviceAccount: 'a', namespace: 'b' }], http: [{ name: 'x', pathRegex: '/a<b>&' }] }] } })]));
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="\d+" height="\d+"/);
    expect(svg.match(/<rect x=/g)).toHaveLength(2);
    expect(svg.match(/<path d="[^"]*" fill="none"/g)).toHaveLength(1);
    expect(svg).toContain('* /a&lt;b&gt;&amp;');
    expect(svg.trim().endsWith('</svg>')).toBe(true);
  });
});
