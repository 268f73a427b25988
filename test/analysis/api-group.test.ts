import { apiGroupOf } from '../../src/analysis/api-group';
import { buildClusterModel } from '../../src/analysis/cluster';
import type { KubeObject } from '../../src/analysis/model';

describe('apiGroupOf', () => {
  test('is what comes before the slash of group/version', () => {
    expect(apiGroupOf('networking.istio.io/v1')).toBe('networking.istio.io');
    expect(apiGroupOf('apps/v1')).toBe('apps');
  });

  test('is empty for the core group, whose apiVersion is a version alone', () => {
    for (const v of ['v1', 'v2', 'v1beta1', 'v1alpha3']) expect(apiGroupOf(v)).toBe('');
  });

  test('is undefined for an apiVersion the API server refuses', () => {
    for (const v of ['', 'security.istio.io', 'a/b/v1', '/v1', 'apps/', 'V1', 'v0']) expect(apiGroupOf(v)).toBeUndefined();
  });

  test('an object with such an apiVersion is read as no kind of any group', () => {
    const model = (...objects: KubeObject[]) => buildClusterModel(objects.map((object, index) => ({ object, file: 'x.yaml', index })));
    const pod = { metadata: { name: 'p', namespace: 'n' }, spec: { containers: [{ name: 'c', image: 'i' }] } };
    expect(model({ apiVersion: 'v1', kind: 'Pod', ...pod }).workloads).toHaveLength(1);
    expect(model({ apiVersion: 'apps/v1/x', kind: 'Deployment', metadata: { name: 'd', namespace: 'n' }, spec: { template: { spec: pod.spec } } }).workloads).toHaveLength(0);
    expect(model({ apiVersion: 'core/v1/', kind: 'Pod', ...pod }).workloads).toHaveLength(0);
  });
});
