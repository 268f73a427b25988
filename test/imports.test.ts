import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { ROOT } from './util';

describe('vendored CRDs and generated imports', () => {
  test('imports/ is what `cdk8s import` generates from the CRDs cdk8s.yaml lists', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'imports-'));
    try {
      const cli = path.join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s');
      const run = spawnSync(process.execPath, [cli, 'import', '--output', out], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' } });
      expect(run.status).toBe(0);
      const generated = fs.readdirSync(out).sort();
      expect(fs.readdirSync(path.join(ROOT, 'imports')).sort()).toEqual(generated);
      for (const f of generated) expect(fs.readFileSync(path.join(ROOT, 'imports', f), 'utf8')).toBe(fs.readFileSync(path.join(out, f), 'utf8'));
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  test('every CRD cdk8s.yaml imports is vendored in the project, and every vendored file is in a SOURCES.md table', () => {
    const config = yaml.load(fs.readFileSync(path.join(ROOT, 'cdk8s.yaml'), 'utf8')) as { imports: string[] };
    for (const entry of config.imports) {
      const file = entry.replace(/^[a-z0-9-]+:=/, '');
      expect(path.resolve(ROOT, file).startsWith(path.join(ROOT, 'crds') + path.sep)).toBe(true);
      expect(fs.existsSync(path.join(ROOT, file))).toBe(true);
    }
    for (const dir of ['crds', 'crds/istio', 'crds/gateway-api']) {
      const table = fs.readFileSync(path.join(ROOT, dir, 'SOURCES.md'), 'utf8');
      for (const f of fs.readdirSync(path.join(ROOT, dir)).filter((x) => x.endsWith('.yaml'))) expect(table).toContain(f);
    }
  });

  test('nothing in the project reads a folder beside it', () => {
    const offenders: string[] = [];
    for (const dir of ['src', 'test', 'scripts', 'bin', '.ci']) {
      for (const f of fs.readdirSync(path.join(ROOT, dir), { recursive: true }) as string[]) {
        const full = path.join(ROOT, dir, f);
        if (!fs.statSync(full).isFile() || f.endsWith('.snap')) continue;
        if (/\.\.\/shared|'\.\.', 'shared'/.test(fs.readFileSync(full, 'utf8')) && !full.endsWith('imports.test.ts')) offenders.push(path.join(dir, f));
      }
    }
    expect(offenders).toEqual([]);
    expect(fs.readFileSync(path.join(ROOT, 'cdk8s.yaml'), 'utf8')).not.toMatch(/\.\.\//);
  });
});
