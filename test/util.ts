import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { ValidateFunction } from 'ajv';
import { App, Chart, Testing } from 'cdk8s';
import * as yaml from 'js-yaml';
import type { AppSpec } from '../src/spec/app-spec';

/**
 * Where the apps of the tests would synthesize to: nowhere. No test synthesizes such an App to
 * files (they render charts with `Testing.synth`), and the path lies below this file, so that one
 * that tried would fail (ENOTDIR) instead of writing into a folder the tests share. cdk8s'
 * `Testing.app()` and `Testing.chart()` make a new folder in the temporary directory for every
 * call, which no one removes (about 500 per `npm test`); `test/architecture.test.ts` refuses them.
 */
const UNWRITTEN_OUTDIR = path.join(__filename, 'unwritten');

/** An App for tests, as cdk8s' `Testing.app()` without its temporary folder. */
export function testApp(): App {
  return new App({ outdir: UNWRITTEN_OUTDIR });
}

/** A Chart for tests, as cdk8s' `Testing.chart()` without its temporary folder. */
export function testChart(): Chart {
  return new Chart(testApp(), 'test');
}

/** Synthesizes what `build` adds to a fresh chart. */
export function synth(build: (chart: Chart) => void): any[] {
  const chart = testChart();
  build(chart);
  return Testing.synth(chart);
}

/** Every object of a kind. */
export function ofKind(objects: any[], kind: string): any[] {
  return objects.filter((o) => o.kind === kind);
}

/** The one object of a kind (fails when there are none or several). */
export function oneOf(objects: any[], kind: string, name?: string): any {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata?.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` named ${name}` : ''}, found ${found.length}: ${objects.map((o) => `${o.kind}/${o.metadata?.name}`).join(', ')}`);
  return found[0];
}

/** A minimal valid app spec, with `spec` fields overridden. */
export function appSpec(spec: Partial<AppSpec['spec']> = {}, metadata: Partial<AppSpec['metadata']> = {}): AppSpec {
  return {
    apiVersion: 'cdk8s-zerotrust/v1alpha1',
    kind: 'App',
    metadata: { name: 'web', namespace: 'shop', ...metadata },
    spec: { image: 'quay.io/acme/web:1.0.0', ports: [{ name: 'http', port: 8080, protocol: 'http' }], ...spec },
  };
}

export const ROOT = path.resolve(__dirname, '..');
/** The vendored upstream CRDs (crds/SOURCES.md), with istio/ and gateway-api/ below. */
export const CRD_DIR = path.resolve(ROOT, 'crds');

/** Makes a CRD schema strict: objects with declared properties reject unknown fields. */
function strict(schema: any): any {
  if (Array.isArray(schema)) return schema.map(strict);
  if (!schema || typeof schema !== 'object') return schema;
  const out: any = {};
  for (const [k, v] of Object.entries(schema)) {
    if (v === null) continue; // upstream writes e.g. `anyOf: null`, which means "absent"
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([pk, pv]) => [pk, strict(pv)])) : strict(v);
  }
  if (out.type === 'object' && out.properties && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  return out;
}

let crdValidators: Map<string, ValidateFunction> | undefined;

/** Validators for every served CRD version under crds/ (and its subfolders), keyed "apiVersion/kind". */
export function crdSchemas(): Map<string, ValidateFunction> {
  if (crdValidators) return crdValidators;
  const ajv = new Ajv({ allErrors: true, strict: false, logger: false });
  crdValidators = new Map();
  const files = (fs.readdirSync(CRD_DIR, { recursive: true }) as string[]).filter((f) => f.endsWith('.yaml')).sort();
  for (const file of files) {
    for (const crd of yaml.loadAll(fs.readFileSync(path.join(CRD_DIR, file), 'utf8')) as any[]) {
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      for (const v of crd.spec.versions.filter((x: any) => x.served)) {
        const schema = strict(v.schema.openAPIV3Schema);
        schema.properties = {
          ...schema.properties,
          apiVersion: { type: 'string', const: `${crd.spec.group}/${v.name}` },
          kind: { type: 'string', const: crd.spec.names.kind },
          metadata: { type: 'object' },
        };
        schema.additionalProperties = false;
        crdValidators.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, ajv.compile(schema));
      }
    }
  }
  return crdValidators;
}

const CORE_GROUPS: { [group: string]: string } = {
  '': 'v1', apps: 'apps', policy: 'policy', 'networking.k8s.io': 'networking.k8s.io', 'rbac.authorization.k8s.io': 'rbac.authorization.k8s.io',
};


/**
 * Problems of one object: core kinds against kubernetes-models' validators, custom resources
 * against their CRD's openAPIV3Schema (strict). Unknown kinds are a problem too.
 */
export function schemaProblems(obj: any): string[] {
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
  const key = `${obj.apiVersion}/${obj.kind}`;
  const crd = crdSchemas().get(key);
  if (crd) return crd(obj) ? [] : (crd.errors ?? []).map((e) => `${key} ${obj.metadata?.name}: ${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
  if (!(group in CORE_GROUPS)) return [`${key}: no schema to validate against`];
  const modulePath = group === '' ? `kubernetes-models/v1/${obj.kind}` : `kubernetes-models/${group}/${version}/${obj.kind}`;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Model = require(modulePath)[obj.kind];
  try {
    new Model(obj).validate();
    return [];
  } catch (e) {
    return [`${key} ${obj.metadata?.name}: ${(e as Error).message}`];
  }
}
