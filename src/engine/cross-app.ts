import { serviceAccountOwner } from '../constructs/service-account-owner';
import { usableByOthers } from '../constructs/validate-spec';
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
 * - an app outside the mesh named as a meshed caller (it has no mesh identity to present);
 * - apps sharing a ServiceAccount that disagree on it (see `serviceAccountIssues`);
 * - Routes and Ingresses claiming what another app claims (see `routeClaimIssues`,
 *   `ingressClaimIssues`).
 * `usable` tells the apps whose declarations are read (`usableByOthers`, unless the run has
 * already asked it of every document).
 */
export function crossAppIssues(all: CrossAppEntry[], cluster: ClusterContext, directory: AppDirectory, usable: (spec: unknown) => boolean = usableByOthers): SpecIssue[] {
  // An app with errors in its shape or identity has its own problems; what it declares of others is not read.
  const entries = all.filter((e) => usable(e.spec));
  // The checks of who calls whom read the directory, which needs every app readable (the others have their own problems).
  const readable = entries.length === all.length;
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
      for (const callee of readable ? directory.calleesOf(ns, name) : []) {
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
        for (const caller of readable ? directory.withServiceAccount(from.namespace, from.serviceAccount) : []) {
          if (!caller.meshed) {
            issues.push({ file: e.file, app: e.label, field: `spec.mesh.allow[${i}].from[${j}]`, message: `${caller.namespace}/${caller.name} runs as this ServiceAccount but is not meshed: it has no mesh certificate, so the sidecar refuses it; give ${caller.name} a mesh section, or admit it without the mesh on a bypassMesh port` });
          }
        }
      }
    }
  }
  issues.push(...(readable ? serviceAccountIssues(entries, directory) : []), ...routeClaimIssues(entries), ...ingressClaimIssues(entries));
  return issues;
}

const namespaceOf = (e: CrossAppEntry) => e.spec.metadata.namespace ?? 'default';
const q = (v: unknown) => JSON.stringify(v);
/** Labels or annotations, comparable whatever their order. */
const canonical = (m: { readonly [k: string]: string } | undefined) => JSON.stringify(Object.entries(m ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/**
 * Apps of one namespace running as one ServiceAccount share one object, written by its owner
 * (`serviceAccountOwner`: the first app by name). Refused:
 * - an app that takes another app's own ServiceAccount (that app sets no `serviceAccount`, so
 *   the account is its identity by default) without that app naming it too: sharing an identity
 *   (mesh certificates, RBAC) must be declared by both sides;
 * - sharers whose `metadata.labels` or `metadata.annotations` differ from the owner's: the one
 *   object can carry only the owner's, so the others' would be silently dropped.
 */
export function serviceAccountIssues(entries: CrossAppEntry[], directory: AppDirectory): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const byKey = new Map(entries.map((e) => [`${namespaceOf(e)}/${e.spec.metadata.name}`, e]));
  for (const e of entries) {
    const ns = namespaceOf(e);
    const name = e.spec.metadata.name;
    const account = e.spec.spec.serviceAccount ?? name;
    const sharers = directory.withServiceAccount(ns, account);
    if (sharers.length < 2) continue;
    const where = (a: { name: string }) => { const x = byKey.get(`${ns}/${a.name}`); return x ? `${x.label} (${x.file})` : a.name; };
    const own = sharers.find((a) => a.name === account && a.spec.spec.serviceAccount === undefined);
    if (own && own.name !== name && e.spec.spec.serviceAccount !== undefined) {
      issues.push({
        file: e.file, app: e.label, field: 'spec.serviceAccount',
        message: `${q(account)} is the ServiceAccount of ${where(own)}, which sets no serviceAccount (it runs as its own name): running as it gives this app ${own.name}'s identity (mesh certificate, RBAC); set serviceAccount: ${account} on ${own.name} too to share it deliberately, or choose another name`,
      });
      continue;
    }
    const ownerName = serviceAccountOwner(directory, ns, account, name);
    if (ownerName === name) continue;
    const owner = sharers.find((a) => a.name === ownerName)!;
    for (const part of ['labels', 'annotations'] as const) {
      if (canonical(e.spec.metadata[part]) === canonical(owner.spec.metadata[part])) continue;
      issues.push({
        file: e.file, app: e.label, field: `metadata.${part}`,
        message: `differ from those of ${where(owner)}, which shares ServiceAccount ${q(account)} and writes it (the first app by name writes a shared ServiceAccount): the one object can carry only one set of ${part}; give the apps the same metadata.${part}, or separate ServiceAccounts`,
      });
    }
  }
  return issues;
}

/** What a Route asks of the router. */
interface RouteClaim {
  readonly entry: CrossAppEntry;
  readonly namespace: string;
  /** The host, or the one OpenShift generates (`<name>-<namespace>.<apps domain>`). */
  readonly host: string;
  readonly generated: boolean;
  /** The path; none and "/" are one claim (both take every request of the host). */
  readonly path: string;
  readonly wildcard: boolean;
  readonly passthrough: boolean;
  /** Has a `tls` section (every termination but none). */
  readonly tls: boolean;
  readonly shard: string;
}

const APPS_DOMAIN = '<apps domain>';

function routeClaim(e: CrossAppEntry): RouteClaim | undefined {
  const r = e.spec.spec.route;
  if (!r) return undefined;
  const namespace = namespaceOf(e);
  const termination = r.termination ?? 'edge';
  return {
    entry: e,
    namespace,
    host: r.host ?? `${e.spec.metadata.name}-${namespace}.${APPS_DOMAIN}`,
    generated: r.host === undefined,
    path: r.path === undefined || r.path === '/' ? '/' : r.path,
    wildcard: r.wildcardPolicy === 'Subdomain',
    passthrough: termination === 'passthrough',
    tls: termination !== 'none',
    shard: canonical(r.shardLabels),
  };
}

/** The domain a wildcard route for `host` serves (`www.example.com` -> `example.com`), as the router computes it. */
const domainOf = (host: string) => (host.includes('.') ? host.slice(host.indexOf('.') + 1) : '');

/**
 * Routes that the OpenShift router would refuse (HostAlreadyClaimed) or shadow, as its host
 * admission does (openshift/router pkg/router/controller: unique_host.go, host_admitter.go and
 * hostindex, with the default namespace ownership check): a host belongs to the namespace that
 * claimed it first, so a Route of another namespace with the same host (or under a wildcard
 * route's domain, or a wildcard over a host) is refused; within a namespace one route per host
 * and path (no path and "/" both take every request), and a passthrough route owns its host. A
 * Route without host gets `<name>-<namespace>.<apps domain>`, which two apps can share
 * (`a-b` in `c`, `a` in `b-c`). Which of two claimants loses depends on which the router sees
 * first, so the later one in the run is reported, naming the earlier. Routes for different
 * router shards are only warned about: separate routers do not see each other's routes.
 */
export function routeClaimIssues(entries: CrossAppEntry[]): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const byHost = new Map<string, RouteClaim[]>();
  const wildcards = new Map<string, RouteClaim[]>();
  /** Per domain, the first non-wildcard route of each namespace (they block a wildcard of another namespace). */
  const hostsUnder = new Map<string, Map<string, RouteClaim>>();
  for (const e of entries) {
    const c = routeClaim(e);
    if (!c) continue;
    const domain = domainOf(c.host);
    const conflict = ((): { other: RouteClaim; field: string; why: string } | undefined => {
      for (const o of byHost.get(c.host) ?? []) {
        const host = c.generated && o.generated ? `the generated host ${q(c.host)} (<name>-<namespace>.<apps domain>)` : `host ${q(c.host)}`;
        if (o.namespace !== c.namespace) return { other: o, field: 'spec.route.host', why: `${host} is also claimed in namespace ${q(o.namespace)}: the router gives a host to the namespace that claims it first and refuses the other's routes (HostAlreadyClaimed)` };
        if (o.path === c.path) return { other: o, field: c.path === '/' ? 'spec.route.host' : 'spec.route.path', why: `${host} ${c.path === '/' ? 'with no path (or "/", the same: every request)' : `and path ${q(c.path)}`} ${c.path === '/' ? 'is' : 'are'} also claimed: the router admits one route per host and path and refuses the other (HostAlreadyClaimed)` };
        if ((c.passthrough || o.passthrough) && c.tls && o.tls) return { other: o, field: 'spec.route.host', why: `${host} has ${c.passthrough ? 'this' : 'a'} passthrough route${o.passthrough ? ' there' : ''}: the router sees only the TLS server name of a passthrough connection, so a passthrough route owns its host whole and the router refuses the other (HostAlreadyClaimed)` };
      }
      if (!domain) return undefined;
      for (const o of wildcards.get(domain) ?? []) {
        if (o.namespace !== c.namespace) return { other: o, field: 'spec.route.host', why: `the wildcard route for *.${domain} (host ${q(o.host)}, wildcardPolicy Subdomain) is in namespace ${q(o.namespace)}: the router refuses ${c.wildcard ? 'a second wildcard for the domain' : `host ${q(c.host)}`} from another namespace (HostAlreadyClaimed)` };
        if (c.wildcard && o.path === c.path) return { other: o, field: 'spec.route.wildcardPolicy', why: `the wildcard *.${domain}${c.path === '/' ? '' : ` with path ${q(c.path)}`} is also claimed (host ${q(o.host)}): the router admits one wildcard route per domain and path and refuses the other (HostAlreadyClaimed)` };
      }
      if (c.wildcard) {
        for (const [ns, o] of hostsUnder.get(domain) ?? []) {
          if (ns !== c.namespace) return { other: o, field: 'spec.route.wildcardPolicy', why: `a wildcard for *.${domain} would cover host ${q(o.host)} of namespace ${q(ns)}: the router refuses a wildcard route over another namespace's host (HostAlreadyClaimed)` };
        }
      }
      return undefined;
    })();
    if (conflict) {
      const { other, field, why } = conflict;
      const warning = other.shard !== c.shard;
      issues.push({
        file: e.file, app: e.label, field, ...(warning ? { warning } : {}),
        message: `${why}; the other route is ${other.entry.label}'s in ${other.entry.file}${warning ? ' (on another router shard: a conflict unless the two shards are served by routers that do not see each other\'s routes)' : ''}: one of the two apps is not reachable; use another host${field === 'spec.route.path' ? ' or path' : ''}`,
      });
    }
    push(byHost, c.host, c);
    if (c.wildcard && domain) push(wildcards, domain, c);
    if (!c.wildcard && domain) {
      let under = hostsUnder.get(domain);
      if (!under) hostsUnder.set(domain, under = new Map());
      if (!under.has(c.namespace)) under.set(c.namespace, c);
    }
  }
  return issues;
}

/**
 * Ingresses of one ingress class with the same host and path: ingress-nginx's admission webhook
 * refuses the second in any namespace ("host ... and path ... is already defined in ingress ...").
 */
export function ingressClaimIssues(entries: CrossAppEntry[]): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const claims = new Map<string, CrossAppEntry>();
  for (const e of entries) {
    const ing = e.spec.spec.ingress;
    if (!ing || typeof ing.host !== 'string') continue;
    const path = ing.path ?? '/';
    const key = `${ing.className ?? ''}\0${ing.host}\0${path}`;
    const other = claims.get(key);
    if (!other) { claims.set(key, e); continue; }
    issues.push({
      file: e.file, app: e.label, field: 'spec.ingress.host',
      message: `host ${q(ing.host)} and path ${q(path)} are also claimed by ${other.label}'s Ingress in ${other.file}${ing.className ? ` (class ${q(ing.className)})` : ''}: ingress-nginx refuses the second Ingress with the same host and path in any namespace ("already defined in ingress"); use another host or path`,
    });
  }
  return issues;
}

function push<T>(map: Map<string, T[]>, k: string, v: T): void {
  const list = map.get(k);
  if (list) list.push(v);
  else map.set(k, [v]);
}
