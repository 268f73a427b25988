import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from '../util';

/**
 * Cold start: a command loads only what it needs (README "Performance"). Runs the built CLI
 * (lib/, as `npm test` builds it first) in a fresh process and lists the modules it loaded.
 */
function modulesLoaded(args: string[]): string[] {
  const script = `
    const { main } = require(${JSON.stringify(path.join(ROOT, 'lib', 'src', 'cli', 'cli.js'))});
    const io = { out: () => {}, err: () => {} };
    const status = main(${JSON.stringify(args)}, io);
    process.stdout.write(JSON.stringify({ status, modules: Object.keys(require.cache) }));`;
  const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' }));
  expect(out.status).toBe(0);
  return out.modules.map((m: string) => path.relative(ROOT, m));
}

const built = fs.existsSync(path.join(ROOT, 'lib', 'src', 'cli', 'cli.js'));

(built ? describe : describe.skip)('lazy loading (built CLI)', () => {
  const spec = path.join(ROOT, 'examples');

  test('validate loads neither the analysis, the trust drawing nor the dev certificates', () => {
    const loaded = modulesLoaded(['validate', spec, '--quiet']);
    for (const m of ['lib/src/engine/verify.js', 'lib/src/analysis/reachability.js', 'lib/src/engine/trust-graph.js', 'lib/src/engine/dev-certs.js', 'lib/src/engine/certificates.js']) {
      expect(loaded).not.toContain(m);
    }
  });

  test('synth loads the analysis and the trust drawing, not the dev certificates', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'lazy-loading-'));
    try {
      const loaded = modulesLoaded(['synth', spec, '--out', out, '--quiet']);
      expect(loaded).toContain('lib/src/engine/verify.js');
      expect(loaded).toContain('lib/src/engine/trust-graph.js');
      expect(loaded).not.toContain('lib/src/engine/dev-certs.js');
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
