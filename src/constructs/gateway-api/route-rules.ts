import { isIP } from 'node:net';
import type { GatewayGrpcMatch, GatewayHttpMatch } from '../../spec/gateway-spec';
import { Problem, Problems } from '../../spec/problems';
import { dns1123Label, portNumber } from '../../spec/rules';

/**
 * The limits and rules of Gateway API v1.5.1 routes (the vendored CRDs in crds/gateway-api/, their
 * OpenAPI limits and CEL rules), as props checks that name the field, the bad value and what is
 * allowed. The constructs of this folder throw on them; `gatewayProblems` reports them for a spec.
 */

/** A Gateway (and listener) a route attaches to. */
export interface GatewayRouteParent {
  /** The Gateway's name. */
  readonly name: string;
  /** The Gateway's namespace (written explicitly: the API's default is the route's own). */
  readonly namespace: string;
  /** The listener's name. @default - every listener of the Gateway that allows the route */
  readonly sectionName?: string;
}

/** The Service a route sends to. */
export interface GatewayRouteBackend {
  /** The Service's name. */
  readonly name: string;
  /** @default - the route's namespace (another namespace needs a ReferenceGrant there) */
  readonly namespace?: string;
  /** The Service port (`backendRefs.port` is the Service's port, never the container port). */
  readonly port: number;
}

const q = (v: unknown): string => JSON.stringify(v);
/** gateway-api apis/v1/shared_types.go Hostname. */
const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** SectionName. */
const SECTION_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** HTTPHeaderName. */
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
/** HTTPRoute path characters for Exact and PathPrefix. */
const PATH_CHARS = /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$/;
/** GRPCMethodMatch service (case-insensitive) and method. */
const GRPC_SERVICE = /^\.?[a-z_][a-z_0-9]*(\.[a-z_][a-z_0-9]*)*$/i;
const GRPC_METHOD = /^[A-Za-z_][A-Za-z_0-9]*$/;
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'];
export const PATH_TYPES = ['Exact', 'PathPrefix', 'RegularExpression'];
/** Per rule (we write one rule per route). */
export const MAX_MATCHES = 64;
export const MAX_HOSTNAMES = 16;

/** Route hostnames: at most 16 (TLSRoute: 1 to 16, required), each a DNS name with an optional leading `*.`, never an IP address. */
export function hostnameProblems(hostnames: string[] | undefined, required: boolean): Problem[] {
  const p = new Problems();
  const list = hostnames ?? [];
  if (required && list.length === 0) p.add('hostnames', 'a TLSRoute needs 1 to 16 hostnames (the SNI it matches); none given');
  if (list.length > MAX_HOSTNAMES) p.add('hostnames', `${list.length} hostnames given; a route has at most ${MAX_HOSTNAMES}`);
  const seen = new Set<string>();
  list.forEach((h, i) => {
    if (typeof h !== 'string') { p.add(`hostnames[${i}]`, `${q(h)} is not a string`); return; }
    if (h.length > 253) p.add(`hostnames[${i}]`, `hostname ${q(h)} is ${h.length} characters; at most 253 are allowed`);
    else if (isIP(h) !== 0) p.add(`hostnames[${i}]`, `hostname ${q(h)} is an IP address; routes match DNS names only`);
    else if (!HOSTNAME.test(h)) p.add(`hostnames[${i}]`, `hostname ${q(h)} is not a DNS name: lowercase labels of letters, digits and '-', optionally starting with "*." (a wildcard only as the whole first label)`);
    if (seen.has(h)) p.add(`hostnames[${i}]`, `hostname ${q(h)} is given twice`);
    seen.add(h);
  });
  return p.list;
}

/** Parent references: 1 to 32, each a Gateway name, namespace and optional listener; the same Gateway twice needs distinct sectionNames. */
export function parentProblems(parents: GatewayRouteParent[]): Problem[] {
  const p = new Problems();
  if (parents.length === 0) p.add('parents', 'a route needs a Gateway to attach to; none given');
  if (parents.length > 32) p.add('parents', `${parents.length} parents given; a route has at most 32`);
  const seen = new Set<string>();
  parents.forEach((r, i) => {
    if (!r.name || r.name.length > 253) p.add(`parents[${i}].name`, `gateway name ${q(r.name)} must have 1 to 253 characters`);
    p.add(`parents[${i}].namespace`, dns1123Label(r.namespace));
    if (r.sectionName !== undefined && (r.sectionName.length > 253 || !SECTION_NAME.test(r.sectionName))) {
      p.add(`parents[${i}].sectionName`, `listener name ${q(r.sectionName)} is not a section name: dot-separated lowercase labels of letters, digits and '-'`);
    }
    const key = `${r.namespace}/${r.name}/${r.sectionName ?? ''}`;
    if (seen.has(key)) p.add(`parents[${i}]`, `gateway ${q(`${r.namespace}/${r.name}`)} is named twice${r.sectionName ? ` with sectionName ${q(r.sectionName)}` : ''}; the same parent needs distinct sectionNames`);
    seen.add(key);
  });
  const byGateway = new Map<string, GatewayRouteParent[]>();
  for (const r of parents) byGateway.set(`${r.namespace}/${r.name}`, [...(byGateway.get(`${r.namespace}/${r.name}`) ?? []), r]);
  for (const [gw, refs] of byGateway) {
    if (refs.length > 1 && refs.some((r) => !r.sectionName)) p.add('parents', `gateway ${q(gw)} is named more than once, once without sectionName; every reference to the same parent needs its own sectionName`);
  }
  return p.list;
}

/** The backend: a Service name and a Service port. */
export function backendProblems(backend: GatewayRouteBackend): Problem[] {
  const p = new Problems();
  p.add('backend.name', dns1123Label(backend.name));
  if (backend.namespace !== undefined) p.add('backend.namespace', dns1123Label(backend.namespace));
  p.add('backend.port', portNumber(backend.port));
  return p.list;
}

/** HTTPRoute matches (one rule): at most 64; paths, methods and headers as the CRD allows. */
export function httpMatchProblems(matches: GatewayHttpMatch[] | undefined): Problem[] {
  const p = new Problems();
  const list = matches ?? [];
  if (list.length > MAX_MATCHES) p.add('matches', `${list.length} matches given; a rule has at most ${MAX_MATCHES}`);
  list.forEach((m, i) => {
    const at = `matches[${i}]`;
    const type = m.pathType ?? 'PathPrefix';
    const path = m.path ?? '/';
    if (!PATH_TYPES.includes(type)) p.add(`${at}.pathType`, `${q(type)} is not allowed; use one of ${PATH_TYPES.map(q).join(', ')}`);
    if (path.length > 1024) p.add(`${at}.path`, `path is ${path.length} characters; at most 1024 are allowed`);
    if (type !== 'RegularExpression') {
      const bad = !path.startsWith('/') ? 'must start with "/"'
        : path.includes('//') ? 'must not contain "//"'
          : path.includes('/./') || path.endsWith('/.') ? 'must not contain "/./" or end with "/."'
            : path.includes('/../') || path.endsWith('/..') ? 'must not contain "/../" or end with "/.."'
              : /%2f/i.test(path) ? 'must not contain an encoded "/" (%2F)'
                : path.includes('#') ? 'must not contain "#"'
                  : !PATH_CHARS.test(path) ? 'may contain only letters, digits, "-._~!$&\'()*+,;=:@/" and %-escapes' : undefined;
      if (bad) p.add(`${at}.path`, `path ${q(path)} ${bad} (pathType ${type})`);
    } else if (path.length === 0) {
      p.add(`${at}.path`, 'a regular expression path must not be empty');
    }
    if (m.method !== undefined && !HTTP_METHODS.includes(m.method)) p.add(`${at}.method`, `${q(m.method)} is not allowed; use one of ${HTTP_METHODS.join(', ')}`);
    const headers = Object.entries(m.headers ?? {});
    if (headers.length > 16) p.add(`${at}.headers`, `${headers.length} headers given; a match has at most 16`);
    const lower = new Set<string>();
    for (const [name, value] of headers) {
      if (name.length > 256 || !HEADER_NAME.test(name)) p.add(`${at}.headers.${name}`, `header name ${q(name)} is not an HTTP header name (at most 256 token characters)`);
      if (typeof value !== 'string' || value.length < 1 || value.length > 4096) p.add(`${at}.headers.${name}`, `header value ${q(value)} must have 1 to 4096 characters`);
      if (lower.has(name.toLowerCase())) p.add(`${at}.headers.${name}`, `header ${q(name)} is matched twice (header names are case-insensitive)`);
      lower.add(name.toLowerCase());
    }
  });
  return p.list;
}

/** GRPCRoute matches (one rule): at most 64; each names a service, a method or both. */
export function grpcMatchProblems(matches: GatewayGrpcMatch[] | undefined): Problem[] {
  const p = new Problems();
  const list = matches ?? [];
  if (list.length > MAX_MATCHES) p.add('matches', `${list.length} matches given; a rule has at most ${MAX_MATCHES}`);
  list.forEach((m, i) => {
    const at = `matches[${i}]`;
    if (m.service === undefined && m.method === undefined) p.add(at, 'a gRPC match names a service, a method or both; leave the match out to match every call');
    if (m.service !== undefined && (m.service.length > 1024 || !GRPC_SERVICE.test(m.service))) {
      p.add(`${at}.service`, `${q(m.service)} is not a fully qualified gRPC service such as "helloworld.Greeter" (letters, digits and '_' in dot-separated parts)`);
    }
    if (m.method !== undefined && (m.method.length > 1024 || !GRPC_METHOD.test(m.method))) {
      p.add(`${at}.method`, `${q(m.method)} is not a gRPC method name (letters, digits and '_', not starting with a digit)`);
    }
  });
  return p.list;
}
