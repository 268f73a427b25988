import type { ClusterModel, ContainerInfo, KubeObject, PodPort } from '../model';

/**
 * The containers Open Service Mesh's sidecar injector (a mutating webhook) adds to a pod, with
 * the securityContext each one gets: what Pod Security admission then sees.
 *
 * Read from openservicemesh/osm at commit 7bec5b6b (the last one; the project is archived),
 * cited as `osm:path:line`. The securityContexts are the same in the last release, v1.2.4
 * (`git diff v1.2.4 7bec5b6b` of pkg/injector/init_container.go and envoy_container.go changes
 * only how the MeshConfig is passed and the log level).
 *
 * - `osm-init` (init container, Linux pods only; osm:pkg/injector/patch.go:182-226,
 *   osm:pkg/injector/init_container.go:17-48) programs iptables: securityContext
 *   `privileged: <MeshConfig spec.sidecar.enablePrivilegedInitContainer>` (written even when false),
 *   `capabilities.add: [NET_ADMIN]` (only NET_ADMIN: no NET_RAW, no drop), `runAsNonRoot: false`,
 *   `runAsUser: 0`; no allowPrivilegeEscalation, no seccompProfile.
 * - `envoy` (container; osm:pkg/injector/envoy_container.go:29-35,51-56): securityContext
 *   `allowPrivilegeEscalation: false`, `runAsUser: 1500` (osm:pkg/constants/constants.go:32);
 *   no runAsNonRoot, no capabilities (nothing dropped), no seccompProfile. On Windows pods
 *   (nodeSelector kubernetes.io/os: windows, osm:pkg/injector/patch.go:115) only
 *   `windowsOptions.runAsUserName: EnvoyUser` (envoy_container.go:18-27, constants.go:35) and no
 *   init container (patch.go:112-114, 183-186).
 * - `osm-healthcheck` (container), only when a container of the pod has a tcpSocket liveness,
 *   readiness or startup probe (osm:pkg/injector/patch.go:125-151, health_probes.go:65-76): no
 *   securityContext at all; port 15904 (constants.go:170).
 *
 * So an OSM-meshed pod fails Pod Security baseline (NET_ADMIN is not in the baseline capability
 * set; with the privileged option also `privileged`) and restricted: only `privileged` admits it.
 *
 * OpenShift: OSM's install guide (openservicemesh/osm-docs@c6e620e4
 * content/en/docs/guides/install.md:76-90) says NET_ADMIN is not sufficient there: install with
 * `osm.enablePrivilegedInitContainer=true` (or set `spec.sidecar.enablePrivilegedInitContainer`
 * in the MeshConfig and restart the meshed pods), and grant the `privileged` SecurityContextConstraints
 * to every service account in the mesh (`oc adm policy add-scc-to-user privileged -z <sa> -n <ns>`).
 */

/** The init container's name (osm:pkg/constants/constants.go:145). */
export const OSM_INIT_CONTAINER_NAME = 'osm-init';
/** The sidecar's name (osm:pkg/constants/constants.go:142). */
export const OSM_ENVOY_CONTAINER_NAME = 'envoy';
/** The TCP-probe helper's name (osm:pkg/injector/patch.go:135). */
export const OSM_HEALTHCHECK_CONTAINER_NAME = 'osm-healthcheck';
/** The UID Envoy runs as on Linux (osm:pkg/constants/constants.go:32). */
export const OSM_ENVOY_UID = 1500;

/** Options of `osmInjectedContainers`. */
export interface OsmInjectionOptions {
  /**
   * MeshConfig `spec.sidecar.enablePrivilegedInitContainer` (osm:pkg/injector/patch.go:223).
   * @default false (the chart's default, osm:charts/osm/values.yaml:466; `OsmModel` reads it from the input's MeshConfig, `OsmMeshSettings.privilegedInitContainer`)
   */
  readonly enablePrivilegedInitContainer?: boolean;
  /**
   * The pod spec the injector patches, as written: the probes of its containers add Envoy's probe
   * ports and, for tcpSocket probes, the osm-healthcheck container; nodeSelector
   * `kubernetes.io/os: windows` takes the Windows path.
   * @default - a Linux pod without probes
   */
  readonly podSpec?: any;
}

/**
 * Exactly the containers OSM's injector adds to a pod, with their securityContext and ports (see
 * the module comment for the sources): `osm-init` (init container, Linux only), `envoy`, and
 * `osm-healthcheck` when a container has a tcpSocket probe.
 */
export function osmInjectedContainers(options: OsmInjectionOptions = {}): ContainerInfo[] {
  const spec = isMapping(options.podSpec) ? options.podSpec : {};
  const windows = typeof mapping(spec.nodeSelector)['kubernetes.io/os'] === 'string' && spec.nodeSelector['kubernetes.io/os'].toLowerCase() === 'windows';
  const probes = probeKinds(spec);
  const out: ContainerInfo[] = [];
  if (!windows) {
    // osm:pkg/injector/init_container.go:21-31
    out.push({
      name: OSM_INIT_CONTAINER_NAME,
      init: true,
      securityContext: {
        privileged: options.enablePrivilegedInitContainer === true,
        capabilities: { add: ['NET_ADMIN'] },
        runAsNonRoot: false,
        runAsUser: 0,
      },
      ports: [],
    });
  }
  if (probes.tcp) {
    // osm:pkg/injector/patch.go:133-151: no securityContext
    out.push({ name: OSM_HEALTHCHECK_CONTAINER_NAME, init: false, ports: [{ containerPort: 15904, protocol: 'TCP' }] });
  }
  // osm:pkg/injector/envoy_container.go:17-38, 114-174; ports from osm:pkg/constants/constants.go:11-23,62,161-167
  const ports: PodPort[] = [
    { name: 'proxy-admin', containerPort: 15000, protocol: 'TCP' },
    { name: 'proxy-inbound', containerPort: 15003, protocol: 'TCP' },
    { name: 'proxy-metrics', containerPort: 15010, protocol: 'TCP' },
    ...(probes.liveness ? [{ name: 'liveness-port', containerPort: 15901, protocol: 'TCP' }] : []),
    ...(probes.readiness ? [{ name: 'readiness-port', containerPort: 15902, protocol: 'TCP' }] : []),
    ...(probes.startup ? [{ name: 'startup-port', containerPort: 15903, protocol: 'TCP' }] : []),
  ];
  out.push({
    name: OSM_ENVOY_CONTAINER_NAME,
    init: false,
    securityContext: windows
      ? { windowsOptions: { runAsUserName: 'EnvoyUser' } }
      : { allowPrivilegeEscalation: false, runAsUser: OSM_ENVOY_UID },
    ports,
  });
  return out;
}

/** The MeshConfig the controller reads, in its namespace (osm:charts/osm/values.yaml, cmd/osm-bootstrap). */
export const OSM_MESH_CONFIG_NAME = 'osm-mesh-config';

/** The input's MeshConfig `osm-mesh-config` in the control-plane namespace (config.openservicemesh.io v1alpha1 or v1alpha2), if any. */
export function osmMeshConfig(model: ClusterModel, controlPlaneNamespace: string): KubeObject | undefined {
  return model.objects.find(({ object: o }) => o.kind === 'MeshConfig' && /^config\.openservicemesh\.io\/v1alpha[12]$/.test(o.apiVersion)
    && o.metadata.name === OSM_MESH_CONFIG_NAME && o.metadata.namespace === controlPlaneNamespace)?.object;
}

/**
 * Which probes the injector rewrites (osm:pkg/injector/health_probes.go:17-79: httpGet and
 * tcpSocket probes of `containers`, not of init containers), and whether one is tcpSocket.
 */
function probeKinds(spec: { [key: string]: any }): { liveness: boolean; readiness: boolean; startup: boolean; tcp: boolean } {
  const r = { liveness: false, readiness: false, startup: false, tcp: false };
  for (const c of Array.isArray(spec.containers) ? spec.containers : []) {
    for (const [field, key] of [['livenessProbe', 'liveness'], ['readinessProbe', 'readiness'], ['startupProbe', 'startup']] as const) {
      const probe = mapping(mapping(c)[field]);
      if (isMapping(probe.httpGet)) r[key] = true;
      else if (isMapping(probe.tcpSocket)) { r[key] = true; r.tcp = true; }
    }
  }
  return r;
}

function isMapping(value: unknown): value is { [key: string]: any } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mapping(value: unknown): { [key: string]: any } {
  return isMapping(value) ? value : {};
}
