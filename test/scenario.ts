import { Chart, Testing } from 'cdk8s';
import { testChart } from './util';
import type { SourcedObject } from '../src/analysis/model';
import { meshProviderFor } from '../src/constructs/mesh/mesh-providers';
import { SecureApp } from '../src/constructs/secure-app';
import { VerifyResult, verifyObjects } from '../src/engine/verify';
import { AppDirectory } from '../src/spec/app-directory';
import type { AppSpec } from '../src/spec/app-spec';
import { ClusterContext } from '../src/spec/cluster-context';
import type { ClusterSpecBody } from '../src/spec/cluster-spec';

/** A spec set synthesized with one directory and cluster and the mesh provider the cluster names, as the CLI does, plus the cluster's mesh objects. */
export function synthScenario(specs: AppSpec[], clusterSpec?: ClusterSpecBody, baseDir?: string): any[] {
  const cluster = clusterSpec ? ClusterContext.fromSpec(clusterSpec) : ClusterContext.fromSpec({ platform: specs.some((s) => s.spec.route) ? 'openshift' : 'kubernetes' });
  const directory = new AppDirectory(specs);
  const mesh = meshProviderFor(cluster);
  const objects: any[] = [];
  for (const spec of specs) {
    const chart = testChart();
    new SecureApp(chart, 'App', { spec, cluster, directory, mesh, baseDir });
    objects.push(...Testing.synth(chart));
  }
  const chart: Chart = testChart();
  mesh.bindCluster(chart, cluster);
  objects.push(...Testing.synth(chart));
  return objects;
}

/** The objects as verify reads them from files. */
export function sourced(objects: any[]): SourcedObject[] {
  return objects.map((object, index) => ({ object, file: 'scenario.yaml', index }));
}

/** Synthesizes a spec set and verifies the objects against the specs. */
export function verifyScenario(specs: AppSpec[], clusterSpec?: ClusterSpecBody): VerifyResult {
  const cluster = clusterSpec ? ClusterContext.fromSpec(clusterSpec) : undefined;
  return verifyObjects(sourced(synthScenario(specs, clusterSpec)), { specs, cluster });
}
