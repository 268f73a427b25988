import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { CelScalar, celFunc, isCelError, parse, plan, celEnv } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import * as yaml from 'js-yaml';
import { CRD_DIR, schemaProblems } from './util';

/**
 * The CEL rules (`x-kubernetes-validations`) of the vendored CRDs, evaluated the way the API
 * server evaluates them when an object is created:
 * - defaults from the schema are applied first (structural defaulting runs before validation);
 * - each rule runs with `self` bound to the value at its node, for every node that is present;
 * - properties are escaped as apiextensions-apiserver escapes them (`namespace` is `__namespace__`,
 *   `-` is `__dash__`, ...), integers are CEL ints, `isIP()` is the Kubernetes IP library's;
 * - transition rules (those that read `oldSelf`) are skipped: there is no old object on create.
 * Evaluated with @bufbuild/cel (RE2 regular expressions, as the API server's cel-go), with the
 * strings extension (`substring`, `split`, ...) that Kubernetes enables.
 */

/** A CRD version's schema, keyed "apiVersion/kind". */
const crdSchemaCache = new Map<string, any>();
let loaded = false;

function loadCrds(): void {
  if (loaded) return;
  loaded = true;
  const files = (fs.readdirSync(CRD_DIR, { recursive: true }) as string[]).filter((f) => f.endsWith('.yaml')).sort();
  for (const file of files) {
    for (const crd of yaml.loadAll(fs.readFileSync(path.join(CRD_DIR, file), 'utf8')) as any[]) {
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      for (const v of crd.spec.versions.filter((x: any) => x.served)) {
        crdSchemaCache.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, v.schema.openAPIV3Schema);
      }
    }
  }
}

/** CEL reserved words that apiextensions-apiserver escapes as `__word__` in property names. */
const RESERVED = new Set(['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if',
  'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);

/** A property name as CEL sees it (k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel/model/escaping.go). */
export function escapeProperty(name: string): string {
  if (RESERVED.has(name)) return `__${name}__`;
  return name.replace(/__/g, '__underscores__').replace(/\./g, '__dot__').replace(/-/g, '__dash__').replace(/\//g, '__slash__');
}

/** The Kubernetes CEL IP library's `isIP(string)`. */
const isIP = celFunc('isIP', [CelScalar.STRING], CelScalar.BOOL, (s: string) => net.isIP(s) !== 0);
const env = celEnv({ funcs: [...strings, isIP] });
const planned = new Map<string, ReturnType<typeof plan>>();

function evaluate(rule: string, self: unknown): { ok: boolean; error?: string } {
  let run = planned.get(rule);
  if (!run) {
    run = plan(env, parse(rule));
    planned.set(rule, run);
  }
  const result = (run as any)({ self });
  if (isCelError(result)) return { ok: false, error: result.message };
  return { ok: result === true };
}

/** Applies schema defaults in place (as the API server does before validating). */
function applyDefaults(value: any, schema: any): any {
  if (!schema || value === null || value === undefined) return value;
  if (Array.isArray(value)) return schema.items ? value.map((v) => applyDefaults(v, schema.items)) : value;
  if (typeof value !== 'object') return value;
  const out: any = { ...value };
  for (const [k, s] of Object.entries<any>(schema.properties ?? {})) {
    if (out[k] === undefined && s.default !== undefined) out[k] = structuredClone(s.default);
    if (out[k] !== undefined) out[k] = applyDefaults(out[k], s);
  }
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    for (const k of Object.keys(out)) if (!(k in (schema.properties ?? {}))) out[k] = applyDefaults(out[k], schema.additionalProperties);
  }
  return out;
}

/** A value as CEL sees it: escaped property names, integers as CEL ints. */
function celValue(value: any, schema: any): unknown {
  if (value === null || value === undefined) return value;
  if (Array.isArray(value)) return value.map((v) => celValue(v, schema?.items));
  if (typeof value === 'number') return schema?.type === 'integer' || (schema?.['x-kubernetes-int-or-string'] && Number.isInteger(value)) ? BigInt(value) : value;
  if (typeof value !== 'object') return value;
  const props = schema?.properties;
  const out: any = {};
  for (const [k, v] of Object.entries(value)) {
    if (props && k in props) out[escapeProperty(k)] = celValue(v, props[k]);
    else out[k] = celValue(v, schema?.additionalProperties && typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
  }
  return out;
}

/** Evaluates every rule at and below `schema` on `value`; problems name the JSON path. */
function walk(value: any, schema: any, at: string, out: string[]): void {
  if (!schema || value === null || value === undefined) return;
  for (const v of schema['x-kubernetes-validations'] ?? []) {
    if (/\boldSelf\b/.test(v.rule)) continue;
    const r = evaluate(v.rule, celValue(value, schema));
    if (!r.ok) out.push(`${at || '.'}: ${r.error ? `rule error (${r.error})` : v.message ?? `failed rule ${v.rule}`}`);
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => walk(item, schema.items, `${at}[${i}]`, out));
  } else if (typeof value === 'object') {
    for (const [k, s] of Object.entries<any>(schema.properties ?? {})) walk(value[k], s, `${at}.${k}`, out);
    if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
      for (const k of Object.keys(value)) if (!(k in (schema.properties ?? {}))) walk(value[k], schema.additionalProperties, `${at}.${k}`, out);
    }
  }
}

/**
 * The CEL rule violations of a custom resource (after defaulting), as "path: message". Throws
 * when no vendored CRD serves the object's apiVersion and kind.
 */
export function celProblems(obj: any): string[] {
  loadCrds();
  const key = `${obj.apiVersion}/${obj.kind}`;
  const schema = crdSchemaCache.get(key);
  if (!schema) throw new Error(`${key}: no vendored CRD serves it`);
  const out: string[] = [];
  walk(applyDefaults(obj, schema), schema, '', out);
  return out.map((p) => `${key} ${obj.metadata?.name}: ${p}`);
}

/**
 * Every problem of one object: strict schema problems (core kinds against kubernetes-models,
 * custom resources against their CRD with unknown fields refused) and, for custom resources,
 * the CRD's CEL rules.
 */
export function crdProblems(obj: any): string[] {
  loadCrds();
  const custom = crdSchemaCache.has(`${obj.apiVersion}/${obj.kind}`);
  return [...schemaProblems(obj), ...(custom ? celProblems(obj) : [])];
}
