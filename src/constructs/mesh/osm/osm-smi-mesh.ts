import { Construct } from 'constructs';
import type { AppMesh, MeshAllow } from '../../../spec/app-spec';
import type { IMeshProvider, MeshBinding, ResolvedPort } from '../mesh-provider';
import { ingressBackendProblems, OsmIngressBackend } from './osm-ingress-backend';
import { Problem, Problems } from '../../../spec/problems';
import { dns1123Subdomain } from '../../../spec/rules';
import { httpMatchProblems, SmiHttpRouteGroup } from './smi-http-route-group';
import { SmiTcpRoute } from './smi-tcp-route';
import { meshSourceProblems, SmiTrafficTarget } from './smi-traffic-target';

/** The pod annotation that asks OSM to inject its sidecar. */
export const OSM_SIDECAR_INJECTION = 'openservicemesh.io/sidecar-injection';

/** The namespace label that puts a namespace under an OSM control plane. */
export const OSM_MONITORED_BY = 'openservicemesh.io/monitored-by';

export interface OsmSmiMeshProps {
  /** Add the OSM sidecar-injection annotation to pods. @default true */
  readonly sidecarInjection?: boolean;
  /** The OSM mesh name, for the namespace monitored-by label. @default "osm" */
  readonly meshName?: string;
}

const isHttp = (p: ResolvedPort) => p.protocol !== 'tcp';

/** The TrafficTarget name of an allow rule: its own, or `<app>-<first caller service account>`. */
export function allowName(app: string, allow: MeshAllow, index: number): string {
  if (allow.name) return allow.name;
  const first = allow.from?.[0]?.serviceAccount;
  return first ? `${app}-from-${first}` : `${app}-allow-${index}`;
}

/**
 * Open Service Mesh with SMI access policy: one TrafficTarget per `mesh.allow` rule (with its
 * HTTPRouteGroup, or a TCPRoute for TCP-only apps) in the app namespace, and an IngressBackend
 * for `mesh.ingress`.
 */
export class OsmSmiMesh implements IMeshProvider {
  public readonly name = 'osm';
  private readonly sidecarInjection: boolean;
  private readonly meshName: string;

  constructor(props: OsmSmiMeshProps = {}) {
    this.sidecarInjection = props.sidecarInjection ?? true;
    this.meshName = props.meshName ?? 'osm';
  }

  public namespaceMetadata() {
    return {
      labels: { [OSM_MONITORED_BY]: this.meshName },
      annotations: this.sidecarInjection ? { [OSM_SIDECAR_INJECTION]: 'enabled' } : undefined,
    };
  }

  public validate(mesh: AppMesh, ports: readonly ResolvedPort[]): Problem[] {
    const out = new Problems();
    const names = new Map<string, number>();
    (mesh.allow ?? []).forEach((allow, i) => {
      const path = `allow[${i}]`;
      if (!Array.isArray(allow.from)) out.add(`${path}.from`, 'a list of callers ({ serviceAccount, namespace }) is required');
      else out.nest(`${path}.from`, meshSourceProblems(allow.from));
      if (allow.http !== undefined) {
        out.nest(`${path}.http`, httpMatchProblems(allow.http));
        if (!ports.some(isHttp)) out.add(`${path}.http`, 'http matches need an http, https or grpc port; every port is tcp');
      }
      if (allow.name !== undefined) out.add(`${path}.name`, dns1123Subdomain(allow.name));
      const name = allowName('app', allow, i);
      if (names.has(name)) out.add(`${path}.name`, `rule name ${JSON.stringify(name)} repeats allow[${names.get(name)}]; give one of them a distinct name`);
      names.set(name, i);
    });
    if (mesh.ingress) {
      const port = ports.find((p) => p.name === (mesh.ingress!.port ?? ports[0]?.name));
      if (!Array.isArray(mesh.ingress.from)) out.add('ingress.from', 'a list of sources (service, principal or ipRange) is required');
      else if (port) {
        for (const p of ingressBackendProblems({ backends: [this.backend('app', mesh, port)], sources: mesh.ingress.from })) {
          // Name the spec's fields: backends[0] is spec.mesh.ingress.port, sources is spec.mesh.ingress.from.
          out.add(`ingress.${p.field.replace(/^backends\[0\]/, 'port').replace(/^sources/, 'from')}`, p.message);
        }
      }
    }
    return out.list;
  }

  public bind(scope: Construct, b: MeshBinding): void {
    const root = new Construct(scope, 'OsmSmiMesh');
    if (this.sidecarInjection) b.deployment.addPodAnnotation(OSM_SIDECAR_INJECTION, 'enabled');
    (b.mesh.allow ?? []).forEach((allow, i) => {
      const name = allowName(b.app, allow, i);
      const rule = new Construct(root, name);
      let kind: 'HTTPRouteGroup' | 'TCPRoute';
      let matches: string[] | undefined;
      let routeGroup: SmiHttpRouteGroup | undefined;
      if (b.ports.some(isHttp)) {
        const group = new SmiHttpRouteGroup(rule, 'Routes', {
          name,
          namespace: b.namespace,
          labels: b.labels,
          matches: allow.http ?? [{ name: 'any', pathRegex: '.*', methods: ['*'] }],
        });
        kind = 'HTTPRouteGroup';
        matches = group.matchNames;
        routeGroup = group;
      } else {
        new SmiTcpRoute(rule, 'Routes', { name, namespace: b.namespace, labels: b.labels, ports: b.ports.map((p) => p.targetPort) });
        kind = 'TCPRoute';
      }
      new SmiTrafficTarget(rule, 'Target', {
        name,
        namespace: b.namespace,
        labels: b.labels,
        destinationServiceAccount: b.serviceAccountName,
        sources: allow.from,
        rules: [{ kind, name, matches, routeGroup }],
      });
    });
    if (b.mesh.ingress) {
      const port = b.ports.find((p) => p.name === (b.mesh.ingress!.port ?? b.ports[0].name))!;
      new OsmIngressBackend(root, 'IngressBackend', {
        name: b.app,
        namespace: b.namespace,
        labels: b.labels,
        backends: [this.backend(b.serviceName, b.mesh, port)],
        sources: b.mesh.ingress.from,
      });
    }
  }

  private backend(serviceName: string, mesh: AppMesh, port: ResolvedPort) {
    const mtls = mesh.ingress?.mtls === true;
    return { name: serviceName, port: port.targetPort, protocol: mtls ? 'https' as const : 'http' as const, skipClientCertValidation: mtls ? false : undefined };
  }
}
