import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { packageModule } from '../spec/package-files';
import { APP_SPEC_API_VERSION, APP_SPEC_KIND, AppProbe, AppSpec } from '../spec/app-spec';
import { CLUSTER_SPEC_KIND } from '../spec/cluster-spec';
import type { AppDirectory, DirectoryApp } from '../spec/app-directory';
import { ClusterContext } from '../spec/cluster-context';
import { ResolvedPort, resolvePorts, servesTls } from '../spec/ports';
import { meshIntent } from './mesh/mesh-intent';
import { gatewayProblems } from './gateway-api/gateway-route-problems';
import type { IMeshProvider } from './mesh/mesh-provider';
import { meshProviderFor } from './mesh/mesh-providers';
import { routeProblems } from './openshift/route-problems';
import { inlineCertificateFindings } from '../spec/pem';
import { Problem, Problems } from '../spec/problems';
import { resourceProblems } from '../spec/quantity';
import { ingressProblems } from './kubernetes/ingress-problems';
import { headerName, headerValue, urlPath, cidr, dns1035Label, dns1123Label, dns1123Subdomain, hostName, labelKey, labelValue, pinnedImage, portName, portNumber } from '../spec/rules';

/** Where relative files (certificates, CA bundles) named by a spec are read from. */
export interface SpecContext {
  /** @default - the current directory */
  readonly baseDir?: string;
  /** @default - Open Service Mesh with SMI */
  readonly mesh?: IMeshProvider;
  /** @default - OpenShift when the app has a route, plain Kubernetes otherwise; no mesh settings */
  readonly cluster?: ClusterContext;
  /**
   * The other apps. Cross-app rules live in the engine; the per-app rules use it only where the
   * app's own objects depend on the others (the egress to the apps that admit it). @default - none
   */
  readonly directory?: AppDirectory;
}

/**
 * Thrown by constructs given a spec with problems; lists every problem. In languages other than
 * TypeScript (jsii), the message carries every problem, one per line; `validateAppSpec` returns
 * them as data.
 * @jsii ignore
 */
export class AppSpecError extends Error {
  constructor(public readonly app: string, public readonly problems: Problem[]) {
    super(`invalid app spec ${JSON.stringify(app)}:\n${problems.map((p) => `  ${p.field}: ${p.message}`).join('\n')}`);
    this.name = 'AppSpecError';
  }
}

/** The schema's ajv validator, compiled ahead of time by `npm run schema` (no compile at start-up). */
const schemaValidator = packageModule('schema/app-spec.validate.js') as ValidateFunction;

/** The JSON Schema of the YAML app document (generated from the AppSpec type). */
export const APP_SPEC_SCHEMA: object = packageModule('schema/app-spec.schema.json');

/** `/spec/ports/0/name` -> `spec.ports[0].name` */
function toPath(pointer: string): string {
  return pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), '');
}

function schemaMessage(e: ErrorObject): { field: string; message: string } {
  const field = toPath(e.instancePath);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required': return { field: field ? `${field}.${p.missingProperty}` : String(p.missingProperty), message: 'is required' };
    case 'additionalProperty':
    case 'additionalProperties': {
      const parent = schemaAt(e.parentSchema);
      const allowed = parent ? Object.keys(parent).join(', ') : '';
      return { field: field ? `${field}.${p.additionalProperty}` : String(p.additionalProperty), message: `unknown field ${JSON.stringify(p.additionalProperty)}${allowed ? `; allowed fields: ${allowed}` : ''}` };
    }
    case 'type': return { field, message: typeMessage(field, e.data, String(p.type)) };
    case 'enum': return { field, message: `${show(e.data)} is not allowed; use one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'const': return { field, message: `${show(e.data)} is not allowed; use ${JSON.stringify(p.allowedValue)}` };
    default: return { field, message: (e.message ?? 'is not valid').toLowerCase() };
  }
}

function schemaAt(parentSchema: unknown): Record<string, unknown> | undefined {
  const s = parentSchema as { properties?: Record<string, unknown> } | undefined;
  return s?.properties;
}

function article(type: string): string {
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}

/**
 * A value of the wrong type. Every number of the App and Cluster documents is an integer (as in
 * Kubernetes objects, which have no fractions), so a value where a number belongs is "not an
 * integer"; a quantity written as a YAML number is told to quote it.
 */
function typeMessage(field: string, data: unknown, type: string): string {
  if (type === 'number' || type === 'integer') return `${show(data)} is not an integer`;
  if (type === 'string' && typeof data === 'number' && /^spec\.resources\.(requests|limits)\./.test(field)) {
    return `${show(data)} is not a string: write quantities as strings, e.g. "${data}"`;
  }
  return `${show(data)} is not ${article(type)}`;
}

/** A value for a message: its JSON, at most `max` characters; safe on cycles and deep nesting. */
export function show(value: unknown, max = 80): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Array.isArray(value) ? '[...]' : typeof value === 'object' && value !== null ? '{...}' : String(value);
  }
  return text.length > max ? `${text.slice(0, max - 4)}...${text.endsWith('"') ? '"' : ''}` : text;
}

/** Shortens the quoted values of a message (a name of 10,000 characters is not shown whole). */
function shortenQuotes(message: string): string {
  return message.replace(/"(?:[^"\\]|\\.)*"/g, (quoted) => (quoted.length > 80 ? `${quoted.slice(0, 76)}..."` : quoted));
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The kinds of document this tool reads, all with apiVersion `cdk8s-zerotrust/v1alpha1`. */
const SPEC_KINDS: readonly string[] = [APP_SPEC_KIND, CLUSTER_SPEC_KIND];

/**
 * One problem for a document that is not ours at all (a Kubernetes manifest among the specs, a
 * list, a string): its apiVersion and kind, and what a spec document has. Schema messages for
 * each of its fields would only bury that. Undefined for an App or Cluster document, and for one
 * that leaves apiVersion and kind out (they default to ours).
 */
export function foreignDocumentProblem(doc: unknown): Problem | undefined {
  const expected = `a spec document has apiVersion ${JSON.stringify(APP_SPEC_API_VERSION)} and kind "App" or "Cluster"`;
  if (!isObject(doc)) {
    const what = Array.isArray(doc) ? 'a list' : doc === null || doc === undefined ? 'empty' : `${article(typeof doc)} (${show(doc, 40)})`;
    return { field: '', message: `not a cdk8s-zerotrust App or Cluster: the document is ${what}, not a mapping; ${expected}` };
  }
  const { apiVersion, kind } = doc;
  const apiVersionOk = apiVersion === undefined || apiVersion === APP_SPEC_API_VERSION;
  const kindOk = kind === undefined || (typeof kind === 'string' && SPEC_KINDS.includes(kind));
  if (apiVersionOk && kindOk) return undefined;
  const named = (v: unknown) => (v === undefined ? 'not set' : show(v, 60));
  const why = !apiVersionOk && !kindOk ? `${expected}; Kubernetes manifests do not belong among the specs`
    : !kindOk ? 'kind must be "App" or "Cluster"'
      : `apiVersion must be ${JSON.stringify(APP_SPEC_API_VERSION)}`;
  return { field: '', message: `not a cdk8s-zerotrust App or Cluster (apiVersion ${named(apiVersion)}, kind ${named(kind)}): ${why}` };
}

/** How deep a spec document may nest (far more than any spec needs; YAML's own limit is lower). */
const MAX_DEPTH = 200;

/**
 * Where a document refers to itself (a YAML alias inside its own anchor, `a: &x { b: *x }`) or
 * nests too deep, as a problem; undefined when it is a tree. Shared aliases are fine.
 */
export function selfReferenceProblem(doc: unknown): Problem | undefined {
  const open = new Set<object>();
  // The keys from the document down to the value visited (the field path is only written for a problem).
  // Two parallel lists (the key, and whether it indexes a list), so that visiting a key allocates nothing.
  const keys: string[] = [];
  const indexes: boolean[] = [];
  const at = () => keys.reduce((path, k, i) => (indexes[i] ? `${path}[${k}]` : path ? `${path}.${k}` : k), '');
  const visit = (v: unknown, depth: number): Problem | undefined => {
    if (typeof v !== 'object' || v === null) return undefined;
    if (open.has(v)) return { field: at(), message: 'refers to a value that contains it (a YAML alias inside its own anchor): the document has no end; write the value out' };
    if (depth > MAX_DEPTH) return { field: at(), message: `nests deeper than ${MAX_DEPTH} levels` };
    open.add(v);
    const index = Array.isArray(v);
    for (const k of Object.keys(v)) {
      const child = (v as Record<string, unknown>)[k];
      if (typeof child !== 'object' || child === null) continue; // a scalar refers to nothing
      keys.push(k);
      indexes.push(index);
      const found = visit(child, depth + 1);
      if (found) return found;
      keys.pop();
      indexes.pop();
    }
    open.delete(v);
    return undefined;
  };
  return visit(doc, 0);
}

/**
 * What `shapeProblems` reads of a compiled JSON Schema validator: ajv's `ValidateFunction`,
 * declared here so that the package's typings do not need ajv (a development dependency).
 */
export interface SchemaValidator {
  (doc: unknown): boolean;
  /** The errors of the last call. */
  errors?: SchemaError[] | null;
}

/** One error of a `SchemaValidator` (the fields of ajv's `ErrorObject` read here). */
export interface SchemaError {
  readonly keyword: string;
  readonly instancePath: string;
  readonly params: object;
  readonly message?: string;
  readonly data?: unknown;
  readonly parentSchema?: unknown;
}

/** Checks the document's shape against the JSON Schema; one problem per field. */
export function shapeProblems(doc: unknown, validator: SchemaValidator = schemaValidator): Problem[] {
  const foreign = foreignDocumentProblem(doc);
  if (foreign) return [foreign];
  if (validator(doc)) return [];
  const errors = (validator.errors ?? []) as ErrorObject[];
  // For `anyOf` (e.g. destinationCA: serviceCA | { file }) report the anyOf, not each branch.
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  const seen = new Set<string>();
  const out: Problem[] = [];
  for (const e of errors) {
    if (e.keyword !== 'anyOf' && [...anyOfPaths].some((p) => e.instancePath.startsWith(p))) continue;
    const m = e.keyword === 'anyOf'
      ? { field: toPath(e.instancePath), message: `${show(e.data)} does not have an allowed form` }
      : schemaMessage(e);
    const key = `${m.field}\0${m.message}`;
    if (!seen.has(key)) { seen.add(key); out.push(m); }
  }
  return out;
}

/**
 * Checks one app document, returning every problem with its field path (empty when valid):
 * the shape (fields, types, enums) against the JSON Schema, then the rules the API server,
 * the OpenShift router and the mesh would apply later.
 */
export function validateAppSpec(doc: unknown, ctx: SpecContext = {}): Problem[] {
  const whole = foreignDocumentProblem(doc) ?? selfReferenceProblem(doc);
  if (whole) return [whole];
  const shape = shapeProblems(doc);
  const rules = new Problems();
  try {
    ruleProblems(doc as AppSpec, ctx, shape.length === 0, rules);
  } catch (e) {
    // A rule tripped over a value of the wrong type: the shape problems already name it, or
    // those of another app that the directory could not read (dependencyProblems names that).
    if (shape.length === 0 && !directoryUnreadable(doc, ctx.directory)) throw e;
  }
  // A field with a shape problem (wrong type, unknown field) gets no second message from a rule.
  const shapeFields = shape.map((p) => p.field);
  const covered = (field: string) => shapeFields.some((f) => field === f || field.startsWith(`${f}.`) || field.startsWith(`${f}[`));
  const seen = new Set<string>();
  return [...shape, ...rules.list.filter((p) => p.warning || !covered(p.field))]
    .filter((p) => { const k = `${p.field}\0${p.message}`; return seen.has(k) ? false : (seen.add(k), true); })
    .map((p) => (p.message.length > 300 ? { ...p, message: shortenQuotes(p.message) } : p));
}

const INT32_MAX = 2 ** 31 - 1;

/** The numbers of a probe, with what the API server allows (0 means the Kubernetes default; int32 fields). */
const PROBE_NUMBERS: ReadonlyArray<readonly [keyof AppProbe, number, number]> = [
  ['initialDelaySeconds', 0, INT32_MAX],
  ['periodSeconds', 0, INT32_MAX],
  ['timeoutSeconds', 0, INT32_MAX],
  ['successThreshold', 0, INT32_MAX],
  ['failureThreshold', 0, INT32_MAX],
  ['terminationGracePeriodSeconds', 1, Number.MAX_SAFE_INTEGER],
];

/** Why a value is not an integer from `min` to `max`, or undefined. */
function integerIn(value: unknown, min: number, max: number): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return undefined;
  return `${show(value)} is not an integer from ${min} to ${max}`;
}

/**
 * Whether other apps may derive objects from this document: its shape is valid, and so are what
 * they read of it (name, namespace, ServiceAccount, ports). A run's directory should hold only
 * such documents; the others' own problems are reported with them.
 */
export function usableByOthers(doc: unknown): boolean {
  if (foreignDocumentProblem(doc) || selfReferenceProblem(doc) || !schemaValidator(doc)) return false;
  const { metadata, spec } = doc as AppSpec;
  if (dns1035Label(metadata.name) || (metadata.namespace !== undefined && dns1123Label(metadata.namespace))) return false;
  if (spec.serviceAccount !== undefined && dns1123Subdomain(spec.serviceAccount)) return false;
  return resolvePorts(spec).every((p) => !portName(p.name) && !portNumber(p.port) && !portNumber(p.targetPort));
}

/** Whether the directory cannot tell who admits this app: another document of the run has a list of the wrong shape. */
function directoryUnreadable(doc: unknown, directory: AppDirectory | undefined): boolean {
  if (!directory || !isObject(doc) || !isObject(doc.metadata) || typeof doc.metadata.name !== 'string') return false;
  try {
    directory.calleesOf(typeof doc.metadata.namespace === 'string' ? doc.metadata.namespace : 'default', doc.metadata.name);
    return false;
  } catch {
    return true;
  }
}

/**
 * The objects an app derives from other apps (its egress to the apps that admit it, the peers of
 * the meshed callers it admits) cannot be built from an app whose spec is not usable: one problem
 * naming it, instead of an internal error while building.
 */
function dependencyProblems(doc: AppSpec, directory: AppDirectory | undefined, shapeValid: boolean, out: Problems): void {
  if (!directory || typeof doc.metadata?.name !== 'string' || !shapeValid) return; // a shape problem says enough
  const namespace = doc.metadata.namespace ?? 'default';
  let others: DirectoryApp[];
  try {
    others = [
      ...directory.calleesOf(namespace, doc.metadata.name).map((c) => c.app),
      ...(Array.isArray(doc.spec.mesh?.allow) ? doc.spec.mesh!.allow : []).flatMap((rule) => (Array.isArray(rule?.from) ? rule.from : [])
        .flatMap((f) => (typeof f?.namespace === 'string' && typeof f?.serviceAccount === 'string' ? directory.withServiceAccount(f.namespace, f.serviceAccount) : []))),
    ];
  } catch {
    out.add('spec', 'the apps this one exchanges traffic with cannot be read: another spec of the run has errors (see its problems)');
    return;
  }
  const seen = new Set<string>();
  for (const o of others) {
    const key = `${o.namespace}/${o.name}`;
    if (seen.has(key) || usableCallee(o)) continue;
    seen.add(key);
    out.add('spec', `the objects of this app are derived in part from app ${JSON.stringify(key)}, whose name, namespace, ServiceAccount or ports have errors (see its problems): fix it first`);
  }
}

/**
 * `usableByOthers` of a directory's app, checked once per app of a directory: every caller of an
 * app asks. A directory reads its specs when it is made (`DirectoryApp`), so its verdict on one is
 * kept as long as the directory's own entry.
 */
const usableCallees = new WeakMap<DirectoryApp, boolean>();

/**
 * Records that every app of `directory` is `usableByOthers`, unchecked: only for a directory made
 * of specs that passed it (as `pipelineContext` makes a run's), so that their callers do not check
 * them again. The record is kept with the directory's entries, not with the specs.
 * @internal
 */
export function directoryOfUsableApps(directory: AppDirectory): AppDirectory {
  for (const app of directory.all) usableCallees.set(app, true);
  return directory;
}

function usableCallee(app: DirectoryApp): boolean {
  let usable = usableCallees.get(app);
  if (usable === undefined) usableCallees.set(app, usable = usableByOthers(app.spec));
  return usable;
}

/** The rules beyond the shape; `shapeValid`: the shape has no problem (the rules that read other apps need it). */
function ruleProblems(doc: AppSpec, ctx: SpecContext, shapeValid: boolean, out: Problems): void {
  if (doc === null || typeof doc !== 'object') return;
  if (doc.apiVersion !== undefined && doc.apiVersion !== APP_SPEC_API_VERSION) return;
  if (doc.kind !== undefined && doc.kind !== APP_SPEC_KIND) return;
  const md = doc.metadata;
  if (md && typeof md.name === 'string') out.add('metadata.name', dns1035Label(md.name));
  if (md && typeof md.namespace === 'string') out.add('metadata.namespace', dns1123Label(md.namespace));
  for (const [k, v] of Object.entries(md?.labels ?? {})) out.add(`metadata.labels.${k}`, labelKey(k) ?? labelValue(v));

  const s = doc.spec;
  if (!s || typeof s !== 'object') return;
  // First: the rules below read the directory, which may not be readable.
  dependencyProblems(doc, ctx.directory, shapeValid, out);
  if (typeof s.image === 'string') out.add('spec.image', pinnedImage(s.image));
  if (s.replicas !== undefined) out.add('spec.replicas', integerIn(s.replicas, 0, INT32_MAX));
  if (s.serviceAccount !== undefined) out.add('spec.serviceAccount', dns1123Subdomain(s.serviceAccount));
  for (const name of Object.keys(s.env ?? {})) {
    if (!/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(name)) out.add(`spec.env.${name}`, `${JSON.stringify(name)} is not an environment variable name: letters, digits, '_', '-' and '.', not starting with a digit`);
  }

  const ports = resolvePorts(s);
  const cluster = ctx.cluster ?? ClusterContext.fromSpec({ platform: s.route ? 'openshift' : 'kubernetes' });
  const meshed = s.mesh !== undefined && s.mesh !== null;
  const mesh = ctx.mesh ?? meshProviderFor(cluster);
  const names = new Map<string, number>();
  const numbers = new Map<number, number>();
  const targets = new Map<number, number>();
  ports.forEach((p, i) => {
    out.add(`spec.ports[${i}].name`, portName(p.name));
    if (names.has(p.name)) out.add(`spec.ports[${i}].name`, `port name ${JSON.stringify(p.name)} repeats spec.ports[${names.get(p.name)}]; names must be unique`);
    out.add(`spec.ports[${i}].port`, portNumber(p.port));
    if (numbers.has(p.port)) out.add(`spec.ports[${i}].port`, `port ${p.port} repeats spec.ports[${numbers.get(p.port)}]; Service ports must be unique`);
    if (s.ports![i].targetPort !== undefined) out.add(`spec.ports[${i}].targetPort`, portNumber(p.targetPort));
    if (targets.has(p.targetPort)) out.add(`spec.ports[${i}].targetPort`, `container port ${p.targetPort} repeats spec.ports[${targets.get(p.targetPort)}]; container ports must be unique`);
    names.set(p.name, i); numbers.set(p.port, i); targets.set(p.targetPort, i);
  });
  const portRef = (field: string, name: string | undefined): ResolvedPort | undefined => {
    const wanted = name ?? ports[0]?.name;
    const port = ports.find((p) => p.name === wanted);
    if (ports.length === 0) out.add(field, 'the app has no ports (spec.ports): nothing can reach it');
    else if (!port && wanted !== undefined) out.add(field, `port ${JSON.stringify(wanted)} is not in spec.ports; use one of ${ports.map((p) => JSON.stringify(p.name)).join(', ')}`);
    return port;
  };

  for (const kind of ['readiness', 'liveness', 'startup'] as const) {
    const probe = s.probes?.[kind];
    if (!probe) continue;
    const handlers = (['httpGet', 'tcpSocket', 'grpc', 'exec'] as const).filter((h) => probe[h] !== undefined);
    if (handlers.length !== 1) out.add(`spec.probes.${kind}`, `a probe has exactly one of httpGet, tcpSocket, grpc or exec; found ${handlers.length ? handlers.join(' and ') : 'none'}`);
    for (const h of ['httpGet', 'tcpSocket'] as const) {
      const port = probe[h]?.port;
      if (typeof port === 'string') portRef(`spec.probes.${kind}.${h}.port`, port);
      else if (typeof port === 'number') out.add(`spec.probes.${kind}.${h}.port`, portNumber(port));
    }
    if (typeof probe.grpc?.port === 'number') out.add(`spec.probes.${kind}.grpc.port`, portNumber(probe.grpc.port));
    for (const [field, min, max] of PROBE_NUMBERS) {
      const v = probe[field];
      if (v !== undefined) out.add(`spec.probes.${kind}.${field}`, integerIn(v, min, max));
    }
    if (kind !== 'readiness' && probe.successThreshold !== undefined && probe.successThreshold !== 1) {
      out.add(`spec.probes.${kind}.successThreshold`, `${show(probe.successThreshold)} is not allowed: a ${kind} probe succeeds after one success, so successThreshold must be 1`);
    }
  }
  if (s.resources !== undefined && s.resources !== null && typeof s.resources === 'object') out.nest('spec.resources', resourceProblems(s.resources));
  if (s.probes?.readiness && s.probes?.liveness && JSON.stringify(s.probes.readiness) === JSON.stringify(s.probes.liveness)) {
    out.add('spec.probes.liveness', 'is identical to the readiness probe; a liveness probe should be less eager (longer delay or period) so a slow pod is not restarted');
  }

  const tls = s.tls;
  if (tls && ports.length === 0) out.add('spec.tls', 'a serving certificate needs ports: the app has none (spec.ports)');
  if (tls) {
    if (tls.secretName !== undefined) out.add('spec.tls.secretName', dns1123Subdomain(tls.secretName));
    if (tls.source === 'certManager' && !tls.issuer) out.add('spec.tls.issuer', 'is required with source certManager: name the cert-manager Issuer or ClusterIssuer');
    if (tls.source !== 'certManager' && tls.issuer) out.add('spec.tls.issuer', `is only used with source certManager; source is ${JSON.stringify(tls.source)}`);
    if (tls.mountPath !== undefined && (!tls.mountPath.startsWith('/') || tls.mountPath === '/tmp' || tls.mountPath === '/')) {
      out.add('spec.tls.mountPath', `${JSON.stringify(tls.mountPath)} must be an absolute path other than / and /tmp`);
    }
  }

  const r = s.route;
  if (r) {
    const port = portRef('spec.route.port', r.port);
    const termination = r.termination ?? 'edge';
    const cert = r.certificate ?? {};
    const destinationCA = r.destinationCA;
    out.nest('spec.route', routeProblems({
      ...r,
      externalCertificateSecret: cert.secretName,
      certManagerIssuer: cert.certManager?.issuer,
      inlineCertificate: cert.inline ? { certificate: '', key: '' } : undefined,
      allowInlineKeys: cert.allowInlineKeys,
      destinationCACertificate: typeof destinationCA === 'object' ? 'file' : undefined,
    }));
    if (destinationCA === 'serviceCA' && termination !== 'reencrypt') out.add('spec.route.destinationCA', `only reencrypt routes have a destination CA; termination is ${JSON.stringify(termination)}`);
    if (port) {
      if ((termination === 'passthrough' || termination === 'reencrypt') && !servesTls(port.protocol)) {
        out.add('spec.route.port', `${termination} routes need a port the pod serves TLS on (protocol https or grpcs); ${JSON.stringify(port.name)} is ${port.protocol}`);
      }
      if ((termination === 'edge' || termination === 'none') && port.protocol !== 'http') {
        out.add('spec.route.termination', port.protocol === 'grpc'
          ? `the OpenShift router speaks HTTP/1.1 to ${termination} backends, so cleartext gRPC (h2c) on port ${JSON.stringify(port.name)} cannot pass; serve gRPC over TLS (protocol grpcs) behind a reencrypt or passthrough route`
          : `${termination} routes send plain HTTP to the pod, but port ${JSON.stringify(port.name)} is ${port.protocol}; ${servesTls(port.protocol) ? 'use reencrypt or passthrough' : 'routes carry HTTP, or TLS with passthrough'}`);
      }
      if (meshed && !port.bypassMesh && (termination === 'passthrough' || termination === 'reencrypt')) {
        out.add('spec.route.termination', `a ${termination} route sends the router's TLS to port ${JSON.stringify(port.name)}, but the mesh sidecar intercepts that port and cannot hand TLS it does not terminate to the app: `
          + `set spec.ports[${ports.indexOf(port)}].bypassMesh: true (the router reaches the app directly; NetworkPolicy and the app's own TLS protect the port, the mesh does not), or serve plain http on the port behind an edge route (the mesh's mTLS covers the hop from the router's namespace)`);
      }
    }
    const generatedLabel = `${md?.name}-${md?.namespace ?? 'default'}`;
    if (r.host === undefined && typeof md?.name === 'string' && generatedLabel.length > 63) {
      out.add('spec.route.host', `no host: OpenShift generates "${generatedLabel}.<apps domain>", whose first label "<name>-<namespace>" is ${generatedLabel.length} characters, and refuses it (a DNS label has at most 63); set the host, or shorten metadata.name or metadata.namespace`);
    } else if (r.host === undefined) {
      out.warn('spec.route.host', 'no host: the router generates one (<name>-<namespace>.<apps domain>) and writes it into the Route, which GitOps tools then show as drift; set the host');
    }
    if (!cluster.platform.router) {
      out.add('spec.route', `routes are served by the OpenShift router, but the cluster's platform is ${JSON.stringify(cluster.platform.name)}; set platform: openshift in the Cluster spec, or expose the app with ingress`);
    }
    if ((termination === 'passthrough' || termination === 'reencrypt') && !tls) {
      out.add('spec.tls', `${termination} routes need the pod to serve TLS: set spec.tls`);
    }
    if (termination === 'reencrypt' && destinationCA === undefined && tls && tls.source !== 'serviceCA') {
      out.add('spec.route.destinationCA', `is required for reencrypt when spec.tls.source is ${JSON.stringify(tls.source)}: the router trusts only the service CA by default; give { file: ca.pem }`);
    }
    const texts = new Map<string, string>();
    for (const [field, file] of [
      ['spec.route.destinationCA.file', typeof destinationCA === 'object' ? destinationCA.file : undefined],
      ['spec.route.certificate.inline.certificateFile', cert.inline?.certificateFile],
      ['spec.route.certificate.inline.keyFile', cert.inline?.keyFile],
      ['spec.route.certificate.inline.caCertificateFile', cert.inline?.caCertificateFile],
    ] as const) {
      if (file === undefined) continue;
      const full = path.resolve(ctx.baseDir ?? '.', file);
      if (!fs.existsSync(full)) { out.add(field, `file ${JSON.stringify(file)} does not exist (looked for ${full})`); continue; }
      const text = fs.readFileSync(full, 'utf8');
      const isKey = field.endsWith('keyFile');
      if (!(isKey ? /-----BEGIN [A-Z ]*PRIVATE KEY-----/ : /-----BEGIN CERTIFICATE-----/).test(text)) {
        out.add(field, `file ${JSON.stringify(file)} holds no PEM ${isKey ? 'private key' : 'certificate'}`);
        continue;
      }
      texts.set(field, text);
    }
    const inline = cert.inline;
    const certText = texts.get('spec.route.certificate.inline.certificateFile');
    const keyText = texts.get('spec.route.certificate.inline.keyFile');
    if (inline && certText !== undefined && keyText !== undefined && (inline.caCertificateFile === undefined || texts.has('spec.route.certificate.inline.caCertificateFile'))) {
      const findings = inlineCertificateFindings(certText, keyText, texts.get('spec.route.certificate.inline.caCertificateFile'), r.host);
      // A mismatch names both files: which of the two is wrong is for the reader to find out.
      const pair = (m: string) => (/does not match/.test(m) ? `${m}: the key file ${JSON.stringify(inline.keyFile)} and the certificate file ${JSON.stringify(inline.certificateFile)} are not a pair (their public keys differ)` : m);
      findings.errors.forEach((f) => out.add(`spec.route.certificate.inline.${f.field}`, pair(f.message)));
      findings.warnings.forEach((f) => out.warn(`spec.route.certificate.inline.${f.field}`, f.message));
    }
  }

  const ing = s.ingress;
  if (ing) {
    const port = portRef('spec.ingress.port', ing.port);
    out.nest('spec.ingress', ingressProblems({ ...ing, protocol: port?.protocol }));
    if (ing.controllerNamespace !== undefined) out.add('spec.ingress.controllerNamespace', dns1123Label(ing.controllerNamespace));
    if (!cluster.ingressController(ing.className, ing.controllerNamespace)) {
      out.add('spec.ingress.className', `no ingress controller in the Cluster spec serves class ${JSON.stringify(ing.className)}; classes served: ${cluster.ingressControllers.flatMap((c) => c.classNames ?? []).map((c) => JSON.stringify(c)).join(', ') || 'none'}`);
    }
    const throughMesh = meshed && port !== undefined && !port.bypassMesh;
    if (port && throughMesh && servesTls(port.protocol)) {
      out.add('spec.ingress.port', `port ${JSON.stringify(port.name)} is ${port.protocol} (the app terminates TLS) and the mesh sidecar intercepts it, so the controller's traffic cannot reach the app's TLS: set spec.ports[${ports.indexOf(port)}].bypassMesh: true, or serve ${port.protocol === 'grpcs' ? 'grpc' : 'http'} behind the sidecar and use backendTls for TLS to the sidecar`);
    }
    const bt = ing.backendTls;
    const gateway = cluster.mesh?.ingressGateway;
    if (bt && throughMesh) {
      // The mesh decides what TLS into it needs (OsmSmiMesh.validate: the MeshConfig's ingress gateway certificate).
      if (gateway && mesh.name === 'osm' && bt.clientCertSecret !== undefined && bt.clientCertSecret !== `${gateway.secret.namespace}/${gateway.secret.name}`) {
        out.add('spec.ingress.backendTls.clientCertSecret', `${JSON.stringify(bt.clientCertSecret)} is not the mesh's ingress gateway certificate ${JSON.stringify(`${gateway.secret.namespace}/${gateway.secret.name}`)} (Cluster spec mesh.ingressGateway.secret): the sidecar would refuse the controller; leave it out to use the gateway certificate`);
      }
    } else if (bt && port) {
      if (!servesTls(port.protocol)) out.add('spec.ingress.backendTls', `port ${JSON.stringify(port.name)} is ${port.protocol}: the app does not serve TLS, and the app is not meshed${meshed ? ' on this port (bypassMesh)' : ''}; drop backendTls or use a https/grpcs port`);
      if (bt.clientCertSecret === undefined) out.add('spec.ingress.backendTls.clientCertSecret', 'is required without a mesh: a "namespace/name" Secret with ca.crt (to verify the app) and tls.crt/tls.key (the controller\'s client certificate)');
    }
  }

  if (s.gateway) {
    out.nest('', gatewayProblems({
      app: String(md?.name), namespace: md?.namespace ?? 'default', ports, gateway: s.gateway, cluster, meshed,
      meshProvider: mesh.name, tlsSource: s.tls?.source, baseDir: ctx.baseDir ?? '.',
    }));
  }

  // Paths and headers travel in requests: no control characters (the load stage already refuses NUL).
  const text = (v: unknown): v is string => typeof v === 'string';
  if (text(s.route?.path)) out.add('spec.route.path', urlPath(s.route!.path!));
  if (text(s.ingress?.path)) out.add('spec.ingress.path', urlPath(s.ingress!.path!));
  for (const kind of ['readiness', 'liveness', 'startup'] as const) {
    const get = s.probes?.[kind]?.httpGet;
    if (text(get?.path)) out.add(`spec.probes.${kind}.httpGet.path`, urlPath(get!.path!));
    (Array.isArray(get?.httpHeaders) ? get!.httpHeaders! : []).forEach((h, i) => {
      if (text(h?.name)) out.add(`spec.probes.${kind}.httpGet.httpHeaders[${i}].name`, headerName(h.name));
      if (text(h?.value)) out.add(`spec.probes.${kind}.httpGet.httpHeaders[${i}].value`, headerValue(h.value));
    });
  }
  (Array.isArray(s.gateway?.httpMatches) ? s.gateway!.httpMatches! : []).forEach((m, i) => {
    if (text(m?.path)) out.add(`spec.gateway.httpMatches[${i}].path`, urlPath(m.path!));
    for (const [k, v] of Object.entries(m?.headers ?? {})) if (text(v)) out.add(`spec.gateway.httpMatches[${i}].headers.${k}`, headerValue(v));
  });
  (Array.isArray(s.mesh?.allow) ? s.mesh!.allow! : []).forEach((rule, i) => (Array.isArray(rule?.http) ? rule.http : []).forEach((m, j) => {
    for (const [k, v] of Object.entries(m?.headers ?? {})) {
      out.add(`spec.mesh.allow[${i}].http[${j}].headers.${k}`, headerName(k));
      if (text(v)) out.add(`spec.mesh.allow[${i}].http[${j}].headers.${k}`, headerValue(v));
    }
  }));

  const allow = s.allow;
  if (allow !== undefined && Array.isArray(allow)) {
    if (meshed) out.add('spec.allow', 'a meshed app admits callers through the mesh: meshed callers with spec.mesh.allow, callers outside the mesh with spec.mesh.ingress (the mesh refuses anything else)');
    allow.forEach((rule, i) => {
      (rule.from ?? []).forEach((f, j) => {
        const at = `spec.allow[${i}].from[${j}]`;
        const kinds = [f.app !== undefined ? 'app' : undefined, f.app === undefined && f.namespace !== undefined ? 'namespace' : undefined, f.ipRange !== undefined ? 'ipRange' : undefined].filter(Boolean);
        if (kinds.length !== 1) out.add(at, `a caller is exactly one of app (with an optional namespace), namespace or ipRange; found ${kinds.length ? kinds.join(' and ') : 'none'}`);
        if (f.app !== undefined) out.add(`${at}.app`, dns1123Label(f.app));
        if (f.namespace !== undefined) out.add(`${at}.namespace`, dns1123Label(f.namespace));
        if (f.ipRange !== undefined) out.add(`${at}.ipRange`, cidr(f.ipRange));
      });
      if (Array.isArray(rule.from) && rule.from.length === 0) out.add(`spec.allow[${i}].from`, 'at least one caller is required');
      (rule.ports ?? []).forEach((n, j) => portRef(`spec.allow[${i}].ports[${j}]`, n));
      if (ports.length === 0) out.add(`spec.allow[${i}]`, 'the app has no ports (spec.ports): nothing can call it');
    });
  }

  const egress = s.egress;
  if (egress) {
    const names = new Map<string, number>();
    // The egress to each app that admits this one is a NetworkPolicy named <app>-egress-to-<callee>[-<its namespace>].
    const ownNamespace = md?.namespace ?? 'default';
    const callees = ctx.directory && typeof md?.name === 'string' ? ctx.directory.calleesOf(ownNamespace, md.name) : [];
    const calleePolicies = new Map(callees.map((c) => [c.app.namespace === ownNamespace ? c.app.name : `${c.app.name}-${c.app.namespace}`, c.app]));
    (egress.to ?? []).forEach((d, i) => {
      const at = `spec.egress.to[${i}]`;
      out.add(`${at}.name`, dns1123Label(d.name));
      if (names.has(d.name)) out.add(`${at}.name`, `destination name ${JSON.stringify(d.name)} repeats spec.egress.to[${names.get(d.name)}]; names must be unique`);
      names.set(d.name, i);
      const callee = calleePolicies.get(d.name);
      if (callee) {
        out.add(`${at}.name`, `destination name ${JSON.stringify(d.name)} is taken by the egress to app ${callee.namespace}/${callee.name}, which admits this app: both NetworkPolicies would be named ${md.name}-egress-to-${d.name}; rename the destination`);
      }
      (d.ipRanges ?? []).forEach((c, j) => out.add(`${at}.ipRanges[${j}]`, cidr(c)));
      (d.hosts ?? []).forEach((h, j) => out.add(`${at}.hosts[${j}]`, hostName(h, true)));
      if (!d.ipRanges?.length && !d.hosts?.length) out.add(at, 'a destination needs ipRanges (enforced by NetworkPolicy) or hosts (enforced by the mesh)');
      if (!d.ipRanges?.length && d.hosts?.length && !meshed) {
        out.add(`${at}.hosts`, 'NetworkPolicy cannot match host names and the app is not meshed: give the destination\'s ipRanges');
      }
      if (Array.isArray(d.ports) && d.ports.length === 0) out.add(`${at}.ports`, 'at least one port is required');
      (d.ports ?? []).forEach((p, j) => {
        out.add(`${at}.ports[${j}].port`, portNumber(p.port));
        const protocol = p.protocol ?? 'tcp';
        if (meshed && protocol === 'http' && !d.hosts?.length) out.add(`${at}.ports[${j}].protocol`, 'the mesh matches http egress by Host header: give hosts');
        if (meshed && (protocol === 'tcp' || protocol === 'tcp-server-first') && !d.ipRanges?.length) {
          out.add(`${at}.ports[${j}].protocol`, `the mesh matches ${protocol} egress by address (a TCP stream has no host name): give ipRanges`);
        }
      });
    });
    if (egress.kubernetesApi && cluster.declared && !cluster.platform.apiServer.cidrs && cluster.platform.name !== 'openshift') {
      out.add('spec.egress.kubernetesApi', 'the API server matches no pod selector: give its endpoint addresses in the Cluster spec (apiServer.cidrs: `kubectl get endpoints kubernetes`)');
    }
    if (egress.unrestricted) {
      out.warn('spec.egress.unrestricted', 'egress is not restricted: the pods may connect anywhere (NetworkPolicy egress not isolated, mesh egress not narrowed)');
      if (egress.to?.length || egress.kubernetesApi) out.add('spec.egress.unrestricted', 'unrestricted egress makes egress.to and egress.kubernetesApi meaningless: drop one or the other');
    }
  }

  if (meshed) {
    if (s.mesh!.ingress) portRef('spec.mesh.ingress.port', s.mesh!.ingress.port);
    const intent = meshIntent(doc, cluster, ctx.directory);
    if (intent) out.nest('', mesh.validate(intent));
  }
}
