/**
 * A full garbage collection between the pipeline's phases, in a process that offers one: the
 * CLI's own process registers it (src/cli/heap.ts); a library's host process registers nothing and
 * is left alone.
 *
 * Why: after the analysis, the model and the table it held are garbage, but V8 set its heap limit
 * at its last full collection, which falls in the analysis (the live heap then times the growth
 * factor: 1.75 with the CLI's bound). Serialization then fills the heap with garbage up to that
 * limit before anything is collected: 20,000 apps peaked at 0.94-1.02 GB of RSS, and at
 * 0.75-0.77 GB with one full collection after the analysis, in the same time (README "Performance").
 */
let collector: (() => void) | undefined;

/** Registers the collection `collectBetweenPhases` runs (undefined: none). */
export function setPhaseCollector(collect: (() => void) | undefined): void {
  collector = collect;
}

/** Runs the registered collection, if any: called by the pipeline once the analysis is done. */
export function collectBetweenPhases(): void {
  collector?.();
}
