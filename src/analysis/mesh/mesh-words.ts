import * as net from 'node:net';
import type { ServiceInfo } from '../model';
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
