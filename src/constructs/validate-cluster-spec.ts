import type { ValidateFunction } from 'ajv';
import { packageModule } from '../spec/package-files';
import { CLUSTER_SPEC_KIND, ClusterSpec } from '../spec/cluster-spec';
import { Problems, Problem } from '../spec/problems';
import { cidr, dns1123Label, dns1123Subdomain, labelKey, labelValue, portNumber } from '../spec/rules';
import { shapeProblems } from './validate-spec';
import { gatewayClusterProblems } from '../spec/profiles/gateways';
import { istioSettingsProblems, routeGatewayProblems } from '../spec/profiles/istio';
import { isIP } from 'node:net';

/** The cluster schema's ajv validator, compiled ahead of time by `npm run schema`. */
const clusterValidator = packageModule('schema/cluster-spec.validate.js') as ValidateFunction;

/**
 * Checks a `kind: Cluster` document: its shape against the JSON Schema, then names, addresses
 * and ports; every problem with its field path.
 */
export function validateClusterSpec(doc: unknown): Problem[] {
  const shape = shapeProblems(doc, clusterValidator);
  const out = new Problems();
  const d = doc as ClusterSpec;
  if (d && typeof d === 'object' && d.kind === CLUSTER_SPEC_KIND) {
    try {
      rules(d, out);
    } catch (e) {
      if (shape.length === 0) throw e; // a rule tripped over a wrong type: the shape problems name it
    }
  }
  const shapeFields = shape.map((p) => p.field);
  return [...shape, ...out.list.filter((p) => !shapeFields.some((f) => p.field === f || p.field.startsWith(`${f}.`) || p.field.startsWith(`${f}[`)))];
}

function labels(out: Problems, field: string, map: { readonly [k: string]: string } | undefined): void {
  for (const [k, v] of Object.entries(map ?? {})) out.add(`${field}.${k}`, labelKey(k) ?? labelValue(v));
}

function rules(d: ClusterSpec, out: Problems): void {
  if (typeof d.metadata?.name === 'string') out.add('metadata.name', dns1123Label(d.metadata.name));
  const s = d.spec;
  if (!s || typeof s !== 'object') return;
  (s.apiServer?.cidrs ?? []).forEach((c, i) => out.add(`spec.apiServer.cidrs[${i}]`, cidr(c)));
  if (s.apiServer?.port !== undefined) out.add('spec.apiServer.port', portNumber(s.apiServer.port));
  if (s.apiServer?.serviceIP !== undefined && isIP(s.apiServer.serviceIP) === 0) out.add('spec.apiServer.serviceIP', `${JSON.stringify(s.apiServer.serviceIP)} is not an IP address`);
  if (s.dns) {
    out.add('spec.dns.namespace', dns1123Label(s.dns.namespace));
    labels(out, 'spec.dns.podLabels', s.dns.podLabels);
    out.add('spec.dns.port', portNumber(s.dns.port));
  }
  const classes = new Map<string, number>();
  let defaults = 0;
  (s.ingressControllers ?? []).forEach((c, i) => {
    if (c.namespace !== undefined) out.add(`spec.ingressControllers[${i}].namespace`, dns1123Label(c.namespace));
    if (c.serviceName !== undefined) out.add(`spec.ingressControllers[${i}].serviceName`, dns1123Label(c.serviceName));
    labels(out, `spec.ingressControllers[${i}].podLabels`, c.podLabels);
    if (c.classNames === undefined) defaults++;
    (c.classNames ?? []).forEach((n, j) => {
      out.add(`spec.ingressControllers[${i}].classNames[${j}]`, dns1123Subdomain(n));
      if (classes.has(n)) out.add(`spec.ingressControllers[${i}].classNames[${j}]`, `class ${JSON.stringify(n)} is also served by spec.ingressControllers[${classes.get(n)}]; one controller per class`);
      classes.set(n, i);
    });
  });
  if (defaults > 1) out.add('spec.ingressControllers', 'at most one controller may serve every class (no classNames)');
  const m = s.mesh;
  if (m) {
    if (m.namespace !== undefined) out.add('spec.mesh.namespace', dns1123Label(m.namespace));
    if (m.meshName !== undefined) out.add('spec.mesh.meshName', labelValue(m.meshName));
    (m.monitoredNamespaces ?? []).forEach((n, i) => out.add(`spec.mesh.monitoredNamespaces[${i}]`, dns1123Label(n)));
    const gw = m.ingressGateway;
    if (gw) {
      out.add('spec.mesh.ingressGateway.secret.name', dns1123Subdomain(gw.secret.name));
      out.add('spec.mesh.ingressGateway.secret.namespace', dns1123Label(gw.secret.namespace));
      if (gw.subjectAltNames.length === 0) out.add('spec.mesh.ingressGateway.subjectAltNames', 'at least one subject alternative name is required: the first is the principal meshed apps admit');
      gw.subjectAltNames.forEach((n, i) => out.add(`spec.mesh.ingressGateway.subjectAltNames[${i}]`, dns1123Subdomain(n)));
      if (gw.validityDuration !== undefined && !/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(gw.validityDuration)) {
        out.add('spec.mesh.ingressGateway.validityDuration', `${JSON.stringify(gw.validityDuration)} is not a Go duration such as "24h" or "90m"`);
      }
    }
    if (m.provider === 'istio') {
      for (const p of istioSettingsProblems(m)) out.add(`spec.${p.field}`, p.message);
      for (const p of routeGatewayProblems(s)) out.add(`spec.${p.field}`, p.message);
    } else if (m.routeGateway !== undefined) {
      out.warn('spec.mesh.routeGateway', 'is used with provider istio only (under OSM the router enters the mesh through an IngressBackend): it has no effect here');
    }
    if (m.revision !== undefined) out.add('spec.mesh.revision', labelValue(m.revision));
    if (m.trustDomain !== undefined) out.add('spec.mesh.trustDomain', dns1123Subdomain(m.trustDomain));
  }
  out.nest('spec.gateways', gatewayClusterProblems(s.gateways));
}
