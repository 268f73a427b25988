import { buildClusterModel } from '../../src/analysis/cluster';
import { osmInjectedContainers } from '../../src/analysis/mesh/osm-injection';
import type { KubeObject, NamespaceInfo, SourcedObject } from '../../src/analysis/model';
import { admissionVerdict, evaluatePodSecurity, namespaceLevel } from '../../src/analysis/pod-security';
import type { PodSecurityOptions } from '../../src/analysis/pod-security';

/** A container as SecureDeployment writes it: passes restricted. */
const cleanContainer = (name = 'app') => ({
  name,
  image: 'x',
  securityContext: {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    seccompProfile: { type: 'RuntimeDefault' },
  },
});

/** A restricted-clean pod spec (ours): pod-level runAsNonRoot and RuntimeDefault seccomp, containers drop ALL. */
function cleanPod(extra: Record<string, unknown> = {}): any {
  return {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [cleanContainer()],
    volumes: [{ name: 'tmp', emptyDir: {} }],
    ...extra,
  };
}

/** The clean pod with the first container's securityContext merged with `sc`. */
function withContainerSc(sc: Record<string, unknown>, extra: Record<string, unknown> = {}): any {
  const c = cleanContainer();
  return cleanPod({ containers: [{ ...c, securityContext: { ...c.securityContext, ...sc } }], ...extra });
}

const checks = (spec: any, level: string, options?: PodSecurityOptions) => evaluatePodSecurity(spec, level, options).map((f) => f.check);

describe('evaluatePodSecurity: the clean pod', () => {
  test('a restricted-clean pod passes restricted, baseline and privileged', () => {
    expect(evaluatePodSecurity(cleanPod(), 'restricted')).toEqual([]);
    expect(evaluatePodSecurity(cleanPod(), 'baseline')).toEqual([]);
    expect(evaluatePodSecurity(cleanPod(), 'privileged')).toEqual([]);
  });

  test('an empty pod passes baseline', () => {
    expect(evaluatePodSecurity({ containers: [{ name: 'a', image: 'x' }] }, 'baseline')).toEqual([]);
  });

  test('fails on a level that does not exist', () => {
    expect(() => evaluatePodSecurity(cleanPod(), 'strict')).toThrow(/not a Pod Security level/);
  });

  test('privileged checks nothing', () => {
    expect(evaluatePodSecurity({ hostNetwork: true, containers: [{ name: 'a', securityContext: { privileged: true } }] }, 'privileged')).toEqual([]);
  });
});

describe('evaluatePodSecurity: baseline checks', () => {
  test('fails windowsHostProcess at the pod and on a container', () => {
    const f = evaluatePodSecurity(cleanPod({ securityContext: { windowsOptions: { hostProcess: true } }, containers: [{ name: 'w', securityContext: { windowsOptions: { hostProcess: true } } }] }), 'baseline');
    expect(f).toEqual([
      { check: 'windowsHostProcess', level: 'baseline', field: 'spec.securityContext.windowsOptions.hostProcess', message: 'securityContext.windowsOptions.hostProcess is true at the pod (allowed: false or unset)' },
      { check: 'windowsHostProcess', level: 'baseline', container: 'w', field: 'spec.containers[*].securityContext.windowsOptions.hostProcess', message: 'securityContext.windowsOptions.hostProcess is true (allowed: false or unset)' },
    ]);
  });
  test('passes windowsHostProcess false', () => {
    expect(checks(withContainerSc({ windowsOptions: { hostProcess: false } }), 'baseline')).toEqual([]);
  });

  test('fails hostNamespaces for hostNetwork, hostPID and hostIPC', () => {
    const f = evaluatePodSecurity(cleanPod({ hostNetwork: true, hostPID: true, hostIPC: true }), 'baseline');
    expect(f.map((x) => [x.check, x.message])).toEqual([
      ['hostNamespaces', 'hostNetwork is true (allowed: false or unset)'],
      ['hostNamespaces', 'hostPID is true (allowed: false or unset)'],
      ['hostNamespaces', 'hostIPC is true (allowed: false or unset)'],
    ]);
  });
  test('passes hostNamespaces false', () => {
    expect(checks(cleanPod({ hostNetwork: false, hostPID: false, hostIPC: false }), 'baseline')).toEqual([]);
  });

  test('fails privileged true', () => {
    expect(evaluatePodSecurity(withContainerSc({ privileged: true }), 'baseline')).toEqual([
      { check: 'privileged', level: 'baseline', container: 'app', field: 'spec.containers[*].securityContext.privileged', message: 'securityContext.privileged is true (allowed: false or unset)' },
    ]);
  });
  test('passes privileged false', () => {
    expect(checks(withContainerSc({ privileged: false }), 'restricted')).toEqual([]);
  });

  test('fails capabilities_baseline for NET_RAW and NET_ADMIN', () => {
    const f = evaluatePodSecurity(withContainerSc({ capabilities: { add: ['CHOWN', 'NET_RAW', 'NET_ADMIN'] } }), 'baseline');
    expect(f).toHaveLength(1);
    expect(f[0].check).toBe('capabilities_baseline');
    expect(f[0].message).toMatch(/^securityContext\.capabilities\.add has \[NET_RAW NET_ADMIN\] \(allowed: only the default set \[AUDIT_WRITE CHOWN/);
  });
  test('passes capabilities_baseline with capabilities of the default set', () => {
    expect(checks(withContainerSc({ capabilities: { add: ['CHOWN', 'NET_BIND_SERVICE', 'SYS_CHROOT'] } }), 'baseline')).toEqual([]);
  });

  test('fails hostPathVolumes', () => {
    expect(evaluatePodSecurity(cleanPod({ volumes: [{ name: 'root', hostPath: { path: '/' } }] }), 'baseline')).toEqual([
      { check: 'hostPathVolumes', level: 'baseline', field: 'spec.volumes[*].hostPath', message: 'volume "root" is hostPath "/" (allowed: no hostPath volumes)' },
    ]);
  });
  test('passes hostPathVolumes without hostPath', () => {
    expect(checks(cleanPod({ volumes: [{ name: 'nfs', nfs: { server: 'x', path: '/' } }] }), 'baseline')).toEqual([]);
  });

  test('fails hostPorts', () => {
    const f = evaluatePodSecurity(cleanPod({ containers: [{ ...cleanContainer(), ports: [{ containerPort: 80, hostPort: 8080 }] }] }), 'baseline');
    expect(f.map((x) => [x.check, x.container, x.message])).toEqual([['hostPorts', 'app', 'ports.hostPort is 8080 (allowed: 0 or unset)']]);
  });
  test('passes hostPorts 0 or unset', () => {
    expect(checks(cleanPod({ containers: [{ ...cleanContainer(), ports: [{ containerPort: 80, hostPort: 0 }, { containerPort: 81 }] }] }), 'restricted')).toEqual([]);
  });

  test('fails appArmorProfile Unconfined at the pod, on a container and by annotation', () => {
    const spec = cleanPod({ securityContext: { ...cleanPod().securityContext, appArmorProfile: { type: 'Unconfined' } } });
    spec.containers[0].securityContext.appArmorProfile = { type: 'Unconfined' };
    const f = evaluatePodSecurity(spec, 'baseline', { podAnnotations: { 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' } });
    expect(f.map((x) => [x.check, x.container, x.message])).toEqual([
      ['appArmorProfile', undefined, 'securityContext.appArmorProfile.type is Unconfined at the pod (allowed: RuntimeDefault, Localhost or unset)'],
      ['appArmorProfile', 'app', 'securityContext.appArmorProfile.type is Unconfined (allowed: RuntimeDefault, Localhost or unset)'],
      ['appArmorProfile', undefined, 'annotation container.apparmor.security.beta.kubernetes.io/app is "unconfined" (allowed: runtime/default, localhost/* or empty)'],
    ]);
  });
  test('passes appArmorProfile RuntimeDefault, Localhost and localhost/ annotations', () => {
    const spec = withContainerSc({ appArmorProfile: { type: 'Localhost', localhostProfile: 'p' } }, { securityContext: { ...cleanPod().securityContext, appArmorProfile: { type: 'RuntimeDefault' } } });
    expect(checks(spec, 'restricted', { podAnnotations: { 'container.apparmor.security.beta.kubernetes.io/app': 'localhost/p' } })).toEqual([]);
  });

  test('fails seLinuxOptions with a custom type, user or role', () => {
    const f = evaluatePodSecurity(withContainerSc({ seLinuxOptions: { type: 'spc_t', user: 'system_u', role: 'r' } }), 'baseline');
    expect(f.map((x) => [x.check, x.message])).toEqual([
      ['seLinuxOptions', 'securityContext.seLinuxOptions.type is spc_t, securityContext.seLinuxOptions.user is "system_u", securityContext.seLinuxOptions.role is "r" (allowed: type container_t, container_init_t, container_kvm_t, container_engine_t or empty, user and role empty)'],
    ]);
  });
  test('passes seLinuxOptions container_t and level; container_engine_t since v1.31', () => {
    expect(checks(withContainerSc({ seLinuxOptions: { type: 'container_t', level: 's0:c1,c2' } }), 'baseline')).toEqual([]);
    expect(checks(cleanPod({ securityContext: { seLinuxOptions: { type: 'container_engine_t' } } }), 'baseline')).toEqual([]);
  });
  test('fails seLinuxOptions container_engine_t before v1.31', () => {
    expect(checks(cleanPod({ securityContext: { seLinuxOptions: { type: 'container_engine_t' } } }), 'baseline', { version: 'v1.30' })).toEqual(['seLinuxOptions']);
  });

  test('fails procMount Unmasked', () => {
    expect(evaluatePodSecurity(withContainerSc({ procMount: 'Unmasked' }), 'baseline').map((x) => [x.check, x.message])).toEqual([
      ['procMount', 'securityContext.procMount is Unmasked (allowed: Default or unset, or any value with hostUsers false)'],
    ]);
  });
  test('passes procMount Default, and Unmasked at baseline in a user namespace (v1.35+)', () => {
    expect(checks(withContainerSc({ procMount: 'Default' }), 'restricted')).toEqual([]);
    expect(checks(withContainerSc({ procMount: 'Unmasked' }, { hostUsers: false }), 'baseline')).toEqual([]);
  });
  test('fails procMount Unmasked in a user namespace at restricted (procMount_restricted) and before v1.35', () => {
    expect(checks(withContainerSc({ procMount: 'Unmasked' }, { hostUsers: false }), 'restricted')).toEqual(['procMount_restricted']);
    expect(checks(withContainerSc({ procMount: 'Unmasked' }, { hostUsers: false }), 'baseline', { version: 'v1.34' })).toEqual(['procMount']);
    expect(checks(withContainerSc({ procMount: 'Unmasked' }, { hostUsers: false }), 'restricted', { version: 'v1.34' })).toEqual(['procMount']);
  });

  test('fails seccompProfile_baseline Unconfined', () => {
    const f = evaluatePodSecurity(cleanPod({ securityContext: { seccompProfile: { type: 'Unconfined' } } }), 'baseline');
    expect(f.map((x) => [x.check, x.message])).toEqual([
      ['seccompProfile_baseline', 'securityContext.seccompProfile.type is Unconfined at the pod (allowed: RuntimeDefault, Localhost or unset)'],
    ]);
  });
  test('passes seccompProfile_baseline unset, RuntimeDefault or Localhost', () => {
    expect(checks({ containers: [{ name: 'a' }, { name: 'b', securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' } } }] }, 'baseline')).toEqual([]);
  });
  test('fails seccomp annotations before v1.19, which later versions ignore', () => {
    const annotations = { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' };
    expect(evaluatePodSecurity({ containers: [{ name: 'a' }] }, 'baseline', { version: 'v1.18', podAnnotations: annotations }).map((x) => x.message)).toEqual([
      'annotation seccomp.security.alpha.kubernetes.io/pod is "unconfined" (allowed: runtime/default, docker/default or localhost/*)',
    ]);
    expect(checks({ containers: [{ name: 'a' }] }, 'baseline', { podAnnotations: annotations })).toEqual([]);
  });

  test('fails sysctls outside the safe set', () => {
    const f = evaluatePodSecurity(cleanPod({ securityContext: { ...cleanPod().securityContext, sysctls: [{ name: 'kernel.msgmax', value: '1' }, { name: 'net.ipv4.tcp_syncookies', value: '1' }] } }), 'baseline');
    expect(f).toHaveLength(1);
    expect(f[0].message).toMatch(/^securityContext\.sysctls has \[kernel\.msgmax\] \(allowed: kernel\.shm_rmid_forced, /);
  });
  test('passes sysctls of the safe set; tcp_rmem only since v1.32', () => {
    const spec = cleanPod({ securityContext: { ...cleanPod().securityContext, sysctls: [{ name: 'net.ipv4.tcp_rmem', value: '4096 87380 6291456' }] } });
    expect(checks(spec, 'restricted')).toEqual([]);
    expect(checks(spec, 'restricted', { version: 'v1.31' })).toEqual(['sysctls']);
  });

  test('fails hostProbesAndHostLifecycle with a probe or handler host (v1.34+)', () => {
    const c = { ...cleanContainer(), livenessProbe: { httpGet: { host: '10.0.0.1', port: 80 } }, lifecycle: { preStop: { tcpSocket: { host: 'example.com', port: 80 } } } };
    expect(evaluatePodSecurity(cleanPod({ containers: [c] }), 'baseline').map((x) => [x.check, x.field, x.message])).toEqual([
      ['hostProbesAndHostLifecycle', 'spec.containers[*].livenessProbe.httpGet.host', 'livenessProbe.httpGet.host is "10.0.0.1" (allowed: empty or unset)'],
      ['hostProbesAndHostLifecycle', 'spec.containers[*].lifecycle.preStop.tcpSocket.host', 'lifecycle.preStop.tcpSocket.host is "example.com" (allowed: empty or unset)'],
    ]);
  });
  test('passes hostProbesAndHostLifecycle without hosts, and with hosts before v1.34', () => {
    expect(checks(cleanPod({ containers: [{ ...cleanContainer(), readinessProbe: { httpGet: { port: 80, host: '' } } }] }), 'restricted')).toEqual([]);
    expect(checks(cleanPod({ containers: [{ ...cleanContainer(), readinessProbe: { tcpSocket: { port: 80, host: 'h' } } }] }), 'restricted', { version: 'v1.33' })).toEqual([]);
  });
});

describe('evaluatePodSecurity: restricted checks', () => {
  test('fails restrictedVolumes, which replaces hostPathVolumes at restricted', () => {
    const f = evaluatePodSecurity(cleanPod({ volumes: [{ name: 'root', hostPath: { path: '/' } }, { name: 'share', nfs: { server: 's', path: '/' } }] }), 'restricted');
    expect(f.map((x) => [x.check, x.message])).toEqual([
      ['restrictedVolumes', 'volume "root" is of type hostPath (allowed: configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected, secret)'],
      ['restrictedVolumes', 'volume "share" is of type nfs (allowed: configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected, secret)'],
    ]);
  });
  test('passes restrictedVolumes of the allowed types', () => {
    const vols = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret'].map((t, i) => ({ name: `v${i}`, [t]: {} }));
    expect(checks(cleanPod({ volumes: vols }), 'restricted')).toEqual([]);
  });
  test('passes restrictedVolumes for a volume with no source, which the API server defaults to emptyDir', () => {
    expect(checks(cleanPod({ volumes: [{ name: 'scratch' }, { name: 'odd', notAVolumeSource: {} }] }), 'restricted')).toEqual([]);
  });

  test('fails allowPrivilegeEscalation unset or true', () => {
    const spec = cleanPod({ containers: [{ name: 'a', securityContext: { capabilities: { drop: ['ALL'] } } }, { ...cleanContainer('b'), securityContext: { ...cleanContainer().securityContext, allowPrivilegeEscalation: true } }] });
    expect(evaluatePodSecurity(spec, 'restricted').map((x) => [x.check, x.container, x.message])).toEqual([
      ['allowPrivilegeEscalation', 'a', 'securityContext.allowPrivilegeEscalation is unset (allowed: false)'],
      ['allowPrivilegeEscalation', 'b', 'securityContext.allowPrivilegeEscalation is true (allowed: false)'],
    ]);
  });
  test('passes allowPrivilegeEscalation false, and unset on a windows pod (v1.25+)', () => {
    expect(checks(cleanPod(), 'restricted')).toEqual([]);
    expect(checks({ os: { name: 'windows' }, securityContext: { runAsNonRoot: true }, containers: [{ name: 'w' }] }, 'restricted')).toEqual([]);
  });

  test('fails runAsNonRoot unset at the pod and a container', () => {
    const spec = withContainerSc({ runAsNonRoot: undefined }, { securityContext: { seccompProfile: { type: 'RuntimeDefault' } } });
    expect(evaluatePodSecurity(spec, 'restricted')).toEqual([
      { check: 'runAsNonRoot', level: 'restricted', container: 'app', field: 'spec.containers[*].securityContext.runAsNonRoot', message: 'securityContext.runAsNonRoot is unset and the pod does not set it (allowed: true on the container or the pod)' },
    ]);
  });
  test('fails runAsNonRoot false on a container even when the pod sets true', () => {
    expect(evaluatePodSecurity(withContainerSc({ runAsNonRoot: false }), 'restricted').map((x) => x.message)).toEqual([
      'securityContext.runAsNonRoot is false (allowed: true, or unset when the pod sets true)',
    ]);
  });
  test('fails runAsNonRoot false at the pod even when every container sets true', () => {
    expect(evaluatePodSecurity(cleanPod({ securityContext: { runAsNonRoot: false, seccompProfile: { type: 'RuntimeDefault' } } }), 'restricted').map((x) => x.message)).toEqual([
      'securityContext.runAsNonRoot is false at the pod (allowed: true or unset)',
    ]);
  });
  test('passes runAsNonRoot true at the pod only, on every container only, and in a user namespace', () => {
    expect(checks(withContainerSc({ runAsNonRoot: undefined }), 'restricted')).toEqual([]);
    expect(checks(cleanPod({ securityContext: { seccompProfile: { type: 'RuntimeDefault' } } }), 'restricted')).toEqual([]);
    expect(checks(withContainerSc({ runAsNonRoot: undefined }, { hostUsers: false, securityContext: { seccompProfile: { type: 'RuntimeDefault' } } }), 'restricted')).toEqual([]);
  });

  test('fails runAsUser 0 at the pod and on a container', () => {
    const spec = withContainerSc({ runAsUser: 0 }, { securityContext: { ...cleanPod().securityContext, runAsUser: 0 } });
    expect(evaluatePodSecurity(spec, 'restricted').map((x) => [x.check, x.container, x.message])).toEqual([
      ['runAsUser', undefined, 'securityContext.runAsUser is 0 at the pod (allowed: non-zero or unset)'],
      ['runAsUser', 'app', 'securityContext.runAsUser is 0 (allowed: non-zero or unset)'],
    ]);
  });
  test('passes runAsUser non-zero, and 0 before v1.23', () => {
    expect(checks(withContainerSc({ runAsUser: 1000 }), 'restricted')).toEqual([]);
    expect(checks(withContainerSc({ runAsUser: 0 }), 'restricted', { version: 'v1.22' })).toEqual([]);
  });

  test('fails seccompProfile_restricted unset, and Unconfined on a container despite the pod', () => {
    const unset = { securityContext: { runAsNonRoot: true }, containers: [cleanContainer('a'), { ...cleanContainer('b'), securityContext: { ...cleanContainer().securityContext, seccompProfile: undefined } }] };
    expect(evaluatePodSecurity(unset, 'restricted').map((x) => [x.check, x.container, x.message])).toEqual([
      ['seccompProfile_restricted', 'b', 'securityContext.seccompProfile is unset and the pod does not set it (allowed: type RuntimeDefault or Localhost on the container or the pod)'],
    ]);
    expect(evaluatePodSecurity(withContainerSc({ seccompProfile: { type: 'Unconfined' } }), 'restricted').map((x) => [x.check, x.message])).toEqual([
      ['seccompProfile_restricted', 'securityContext.seccompProfile.type is Unconfined (allowed: RuntimeDefault or Localhost)'],
    ]);
  });
  test('passes seccompProfile_restricted at the pod or on every container', () => {
    expect(checks(withContainerSc({ seccompProfile: undefined }), 'restricted')).toEqual([]);
    expect(checks(withContainerSc({ seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' } }, { securityContext: { runAsNonRoot: true } }), 'restricted')).toEqual([]);
  });

  test('fails capabilities_restricted without drop ALL, or adding more than NET_BIND_SERVICE', () => {
    const spec = cleanPod({ containers: [
      { ...cleanContainer('a'), securityContext: { ...cleanContainer().securityContext, capabilities: undefined } },
      { ...cleanContainer('b'), securityContext: { ...cleanContainer().securityContext, capabilities: { drop: ['NET_RAW'], add: ['CHOWN'] } } },
    ] });
    expect(evaluatePodSecurity(spec, 'restricted').map((x) => [x.check, x.container, x.message])).toEqual([
      ['capabilities_restricted', 'a', 'securityContext.capabilities.drop is unset (allowed: a list that includes ALL)'],
      ['capabilities_restricted', 'b', 'securityContext.capabilities.drop is [NET_RAW] (allowed: a list that includes ALL)'],
      ['capabilities_restricted', 'b', 'securityContext.capabilities.add has [CHOWN] (allowed: only NET_BIND_SERVICE)'],
    ]);
    // CHOWN is in the baseline set: baseline admits the same pod.
    expect(checks(spec, 'baseline')).toEqual([]);
  });
  test('passes capabilities_restricted drop ALL add NET_BIND_SERVICE', () => {
    expect(checks(withContainerSc({ capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } }), 'restricted')).toEqual([]);
  });
  test('fails capabilities_baseline before v1.22 at restricted (capabilities_restricted does not exist yet)', () => {
    expect(checks(withContainerSc({ capabilities: { add: ['NET_ADMIN'] } }), 'restricted', { version: 'v1.21' })).toEqual(['capabilities_baseline']);
  });

  test('fails in upstream order: baseline checks, then restricted checks, each sorted by ID', () => {
    const spec = { hostNetwork: true, volumes: [{ name: 'v', nfs: {} }], containers: [{ name: 'a', securityContext: { privileged: true, runAsUser: 0, capabilities: { add: ['SYS_ADMIN'] } } }] };
    expect(checks(spec, 'restricted')).toEqual([
      'hostNamespaces', 'privileged', 'allowPrivilegeEscalation', 'capabilities_restricted', 'capabilities_restricted', 'restrictedVolumes',
      'runAsNonRoot', 'runAsUser', 'seccompProfile_restricted',
    ]);
  });
});

describe('OSM injected containers against Pod Security', () => {
  const meshed = (options = {}) => {
    const pod = cleanPod();
    const injected = osmInjectedContainers({ podSpec: pod, ...options });
    return {
      ...pod,
      initContainers: injected.filter((c) => c.init).map((c) => ({ name: c.name, securityContext: c.securityContext })),
      containers: [...pod.containers, ...injected.filter((c) => !c.init).map((c) => ({ name: c.name, securityContext: c.securityContext }))],
    };
  };

  test('fails restricted: osm-init and envoy', () => {
    const f = evaluatePodSecurity(meshed(), 'restricted');
    expect(f.map((x) => [x.check, x.container, x.message])).toEqual([
      ['allowPrivilegeEscalation', 'osm-init', 'securityContext.allowPrivilegeEscalation is unset (allowed: false)'],
      ['capabilities_restricted', 'osm-init', 'securityContext.capabilities.drop is unset (allowed: a list that includes ALL)'],
      ['capabilities_restricted', 'envoy', 'securityContext.capabilities.drop is unset (allowed: a list that includes ALL)'],
      ['capabilities_restricted', 'osm-init', 'securityContext.capabilities.add has [NET_ADMIN] (allowed: only NET_BIND_SERVICE)'],
      ['runAsNonRoot', 'osm-init', 'securityContext.runAsNonRoot is false (allowed: true, or unset when the pod sets true)'],
      ['runAsUser', 'osm-init', 'securityContext.runAsUser is 0 (allowed: non-zero or unset)'],
    ]);
  });

  test('fails baseline: NET_ADMIN on osm-init', () => {
    expect(evaluatePodSecurity(meshed(), 'baseline').map((x) => [x.check, x.container])).toEqual([['capabilities_baseline', 'osm-init']]);
  });

  test('fails baseline twice with enablePrivilegedInitContainer: capabilities and privileged', () => {
    expect(checks(meshed({ enablePrivilegedInitContainer: true }), 'baseline')).toEqual(['capabilities_baseline', 'privileged']);
  });

  test('passes privileged', () => {
    expect(evaluatePodSecurity(meshed({ enablePrivilegedInitContainer: true }), 'privileged')).toEqual([]);
  });
});

describe('namespaceLevel', () => {
  const ns = (labels: Record<string, string>, declared = true): NamespaceInfo => ({ name: 'shop', labels: { 'kubernetes.io/metadata.name': 'shop', ...labels }, annotations: {}, declared });

  test('reads enforce, warn and audit labels', () => {
    expect(namespaceLevel(ns({
      'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/enforce-version': 'v1.30',
      'pod-security.kubernetes.io/warn': 'restricted', 'pod-security.kubernetes.io/audit': 'restricted', 'pod-security.kubernetes.io/audit-version': 'latest',
    }))).toEqual({
      namespace: 'shop', enforce: 'baseline', enforceVersion: 'v1.30', enforceSource: 'label', warn: 'restricted', warnVersion: 'latest',
      audit: 'restricted', auditVersion: 'latest', declared: true, exempt: false, invalidLabels: [],
    });
  });

  test('a namespace without labels gets the cluster default: privileged unless configured', () => {
    expect(namespaceLevel(ns({}))).toMatchObject({ enforce: 'privileged', enforceSource: 'default', warn: 'privileged', audit: 'privileged', enforceVersion: 'latest' });
    expect(namespaceLevel(ns({}), { defaultEnforce: 'baseline', defaultWarn: 'restricted' })).toMatchObject({ enforce: 'baseline', enforceSource: 'default', warn: 'restricted' });
  });

  test('a namespace not in the input gets the default, whatever labels it is given', () => {
    expect(namespaceLevel(ns({ 'pod-security.kubernetes.io/enforce': 'restricted' }, false))).toMatchObject({ enforce: 'privileged', enforceSource: 'default', declared: false });
  });

  test('warn follows a stricter enforce label when not labelled', () => {
    expect(namespaceLevel(ns({ 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'v1.29' })))
      .toMatchObject({ enforce: 'restricted', warn: 'restricted', warnVersion: 'v1.29', audit: 'privileged' });
  });

  test('fails closed on an invalid enforce level (restricted) and open on invalid warn and audit levels', () => {
    expect(namespaceLevel(ns({ 'pod-security.kubernetes.io/enforce': 'strict', 'pod-security.kubernetes.io/audit': 'x', 'pod-security.kubernetes.io/enforce-version': '1.25' }))).toMatchObject({
      enforce: 'restricted', enforceSource: 'label', enforceVersion: 'latest', audit: 'privileged', warn: 'privileged',
      invalidLabels: ['pod-security.kubernetes.io/enforce=strict', 'pod-security.kubernetes.io/enforce-version=1.25', 'pod-security.kubernetes.io/audit=x'],
    });
  });

  test('exempt namespaces from the configuration', () => {
    expect(namespaceLevel(ns({}), { exemptNamespaces: ['shop'] }).exempt).toBe(true);
  });
});

describe('admissionVerdict', () => {
  const namespace = (name: string, labels: Record<string, string> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
  const deployment = (ns: string, name: string, spec: any = cleanPod()): KubeObject => ({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns },
    spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec } },
  });
  const modelOf = (...objects: KubeObject[]) => buildClusterModel(objects.map((object, index): SourcedObject => ({ object, file: 'all.yaml', index })));
  const restricted = { 'pod-security.kubernetes.io/enforce': 'restricted' };

  test('passes our pod in a restricted namespace', () => {
    const model = modelOf(namespace('shop', restricted), deployment('shop', 'app2'));
    expect(admissionVerdict(model, model.workloads[0], [])).toEqual({
      allowed: true, reason: 'Deployment shop/app2: Pod Security restricted (label on Namespace shop) admits the pods', objects: ['Deployment shop/app2', 'Namespace shop'],
    });
  });

  test('fails our pod plus OSM injection in a restricted namespace, naming the containers and fields', () => {
    const model = modelOf(namespace('shop', restricted), deployment('shop', 'app2'));
    const v = admissionVerdict(model, model.workloads[0], osmInjectedContainers({ podSpec: cleanPod() }));
    expect(v.allowed).toBe(false);
    expect(v.objects).toEqual(['Deployment shop/app2', 'Namespace shop']);
    expect(v.reason).toBe('Deployment shop/app2: Pod Security restricted (label on Namespace shop) rejects '
      + 'init container osm-init (injected): securityContext.allowPrivilegeEscalation is unset (allowed: false); '
      + 'securityContext.capabilities.drop is unset (allowed: a list that includes ALL); securityContext.capabilities.add has [NET_ADMIN] (allowed: only NET_BIND_SERVICE); '
      + 'securityContext.runAsNonRoot is false (allowed: true, or unset when the pod sets true); securityContext.runAsUser is 0 (allowed: non-zero or unset). '
      + 'container envoy (injected): securityContext.capabilities.drop is unset (allowed: a list that includes ALL); '
      + 'evaluated with 2 injected containers (osm-init, envoy)');
  });

  test('fails our pod plus OSM injection in a baseline namespace pinned to a version', () => {
    const model = modelOf(namespace('shop', { 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/enforce-version': 'v1.28' }), deployment('shop', 'app2'));
    const v = admissionVerdict(model, model.workloads[0], osmInjectedContainers());
    expect(v.allowed).toBe(false);
    expect(v.reason).toMatch(/^Deployment shop\/app2: Pod Security baseline v1\.28 \(label on Namespace shop\) rejects init container osm-init \(injected\): securityContext\.capabilities\.add has \[NET_ADMIN\]/);
  });

  test('passes our pod plus OSM injection in a privileged namespace, and in an unlabelled one by the default', () => {
    const model = modelOf(namespace('shop', { 'pod-security.kubernetes.io/enforce': 'privileged' }), namespace('plain'), deployment('shop', 'a'), deployment('plain', 'b'), deployment('ghost', 'c'));
    const injected = osmInjectedContainers({ enablePrivilegedInitContainer: true });
    expect(admissionVerdict(model, model.workloads[0], injected).allowed).toBe(true);
    expect(admissionVerdict(model, model.workloads[1], injected)).toEqual({
      allowed: true,
      reason: 'Deployment plain/b: Pod Security privileged (no enforce label on Namespace plain: the cluster default, privileged unless the admission configuration sets another) admits the pods with 2 injected containers (osm-init, envoy)',
      objects: ['Deployment plain/b', 'Namespace plain'],
    });
    expect(admissionVerdict(model, model.workloads[2], injected)).toMatchObject({ allowed: true, objects: ['Deployment ghost/c'] });
    expect(admissionVerdict(model, model.workloads[2], injected).reason).toContain('Namespace ghost is not in the input');
  });

  test('fails an unlabelled namespace when the cluster default is restricted', () => {
    const model = modelOf(namespace('plain'), deployment('plain', 'b'));
    const v = admissionVerdict(model, model.workloads[0], osmInjectedContainers(), { defaultEnforce: 'restricted' });
    expect(v.allowed).toBe(false);
    expect(v.reason).toMatch(/^Deployment plain\/b: Pod Security restricted \(no enforce label on Namespace plain: the cluster default\) rejects/);
  });

  test('fails the pod template of a CronJob and of a Pod (with its annotations)', () => {
    const cron: KubeObject = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'nightly', namespace: 'shop' }, spec: { schedule: '@daily', jobTemplate: { spec: { template: { spec: withContainerSc({ privileged: true }) } } } } };
    const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop', annotations: { 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' } }, spec: cleanPod() };
    const model = modelOf(namespace('shop', { 'pod-security.kubernetes.io/enforce': 'baseline' }), cron, pod);
    expect(admissionVerdict(model, model.workloads[0], []).reason).toBe('CronJob shop/nightly: Pod Security baseline (label on Namespace shop) rejects container app: securityContext.privileged is true (allowed: false or unset)');
    expect(admissionVerdict(model, model.workloads[1], []).reason).toBe('Pod shop/p: Pod Security baseline (label on Namespace shop) rejects the pod: annotation container.apparmor.security.beta.kubernetes.io/app is "unconfined" (allowed: runtime/default, localhost/* or empty)');
  });

  test('an invalid enforce label enforces restricted', () => {
    const model = modelOf(namespace('shop', { 'pod-security.kubernetes.io/enforce': 'Restricted' }), deployment('shop', 'app2'));
    const v = admissionVerdict(model, model.workloads[0], osmInjectedContainers());
    expect(v.allowed).toBe(false);
    expect(v.reason).toContain('Pod Security restricted (label on Namespace shop, whose value "Restricted" is invalid and enforces restricted) rejects');
  });

  test('passes exempt namespaces and runtime classes', () => {
    const model = modelOf(namespace('shop', restricted), deployment('shop', 'app2', { ...cleanPod(), runtimeClassName: 'kata' }));
    expect(admissionVerdict(model, model.workloads[0], osmInjectedContainers(), { exemptNamespaces: ['shop'] }).allowed).toBe(true);
    expect(admissionVerdict(model, model.workloads[0], osmInjectedContainers(), { exemptRuntimeClasses: ['kata'] }).reason).toBe('Deployment shop/app2: runtimeClassName kata is exempt from Pod Security by the cluster\'s admission configuration');
  });

  test('the cluster version caps latest', () => {
    const spec = cleanPod({ containers: [{ ...cleanContainer(), livenessProbe: { httpGet: { host: 'h', port: 80 } } }] });
    const model = modelOf(namespace('shop', restricted), deployment('shop', 'app2', spec));
    expect(admissionVerdict(model, model.workloads[0], []).allowed).toBe(false);
    expect(admissionVerdict(model, model.workloads[0], [], { clusterVersion: 'v1.33' }).allowed).toBe(true);
  });
});
