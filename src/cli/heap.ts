import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { setPhaseCollector } from '../engine/phase-collection';

/**
 * How much V8 lets the heap grow past what was live at its last full collection, in percent, in a
 * CLI process. V8 picks the factor itself, up to 4x on a machine with memory to spare: a synth of
 * 20,000 apps then peaked at 1.15 GB of RSS for about 560 MB of live data, most of it garbage
 * waiting for a collection. At 100% (2x) the same run peaked at 0.98-1.01 GB, too close to the
 * 1 GiB target; at 75% at about 0.9 GB, for 10 full collections instead of 8 (0.25 s more of
 * them, about 1% of the run; at 50%, 0.87 GB for 13 and 1.4 s more). README "Performance";
 * `npm run bench` measures it.
 */
export const CLI_HEAP_GROWING_PERCENT = 75;

/**
 * Bounds the heap's growth between full collections to `CLI_HEAP_GROWING_PERCENT` (V8's
 * `--heap-growing-percent`, which V8 reads at each collection; setting it again changes nothing).
 * Also registers a full collection after the pipeline's analysis when the heap is large
 * (`largeHeapCollector`, engine/phase-collection.ts). For the CLI's own process only: the library
 * never changes the flags of the process it runs in. The bench calls it too, since it measures the
 * CLI's engine in its own process.
 */
export function boundHeapGrowth(): void {
  v8.setFlagsFromString(`--heap-growing-percent=${CLI_HEAP_GROWING_PERCENT}`);
  setPhaseCollector(largeHeapCollector(PHASE_COLLECTION_MIN_HEAP_BYTES));
}

/**
 * The heap in use above which the pipeline's collection between phases runs
 * (engine/phase-collection.ts): below it, what a collection frees is not worth its time (about
 * 0.35 s for 20,000 apps, which later collections then do not have to do).
 */
export const PHASE_COLLECTION_MIN_HEAP_BYTES = 256 * 2 ** 20;

let exposedGc: (() => void) | undefined;

/**
 * A full collection of V8's heap when at least `minBytes` of it is in use. V8 gives its `gc`
 * function to contexts made after `--expose-gc` is set (what the expose-gc package does): the
 * process's own global scope, made before, does not get it (vm contexts made later, such as a test
 * runner's, do).
 */
export function largeHeapCollector(minBytes: number): () => void {
  return () => {
    if (v8.getHeapStatistics().used_heap_size < minBytes) return;
    if (!exposedGc) { // made on first use: a run that never gets there (validate) pays nothing
      v8.setFlagsFromString('--expose-gc');
      exposedGc = vm.runInNewContext('gc') as () => void;
    }
    exposedGc();
  };
}
