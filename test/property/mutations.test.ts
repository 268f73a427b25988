/**
 * Property: a generated valid spec set with one of its app files mutated (a value of the wrong
 * type, a number out of range, a bad name, a required field removed, nesting where a scalar
 * belongs, random bytes) never crashes the CLI: `cdk8s-zerotrust synth` exits 1, prints only
 * `FILE: APP: field: message` lines (and its summary), never a stack trace, and writes nothing.
 * Seeds are fixed (FC_SEED); `FC_RUNS=2000 npx jest test/property` is the long run.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { main } from '../../src/cli/cli';
import { Mutation, SpecSet, buildSpecSet, mutation, runs, setChoice, specTexts, timeoutFor } from './arbitraries';

/** A spec set on disk with one file mutated, and the CLI's synth run over it. */
function synthMutated(set: SpecSet, m: Mutation): { code: number; out: string[]; err: string[]; written: string[]; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-mutation-'));
  try {
    const specs = path.join(dir, 'specs');
    fs.mkdirSync(specs);
    const files = new Map<string, string | Uint8Array>(specTexts(set));
    files.set(m.file, m.content);
    for (const [file, content] of files) fs.writeFileSync(path.join(specs, file), content);
    const out: string[] = [];
    const err: string[] = [];
    const code = main(['synth', specs, '--out', path.join(dir, 'dist')], { out: (l) => out.push(l), err: (l) => err.push(l) });
    const written = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => !f.startsWith('specs')).sort();
    return { code, out, err, written, dir };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `FILE: APP: message` or `FILE: APP: field: message`, with `warning: ` for warnings; or the summary. */
const ISSUE_LINE = /^[^:\n]+: [^:\n]+: \S.*$/;
const SUMMARY = /^cdk8s-zerotrust: \d+ problems? found; nothing written$/;

const mutatedSet = setChoice.map(buildSpecSet).chain((set) => mutation(set).map((m) => ({ set, m })));

describe('mutations of valid spec sets (property)', () => {
  const n = runs(150);

  test('fail with exit 1 and FILE: APP: field: message lines, no stack trace, nothing written', () => {
    const kinds = new Map<string, number>();
    fc.assert(fc.property(mutatedSet, ({ set, m }) => {
      kinds.set(m.kind, (kinds.get(m.kind) ?? 0) + 1);
      const r = synthMutated(set, m);
      const report = `${m.kind} in ${m.file}: ${m.what}\n${r.err.join('\n')}`;
      expect({ code: r.code, report }).toEqual({ code: 1, report: expect.any(String) });
      expect(r.out).toEqual([]);
      expect(r.written).toEqual([]);
      expect(r.err.length).toBeGreaterThan(1);
      for (const line of r.err) {
        expect({ line, ok: ISSUE_LINE.test(line) || SUMMARY.test(line) }).toEqual({ line, ok: true });
        expect(line).not.toMatch(/^\s+at |internal error|Error:|\n/);
      }
      expect(r.err[r.err.length - 1]).toMatch(SUMMARY);
      // the problem is named in the mutated file (or, for a change another app depends on, in another spec)
      expect(r.err.some((l) => l.startsWith(r.dir) || l.includes(m.file))).toBe(true);
    }), { numRuns: n });
    // every kind of mutation was tried
    expect([...kinds.keys()].sort()).toEqual(n >= 100 ? ['bad name', 'deep nesting', 'out of range', 'random bytes', 'removed', 'wrong type'] : expect.any(Array));
  }, timeoutFor(n, 300));

  const oneApp = (content: string) => synthMutated(
    buildSpecSet({ platform: 'kubernetes', meshedNamespaces: [false, false, false], teamLabels: [false, false, false], clusterEnvironments: false, apps: [] }),
    { kind: 'wrong type', file: 'web.yaml', what: content, content },
  );
  const api = '---\napiVersion: cdk8s-zerotrust/v1alpha1\nkind: App\nmetadata: { name: api }\nspec: { image: quay.io/acme/api:1.0.0 }\n';

  test('fails a list replaced by a scalar that other apps read (mesh.allow: 5) with exit 1 and one problem line (the directory leaves the unreadable app out)', () => {
    const r = oneApp(`apiVersion: cdk8s-zerotrust/v1alpha1\nkind: App\nmetadata: { name: web }\nspec:\n  image: quay.io/acme/web:1.0.0\n  ports: [{ name: http, port: 8080 }]\n  mesh: { allow: 5 }\n${api}`);
    expect(r.code).toBe(1);
    expect(r.err.filter((l) => !/warning: /.test(l)).map((l) => l.replace(`${r.dir}${path.sep}`, ''))).toEqual([
      'specs/web.yaml: web: spec.mesh.allow: 5 is not an array',
      'cdk8s-zerotrust: 1 problem found; nothing written',
    ]);
  });

  // The run's directory of apps reads spec.allow and spec.mesh.allow of every document before
  // validation: another app's validation, its build and the cross-app checks must not trip over
  // a scalar there (the apps that depend on it get a problem naming the cause).
  test.each([
    ['spec.mesh.allow[0].from', '  mesh: { allow: [{ from: 5 }] }'],
    ['spec.mesh.allow[0]', '  mesh: { allow: [null] }'],
    ['spec.allow[0].from[0]', '  allow: [{ from: [7] }]'],
  ])('fails %s replaced by a scalar with exit 1 and problem lines (not an internal error)', (_field, yamlSpec) => {
    const meshedApi = '---\napiVersion: cdk8s-zerotrust/v1alpha1\nkind: App\nmetadata: { name: api }\nspec: { image: quay.io/acme/api:1.0.0, ownsNamespace: true, mesh: {} }\n';
    const r = oneApp(`apiVersion: cdk8s-zerotrust/v1alpha1\nkind: App\nmetadata: { name: web }\nspec:\n  image: quay.io/acme/web:1.0.0\n  ports: [{ name: http, port: 8080 }]\n${yamlSpec}\n${meshedApi}`);
    expect(r.err.join('\n')).not.toMatch(/internal error/);
    expect(r.code).toBe(1);
  });

  // The run's directory of apps reads every document with a name before validation: a scalar
  // spec.ports must not crash it (resolvePorts reads only a list of port objects).
  test('fails spec.ports replaced by a scalar (ports: true) with exit 1 and a problem line', () => {
    const r = oneApp('apiVersion: cdk8s-zerotrust/v1alpha1\nkind: App\nmetadata: { name: web }\nspec:\n  image: quay.io/acme/web:1.0.0\n  ports: true\n');
    expect(r.err.join('\n')).not.toMatch(/internal error/);
    expect(r.code).toBe(1);
  });

  // The pipeline builds an app's Chart (id: its metadata.name) before SecureApp validates it; an
  // empty id must not reach constructs (the chart falls back to "app").
  test('fails an empty metadata.name with exit 1 and a problem line (not an internal error)', () => {
    const set = buildSpecSet({ platform: 'kubernetes', meshedNamespaces: [false, false, false], teamLabels: [false, false, false], clusterEnvironments: false, apps: [] });
    const m: Mutation = { kind: 'bad name', file: 'web.yaml', what: 'metadata.name: ""', content: 'apiVersion: cdk8s-zerotrust/v1alpha1\nkind: App\nmetadata: { name: "" }\nspec: { image: "quay.io/acme/web:1.0.0" }\n' };
    const r = synthMutated(set, m);
    expect(r.code).toBe(1);
    expect(r.err[0]).toMatch(/^[^:]+web\.yaml: document 1: metadata\.name: "" is not a DNS-1035 label/);
  });
});
