import * as net from 'node:net';
import type { ServiceInfo, Verdict } from '../model';
import { terseVerdict } from '../network-policy';
import type { MeshConnectionRequest, MeshPeer } from './mesh-model';

/**
 * What the mesh models (OSM's, Istio's) share: how they read loosely typed resource fields and
 * how their reasons name peers, transports and lists of objects.
 */

/** The request's L4 protocol, `TCP` unless said otherwise. */
export function l4(request: MeshConnectionRequest): string {
  return (request.protocol ?? 'TCP').toUpperCase();
}

/** How a reason names what a source sends: `TLS`, `plain HTTP`, `an opaque byte stream`. */
export function transportName(t: string): string {
  return t === 'https' ? 'TLS' : t === 'tcp' ? 'an opaque byte stream' : t === 'http' ? 'plain HTTP' : t;
}

/** The Service's ClusterIP as written (none, or headless: undefined). */
export function serviceAddress(svc: ServiceInfo): string | undefined {
  const ip = svc.source.object.spec?.clusterIP;
  return typeof ip === 'string' && net.isIP(ip) !== 0 ? ip : undefined;
}

/** How a reason names a peer: its workload, its external name, its host or address. */
export function peerName(peer: MeshPeer): string {
  if (peer.workload) return peer.workload.ref;
  if (peer.external) return peer.external.name;
  return peer.host ?? peer.ip ?? 'an unnamed peer';
}

export function isMapping(value: unknown): value is { [key: string]: any } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The strings of a list (anything else in it, or a value that is no list: nothing). */
export function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((x): x is string => typeof x === 'string') : [];
}

export function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

/** `A`, `A and B`, `A, B and C` (each once); `none` for none. */
export function refList(refs: string[]): string {
  const u = unique(refs);
  return u.length <= 1 ? (u[0] ?? 'none') : `${u.slice(0, -1).join(', ')} and ${u[u.length - 1]}`;
}

/** Whether the request wants the verdict's reason and objects (`MeshConnectionRequest.explain`). */
export function explains(request: MeshConnectionRequest): boolean {
  return request.explain ?? true;
}

/**
 * The verdict over the ways a source reaches a destination (`paths`, at least one): the first
 * that allows, in order (the paths after it are not judged), else the first denial; with
 * `explain`, a denial names how many other Service ports were denied too, and the objects of all.
 */
export function firstAllowed<P>(paths: P[], judge: (path: P) => Verdict, explain: boolean): Verdict {
  const denials: Verdict[] = [];
  for (const path of paths) {
    const v = judge(path);
    if (v.allowed) return v;
    denials.push(v);
  }
  const [first] = denials;
  if (denials.length === 1 || !explain) return first;
  return { ...first, reason: `${first.reason} (and ${denials.length - 1} other Service port${denials.length > 2 ? 's' : ''} to it, likewise denied)`, objects: unique(denials.flatMap((v) => v.objects)) };
}

/**
 * Both sides of a connection: the source side's denial, or the destination side's verdict (judged
 * only when the source side lets the connection out) with the reasons and objects of both. Without
 * `explain`, only whether it is allowed (`terseVerdict`).
 */
export function bothSides(source: Verdict, destination: () => Verdict, explain: boolean): Verdict {
  if (!source.allowed) return explain ? { allowed: false, reason: `source side: ${source.reason}`, objects: source.objects } : terseVerdict(false);
  const d = destination();
  if (!explain) return terseVerdict(d.allowed);
  return { allowed: d.allowed, reason: `source side: ${source.reason}; destination side: ${d.reason}`, objects: unique([...source.objects, ...d.objects]) };
}
