/**
 * Property: every generated valid spec set (several apps, every option, environments, a Cluster
 * document) synthesizes without errors, in the base and in the prod environment; every object
 * written passes the conformance checks (its upstream schema); synthesis is byte-identical when
 * repeated; and `kubectl kustomize` builds the output folder where kubectl exists.
 * Seeds are fixed (FC_SEED); `FC_RUNS=2000 npx jest test/property` is the long run.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import * as yaml from 'js-yaml';
import { formatIssue } from '../../src/engine/issues';
import { SpecDocument } from '../../src/engine/load';
import { PipelineResult, runPipeline } from '../../src/engine/pipeline';
import { schemaProblems } from '../util';
import { SpecSet, runs, specTexts, timeoutFor, validSpecSet } from './arbitraries';

/** The documents of a spec set as the load stage reads them: from its YAML text. */
function documents(set: SpecSet): SpecDocument[] {
  return [...specTexts(set)].flatMap(([file, text]) => (yaml.loadAll(text) as unknown[]).map((doc, index) => ({ file, index, doc })));
}

function run(set: SpecSet, env?: string): PipelineResult {
  return runPipeline({ docs: documents(set), issues: [] }, { env });
}

const errors = (r: PipelineResult) => r.issues.filter((i) => !i.warning).map(formatIssue);
const objectsOf = (files: Map<string, string>) => [...files].filter(([f]) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
  .flatMap(([file, text]) => (yaml.loadAll(text) as any[]).map((obj) => ({ file, obj })));

const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;

describe('generated valid spec sets (property)', () => {
  const n = runs(25);

  test('synthesize without errors, in the base and prod environments, every object conformant, byte-identical when repeated', () => {
    fc.assert(fc.property(validSpecSet, (set) => {
      for (const env of [undefined, 'prod']) {
        const first = run(set, env);
        expect(errors(first)).toEqual([]);
        expect(first.apps).toBe(set.files.size - 1);
        const objects = objectsOf(first.files);
        expect(objects.flatMap(({ file, obj }) => schemaProblems(obj).map((p) => `${file}: ${p}`))).toEqual([]);
        const second = run(set, env);
        expect([...second.files.entries()]).toEqual([...first.files.entries()]);
      }
    }), { numRuns: n });
  }, timeoutFor(n, 1500));

  const k = runs(5);
  (kubectl ? test : test.skip)(`kubectl kustomize builds the output folder${kubectl ? '' : ' (skipped: kubectl is not installed)'}`, () => {
    fc.assert(fc.property(validSpecSet, (set) => {
      const result = run(set);
      expect(errors(result)).toEqual([]);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-kustomize-'));
      try {
        for (const [file, text] of result.files) {
          fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
          fs.writeFileSync(path.join(dir, file), text);
        }
        const built = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
        expect(built.stderr).toBe('');
        expect(built.status).toBe(0);
        expect((yaml.loadAll(built.stdout) as any[]).length).toBe(result.objects);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }), { numRuns: k });
  }, timeoutFor(k, 3000));
});
