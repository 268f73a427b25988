/**
 * Generators for the property tests: valid spec sets (several apps, every option, environments,
 * a Cluster document), and mutations of them that no spec may survive. A spec set is made from
 * a few random choices by `buildSpecSet`, which keeps it valid by construction (the rules it
 * follows are the cross-app rules: see the comments), so a failure of a property is a bug of the
 * tool or a rule this file does not know yet, never a random invalid spec.
 */
import fc from 'fast-check';
import * as yaml from 'js-yaml';

/** Seeds are fixed (FC_SEED, default 20261123) so CI failures reproduce; FC_RUNS=N makes a longer run. */
export const SEED = Number(process.env.FC_SEED ?? 20261123);
fc.configureGlobal({ seed: SEED });

/** The runs of a property: its default in CI, or FC_RUNS. */
export function runs(defaultRuns: number): number {
  return process.env.FC_RUNS ? Number(process.env.FC_RUNS) : defaultRuns;
}

/** A jest timeout for `n` runs of about `msPerRun` each (at least jest's default of this project). */
export function timeoutFor(n: number, msPerRun: number): number {
  return Math.max(60_000, n * msPerRun * 2);
}

const APP_NAMES = ['web', 'api', 'cart', 'pay', 'stock', 'mail'];
const NAMESPACES = ['shop', 'data', 'edge'];
/** ServiceAccounts apps may share: never an app's name (taking another app's own account is refused). */
const SHARED_ACCOUNTS = ['shared', 'runner'];

type PortKind = 'http' | 'grpc' | 'metrics' | 'https';
const PORTS: { [k in PortKind]: { name: string; port: number; protocol: 'http' | 'grpc' | 'https' } } = {
  http: { name: 'http', port: 8080, protocol: 'http' },
  grpc: { name: 'grpc', port: 9090, protocol: 'grpc' },
  metrics: { name: 'metrics', port: 9100, protocol: 'http' },
  https: { name: 'https', port: 8443, protocol: 'https' },
};

/** The random choices of one app. */
export interface AppChoice {
  readonly namespace: number;
  readonly serviceAccount: number;
  readonly ports: PortKind[];
  readonly replicas: number;
  readonly autoscaled: boolean;
  readonly resources: number;
  readonly probes: boolean;
  readonly env: boolean;
  readonly command: boolean;
  readonly route: number;
  readonly routeHost: boolean;
  readonly routePath: boolean;
  readonly routeExtras: boolean;
  readonly ingress: boolean;
  readonly allow: number;
  readonly meshAllow: number;
  readonly meshHttp: boolean;
  readonly meshIngress: boolean;
  readonly egress: number;
  readonly networkPolicy: boolean;
  readonly environments: boolean;
}

/** The random choices of a spec set. */
export interface SetChoice {
  readonly platform: 'openshift' | 'kubernetes';
  /** Per namespace: in the mesh (every app of a meshed namespace is meshed: a shared ServiceAccount is one identity). */
  readonly meshedNamespaces: boolean[];
  /** Per namespace: labels every app of it carries (apps sharing a ServiceAccount must agree on them). */
  readonly teamLabels: boolean[];
  readonly apps: AppChoice[];
  readonly clusterEnvironments: boolean;
}

const appChoice: fc.Arbitrary<AppChoice> = fc.record({
  namespace: fc.nat(NAMESPACES.length - 1),
  serviceAccount: fc.nat(SHARED_ACCOUNTS.length),
  ports: fc.subarray(['http', 'grpc', 'metrics', 'https'] as PortKind[]),
  replicas: fc.integer({ min: 0, max: 5 }),
  autoscaled: fc.boolean(),
  resources: fc.nat(3),
  probes: fc.boolean(),
  env: fc.boolean(),
  command: fc.boolean(),
  route: fc.nat(3),
  routeHost: fc.boolean(),
  routePath: fc.boolean(),
  routeExtras: fc.boolean(),
  ingress: fc.boolean(),
  allow: fc.nat(2),
  meshAllow: fc.nat(2),
  meshHttp: fc.boolean(),
  meshIngress: fc.boolean(),
  egress: fc.nat(4),
  networkPolicy: fc.boolean(),
  environments: fc.boolean(),
});

export const setChoice: fc.Arbitrary<SetChoice> = fc.record({
  platform: fc.constantFrom('openshift' as const, 'kubernetes' as const),
  meshedNamespaces: fc.array(fc.boolean(), { minLength: NAMESPACES.length, maxLength: NAMESPACES.length }),
  teamLabels: fc.array(fc.boolean(), { minLength: NAMESPACES.length, maxLength: NAMESPACES.length }),
  apps: fc.array(appChoice, { minLength: 1, maxLength: APP_NAMES.length }),
  clusterEnvironments: fc.boolean(),
});

/** A spec set: the documents of each file. */
export interface SpecSet {
  /** File name (relative) to its documents. */
  readonly files: Map<string, unknown[]>;
}

const RESOURCES = [
  undefined,
  { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
  { requests: { cpu: '0.5', memory: '1e9' }, limits: { cpu: '1', memory: '1Gi' } },
  { requests: { cpu: '250m', memory: '64Mi', 'ephemeral-storage': '1Gi' }, limits: { cpu: '250m', memory: '64Mi', 'ephemeral-storage': '2G' } },
];

/** Builds a valid spec set from the choices: one file per app, and cluster.yaml. */
export function buildSpecSet(c: SetChoice): SpecSet {
  const openshift = c.platform === 'openshift';
  const files = new Map<string, unknown[]>();
  const apps = c.apps.map((a, i) => ({ choice: a, name: APP_NAMES[i], namespace: NAMESPACES[a.namespace], meshed: c.meshedNamespaces[a.namespace] }));
  const owners = new Set<string>();
  for (const [i, app] of apps.entries()) {
    const a = app.choice;
    const { name, namespace, meshed } = app;
    const ports = a.ports.map((k) => ({ ...PORTS[k], ...(k === 'https' && meshed ? { bypassMesh: true } : {}) }));
    const httpPorts = ports.filter((p) => p.protocol === 'http');
    const https = ports.find((p) => p.protocol === 'https');
    const spec: Record<string, any> = { image: `quay.io/acme/${name}:1.${i}.0` };
    // One app per namespace owns (and, when meshed, enrols) it: the first one.
    if (!owners.has(namespace)) { owners.add(namespace); spec.ownsNamespace = true; }
    if (a.serviceAccount > 0) spec.serviceAccount = SHARED_ACCOUNTS[a.serviceAccount - 1];
    if (a.autoscaled) spec.autoscaled = true;
    else spec.replicas = a.replicas;
    if (a.command) { spec.command = ['/app/server']; spec.args = ['--port', '8080']; }
    if (a.env) spec.env = { LOG_LEVEL: 'info', 'feature.flag': 'on' };
    if (RESOURCES[a.resources]) spec.resources = RESOURCES[a.resources];
    if (ports.length) spec.ports = ports;
    if (https) spec.tls = openshift ? { source: 'serviceCA' } : { source: 'certManager', issuer: { name: 'internal-ca', kind: 'ClusterIssuer' } };
    if (a.probes) {
      spec.probes = ports.length
        ? { readiness: { tcpSocket: { port: ports[0].name }, periodSeconds: 5, failureThreshold: 3 }, liveness: httpPorts.length ? { httpGet: { path: '/healthz', port: httpPorts[0].name }, periodSeconds: 20 } : { tcpSocket: { port: ports[0].port }, periodSeconds: 30, successThreshold: 1 } }
        : { readiness: { exec: { command: ['/bin/true'] } }, startup: { exec: { command: ['/bin/true'] }, failureThreshold: 30 } };
    }
    // Routes (OpenShift only): edge onto a plain http port, passthrough and reencrypt onto the TLS port.
    const termination = (['', 'edge', 'passthrough', 'reencrypt'] as const)[a.route];
    if (openshift && termination) {
      const port = termination === 'edge' ? httpPorts[0] : https;
      if (port) {
        const route: Record<string, any> = { port: port.name, termination };
        if (a.routeHost) route.host = `${name}.${namespace}.apps.example.com`;
        if (a.routePath && termination === 'edge') route.path = '/api';
        if (a.routeExtras && termination === 'edge') Object.assign(route, { timeout: '30s', hsts: { maxAge: 31536000, includeSubDomains: true }, allowedSourceRanges: ['203.0.113.0/24'] });
        spec.route = route;
      }
    }
    if (a.ingress && httpPorts.length) spec.ingress = { host: `${name}.${namespace}.example.com`, className: 'nginx', port: httpPorts[0].name };
    // Callers outside the mesh: only unmeshed apps admit this way, and only callers outside the mesh.
    const unmeshedOthers = apps.filter((o) => o !== app && !o.meshed);
    if (!meshed && ports.length && a.allow === 1 && unmeshedOthers.length) spec.allow = [{ from: [{ app: unmeshedOthers[0].name, namespace: unmeshedOthers[0].namespace }] }];
    if (!meshed && ports.length && a.allow === 2) spec.allow = [{ from: [{ ipRange: '10.128.0.0/14' }], ports: [ports[0].name] }];
    if (meshed) {
      const mesh: Record<string, any> = {};
      // Meshed callers: the identities of other meshed apps (one rule per caller identity).
      const callers = [...new Map(apps.filter((o) => o !== app && o.meshed).map((o) => {
        const account = o.choice.serviceAccount > 0 ? SHARED_ACCOUNTS[o.choice.serviceAccount - 1] : o.name;
        return [`${o.namespace}/${account}`, { serviceAccount: account, namespace: o.namespace }];
      })).values()].slice(0, a.meshAllow);
      const governed = ports.filter((p) => !('bypassMesh' in p));
      if (callers.length && governed.length) {
        // The default rule name is <app>-from-<ServiceAccount>: callers of two namespaces with one account name get their own.
        const named = (from: { serviceAccount: string; namespace: string }) => (callers.filter((o) => o.serviceAccount === from.serviceAccount).length > 1 ? { name: `${name}-from-${from.namespace}-${from.serviceAccount}` } : {});
        mesh.allow = callers.map((from) => (a.meshHttp && httpPorts.length
          ? { ...named(from), from: [from], ports: [httpPorts[0].name], http: [{ name: 'reads', pathRegex: '/api/.*', methods: ['GET', 'HEAD'] }] }
          : { ...named(from), from: [from] }));
      }
      if (a.meshIngress && governed.length) mesh.ingress = { port: governed[0].name, from: [{ ipRange: '10.0.0.0/8' }] };
      spec.mesh = mesh;
    }
    if (a.egress === 1) spec.egress = { to: [{ name: 'ext-db', ipRanges: ['10.20.0.0/16'], ports: [{ port: 5432 }] }] };
    if (a.egress === 2) spec.egress = { kubernetesApi: true, to: [{ name: 'ext-cache', ipRanges: ['192.0.2.0/24'], ports: [{ port: 6379, protocol: 'tcp' }] }] };
    if (a.egress === 3 && meshed) spec.egress = { to: [{ name: 'payments', hosts: ['api.payments.example.com'], ports: [{ port: 443, protocol: 'https' }] }] };
    if (a.egress === 4) spec.egress = { unrestricted: true };
    if (!a.networkPolicy) spec.networkPolicy = false;
    if (a.environments) {
      spec.environments = {
        prod: { ...(a.autoscaled ? {} : { replicas: a.replicas + 2 }), ...(spec.route?.host ? { route: { host: `${name}.${namespace}.apps.prod.example.com` } } : {}) },
        dev: { env: { LOG_LEVEL: 'debug' } },
      };
    }
    const metadata: Record<string, any> = { name, namespace };
    if (c.teamLabels[NAMESPACES.indexOf(namespace)]) { metadata.labels = { team: namespace }; metadata.annotations = { 'example.com/owner': `${namespace}-team` }; }
    files.set(`${name}.yaml`, [{ apiVersion: 'cdk8s-zerotrust/v1alpha1', kind: 'App', metadata, spec }]);
  }
  const cluster: Record<string, any> = {
    platform: c.platform,
    ingressControllers: [{ classNames: ['nginx'], namespace: 'ingress-nginx' }],
    // The namespaces of the router and the ingress controller are monitored (without sidecars), so that OSM admits them as sources.
    mesh: { provider: 'osm', namespace: 'osm-system', permissive: false, enableEgress: false, monitoredNamespaces: openshift ? ['openshift-ingress', 'ingress-nginx'] : ['ingress-nginx'] },
  };
  if (!openshift) cluster.apiServer = { cidrs: ['172.20.0.1/32'], port: 6443 };
  if (c.clusterEnvironments) cluster.environments = { prod: { mesh: { enableEgress: false } } };
  files.set('cluster.yaml', [{ apiVersion: 'cdk8s-zerotrust/v1alpha1', kind: 'Cluster', metadata: { name: 'test' }, spec: cluster }]);
  return { files };
}

/** A spec set as YAML text per file. */
export function specTexts(set: SpecSet): Map<string, string> {
  return new Map([...set.files].map(([f, docs]) => [f, docs.map((d) => yaml.dump(d, { lineWidth: -1, noRefs: true })).join('---\n')]));
}

export const validSpecSet: fc.Arbitrary<SpecSet> = setChoice.map(buildSpecSet);

/* ---------------------------------------------------------------- mutations */

/** A path into a document: keys and indexes. */
type Path = Array<string | number>;

/** Every list and mapping of a document below its top level, with its path. */
function containers(v: unknown, at: Path = []): Path[] {
  if (v === null || typeof v !== 'object') return [];
  const children = Array.isArray(v) ? v.map((x, i) => [i, x] as const) : Object.entries(v);
  return [...(at.length > 0 ? [at] : []), ...children.flatMap(([k, x]) => containers(x, [...at, k]))];
}

/** Every leaf (scalar) of a document with its path. */
function leaves(v: unknown, at: Path = []): Array<{ path: Path; value: unknown }> {
  if (Array.isArray(v)) return v.flatMap((x, i) => leaves(x, [...at, i]));
  if (v !== null && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => leaves(x, [...at, k]));
  return [{ path: at, value: v }];
}

function setAt(doc: any, path: Path, value: unknown): any {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const copy: any = Array.isArray(doc) ? [...doc] : { ...doc };
  copy[head] = setAt(doc[head], rest, value);
  return copy;
}

function removeAt(doc: any, path: Path): any {
  const [head, ...rest] = path;
  const copy: any = Array.isArray(doc) ? [...doc] : { ...doc };
  if (rest.length === 0) delete copy[head];
  else copy[head] = removeAt(doc[head], rest);
  return copy;
}

function has(doc: any, path: Path): boolean {
  let v = doc;
  for (const k of path) { if (v === null || typeof v !== 'object' || !(k in v)) return false; v = v[k]; }
  return true;
}

/** What a mutation did, for the failure report. */
export interface Mutation {
  readonly kind: 'wrong type' | 'out of range' | 'bad name' | 'removed' | 'random bytes' | 'deep nesting';
  readonly file: string;
  readonly what: string;
  /** The mutated file's new content. */
  readonly content: string | Uint8Array;
}

/** Values of another type than a leaf's, none of which any field of that type accepts. */
function wrongTypeFor(value: unknown): unknown[] {
  if (typeof value === 'number') return ['many', true, { n: value }, [value]];
  if (typeof value === 'boolean') return ['yes', 1, { on: value }];
  // a string field (also the number-or-name probe ports): never a boolean, list or mapping
  return [true, false, [value], { value }];
}

/** Numbers no field accepts (every number of a spec is a whole number >= 0), and ones above int32 for fields that are int32. */
const OUT_OF_RANGE = [-1, -65536, 1.5, 0.25];
const ABOVE_INT32 = [2 ** 31, 2 ** 40];
/** Number fields without an int32 bound (seconds in an annotation, int64 grace periods). */
const UNBOUNDED = new Set(['maxAge', 'terminationGracePeriodSeconds']);

/** Fields whose values are names with rules (DNS labels and subdomains, port names, label keys). */
const NAME_FIELDS: Path[] = [
  ['metadata', 'name'], ['metadata', 'namespace'], ['spec', 'serviceAccount'], ['spec', 'ports', 0, 'name'],
  ['spec', 'egress', 'to', 0, 'name'], ['spec', 'route', 'host'], ['spec', 'ingress', 'host'], ['spec', 'image'],
];
const BAD_NAMES = ['Web_1', '-x', 'x-', 'a'.repeat(64), 'UPPER', 'with space', 'dots..dots', '', '*', 'ü'];

/** Required fields, removed when the document has them. */
const REQUIRED: Path[] = [
  ['metadata'], ['metadata', 'name'], ['spec'], ['spec', 'image'], ['spec', 'ports', 0, 'name'], ['spec', 'ports', 0, 'port'],
  ['spec', 'egress', 'to', 0, 'name'], ['spec', 'egress', 'to', 0, 'ports'], ['spec', 'mesh', 'allow', 0, 'from'],
  ['spec', 'ingress', 'host'], ['spec', 'tls', 'source'], ['spec', 'mesh', 'ingress', 'from'],
];

function nested(depth: number, list: boolean): unknown {
  let v: unknown = 'deep';
  for (let i = 0; i < depth; i++) v = list ? [v] : { a: v };
  return v;
}

const isNumberLeaf = (l: { value: unknown }) => typeof l.value === 'number';

/**
 * A mutation of one app document of a valid set that makes it invalid, whatever the rest: a
 * scalar of the wrong type, a number out of its range, a name breaking its rule, a required field
 * removed, nesting where a scalar belongs, or the file replaced by random bytes that YAML does
 * not read as nothing (an empty file is another matter: see the data-loss checks).
 */
export function mutation(set: SpecSet): fc.Arbitrary<Mutation> {
  const appFiles = [...set.files.keys()].filter((f) => f !== 'cluster.yaml');
  return fc.constantFrom(...appFiles).chain((file) => {
    const doc = set.files.get(file)![0] as any;
    const all = leaves(doc).filter((l) => l.path[0] !== 'apiVersion' && l.path[0] !== 'kind');
    const numbers = all.filter(isNumberLeaf);
    const names = NAME_FIELDS.filter((p) => has(doc, p));
    const required = REQUIRED.filter((p) => has(doc, p));
    const write = (kind: Mutation['kind'], what: string, d: unknown): Mutation => ({ kind, file, what, content: yaml.dump(d, { lineWidth: -1, noRefs: true }) });
    const lists = containers(doc);
    const options: Array<fc.Arbitrary<Mutation>> = [
      // a list or mapping replaced by a scalar: every one of them is typed as a list or mapping
      // (null too, except in an environment, where it removes the field)
      fc.constantFrom(...lists).chain((p) => fc.constantFrom<unknown>(5, 'text', true, ...(p[1] === 'environments' ? [] : [null]))
        .map((v) => write('wrong type', `${p.join('.')}: ${JSON.stringify(v)}`, setAt(doc, p, v)))),
      fc.constantFrom(...all).chain((l) => fc.constantFrom(...wrongTypeFor(l.value)).map((v) => write('wrong type', `${l.path.join('.')}: ${JSON.stringify(v)}`, setAt(doc, l.path, v)))),
      fc.constantFrom(...all).chain((l) => fc.integer({ min: 101, max: 140 }).chain((depth) => fc.boolean().map((list) => write('deep nesting', `${l.path.join('.')}: ${depth} levels`, setAt(doc, l.path, nested(depth, list)))))),
      fc.constantFrom(...all).chain((l) => fc.integer({ min: 3, max: 60 }).chain((depth) => fc.boolean().map((list) => write('deep nesting', `${l.path.join('.')}: ${depth} levels`, setAt(doc, l.path, nested(depth, list)))))),
      fc.uint8Array({ minLength: 1, maxLength: 200 }).filter((bytes) => {
        try { return yaml.loadAll(Buffer.from(bytes).toString('utf8')).some((d) => d !== null && d !== undefined); } catch { return true; }
      }).map((bytes) => ({ kind: 'random bytes' as const, file, what: Buffer.from(bytes).toString('hex'), content: bytes })),
    ];
    if (numbers.length) {
      options.push(fc.constantFrom(...numbers).chain((l) => fc.constantFrom(...OUT_OF_RANGE, ...(UNBOUNDED.has(String(l.path[l.path.length - 1])) ? [] : ABOVE_INT32))
        .map((v) => write('out of range', `${l.path.join('.')}: ${v}`, setAt(doc, l.path, v)))));
    }
    if (names.length) options.push(fc.constantFrom(...names).chain((p) => fc.constantFrom(...BAD_NAMES).map((v) => write('bad name', `${p.join('.')}: ${JSON.stringify(v)}`, setAt(doc, p, v)))));
    if (required.length) options.push(fc.constantFrom(...required).map((p) => write('removed', p.join('.'), removeAt(doc, p))));
    return fc.oneof(...options);
  });
}
