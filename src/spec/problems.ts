/** A problem found in props or a spec; `field` is a dotted path relative to what was checked. */
export interface Problem {
  readonly field: string;
  readonly message: string;
  /** A warning is reported but does not refuse the spec. @default false */
  readonly warning?: boolean;
}

/** Collects problems under a path prefix. */
export class Problems {
  public readonly list: Problem[] = [];

  /** Records `message` at `field` when it is defined. */
  public add(field: string, message: string | undefined): void {
    if (message !== undefined) this.list.push({ field, message });
  }

  /** Records a warning at `field`. */
  public warn(field: string, message: string): void {
    this.list.push({ field, message, warning: true });
  }

  /** Records problems found by another check, nested under `prefix`. */
  public nest(prefix: string, problems: readonly Problem[]): void {
    for (const p of problems) this.list.push({ ...p, field: joinPath(prefix, p.field) });
  }
}

/** Throws one error listing every problem, for constructs that validate props early. */
export function throwIfProblems(what: string, problems: readonly Problem[]): void {
  if (problems.length === 0) return;
  throw new Error(`invalid ${what}:\n${problems.map((p) => `  ${p.field}: ${p.message}`).join('\n')}`);
}

/** Joins field paths: `a` + `b` is `a.b`, `a` + `[0]` is `a[0]`; an empty side is left out. */
export function joinPath(prefix: string, field: string): string {
  if (!prefix) return field;
  if (!field) return prefix;
  return field.startsWith('[') ? `${prefix}${field}` : `${prefix}.${field}`;
}
