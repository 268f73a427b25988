import type { AppSpec, MeshIngressSource } from '../../spec/app-spec';
import type { ClusterContext } from '../../spec/cluster-context';
import type { AppDirectory } from '../../spec/app-directory';
import { resolvePorts } from '../../spec/ports';
import { appLabels } from '../labels';
import type { MeshEntry, MeshIntent } from './mesh-provider';
import { gatewayMeshEntry } from '../gateway-api/gateway-route-problems';

/**
 * The mesh intent of a meshed app: its identity and ports, its `mesh` rules, and the entries
 * into the mesh derived from its Route (the platform's router, plain HTTP after edge
 * termination), its Ingress (the controller: plain HTTP, or TLS with the mesh-issued client
 * certificate when `backendTls` is set) and `mesh.ingress`. Undefined for an app without `mesh`.
 * The spec must have passed the schema (names and ports are read as given).
 */
export function meshIntent(spec: AppSpec, cluster: ClusterContext, directory?: AppDirectory): MeshIntent | undefined {
  const s = spec.spec;
  if (!s.mesh) return undefined;
  const name = spec.metadata.name;
  const namespace = spec.metadata.namespace ?? 'default';
  const ports = resolvePorts(s);
  const portOf = (wanted?: string) => ports.find((p) => p.name === (wanted ?? ports[0]?.name));
  const entries: MeshEntry[] = [];
  const router = cluster.platform.router;
  const routePort = s.route ? portOf(s.route.port) : undefined;
  if (routePort && router) {
    entries.push({
      purpose: 'the route', field: 'spec.route', port: routePort, protocol: 'http', validateClientCertificate: false,
      sources: [{ service: { name: router.serviceName, namespace: router.namespace } }],
    });
  }
  const ing = s.ingress;
  const controller = ing ? cluster.ingressController(ing.className, ing.controllerNamespace) : undefined;
  const ingressPort = ing ? portOf(ing.port) : undefined;
  if (ing && controller && ingressPort) {
    const mtls = ing.backendTls !== undefined;
    const gateway = cluster.mesh?.ingressGateway;
    const sources: MeshIngressSource[] = [{ service: { name: controller.serviceName, namespace: controller.namespace } }];
    if (mtls && gateway) sources.push({ principal: gateway.subjectAltNames[0] });
    entries.push({ purpose: 'the ingress', field: 'spec.ingress', port: ingressPort, protocol: mtls ? 'https' : 'http', validateClientCertificate: mtls, sources });
  }
  if (s.gateway) {
    const e = gatewayMeshEntry(s.gateway, ports, cluster);
    if (e) entries.push(e);
  }
  const mi = s.mesh.ingress;
  const meshIngressPort = mi ? portOf(mi.port) : undefined;
  if (mi && meshIngressPort && Array.isArray(mi.from)) {
    const mtls = mi.mtls === true;
    entries.push({ purpose: 'mesh.ingress', field: 'spec.mesh.ingress', port: meshIngressPort, protocol: mtls ? 'https' : 'http', validateClientCertificate: mtls, sources: mi.from });
  }
  return {
    app: name,
    namespace,
    serviceAccountName: s.serviceAccount ?? name,
    serviceName: ports.length ? name : undefined,
    labels: appLabels(name, spec.metadata.labels),
    ports,
    mesh: s.mesh,
    entries,
    egress: s.egress?.to ?? [],
    kubernetesApi: s.egress?.kubernetesApi === true,
    ownsNamespace: s.ownsNamespace === true,
    callees: (directory?.calleesOf(namespace, name) ?? []).filter((c) => c.app.ports.length > 0).map((c) => ({ name: c.app.name, namespace: c.app.namespace })),
    egressUnrestricted: s.egress?.unrestricted === true,
    cluster,
  };
}
