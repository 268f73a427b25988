import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './util';

/**
 * The layers of src/ and what each may import (README "Project layout"). A file imports only
 * from its own layer or from a layer listed for it; the package index re-exports them all.
 */
const ALLOWED: { [layer: string]: string[] } = {
  render: [],
  spec: ['render'],
  analysis: ['spec', 'render'],
  constructs: ['spec', 'render', 'analysis'],
  engine: ['constructs', 'spec', 'render', 'analysis'],
  cli: ['engine', 'constructs', 'spec', 'render', 'analysis'],
};

const SRC = path.join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(full) : e.name.endsWith('.ts') ? [full] : [];
  });
}

/** Relative imports of a file (import, export ... from, require), resolved to files under src/. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from\s+|require\(|import\()\s*['"](\.[^'"]+)['"]/g)].map((m) => m[1]);
  return specs.map((s) => {
    const base = path.resolve(path.dirname(file), s);
    for (const candidate of [`${base}.ts`, path.join(base, 'index.ts'), base]) if (fs.existsSync(candidate)) return candidate;
    return base;
  });
}

const layerOf = (file: string, src = SRC) => path.relative(src, file).split(path.sep)[0];

/** Imports that cross the layer rules, as "file -> target". */
function layerViolations(src: string): string[] {
  const violations: string[] = [];
  for (const file of sourceFiles(src)) {
    if (file === path.join(src, 'index.ts')) continue;
    const layer = layerOf(file, src);
    for (const target of importsOf(file)) {
      if (!target.startsWith(src + path.sep)) continue; // imports/, schema/: generated data
      const to = layerOf(target, src);
      if (to !== layer && !(ALLOWED[layer] ?? []).includes(to)) violations.push(`${path.relative(src, file)} -> ${path.relative(src, target)}`);
    }
  }
  return violations;
}

describe('architecture', () => {
  const files = sourceFiles(SRC);

  test('every file of src/ is in a known layer (or is the package index)', () => {
    const unknown = files.filter((f) => f !== path.join(SRC, 'index.ts') && !(layerOf(f) in ALLOWED));
    expect(unknown.map((f) => path.relative(ROOT, f))).toEqual([]);
  });

  test('files import only from their own layer or the layers below it', () => {
    expect(layerViolations(SRC)).toEqual([]);
  });

  test('there is no import cycle between files', () => {
    const graph = new Map(files.map((f) => [f, importsOf(f).filter((t) => t.startsWith(SRC))]));
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (f: string, trail: string[]) => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'open') { cycles.push([...trail.slice(trail.indexOf(f)), f].map((x) => path.relative(SRC, x)).join(' -> ')); return; }
      state.set(f, 'open');
      for (const t of graph.get(f) ?? []) visit(t, [...trail, f]);
      state.set(f, 'done');
    };
    for (const f of files) visit(f, []);
    expect(cycles).toEqual([]);
  });

  test('fails when a construct imports the engine (the check finds it)', () => {
    const src = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'layers-'));
    try {
      fs.mkdirSync(path.join(src, 'constructs'));
      fs.mkdirSync(path.join(src, 'engine'));
      fs.writeFileSync(path.join(src, 'engine', 'synth.ts'), 'export const x = 1;\n');
      fs.writeFileSync(path.join(src, 'constructs', 'app.ts'), "import { x } from '../engine/synth';\nexport const y = x;\n");
      expect(layerViolations(src)).toEqual([`constructs${path.sep}app.ts -> engine${path.sep}synth.ts`]);
    } finally {
      fs.rmSync(src, { recursive: true, force: true });
    }
  });

  test('tests make their Apps with testApp() and testChart(): cdk8s\' Testing helpers for them leave a folder in the temporary directory per call', () => {
    const TEST = path.join(ROOT, 'test');
    // Comments may name them; code may not (Testing.synth renders a chart and writes nothing).
    const code = (f: string) => fs.readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
    const leaving = sourceFiles(TEST).filter((f) => /Testing\s*\.\s*(app|chart)\b|\{[^}]*\b(app|chart)\b[^}]*\}\s*=\s*Testing\b/.test(code(f)));
    expect(leaving.map((f) => path.relative(ROOT, f))).toEqual([]);
  });
});
