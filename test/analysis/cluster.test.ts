import { buildClusterModel, namespaceLabels, objectNamespace, resolveTargetPort, selectorMatches, servicePods, workloadEndpoint } from '../../src/analysis/cluster';
import type { ClusterModel, KubeObject, ServiceInfo, SourcedObject, Workload } from '../../src/analysis/model';

const sourced = (objects: any[]): SourcedObject[] => objects.map((object, index) => ({ object: object as KubeObject, file: 'test.yaml', index }));
const model = (...objects: any[]): ClusterModel => buildClusterModel(sourced(objects));

const podSpec = (extra: any = {}) => ({ containers: [{ name: 'app', image: 'i', ports: [{ name: 'http', containerPort: 8080 }] }], ...extra });
const template = (labels: any, extra: any = {}) => ({ metadata: { labels }, spec: podSpec(extra) });

/** The one workload of a kind (fails when there are none or several). */
function workloadOf(m: ClusterModel, kind: string): Workload {
  const found = m.workloads.filter((w) => w.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.map((w) => w.ref).join(', ')}`);
  return found[0];
}

function serviceNamed(m: ClusterModel, name: string): ServiceInfo {
  const found = m.services.find((s) => s.name === name);
  if (!found) throw new Error(`no Service ${name}`);
  return found;
}

describe('buildClusterModel: workloads', () => {
  const m = model(
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pod', namespace: 'shop', labels: { app: 'pod' } }, spec: podSpec() },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'deploy', namespace: 'shop' }, spec: { template: template({ app: 'deploy' }) } },
    { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'sts', namespace: 'shop' }, spec: { template: template({ app: 'sts' }) } },
    { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'ds', namespace: 'shop' }, spec: { template: template({ app: 'ds' }) } },
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs', namespace: 'shop' }, spec: { template: template({ app: 'rs' }) } },
    { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'rc', namespace: 'shop' }, spec: { template: template({ app: 'rc' }) } },
    { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'job', namespace: 'shop' }, spec: { template: template({ app: 'job' }) } },
    { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'cron', namespace: 'shop' }, spec: { jobTemplate: { spec: { template: template({ app: 'cron' }) } } } },
    { apiVersion: 'apps.openshift.io/v1', kind: 'DeploymentConfig', metadata: { name: 'dc', namespace: 'shop' }, spec: { template: template({ app: 'dc' }) } },
    { apiVersion: 'serving.knative.dev/v1', kind: 'Service', metadata: { name: 'kn', namespace: 'shop' }, spec: { template: template({ app: 'kn' }) } },
  );

  test('reads the pods of every workload kind from where its kind keeps the pod template', () => {
    const byKind = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob', 'DeploymentConfig'];
    for (const kind of byKind) {
      const w = workloadOf(m, kind);
      expect(w.namespace).toBe('shop');
      expect(w.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
      expect(w.podLabels.app).toBe(w.name);
    }
    expect(workloadOf(m, 'CronJob').ref).toBe('CronJob shop/cron');
    expect(m.workloads.map((w) => w.kind).sort()).toEqual([...byKind].sort());
  });

  test('a knative Service is neither a workload nor a Service', () => {
    expect(m.services).toEqual([]);
  });

  test('adds the labels controllers set that the manifest determines (Job, DeploymentConfig)', () => {
    expect(workloadOf(m, 'Job').podLabels).toEqual({ 'app': 'job', 'job-name': 'job', 'batch.kubernetes.io/job-name': 'job' });
    expect(workloadOf(m, 'DeploymentConfig').podLabels).toEqual({ app: 'dc', deploymentconfig: 'dc' });
    expect(workloadOf(m, 'Deployment').podLabels).toEqual({ app: 'deploy' });
  });

  test('defaults the namespace to "default" and the service account to "default"', () => {
    const w = workloadOf(model({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: podSpec() }), 'Pod');
    expect(w.namespace).toBe('default');
    expect(w.serviceAccount).toBe('default');
  });

  test('reads serviceAccountName, or the deprecated serviceAccount', () => {
    const m2 = model(
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'a' }, spec: { template: template({}, { serviceAccountName: 'sa1', serviceAccount: 'old' }) } },
      { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'b' }, spec: { template: template({}, { serviceAccount: 'old' }) } },
    );
    expect(workloadOf(m2, 'Deployment').serviceAccount).toBe('sa1');
    expect(workloadOf(m2, 'StatefulSet').serviceAccount).toBe('old');
  });

  test('containers and init containers; native sidecars serve their ports, other init containers do not', () => {
    const spec = {
      hostNetwork: true,
      securityContext: { runAsNonRoot: true },
      containers: [{ name: 'app', ports: [{ containerPort: 53, protocol: 'UDP' }, { name: 'bad', containerPort: 'x' }] }],
      initContainers: [
        { name: 'migrate', ports: [{ name: 'init-port', containerPort: 9000 }] },
        { name: 'proxy', restartPolicy: 'Always', ports: [{ name: 'proxy', containerPort: 15001 }] },
      ],
      ephemeralContainers: [{ name: 'debug', ports: [{ containerPort: 7777 }] }],
    };
    const w = workloadOf(model({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec }), 'Pod');
    expect(w.containers.map((c) => [c.name, c.init])).toEqual([['app', false], ['migrate', true], ['proxy', true]]);
    expect(w.containers.find((c) => c.name === 'migrate')?.ports).toEqual([{ name: 'init-port', containerPort: 9000, protocol: 'TCP' }]);
    expect(w.ports).toEqual([{ containerPort: 53, protocol: 'UDP' }, { name: 'proxy', containerPort: 15001, protocol: 'TCP' }]);
    expect(w.hostNetwork).toBe(true);
    expect(w.podSecurityContext).toEqual({ runAsNonRoot: true });
  });

  test('an object without a pod template is not a workload', () => {
    expect(model({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: {} }).workloads).toEqual([]);
  });
});

describe('buildClusterModel: services and namespaces', () => {
  test('reads Service selectors and ports with targetPort and protocol defaulted', () => {
    const m = model({
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http', appProtocol: 'http' }, { port: 53, protocol: 'UDP' }] },
    }, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'external' }, spec: { type: 'ExternalName', externalName: 'example.com' } });
    expect(serviceNamed(m, 'web')).toMatchObject({
      namespace: 'shop',
      selector: { app: 'web' },
      ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' }, { port: 53, targetPort: 53, protocol: 'UDP' }],
    });
    expect(serviceNamed(m, 'external')).toMatchObject({ namespace: 'default', ports: [] });
    expect(serviceNamed(m, 'external').selector).toBeUndefined();
  });

  test('declared namespaces keep their labels and get kubernetes.io/metadata.name, which cannot be overridden', () => {
    const m = model(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { team: 'a', 'kubernetes.io/metadata.name': 'lie' } } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop' } },
    );
    expect(m.namespaces.get('shop')).toEqual({ name: 'shop', labels: { 'team': 'a', 'kubernetes.io/metadata.name': 'shop' }, annotations: {}, declared: true });
  });

  test('namespaces referenced by namespaced objects are known, with only the name label', () => {
    const m = model(
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'monitoring' } },
      { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r', namespace: 'ignored' } },
    );
    expect([...m.namespaces.keys()]).toEqual(['monitoring', 'default']);
    expect(m.namespaces.get('monitoring')).toEqual({ name: 'monitoring', labels: { 'kubernetes.io/metadata.name': 'monitoring' }, annotations: {}, declared: false });
    expect(namespaceLabels(m, 'elsewhere')).toEqual({ 'kubernetes.io/metadata.name': 'elsewhere' });
    expect(objectNamespace({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' } })).toBeUndefined();
  });
});

describe('selectorMatches', () => {
  const labels = { app: 'web', tier: 'front' };

  test('an empty selector matches everything; a missing one matches nothing', () => {
    expect(selectorMatches({}, labels)).toBe(true);
    expect(selectorMatches({}, {})).toBe(true);
    expect(selectorMatches(undefined, labels)).toBe(false);
  });

  test('matchLabels needs every label', () => {
    expect(selectorMatches({ matchLabels: { app: 'web' } }, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { app: 'web', tier: 'back' } }, labels)).toBe(false);
    expect(selectorMatches({ matchLabels: { missing: '' } }, labels)).toBe(false);
  });

  test('matchExpressions: In, NotIn (absent key included), Exists, DoesNotExist', () => {
    const m = (operator: string, key: string, values?: string[]) => selectorMatches({ matchExpressions: [{ key, operator, values }] }, labels);
    expect(m('In', 'app', ['web', 'api'])).toBe(true);
    expect(m('In', 'app', ['api'])).toBe(false);
    expect(m('In', 'missing', ['x'])).toBe(false);
    expect(m('NotIn', 'app', ['api'])).toBe(true);
    expect(m('NotIn', 'app', ['web'])).toBe(false);
    expect(m('NotIn', 'missing', ['x'])).toBe(true);
    expect(m('Exists', 'tier')).toBe(true);
    expect(m('Exists', 'missing')).toBe(false);
    expect(m('DoesNotExist', 'missing')).toBe(true);
    expect(m('DoesNotExist', 'tier')).toBe(false);
  });

  test('matchLabels and every expression are ANDed', () => {
    expect(selectorMatches({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['front'] }, { key: 'x', operator: 'DoesNotExist' }] }, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['back'] }] }, labels)).toBe(false);
  });

  test('fails to match with a malformed selector (unknown operator, In without values, Exists with values)', () => {
    expect(selectorMatches({ matchExpressions: [{ key: 'app', operator: 'Equals', values: ['web'] }] }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'app', operator: 'NotIn', values: [] }] }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'app', operator: 'Exists', values: ['web'] }] }, labels)).toBe(false);
  });
});

describe('servicePods and resolveTargetPort', () => {
  const m = model(
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' }, spec: { template: template({ app: 'web', v: '1' }) } },
    { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'other' }, spec: { template: template({ app: 'web' }) } },
    {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'meshed', namespace: 'shop', labels: { app: 'meshed' } },
      spec: { containers: [{ name: 'a', ports: [{ name: 'dns', containerPort: 5353, protocol: 'UDP' }] }], initContainers: [{ name: 'proxy', restartPolicy: 'Always', ports: [{ name: 'admin', containerPort: 15000 }] }] },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'manual', namespace: 'shop' }, spec: { ports: [{ port: 80 }] } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'empty', namespace: 'shop' }, spec: { selector: {}, ports: [{ port: 80 }] } },
  );

  test('a Service selects the workloads of its namespace carrying its selector labels', () => {
    expect(servicePods(m, serviceNamed(m, 'web')).map((w) => w.ref)).toEqual(['Deployment shop/web']);
  });

  test('a Service without a selector, or with an empty one, selects no pods', () => {
    expect(servicePods(m, serviceNamed(m, 'manual'))).toEqual([]);
    expect(servicePods(m, serviceNamed(m, 'empty'))).toEqual([]);
  });

  test('resolves numbers as written and names (with their protocol) against the workload ports, sidecars included', () => {
    const web = workloadOf(m, 'Deployment');
    const meshed = workloadOf(m, 'Pod');
    expect(resolveTargetPort(web, { port: 80, targetPort: 'http', protocol: 'TCP' })).toBe(8080);
    expect(resolveTargetPort(web, { port: 80, targetPort: 9090, protocol: 'TCP' })).toBe(9090);
    expect(resolveTargetPort(meshed, { port: 53, targetPort: 'dns', protocol: 'UDP' })).toBe(5353);
    expect(resolveTargetPort(meshed, { port: 15000, targetPort: 'admin', protocol: 'TCP' })).toBe(15000);
  });

  test('fails to resolve a name that no port has, or has with another protocol', () => {
    const web = workloadOf(m, 'Deployment');
    const meshed = workloadOf(m, 'Pod');
    expect(resolveTargetPort(web, { port: 80, targetPort: 'grpc', protocol: 'TCP' })).toBeUndefined();
    expect(resolveTargetPort(meshed, { port: 53, targetPort: 'dns', protocol: 'TCP' })).toBeUndefined();
  });

  test('workloadEndpoint carries the namespace labels and the ref', () => {
    const e = workloadEndpoint(m, workloadOf(m, 'Deployment'));
    expect(e).toMatchObject({ ref: 'Deployment shop/web', namespace: 'shop', namespaceLabels: { 'kubernetes.io/metadata.name': 'shop' }, labels: { app: 'web', v: '1' }, hostNetwork: false });
  });
});
