import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import schema from '../../schema/app-spec.schema.json';
import compiledValidator from '../../schema/app-spec.validate';
import { APP_SPEC_API_VERSION, APP_SPEC_KIND, AppSpec, AppSpecBody } from '../spec/app-spec';
import type { IMeshProvider, ResolvedPort } from './mesh/mesh-provider';
import { OsmSmiMesh } from './mesh/osm/osm-smi-mesh';
import { routeProblems } from './openshift/openshift-route';
import { inlineCertificateFindings } from '../spec/pem';
import { Problem, Problems } from '../spec/problems';
import { ingressProblems } from './kubernetes/nginx-ingress';
import { dns1035Label, dns1123Label, dns1123Subdomain, labelKey, labelValue, pinnedImage, portName, portNumber } from '../spec/rules';

/** Where relative files (certificates, CA bundles) named by a spec are read from. */
export interface SpecContext {
  /** @default - the current directory */
  readonly baseDir?: string;
  /** @default - Open Service Mesh with SMI */
  readonly mesh?: IMeshProvider;
}

/** Thrown by constructs given a spec with problems; lists every problem. */
export class AppSpecError extends Error {
  constructor(public readonly app: string, public readonly problems: readonly Problem[]) {
    super(`invalid app spec ${JSON.stringify(app)}:\n${problems.map((p) => `  ${p.field}: ${p.message}`).join('\n')}`);
    this.name = 'AppSpecError';
  }
}

/** The schema's ajv validator, compiled ahead of time by `npm run schema` (no compile at start-up). */
const schemaValidator = compiledValidator as unknown as ValidateFunction;

/** The JSON Schema of the YAML app document (generated from the AppSpec type). */
export const APP_SPEC_SCHEMA: object = schema;

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
    case 'type': return { field, message: `${JSON.stringify(e.data)} is not ${article(String(p.type))}` };
    case 'enum': return { field, message: `${JSON.stringify(e.data)} is not allowed; use one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'const': return { field, message: `${JSON.stringify(e.data)} is not allowed; use ${JSON.stringify(p.allowedValue)}` };
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

/** Checks the document's shape against the JSON Schema; one problem per field. */
function shapeProblems(doc: unknown): Problem[] {
  if (schemaValidator(doc)) return [];
  const errors = schemaValidator.errors ?? [];
  // For `anyOf` (e.g. destinationCA: serviceCA | { file }) report the anyOf, not each branch.
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  const seen = new Set<string>();
  const out: Problem[] = [];
  for (const e of errors) {
    if (e.keyword !== 'anyOf' && [...anyOfPaths].some((p) => e.instancePath.startsWith(p))) continue;
    const m = e.keyword === 'anyOf'
      ? { field: toPath(e.instancePath), message: `${JSON.stringify(e.data)} does not have an allowed form` }
      : schemaMessage(e);
    const key = `${m.field}\0${m.message}`;
    if (!seen.has(key)) { seen.add(key); out.push(m); }
  }
  return out;
}

/** Resolves `spec.ports` defaults. */
export function resolvePorts(spec: AppSpecBody): ResolvedPort[] {
  return (spec.ports ?? []).map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort ?? p.port, protocol: p.protocol ?? 'http' }));
}

/**
 * Checks one app document, returning every problem with its field path (empty when valid):
 * the shape (fields, types, enums) against the JSON Schema, then the rules the API server,
 * the OpenShift router and the mesh would apply later.
 */
export function validateAppSpec(doc: unknown, ctx: SpecContext = {}): Problem[] {
  const shape = shapeProblems(doc);
  const rules = new Problems();
  try {
    ruleProblems(doc as AppSpec, ctx, rules);
  } catch (e) {
    // A rule tripped over a value of the wrong type: the shape problems already name it.
    if (shape.length === 0) throw e;
  }
  // A field with a shape problem (wrong type, unknown field) gets no second message from a rule.
  const shapeFields = shape.map((p) => p.field);
  const covered = (field: string) => shapeFields.some((f) => field === f || field.startsWith(`${f}.`) || field.startsWith(`${f}[`));
  const seen = new Set<string>();
  return [...shape, ...rules.list.filter((p) => p.warning || !covered(p.field))]
    .filter((p) => { const k = `${p.field}\0${p.message}`; return seen.has(k) ? false : (seen.add(k), true); });
}

function ruleProblems(doc: AppSpec, ctx: SpecContext, out: Problems): void {
  if (doc === null || typeof doc !== 'object') return;
  if (doc.apiVersion !== undefined && doc.apiVersion !== APP_SPEC_API_VERSION) return;
  if (doc.kind !== undefined && doc.kind !== APP_SPEC_KIND) return;
  const md = doc.metadata;
  if (md && typeof md.name === 'string') out.add('metadata.name', dns1035Label(md.name));
  if (md && typeof md.namespace === 'string') out.add('metadata.namespace', dns1123Label(md.namespace));
  for (const [k, v] of Object.entries(md?.labels ?? {})) out.add(`metadata.labels.${k}`, labelKey(k) ?? labelValue(v));

  const s = doc.spec;
  if (!s || typeof s !== 'object') return;
  if (typeof s.image === 'string') out.add('spec.image', pinnedImage(s.image));
  if (s.replicas !== undefined && (!Number.isInteger(s.replicas) || s.replicas < 0)) out.add('spec.replicas', `${JSON.stringify(s.replicas)} is not a whole number >= 0`);
  if (s.serviceAccount !== undefined) out.add('spec.serviceAccount', dns1123Subdomain(s.serviceAccount));
  for (const name of Object.keys(s.env ?? {})) {
    if (!/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(name)) out.add(`spec.env.${name}`, `${JSON.stringify(name)} is not an environment variable name: letters, digits, '_', '-' and '.', not starting with a digit`);
  }

  const ports = resolvePorts(s);
  if (Array.isArray(s.ports) && s.ports.length === 0) out.add('spec.ports', 'at least one port is required');
  const names = new Map<string, number>();
  const numbers = new Map<number, number>();
  const targets = new Map<number, number>();
  ports.forEach((p, i) => {
    out.add(`spec.ports[${i}].name`, portName(p.name));
    if (names.has(p.name)) out.add(`spec.ports[${i}].name`, `port name ${JSON.stringify(p.name)} repeats spec.ports[${names.get(p.name)}]; names must be unique`);
    out.add(`spec.ports[${i}].port`, portNumber(p.port));
    if (numbers.has(p.port)) out.add(`spec.ports[${i}].port`, `port ${p.port} repeats spec.ports[${numbers.get(p.port)}]; Service ports must be unique`);
    if (s.ports[i].targetPort !== undefined) out.add(`spec.ports[${i}].targetPort`, portNumber(p.targetPort));
    if (targets.has(p.targetPort)) out.add(`spec.ports[${i}].targetPort`, `container port ${p.targetPort} repeats spec.ports[${targets.get(p.targetPort)}]; container ports must be unique`);
    names.set(p.name, i); numbers.set(p.port, i); targets.set(p.targetPort, i);
  });
  const portRef = (field: string, name: string | undefined): ResolvedPort | undefined => {
    const wanted = name ?? ports[0]?.name;
    const port = ports.find((p) => p.name === wanted);
    if (!port && wanted !== undefined) out.add(field, `port ${JSON.stringify(wanted)} is not in spec.ports; use one of ${ports.map((p) => JSON.stringify(p.name)).join(', ')}`);
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
  }
  if (s.probes?.readiness && s.probes?.liveness && JSON.stringify(s.probes.readiness) === JSON.stringify(s.probes.liveness)) {
    out.add('spec.probes.liveness', 'is identical to the readiness probe; a liveness probe should be less eager (longer delay or period) so a slow pod is not restarted');
  }

  const tls = s.tls;
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
      if ((termination === 'passthrough' || termination === 'reencrypt') && port.protocol !== 'https' && port.protocol !== 'grpc') {
        out.add('spec.route.port', `${termination} routes need a port the pod serves TLS on (protocol https); ${JSON.stringify(port.name)} is ${port.protocol}`);
      }
      if ((termination === 'edge' || termination === 'none') && port.protocol === 'https') {
        out.add('spec.route.termination', `${termination} routes send plain HTTP to the pod, but port ${JSON.stringify(port.name)} is https; use reencrypt or passthrough`);
      }
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
      findings.errors.forEach((f) => out.add(`spec.route.certificate.inline.${f.field}`, f.message));
      findings.warnings.forEach((f) => out.warn(`spec.route.certificate.inline.${f.field}`, f.message));
    }
  }

  const ing = s.ingress;
  if (ing) {
    portRef('spec.ingress.port', ing.port);
    out.nest('spec.ingress', ingressProblems(ing));
    if (ing.controllerNamespace !== undefined) out.add('spec.ingress.controllerNamespace', dns1123Label(ing.controllerNamespace));
  }

  if (s.mesh) {
    if (s.mesh.ingress) portRef('spec.mesh.ingress.port', s.mesh.ingress.port);
    out.nest('spec.mesh', (ctx.mesh ?? new OsmSmiMesh()).validate(s.mesh, ports));
  }
}
