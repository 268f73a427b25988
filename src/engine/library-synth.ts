/**
 * The library path at the CLI's speed: `synthesizeCharts(app)` writes what `app.synth()` writes,
 * the same files with the same bytes, in time linear in the size of the app.
 *
 * cdk8s' `App.synth()` asks every chart for `chart.toJson()`, and each of those validates the
 * whole App and resolves its dependencies again (`App._synthChart`), so an App of N charts costs
 * O(N^2); it then writes each file with the `yaml` package, which is slow per node. Here the App
 * is validated once and its dependencies resolved once (the same steps, in the same order, with the
 * same error message), each chart's objects are taken in the order `App.synth()` takes them (the
 * dependency order; the construct order when nothing in the App depends on anything, which is the
 * same order without building the dependency graph) and written by `cdk8sYaml`, which gives the
 * `yaml` package's output byte for byte.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiObject, App, Chart, DependencyGraph, Names, YamlOutputType } from 'cdk8s';
import type { IConstruct } from 'constructs';
import { cdk8sYaml } from '../render/cdk8s-yaml';

/**
 * Writes the manifests of a cdk8s App as `app.synth()` does (same `outdir`, `yamlOutputType`,
 * `outputFileExtension`, file names and bytes, construct metadata when the App records it), in
 * linear time. Charts that override `toJson()` are asked for it, as `app.synth()` asks them.
 * Returns the paths of the files written. TypeScript only (a function), like `synthesizeDocuments`.
 *
 * @example
 *   const app = new App();
 *   for (const spec of specs) new SecureApp(new Chart(app, spec.metadata.name), 'App', { spec });
 *   synthesizeCharts(app); // instead of app.synth()
 */
export function synthesizeCharts(app: App): string[] {
  fs.mkdirSync(app.outdir, { recursive: true });
  const all = app.node.findAll();
  validate(all);
  const hasDependantCharts = resolveDependencies(all);
  const dependencies = all.some((c) => c.node.dependencies.length > 0);
  const order = dependencies ? undefined : constructOrder(all);
  const charts = order ? order.filter(isChart) : app.charts;
  const objectsOf = (chart: Chart): ApiObject[] => (order
    ? chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart)
    : chartToKube(chart));
  const custom = (chart: Chart) => chart.toJson !== Chart.prototype.toJson;
  const render = (chart: Chart): unknown[] => (custom(chart) ? Object.values(chart.toJson()) : objectsOf(chart).map((o) => o.toJson()));
  /** A chart's documents as YAML, each object rendered and written before the next (only the text is kept). */
  const yamlOf = (chart: Chart): string[] => (custom(chart) ? render(chart).map((d) => cdk8sYaml(d)) : objectsOf(chart).map((o) => cdk8sYaml(o.toJson())));
  const written: string[] = [];
  const write = (file: string, docs: string[]) => {
    fs.writeFileSync(file, docs.join('---\n'), { encoding: 'utf8' });
    written.push(file);
  };
  const save = (file: string, docs: unknown[]) => write(file, docs.map((d) => cdk8sYaml(d)));
  const ext = app.outputFileExtension;
  const resourceFile = (o: any) => `${o.kind}.${o.metadata.name}`.replace(/[^0-9a-zA-Z-_.]/g, '');
  switch (app.yamlOutputType) {
    case YamlOutputType.FILE_PER_APP: {
      const docs = charts.flatMap(yamlOf);
      if (charts.length > 0) write(path.join(app.outdir, `app${ext}`), docs);
      break;
    }
    case YamlOutputType.FILE_PER_CHART: {
      const name = chartNamer(hasDependantCharts);
      for (const chart of charts) write(path.join(app.outdir, name(chart) + ext), yamlOf(chart));
      break;
    }
    case YamlOutputType.FILE_PER_RESOURCE:
      for (const chart of charts) {
        for (const o of render(chart)) if (o !== undefined) save(path.join(app.outdir, resourceFile(o) + ext), [o]);
      }
      break;
    case YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE: {
      const name = chartNamer(hasDependantCharts);
      for (const chart of charts) {
        const dir = path.join(app.outdir, name(chart));
        fs.mkdirSync(dir, { recursive: true });
        for (const o of objectsOf(chart)) if (o !== undefined) save(path.join(dir, resourceFile(o) + ext), [o.toJson()]);
      }
      break;
    }
    default:
      break;
  }
  if ((app as unknown as { recordConstructMetadata?: boolean }).recordConstructMetadata) {
    const resources: { [name: string]: { path: string } } = {};
    for (const o of charts.flatMap(objectsOf)) resources[o.name] = { path: o.node.path };
    const file = path.join(app.outdir, 'construct-metadata.json');
    fs.writeFileSync(file, JSON.stringify({ version: '1.0.0', resources }));
    written.push(file);
  }
  return written;
}

const isChart = (c: IConstruct): c is Chart => c instanceof Chart;

/** `validate` of cdk8s' app.ts: every construct's validations, one error listing them all. */
function validate(all: IConstruct[]): void {
  const errors: string[] = [];
  for (const child of all) for (const error of child.node.validate()) errors.push(`[${child.node.path}] ${error}`);
  if (errors.length > 0) throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
}

/**
 * `resolveDependencies` of cdk8s' app.ts, step for step: nested charts and dependencies between
 * constructs of different charts become chart dependencies, and dependencies between constructs
 * become dependencies between their ApiObjects. Returns whether a chart depends on another.
 */
function resolveDependencies(all: IConstruct[]): boolean {
  let hasDependantCharts = false;
  for (const parent of all.filter(isChart)) {
    for (const child of parent.node.children.filter(isChart)) {
      parent.node.addDependency(child);
      hasDependantCharts = true;
    }
  }
  const dependencies = () => all.flatMap((source) => source.node.dependencies.map((target) => ({ source, target })));
  for (const dep of dependencies()) {
    const sourceChart = Chart.of(dep.source);
    const targetChart = Chart.of(dep.target);
    if (sourceChart !== targetChart) {
      sourceChart.node.addDependency(targetChart);
      hasDependantCharts = true;
    }
  }
  const subtrees = new Map<IConstruct, IConstruct[]>();
  const findAll = (c: IConstruct) => { let l = subtrees.get(c); if (!l) subtrees.set(c, l = c.node.findAll()); return l; };
  for (const dep of dependencies()) {
    const sourceChart = Chart.of(dep.source);
    const targetChart = Chart.of(dep.target);
    const targets = findAll(dep.target).filter((c) => c instanceof ApiObject && Chart.of(c) === targetChart);
    const sources = findAll(dep.source).filter((c) => c instanceof ApiObject && Chart.of(c) === sourceChart);
    for (const target of targets) for (const source of sources) if (target !== source) source.node.addDependency(target);
  }
  return hasDependantCharts;
}

/** `chartToKube` of cdk8s' app.ts: the chart's own ApiObjects in dependency order. */
function chartToKube(chart: Chart): ApiObject[] {
  return new DependencyGraph(chart.node).topology().filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart);
}

/**
 * The order cdk8s' `DependencyGraph` gives constructs none of which depends on another: the order
 * of an object keyed by their paths, which is the construct order except that integer-like paths
 * (only children of the App can have one) come first, in numeric order.
 */
function constructOrder(all: IConstruct[]): IConstruct[] {
  const integerLike = (p: string) => /^(0|[1-9][0-9]*)$/.test(p) && Number(p) < 4294967295;
  const first = all.filter((c) => c.node.scope !== undefined && c.node.scope.node.scope === undefined && integerLike(c.node.id));
  if (first.length === 0) return all;
  const set = new Set(first);
  return [...first.sort((a, b) => Number(a.node.id) - Number(b.node.id)), ...all.filter((c) => !set.has(c))];
}

/** cdk8s' chart namers: `<dns label>`, or `<0000>-<dns label>` when charts depend on each other. */
function chartNamer(indexed: boolean): (chart: Chart) => string {
  let index = 0;
  return (chart) => (indexed ? `${(index++).toString().padStart(4, '0')}-${Names.toDnsLabel(chart)}` : Names.toDnsLabel(chart));
}
