import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { largeHeapCollector } from '../../src/cli/heap';
import { ROOT } from '../util';

describe('largeHeapCollector', () => {
  const garbage = () => {
    let keep: unknown[] | undefined = [];
    for (let i = 0; i < 300_000; i++) keep.push({ i, s: `value ${i}` });
    keep = undefined;
    return keep;
  };

  test('collects the heap when at least minBytes of it is in use', () => {
    const collect = largeHeapCollector(0);
    garbage();
    const before = v8.getHeapStatistics().used_heap_size;
    collect();
    expect(v8.getHeapStatistics().used_heap_size).toBeLessThan(before - 10 * 2 ** 20);
  });

  test('leaves a heap with less than minBytes in use alone', () => {
    const collect = largeHeapCollector(Number.MAX_SAFE_INTEGER);
    garbage();
    const before = v8.getHeapStatistics().used_heap_size;
    collect();
    expect(v8.getHeapStatistics().used_heap_size).toBeGreaterThan(before - 5 * 2 ** 20); // a collection frees more than 10 MB here (the test above)
  });

  test('does not give the process\'s own global scope a gc function', () => {
    // In a process of its own (jest's test scopes are contexts made later, which do get it), from lib/ (`npm test` compiles first).
    const heap = path.join(ROOT, 'lib', 'src', 'cli', 'heap.js');
    const script = `const c = require(${JSON.stringify(heap)}).largeHeapCollector(0); c(); process.stdout.write(typeof globalThis.gc);`;
    expect(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })).toBe('undefined');
  });
});
