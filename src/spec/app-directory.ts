import type { AppSpec } from './app-spec';
import { ResolvedPort, resolvePorts } from './ports';

/** One app as the others see it. */
export interface DirectoryApp {
  readonly name: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** In the mesh (it has a `mesh` section). */
  readonly meshed: boolean;
  readonly ports: ResolvedPort[];
  readonly spec: AppSpec;
}

/** An app that admits another one, on some of its ports. */
export interface Callee {
  readonly app: DirectoryApp;
  /** The ports the caller may reach (their target ports are what the caller's egress allows). */
  readonly ports: ResolvedPort[];
  /** Admitted as a meshed caller (`mesh.allow`) or without a mesh (`allow`). */
  readonly viaMesh: boolean;
}

const key = (namespace: string, name: string) => `${namespace}/${name}`;

/**
 * Every app of a spec set, for what one app must know of the others: who admits it (its egress
 * follows from the callees' specs), and whether a callee is meshed. Built once, in linear time;
 * lookups are map reads.
 */
export class AppDirectory {
  /** A directory of one app (what a SecureApp knows on its own). */
  public static of(specs: AppSpec[]): AppDirectory {
    return new AppDirectory(specs);
  }

  private readonly apps = new Map<string, DirectoryApp>();
  private readonly byServiceAccount = new Map<string, DirectoryApp[]>();
  private readonly byNamespace = new Map<string, DirectoryApp[]>();
  private calleeIndex?: Map<string, Callee[]>;

  public constructor(specs: AppSpec[]) {
    for (const spec of specs) {
      const namespace = spec.metadata.namespace ?? 'default';
      const app: DirectoryApp = {
        name: spec.metadata.name,
        namespace,
        serviceAccount: spec.spec.serviceAccount ?? spec.metadata.name,
        meshed: spec.spec.mesh !== undefined,
        ports: resolvePorts(spec.spec),
        spec,
      };
      if (this.apps.has(key(namespace, app.name))) continue; // reported by the cross-document checks
      this.apps.set(key(namespace, app.name), app);
      push(this.byServiceAccount, key(namespace, app.serviceAccount), app);
      push(this.byNamespace, namespace, app);
    }
  }

  /** Every app, in the order given. */
  public get all(): DirectoryApp[] {
    return [...this.apps.values()];
  }

  public find(namespace: string, name: string): DirectoryApp | undefined {
    return this.apps.get(key(namespace, name));
  }

  /** The apps running as a ServiceAccount. */
  public withServiceAccount(namespace: string, serviceAccount: string): DirectoryApp[] {
    return this.byServiceAccount.get(key(namespace, serviceAccount)) ?? [];
  }

  /** The apps in a namespace. */
  public inNamespace(namespace: string): DirectoryApp[] {
    return this.byNamespace.get(namespace) ?? [];
  }

  /** The apps that admit `app` (by its identity, its name or its namespace), with their ports. */
  public calleesOf(namespace: string, name: string): Callee[] {
    if (!this.calleeIndex) this.calleeIndex = this.buildCalleeIndex();
    return this.calleeIndex.get(key(namespace, name)) ?? [];
  }

  /** One pass over every app's rules: caller -> callees (merged per callee and path). */
  private buildCalleeIndex(): Map<string, Callee[]> {
    const index = new Map<string, Map<string, { app: DirectoryApp; ports: Set<string>; viaMesh: boolean }>>();
    const add = (caller: DirectoryApp, callee: DirectoryApp, portNames: string[] | undefined, viaMesh: boolean) => {
      if (caller === callee) return;
      let callees = index.get(key(caller.namespace, caller.name));
      if (!callees) index.set(key(caller.namespace, caller.name), callees = new Map());
      const k = `${key(callee.namespace, callee.name)}|${viaMesh}`;
      let entry = callees.get(k);
      if (!entry) callees.set(k, entry = { app: callee, ports: new Set(), viaMesh });
      const governed = callee.ports.filter((p) => !viaMesh || !p.bypassMesh);
      for (const p of governed) if (!portNames || portNames.includes(p.name)) entry.ports.add(p.name);
    };
    for (const callee of this.apps.values()) {
      const spec = callee.spec.spec;
      for (const rule of spec.mesh?.allow ?? []) {
        for (const from of rule.from ?? []) {
          for (const caller of this.withServiceAccount(from.namespace, from.serviceAccount)) add(caller, callee, rule.ports, true);
        }
      }
      for (const rule of spec.allow ?? []) {
        for (const from of rule.from ?? []) {
          if (from.app !== undefined) {
            const caller = this.find(from.namespace ?? callee.namespace, from.app);
            if (caller) add(caller, callee, rule.ports, false);
          } else if (from.namespace !== undefined) {
            for (const caller of this.inNamespace(from.namespace)) add(caller, callee, rule.ports, false);
          }
        }
      }
    }
    const out = new Map<string, Callee[]>();
    for (const [caller, callees] of index) {
      out.set(caller, [...callees.values()]
        .map((c) => ({ app: c.app, viaMesh: c.viaMesh, ports: c.app.ports.filter((p) => c.ports.has(p.name)) }))
        .filter((c) => c.ports.length > 0)
        .sort((a, b) => compare(key(a.app.namespace, a.app.name), key(b.app.namespace, b.app.name))));
    }
    return out;
  }
}

function push<T>(map: Map<string, T[]>, k: string, v: T): void {
  const list = map.get(k);
  if (list) list.push(v);
  else map.set(k, [v]);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
