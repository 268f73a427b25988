import { buildClusterModel } from '../../../src/analysis/cluster';
import { osmInjectedContainers } from '../../../src/analysis/mesh/osm-injection';
import { OsmModel } from '../../../src/analysis/mesh/osm-model';
import type { KubeObject } from '../../../src/analysis/model';

const envoyPorts = [
  { name: 'proxy-admin', containerPort: 15000, protocol: 'TCP' },
  { name: 'proxy-inbound', containerPort: 15003, protocol: 'TCP' },
  { name: 'proxy-metrics', containerPort: 15010, protocol: 'TCP' },
];

describe('osmInjectedContainers', () => {
  test('a Linux pod without probes gets osm-init and envoy, with OSM\'s securityContexts', () => {
    expect(osmInjectedContainers()).toEqual([
      { name: 'osm-init', init: true, securityContext: { privileged: false, capabilities: { add: ['NET_ADMIN'] }, runAsNonRoot: false, runAsUser: 0 }, ports: [] },
      { name: 'envoy', init: false, securityContext: { allowPrivilegeEscalation: false, runAsUser: 1500 }, ports: envoyPorts },
    ]);
  });

  test('enablePrivilegedInitContainer makes osm-init privileged', () => {
    expect(osmInjectedContainers({ enablePrivilegedInitContainer: true })[0].securityContext).toEqual({
      privileged: true, capabilities: { add: ['NET_ADMIN'] }, runAsNonRoot: false, runAsUser: 0,
    });
  });

  test('probes of containers add Envoy\'s probe ports; a tcpSocket probe adds osm-healthcheck without securityContext', () => {
    const podSpec = {
      containers: [
        { name: 'a', livenessProbe: { httpGet: { path: '/', port: 8080 } }, readinessProbe: { tcpSocket: { port: 8080 } } },
        { name: 'b', startupProbe: { exec: { command: ['true'] } } },
      ],
      initContainers: [{ name: 'i', startupProbe: { httpGet: { port: 1 } } }],
    };
    const injected = osmInjectedContainers({ podSpec });
    expect(injected.map((c) => c.name)).toEqual(['osm-init', 'osm-healthcheck', 'envoy']);
    expect(injected[1]).toEqual({ name: 'osm-healthcheck', init: false, ports: [{ containerPort: 15904, protocol: 'TCP' }] });
    expect(injected[2].ports).toEqual([
      ...envoyPorts,
      { name: 'liveness-port', containerPort: 15901, protocol: 'TCP' },
      { name: 'readiness-port', containerPort: 15902, protocol: 'TCP' },
    ]);
  });

  test('a Windows pod (nodeSelector kubernetes.io/os) gets no init container and a Windows envoy', () => {
    expect(osmInjectedContainers({ podSpec: { nodeSelector: { 'kubernetes.io/os': 'Windows' }, containers: [{ name: 'a' }] } })).toEqual([
      { name: 'envoy', init: false, securityContext: { windowsOptions: { runAsUserName: 'EnvoyUser' } }, ports: envoyPorts },
    ]);
  });
});

describe('OsmMeshSettings.privilegedInitContainer', () => {
  const meshConfig = (namespace: string, sidecar: Record<string, unknown>): KubeObject => ({
    apiVersion: 'config.openservicemesh.io/v1alpha2', kind: 'MeshConfig', metadata: { name: 'osm-mesh-config', namespace }, spec: { sidecar },
  });
  const model = (...objects: KubeObject[]) => buildClusterModel(objects.map((object, index) => ({ object, file: 'x.yaml', index })));
  const osmPrivilegedInitContainer = (m: ReturnType<typeof model>, controlPlaneNamespace?: string) => new OsmModel({ controlPlaneNamespace }).settings(m).privilegedInitContainer;

  test('reads spec.sidecar.enablePrivilegedInitContainer of the control plane\'s MeshConfig', () => {
    expect(osmPrivilegedInitContainer(model(meshConfig('osm-system', { enablePrivilegedInitContainer: true })))).toBe(true);
    expect(osmPrivilegedInitContainer(model(meshConfig('mesh', { enablePrivilegedInitContainer: true })), 'mesh')).toBe(true);
  });

  test('is false without a MeshConfig, when it leaves the field out, or in another namespace', () => {
    expect(osmPrivilegedInitContainer(model())).toBe(false);
    expect(osmPrivilegedInitContainer(model(meshConfig('osm-system', {})))).toBe(false);
    expect(osmPrivilegedInitContainer(model(meshConfig('other', { enablePrivilegedInitContainer: true })))).toBe(false);
  });
});
