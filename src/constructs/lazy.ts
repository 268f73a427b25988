/**
 * A value made on first use, then kept: `lazy(() => require('./x') as typeof X)`, with
 * `import type * as X from './x'`, loads a module only when something needs it (as in
 * engine/pipeline.ts).
 */
export function lazy<T>(load: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= load());
}
