import { buildClusterModel } from '../../../src/analysis/cluster';
import { istioInjectedContainers, istioProxyIds } from '../../../src/analysis/mesh/istio-injection';
import { IstioModel } from '../../../src/analysis/mesh/istio-model';
import type { KubeObject } from '../../../src/analysis/model';
import { admissionVerdict } from '../../../src/analysis/pod-security';

const proxyPorts = [{ name: 'http-envoy-prom', containerPort: 15090, protocol: 'TCP' }];
const proxy = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 1337, runAsGroup: 1337 };

describe('istioInjectedContainers (istio:manifests/charts/istio-control/istio-discovery/files/injection-template.yaml @1.30.3)', () => {
  test('without the CNI: istio-init (root, NET_ADMIN and NET_RAW) and istio-proxy (1337, drop ALL)', () => {
    expect(istioInjectedContainers()).toEqual([
      {
        name: 'istio-init', init: true, ports: [],
        securityContext: { allowPrivilegeEscalation: false, privileged: false, capabilities: { add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] }, readOnlyRootFilesystem: false, runAsGroup: 0, runAsNonRoot: false, runAsUser: 0 },
      },
      { name: 'istio-proxy', init: false, securityContext: proxy, ports: proxyPorts },
    ]);
  });

  test('with the CNI: istio-validation, non-root and read-only, dropping ALL', () => {
    expect(istioInjectedContainers({ cni: true })[0]).toEqual({
      name: 'istio-validation', init: true, ports: [],
      securityContext: { allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true, runAsGroup: 1337, runAsUser: 1337, runAsNonRoot: true },
    });
  });

  test('global.proxy.seccompProfile and privileged are copied; native sidecars make istio-proxy an init container', () => {
    const [init, p] = istioInjectedContainers({ seccompProfile: { type: 'RuntimeDefault' }, nativeSidecar: true });
    expect(init.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(p).toMatchObject({ name: 'istio-proxy', init: true, securityContext: { seccompProfile: { type: 'RuntimeDefault' } } });
    expect(istioInjectedContainers({ privileged: true })[1].securityContext).toMatchObject({ privileged: true, allowPrivilegeEscalation: true });
    expect(istioInjectedContainers({ podAnnotations: { 'sidecar.istio.io/nativeSidecar': 'false' }, nativeSidecar: true })[1].init).toBe(false);
  });

  test('pod annotations: TPROXY and capNetBindService run the proxy as root with capabilities; interception NONE adds no init container', () => {
    expect(istioInjectedContainers({ podAnnotations: { 'sidecar.istio.io/interceptionMode': 'TPROXY' } })[1].securityContext).toMatchObject({
      capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] }, runAsNonRoot: false, runAsUser: 0, runAsGroup: 1337,
    });
    expect(istioInjectedContainers({ podAnnotations: { 'sidecar.istio.io/capNetBindService': 'true' } })[1].securityContext.capabilities).toEqual({ add: ['NET_BIND_SERVICE'], drop: ['ALL'] });
    expect(istioInjectedContainers({ podAnnotations: { 'sidecar.istio.io/interceptionMode': 'NONE' } }).map((c) => c.name)).toEqual(['istio-proxy']);
  });

  test('the gateway template adds only istio-proxy with runAsUser/runAsGroup', () => {
    expect(istioInjectedContainers({ podAnnotations: { 'inject.istio.io/templates': 'gateway' } })).toEqual([
      { name: 'istio-proxy', init: false, securityContext: { runAsUser: 1337, runAsGroup: 1337 }, ports: proxyPorts },
    ]);
  });

  test('OpenShift: the proxy runs as the top of the namespace\'s UID range and first supplemental group range', () => {
    expect(istioProxyIds({ 'openshift.io/sa.scc.uid-range': '1000680000/10000' })).toEqual({ uid: 1000689999, gid: 1000689999 });
    expect(istioProxyIds({ 'openshift.io/sa.scc.uid-range': '1000680000/10000', 'openshift.io/sa.scc.supplemental-groups': '5000-5999,7000/10' })).toEqual({ uid: 1000689999, gid: 5999 });
    expect(istioProxyIds({ 'openshift.io/sa.scc.uid-range': 'garbage' })).toEqual({ uid: 1337, gid: 1337 });
    expect(istioInjectedContainers({ cni: true, namespaceAnnotations: { 'openshift.io/sa.scc.uid-range': '1000680000/10000' } })[1].securityContext).toMatchObject({ runAsUser: 1000689999 });
  });
});

describe('Pod Security with the injected containers (CNI vs no CNI)', () => {
  const hardened = {
    name: 'app', image: 'x', ports: [{ containerPort: 8080 }],
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, runAsUser: 1000 },
  };
  const objects: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'istio-injection': 'enabled', 'pod-security.kubernetes.io/enforce': 'restricted' } } },
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'app', namespace: 'shop' },
      spec: { template: { metadata: { labels: { app: 'app' } }, spec: { securityContext: { seccompProfile: { type: 'RuntimeDefault' } }, containers: [hardened] } } },
    },
  ];
  const model = buildClusterModel(objects.map((object, index) => ({ object, file: 'x.yaml', index })));
  const app = model.workloads[0];

  test('fails: without the CNI, istio-init is refused by a restricted namespace', () => {
    const v = admissionVerdict(model, app, new IstioModel().injectedContainers(model, app));
    expect(v.allowed).toBe(false);
    expect(v.reason).toContain('istio-init (injected)');
  });

  test('with the CNI, a hardened pod with seccompProfile RuntimeDefault is admitted by restricted', () => {
    const v = admissionVerdict(model, app, new IstioModel({ cni: true }).injectedContainers(model, app));
    expect(v.allowed).toBe(true);
    expect(v.reason).toContain('istio-validation, istio-proxy');
  });
});
