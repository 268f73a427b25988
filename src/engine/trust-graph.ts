import type { ReachabilityReport } from '../analysis/reachability';

/** Who can reach whom, as the analysis of the objects written found it. */
export interface TrustNode {
  readonly id: string;
  readonly label: string;
  /** app, router, ingress, gateway, outside (an address or an unrelated namespace), service (DNS, API, external). */
  readonly kind: string;
}

export interface TrustEdge {
  readonly from: string;
  readonly to: string;
  /** What is allowed: the destination port, e.g. "port http (8080)". */
  readonly label: string;
  /** The layers that decided, e.g. "route, mesh". */
  readonly via: string;
}

export interface TrustGraph {
  readonly nodes: TrustNode[];
  readonly edges: TrustEdge[];
  /** Paths every workload has and the picture leaves out (cluster DNS, the mesh control plane), counted. */
  readonly omitted: number;
  /** Set when the graph is a per-namespace summary of a larger one (see `summarizeByNamespace`). */
  readonly summary?: TrustSummary;
}

/** What a per-namespace summary stands for. */
export interface TrustSummary {
  /** Nodes and edges of the full graph. */
  readonly nodes: number;
  readonly edges: number;
  /** Apps of the full graph. */
  readonly apps: number;
  /** The size above which the picture is summarized. */
  readonly threshold: number;
}

/** Above this many nodes, TRUST.md and trust.svg draw one node per namespace instead of one per app. */
export const TRUST_GRAPH_MAX_NODES = 300;

const byLabel = (a: { label: string }, b: { label: string }) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0);

/** Destination kinds every workload reaches, left out of the picture (counted in `omitted`). */
const PLATFORM_DESTINATIONS = new Set(['dns', 'control-plane']);

/**
 * The trust graph of a reachability report: one node per source and per workload or external
 * destination, one edge per allowed path (deterministic: nodes and edges sorted). Drawn from the
 * objects as written, so a path the specs declare but the objects deny is missing from the picture.
 */
export function trustGraph(report: ReachabilityReport): TrustGraph {
  const nodes = new Map<string, TrustNode>();
  const edges: TrustEdge[] = [];
  const sourceKind: { [kind: string]: string } = { 'router': 'router', 'ingress-controller': 'ingress', 'gateway': 'gateway', 'workload': 'app', 'other-namespace': 'outside', 'outside': 'outside' };
  const workloadNode = (ns: string, name: string) => {
    const id = `app:${ns}/${name}`;
    if (!nodes.has(id)) nodes.set(id, { id, label: `${ns}/${name}`, kind: 'app' });
    return id;
  };
  const sources = new Map(report.sources.map((s) => [s.id, s]));
  const destinations = new Map(report.destinations.map((d) => [d.id, d]));
  let omitted = 0;
  for (const p of report.paths) {
    if (!p.allowed) continue;
    const s = sources.get(p.source)!;
    const d = destinations.get(p.destination)!;
    if (PLATFORM_DESTINATIONS.has(d.kind)) { omitted++; continue; }
    const from = s.workload ? workloadNode(s.workload.namespace, s.workload.name) : s.id;
    if (!s.workload && !nodes.has(from)) nodes.set(from, { id: from, label: s.label, kind: sourceKind[s.kind] ?? 'outside' });
    let to: string;
    let label: string;
    if (d.workload) {
      to = workloadNode(d.workload.namespace, d.workload.name);
      const port = d.workload.ports.find((x) => x.containerPort === d.port);
      label = port?.name ? `${port.name} (${d.port})` : `port ${d.port}`;
    } else {
      to = d.id;
      if (!nodes.has(to)) nodes.set(to, { id: to, label: d.label, kind: 'service' });
      label = `${d.protocol} ${d.port}`;
    }
    const via = viaLayers(p.reason);
    edges.push({ from, to, label, via });
  }
  const sorted = [...nodes.values()].sort(byLabel);
  const order = new Map(sorted.map((n, i) => [n.id, i]));
  edges.sort((a, b) => order.get(a.from)! - order.get(b.from)! || order.get(a.to)! - order.get(b.to)! || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  return { nodes: sorted, edges, omitted };
}

/**
 * The layers a path's reason says it went through: the reason joins `<layer>: <why>` (or, from a
 * table without reasons, just `<layer>`) with `; `, the layers being `entry`, `network policy` and
 * `mesh (<name>)`; a layer's own words (`ServiceEntry`, `...-allow-mesh`) do not count.
 */
function viaLayers(reason: string): string {
  return ['entry', 'network policy', 'mesh'].filter((layer) => reason.startsWith(layer) || reason.includes(`; ${layer}: `) || reason.includes(`; ${layer} (`) || reason.includes(`; ${layer};`) || reason.endsWith(`; ${layer}`)).join(', ');
}

/**
 * The graph to draw: the graph itself up to `maxNodes` nodes; above that a per-namespace summary
 * (a picture of thousands of apps is unreadable and slow to lay out): the apps of a namespace are
 * one node, `namespace <ns> (<n> apps)`, other nodes stay, and the edges between two nodes are
 * one edge that counts them and lists what they allow.
 */
export function drawableGraph(graph: TrustGraph, maxNodes: number = TRUST_GRAPH_MAX_NODES): TrustGraph {
  return graph.nodes.length > maxNodes ? summarizeByNamespace(graph, maxNodes) : graph;
}

/** The per-namespace summary of a graph (see `drawableGraph`). */
export function summarizeByNamespace(graph: TrustGraph, threshold: number = TRUST_GRAPH_MAX_NODES): TrustGraph {
  const apps = new Map<string, number>();
  const group = new Map<string, string>();
  for (const n of graph.nodes) {
    if (n.kind !== 'app') { group.set(n.id, n.id); continue; }
    const ns = n.label.slice(0, n.label.indexOf('/'));
    apps.set(ns, (apps.get(ns) ?? 0) + 1);
    group.set(n.id, `namespace:${ns}`);
  }
  const nodes = new Map<string, TrustNode>();
  for (const n of graph.nodes) {
    const id = group.get(n.id)!;
    if (nodes.has(id)) continue;
    if (n.kind !== 'app') { nodes.set(id, n); continue; }
    const ns = id.slice('namespace:'.length);
    const count = apps.get(ns)!;
    nodes.set(id, { id, label: `namespace ${ns} (${count} app${count === 1 ? '' : 's'})`, kind: 'app' });
  }
  const merged = new Map<string, { from: string; to: string; count: number; labels: Set<string>; via: Set<string> }>();
  for (const e of graph.edges) {
    const from = group.get(e.from)!;
    const to = group.get(e.to)!;
    const key = `${from}\u0000${to}`;
    let m = merged.get(key);
    if (!m) merged.set(key, m = { from, to, count: 0, labels: new Set(), via: new Set() });
    m.count++;
    m.labels.add(e.label);
    for (const v of e.via.split(', ')) if (v) m.via.add(v);
  }
  const sorted = [...nodes.values()].sort(byLabel);
  const order = new Map(sorted.map((n, i) => [n.id, i]));
  const edges: TrustEdge[] = [...merged.values()].map((m) => {
    const labels = [...m.labels].sort();
    const shown = labels.length > 3 ? `${labels.slice(0, 3).join(', ')}, ...` : labels.join(', ');
    return {
      from: m.from, to: m.to,
      label: `${m.count} connection${m.count === 1 ? '' : 's'}: ${shown}`,
      via: ['entry', 'network policy', 'mesh'].filter((layer) => m.via.has(layer)).join(', '),
    };
  });
  edges.sort((a, b) => order.get(a.from)! - order.get(b.from)! || order.get(a.to)! - order.get(b.to)!);
  return {
    nodes: sorted, edges, omitted: graph.omitted,
    summary: { nodes: graph.nodes.length, edges: graph.edges.length, apps: graph.nodes.filter((n) => n.kind === 'app').length, threshold },
  };
}

const mermaidText = (s: string) => s.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
const markdownCell = (s: string) => s.replace(/\|/g, '\\|');

/**
 * TRUST.md: the graph as a Mermaid flowchart and as a table. A summary (see `drawableGraph`) says
 * so; when even the summary is larger than its threshold, only the table is written.
 */
export function trustMarkdown(graph: TrustGraph, env: string): string {
  const summary = graph.summary;
  const tooLarge = summary !== undefined && graph.nodes.length > summary.threshold;
  const ids = new Map(graph.nodes.map((n, i) => [n.id, `n${i + 1}`]));
  const labels = new Map(graph.nodes.map((n) => [n.id, n.label]));
  const shape = (n: TrustNode) => (n.kind === 'app' ? `["${mermaidText(n.label)}"]` : `(["${mermaidText(n.label)}"])`);
  const lines = [
    `# Who may call whom (${env})`,
    '',
    'Generated by cdk8s-zerotrust from an analysis of the objects in this folder (the same as',
    '`cdk8s-zerotrust verify`), not from the specs; do not edit. An edge is a connection that every',
    'layer lets through: the entry point (Route, Ingress), the NetworkPolicies of both ends and the mesh.',
    'Everything not drawn here is denied.' + (graph.omitted ? ` Not drawn: ${graph.omitted} connections to the cluster DNS and the mesh control plane, which every app has.` : ''),
    '',
    ...(summary ? [
      `**Summary per namespace.** The full graph has ${summary.apps} apps (${summary.nodes} nodes) and ${summary.edges} edges, more than`,
      `a picture can show (above ${summary.threshold} nodes), so each namespace is drawn as one node and the edges between`,
      'two nodes are counted, with what they allow. `cdk8s-zerotrust verify` on this folder lists every connection.',
      ...(tooLarge ? ['', `Even per namespace there are ${graph.nodes.length} nodes: no flowchart is drawn, only the table.`] : []),
      '',
    ] : []),
    ...(tooLarge ? [] : [
      '```mermaid',
      'flowchart LR',
      ...graph.nodes.map((n) => `  ${ids.get(n.id)}${shape(n)}`),
      ...graph.edges.map((e) => `  ${ids.get(e.from)} -->|"${mermaidText(e.label)}"| ${ids.get(e.to)}`),
      '```',
      '',
    ]),
    '| from | to | decided by | allowed |',
    '| --- | --- | --- | --- |',
    ...graph.edges.map((e) => `| ${markdownCell(labels.get(e.from)!)} | ${markdownCell(labels.get(e.to)!)} | ${e.via} | ${markdownCell(e.label)} |`),
    '',
  ];
  return lines.join('\n');
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * Column of each node: 0 for nodes nobody calls, else one more than the furthest caller. Kahn's
 * algorithm in label order; a cycle (a calls b calls a) is entered at the node with most callers
 * already placed (then the first in label order). That choice is kept in a heap keyed by (callers
 * placed, label order), updated as nodes are placed, so the whole layout is O((nodes + edges) log nodes)
 * however many cycles there are.
 */
export function trustLayers(graph: TrustGraph): Map<string, number> {
  const n = graph.nodes.length;
  const index = new Map<string, number>(graph.nodes.map((node, i) => [node.id, i]));
  const col = new Array<number>(n).fill(0);
  const preds: number[][] = graph.nodes.map(() => []);
  const succs: number[][] = graph.nodes.map(() => []);
  const indegree = new Array<number>(n).fill(0);
  for (const e of graph.edges) {
    if (e.from === e.to) continue;
    const f = index.get(e.from)!;
    const t = index.get(e.to)!;
    preds[t].push(f);
    succs[f].push(t);
    indegree[t]++;
  }
  const placed = new Array<boolean>(n).fill(false);
  /** Per node, how many entries of its `preds` are placed (an edge counts once per entry, as before). */
  const known = new Array<number>(n).fill(0);
  const stuck = new CycleEntryHeap();
  let placedCount = 0;
  const place = (i: number) => {
    let c = 0;
    for (const p of preds[i]) if (placed[p] && col[p] + 1 > c) c = col[p] + 1;
    col[i] = c;
    placed[i] = true;
    placedCount++;
    for (const s of succs[i]) {
      if (placed[s]) continue;
      known[s]++;
      stuck.push(known[s], s);
    }
  };
  const queue: number[] = [];
  for (let i = 0; i < n; i++) if (indegree[i] === 0) queue.push(i);
  for (let i = 0; i < n; i++) if (indegree[i] !== 0) stuck.push(0, i);
  for (let next = 0; placedCount < n;) {
    if (next >= queue.length) {
      // Only cycles are left: enter one where most callers are already placed (then label order).
      let entry = stuck.pop();
      while (placed[entry.node] || entry.known !== known[entry.node]) entry = stuck.pop();
      indegree[entry.node] = 0;
      queue.push(entry.node);
    }
    const i = queue[next++];
    if (placed[i]) continue;
    place(i);
    for (const s of succs[i]) {
      indegree[s]--;
      if (indegree[s] === 0) queue.push(s);
    }
  }
  return new Map(graph.nodes.map((node, i) => [node.id, col[i]]));
}

/** A max-heap of (callers placed, node) entries, most callers first, then the lowest node index; stale entries are skipped by the caller. */
class CycleEntryHeap {
  private readonly known: number[] = [];
  private readonly nodes: number[] = [];

  public push(known: number, node: number): void {
    this.known.push(known);
    this.nodes.push(node);
    let i = this.known.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  public pop(): { known: number; node: number } {
    const top = { known: this.known[0], node: this.nodes[0] };
    const lastKnown = this.known.pop()!;
    const lastNode = this.nodes.pop()!;
    if (this.known.length > 0) {
      this.known[0] = lastKnown;
      this.nodes[0] = lastNode;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < this.known.length && this.before(l, best)) best = l;
        if (r < this.known.length && this.before(r, best)) best = r;
        if (best === i) break;
        this.swap(i, best);
        i = best;
      }
    }
    return top;
  }

  private before(a: number, b: number): boolean {
    return this.known[a] > this.known[b] || (this.known[a] === this.known[b] && this.nodes[a] < this.nodes[b]);
  }

  private swap(a: number, b: number): void {
    [this.known[a], this.known[b]] = [this.known[b], this.known[a]];
    [this.nodes[a], this.nodes[b]] = [this.nodes[b], this.nodes[a]];
  }
}

/**
 * The graph as a standalone SVG: sources on the left, each node one column right of its furthest
 * caller, nodes in a column sorted by label. Every edge ends at its own row on the left side of its
 * target, with what it allows written just before the arrow head, so labels never overlap.
 */
export function trustSvg(graph: TrustGraph): string {
  if (graph.summary !== undefined && graph.nodes.length > graph.summary.threshold) return tooLargeSvg(graph);
  const col = trustLayers(graph);
  const CHAR = 7; const ROW = 16; const PAD = 20; const GAPY = 24;
  const W = graph.nodes.reduce((m, n) => Math.max(m, n.label.length * CHAR + 24), 160);
  const GAPX = graph.edges.reduce((m, e) => Math.max(m, e.label.length * 6.2 + 60), 120);
  const incoming = new Map<string, TrustEdge[]>();
  for (const e of graph.edges) {
    const list = incoming.get(e.to);
    if (list) list.push(e); else incoming.set(e.to, [e]);
  }
  const height = (n: TrustNode) => Math.max(40, 12 + (incoming.get(n.id)?.length ?? 0) * ROW);
  const columns = new Map<number, TrustNode[]>();
  for (const n of graph.nodes) {
    const list = columns.get(col.get(n.id)!);
    if (list) list.push(n); else columns.set(col.get(n.id)!, [n]);
  }
  const pos = new Map<string, { x: number; y: number; h: number }>();
  let bottom = 0;
  for (const [c, ns] of columns) {
    let y = PAD;
    for (const n of ns) { pos.set(n.id, { x: PAD + c * (W + GAPX), y, h: height(n) }); y += height(n) + GAPY; }
    bottom = Math.max(bottom, y - GAPY);
  }
  const width = Math.ceil(PAD * 2 + ([...columns.keys()].reduce((m, c) => Math.max(m, c), 0) + 1) * (W + GAPX) - GAPX);
  const total = Math.ceil(bottom + PAD);
  const fill: { [kind: string]: string } = { app: '#e8f1fb', router: '#fdf1e3', ingress: '#fdf1e3', gateway: '#fdf1e3' };
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${total}" viewBox="0 0 ${width} ${total}" font-family="sans-serif" font-size="11">`,
    '  <defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>',
    `  <rect width="${width}" height="${total}" fill="#ffffff"/>`,
  ];
  for (const [to, es] of incoming) {
    const b = pos.get(to)!;
    es.forEach((e, k) => {
      const a = pos.get(e.from)!;
      const x1 = a.x + W; const y1 = a.y + a.h / 2;
      const x2 = b.x; const y2 = b.y + 14 + k * ROW;
      const d = x2 > x1
        ? `M ${x1} ${y1} C ${x1 + GAPX / 2} ${y1}, ${x2 - GAPX / 2} ${y2}, ${x2} ${y2}`
        : `M ${x1} ${y1} C ${x1 + 60} ${y1 - 50}, ${x2 - 60} ${y2 - 50}, ${x2} ${y2}`;
      out.push(`  <path d="${d}" fill="none" stroke="#777" stroke-width="1.2" marker-end="url(#arrow)"/>`);
      out.push(`  <text x="${x2 - 10}" y="${y2 - 3}" text-anchor="end" fill="#222">${xml(e.label)}</text>`);
    });
  }
  for (const n of graph.nodes) {
    const p = pos.get(n.id)!;
    out.push(`  <rect x="${p.x}" y="${p.y}" width="${W}" height="${p.h}" rx="${n.kind === 'app' ? 4 : 16}" fill="${fill[n.kind] ?? '#f3f3f3'}" stroke="#445"/>`);
    out.push(`  <text x="${p.x + W / 2}" y="${p.y + p.h / 2 + 4}" text-anchor="middle" font-size="12" font-weight="${n.kind === 'app' ? 'bold' : 'normal'}">${xml(n.label)}</text>`);
  }
  out.push('</svg>', '');
  return out.join('\n');
}

/** The SVG of a graph too large to draw even per namespace: a note pointing at TRUST.md's table. */
function tooLargeSvg(graph: TrustGraph): string {
  const lines = [
    `${graph.summary!.apps} apps in ${graph.nodes.length} namespaces and entry points: too many to draw.`,
    'TRUST.md lists every connection between namespaces; cdk8s-zerotrust verify lists every connection.',
  ];
  const width = 760;
  const height = 80;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `  <rect width="${width}" height="${height}" fill="#ffffff"/>`,
    ...lines.map((l, i) => `  <text x="20" y="${32 + i * 20}" fill="#222">${xml(l)}</text>`),
    '</svg>',
    '',
  ].join('\n');
}
