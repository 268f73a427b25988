import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { ROOT } from './util';

describe('jsii (every cdk8s language)', () => {
  test('the public API compiles with jsii with 0 errors, API.md is fresh, and jsii-pacmak generates the Python module', () => {
    const run = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'jsii.js'), '--pacmak'], { cwd: ROOT, encoding: 'utf8' });
    const output = `${run.stdout}${run.stderr}`;
    expect({ status: run.status, output }).toEqual({ status: 0, output: expect.stringMatching(/jsii: Errors: 0 \|[\s\S]*API\.md is fresh[\s\S]*python: \d+ classes generated/) });
  }, 240_000);
});
