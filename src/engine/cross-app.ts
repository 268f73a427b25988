import type { AppDirectory } from '../spec/app-directory';
import type { AppSpec } from '../spec/app-spec';
import type { ClusterContext } from '../spec/cluster-context';
import type { SpecIssue } from './issues';

/** An app of a run, with where it came from (for messages). */
export interface CrossAppEntry {
  readonly file: string;
  /** How messages name it (`NAME`, or `NAME (environment ENV)`). */
  readonly label: string;
  readonly spec: AppSpec;
}

/**
 * Problems only visible across apps, where the mesh would refuse what the specs declare:
 * - a meshed app whose namespace nobody enrols in the mesh (its pods get no sidecar);
 * - a meshed app whose namespace we do not own: a warning naming the Pod Security level the
 *   namespace must allow for the injected containers;
 * - a meshed caller of an app outside the mesh (its sidecar refuses it with egress off);
 * - an app outside the mesh named as a meshed caller (it has no mesh identity to present).
 */
export function crossAppIssues(entries: CrossAppEntry[], cluster: ClusterContext, directory: AppDirectory): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const byKey = new Map(entries.map((e) => [`${e.spec.metadata.namespace ?? 'default'}/${e.spec.metadata.name}`, e]));
  const monitored = new Set(cluster.mesh?.monitoredNamespaces ?? []);
  const egressOpen = cluster.mesh?.enableEgress === true;
  for (const e of entries) {
    const s = e.spec.spec;
    const ns = e.spec.metadata.namespace ?? 'default';
    const name = e.spec.metadata.name;
    if (s.mesh) {
      const owner = directory.inNamespace(ns).find((a) => a.spec.spec.ownsNamespace === true);
      if (owner && !owner.meshed) {
        issues.push({ file: e.file, app: e.label, field: 'spec.mesh', message: `namespace ${JSON.stringify(ns)} is owned by ${owner.name}, which is not meshed, so the namespace is not enrolled and this app's pods get no sidecar; give ${owner.name} a mesh section, or move this app` });
      } else if (!owner && !monitored.has(ns)) {
        issues.push({ file: e.file, app: e.label, field: 'spec.mesh', message: `namespace ${JSON.stringify(ns)} is not enrolled in the mesh (the injector only adds sidecars in monitored namespaces): set ownsNamespace: true on one app in it, or list it under mesh.monitoredNamespaces in the Cluster spec` });
      } else if (!owner) {
        issues.push({ file: e.file, app: e.label, field: 'spec.mesh', warning: true, message: `namespace ${JSON.stringify(ns)} is enrolled by someone else: it must enforce Pod Security "privileged" (pod-security.kubernetes.io/enforce), since the mesh's injected init container runs as root with NET_ADMIN; under baseline or restricted every pod of this app is rejected` });
      }
      for (const callee of directory.calleesOf(ns, name)) {
        if (!callee.app.meshed && !egressOpen) {
          const target = byKey.get(`${callee.app.namespace}/${callee.app.name}`);
          issues.push({
            file: target?.file ?? e.file, app: target?.label ?? callee.app.name, field: 'spec.allow',
            message: `admits ${ns}/${name}, which is meshed: its sidecar refuses connections to apps outside the mesh (MeshConfig enableEgress: false); put this app in the mesh and admit ${name} with mesh.allow`,
          });
        }
      }
    }
    for (const [i, rule] of (s.mesh?.allow ?? []).entries()) {
      for (const [j, from] of (rule.from ?? []).entries()) {
        for (const caller of directory.withServiceAccount(from.namespace, from.serviceAccount)) {
          if (!caller.meshed) {
            issues.push({ file: e.file, app: e.label, field: `spec.mesh.allow[${i}].from[${j}]`, message: `${caller.namespace}/${caller.name} runs as this ServiceAccount but is not meshed: it has no mesh certificate, so the sidecar refuses it; give ${caller.name} a mesh section, or admit it without the mesh on a bypassMesh port` });
          }
        }
      }
    }
  }
  return issues;
}
