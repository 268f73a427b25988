import type { AppPort, AppSpecBody, PortProtocol } from './app-spec';

/** A port of an app after defaults are applied. */
export interface ResolvedPort {
  readonly name: string;
  /** The Service port. */
  readonly port: number;
  /** The container port: what NetworkPolicy and the mesh match, after Service DNAT. */
  readonly targetPort: number;
  readonly protocol: PortProtocol;
  /** Kept out of the mesh sidecar. */
  readonly bypassMesh: boolean;
}

/** Resolves `spec.ports` defaults. */
export function resolvePorts(spec: AppSpecBody): ResolvedPort[] {
  // Defensive: the directory resolves every app of a run before each is validated.
  const ports: AppPort[] = Array.isArray(spec?.ports) ? spec.ports.filter((p) => typeof p === 'object' && p !== null) : [];
  return ports.map((p) => ({
    name: p.name,
    port: p.port,
    targetPort: p.targetPort ?? p.port,
    protocol: p.protocol ?? 'http',
    bypassMesh: p.bypassMesh === true,
  }));
}

/** Protocols whose traffic the pod wraps in its own TLS. */
export function servesTls(protocol: PortProtocol): boolean {
  return protocol === 'https' || protocol === 'grpcs';
}

/** Protocols that carry HTTP requests (in cleartext or inside the app's TLS). */
export function carriesHttp(protocol: PortProtocol): boolean {
  return protocol === 'http' || protocol === 'https' || protocol === 'grpc' || protocol === 'grpcs';
}

/** Protocols that carry gRPC. */
export function carriesGrpc(protocol: PortProtocol): boolean {
  return protocol === 'grpc' || protocol === 'grpcs';
}
