/**
 * Which manifest the fast rendering built last as plain data (`fastRendering` with
 * `alphabeticalConverter`). A module of its own, without cdk8s, so that the pipeline can ask
 * without loading cdk8s for commands that render nothing (`validate`).
 */
let lastBuiltPlain: object | undefined;

/** Called by the fast rendering: `manifest` (or, with undefined, none) is what the render in progress built as plain data. */
export function setBuiltPlain(manifest: object | undefined): void {
  lastBuiltPlain = manifest;
}

/**
 * Whether `manifest` is what the last `toJson()` of a fast-rendered object returned, rendered
 * without its converter (`alphabeticalConverter`): plain objects and arrays built key by key for
 * that render and shared with no other value (their leaves are the props' own primitive values),
 * so the caller may keep it instead of a copy. Ask right after the `toJson()` call: only the last
 * manifest is remembered (nothing is kept per object).
 */
export function isBuiltPlain(manifest: unknown): boolean {
  return manifest !== undefined && manifest === lastBuiltPlain;
}
