import { AppNamespace } from '../../../src/constructs/kubernetes/app-namespace';
import { OsmSmiMesh } from '../../../src/constructs/mesh/osm/osm-smi-mesh';
import { ClusterContext } from '../../../src/spec/cluster-context';
import { SecureApp } from '../../../src/constructs/secure-app';
import { synthesizeDocuments } from '../../../src/engine/synth';
import { appSpec, oneOf, schemaProblems, synth } from '../../util';

describe('AppNamespace', () => {
  test('enforces Pod Security "restricted" by default', () => {
    const ns = oneOf(synth((c) => new AppNamespace(c, 'N', { name: 'shop', labels: { team: 'a' } })), 'Namespace');
    expect(ns.metadata).toEqual({
      name: 'shop',
      labels: { team: 'a', 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted', 'pod-security.kubernetes.io/audit': 'restricted' },
    });
    expect(schemaProblems(ns)).toEqual([]);
  });

  test('an app that owns its namespace enrols it in the mesh (OSM monitored-by and sidecar injection) at the Pod Security level the injected containers need', () => {
    const cluster = ClusterContext.fromSpec({ mesh: { meshName: 'prod-mesh' } });
    const objects = synth((c) => new SecureApp(c, 'App', { spec: appSpec({ ownsNamespace: true, mesh: {} }), mesh: new OsmSmiMesh(), cluster }));
    const ns = oneOf(objects, 'Namespace');
    expect(ns.metadata.labels).toMatchObject({
      'openservicemesh.io/monitored-by': 'prod-mesh',
      'pod-security.kubernetes.io/enforce': 'privileged',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
    });
    expect(ns.metadata.annotations).toEqual({ 'openservicemesh.io/sidecar-injection': 'enabled' });
  });

  test('without mesh the namespace gets no mesh labels', () => {
    const ns = oneOf(synth((c) => new SecureApp(c, 'App', { spec: appSpec({ ownsNamespace: true }) })), 'Namespace');
    expect(Object.keys(ns.metadata.labels).some((k) => k.startsWith('openservicemesh.io'))).toBe(false);
    expect(ns.metadata.annotations).toBeUndefined();
  });

  test('fails two apps owning one namespace', () => {
    const result = synthesizeDocuments([
      { file: 'a.yaml', index: 0, doc: appSpec({ ownsNamespace: true }, { name: 'a' }) },
      { file: 'b.yaml', index: 0, doc: appSpec({ ownsNamespace: true }, { name: 'b' }) },
    ]);
    expect(result.issues).toEqual([{ file: 'b.yaml', app: 'b', field: 'spec.ownsNamespace', message: 'namespace "shop" is already owned by a in a.yaml; one app per namespace may own it' }]);
  });

  test('fails an invalid Pod Security level', () => {
    expect(() => synth((c) => new AppNamespace(c, 'N', { name: 'shop', podSecurity: 'strict' as any }))).toThrow(/podSecurity: "strict" is not allowed/);
  });
});
