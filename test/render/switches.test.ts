import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { ROOT } from '../util';

/*
 * The switches back to the generic library paths (src/render/switches.ts) are read once per
 * process, so each combination runs the compiled CLI (bin/, lib/: `npx tsc -p .` first) in a
 * child process of its own.
 */

const BIN = path.join(ROOT, 'bin', 'cdk8s-zerotrust');
const EXAMPLES = path.join(ROOT, 'examples');
const SWITCHES: Array<[string, NodeJS.ProcessEnv]> = [
  ['fast paths', {}],
  ['CDK8S_ZEROTRUST_GENERIC_RENDER=1', { CDK8S_ZEROTRUST_GENERIC_RENDER: '1' }],
  ['CDK8S_ZEROTRUST_JS_YAML=1', { CDK8S_ZEROTRUST_JS_YAML: '1' }],
  ['both', { CDK8S_ZEROTRUST_GENERIC_RENDER: '1', CDK8S_ZEROTRUST_JS_YAML: '1' }],
];

interface Run { readonly code: number | null; readonly stdout: string; readonly stderr: string }

function run(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, CDK8S_ZEROTRUST_GENERIC_RENDER: '', CDK8S_ZEROTRUST_JS_YAML: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Every file under dir, relative path to content. */
function readTree(dir: string): Record<string, string> {
  const files = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
  return Object.fromEntries(files.map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

let tmp: string;
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-switches-')); });
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('render switches', () => {
  test.each(['base', 'prod'])('the example set (%s) synthesizes byte-identically with the fast paths and with each switch on', async (env) => {
    const envArgs = env === 'base' ? [] : ['--env', env];
    const runs = await Promise.all(SWITCHES.map(([, vars], i) => run([BIN, 'synth', EXAMPLES, '--out', path.join(tmp, `${env}-${i}`), ...envArgs, '--quiet'], vars)));
    runs.forEach((r, i) => expect({ switches: SWITCHES[i][0], ...r }).toEqual({ switches: SWITCHES[i][0], code: 0, stdout: '', stderr: '' }));
    const [fast, ...generic] = SWITCHES.map((_, i) => readTree(path.join(tmp, `${env}-${i}`, env)));
    expect(Object.keys(fast).length).toBeGreaterThan(5);
    for (const tree of generic) expect(tree).toEqual(fast);
  });

  // Counts, in a child process, the objects rendered by cdk8s' generic ApiObject.toJson and the
  // manifests written by js-yaml's dump, so that the comparison above cannot pass vacuously.
  const probe = `
    const cdk8s = require('cdk8s');
    const yaml = require('js-yaml');
    const lib = require(${JSON.stringify(path.join(ROOT, 'lib', 'src'))});
    let generic = 0, dumped = 0;
    const toJson = cdk8s.ApiObject.prototype.toJson;
    cdk8s.ApiObject.prototype.toJson = function () { generic++; return toJson.call(this); };
    const dump = yaml.dump;
    yaml.dump = function (value, options) { if (typeof value === 'object' && options === lib.YAML_DUMP_OPTIONS) dumped++; return dump.call(this, value, options); };
    const result = lib.synthesizeDocuments(lib.loadSpecFiles([${JSON.stringify(EXAMPLES)}]).docs);
    process.stdout.write(JSON.stringify({ issues: result.issues.length, objects: result.objects, generic, dumped }));
  `;

  test('each switch turns its fast path off, and only it', async () => {
    const counts = await Promise.all(SWITCHES.map(async ([, vars]) => JSON.parse((await run(['-e', probe], vars)).stdout)));
    const objects = counts[0].objects;
    expect(objects).toBeGreaterThan(30);
    expect(counts).toEqual([
      { issues: 0, objects, generic: 0, dumped: 0 },
      { issues: 0, objects, generic: objects, dumped: 0 },
      { issues: 0, objects, generic: 0, dumped: objects },
      { issues: 0, objects, generic: objects, dumped: objects },
    ]);
  });

  test('a switch set to anything but 1, 0 or nothing is a usage error', async () => {
    const r = await run([BIN, 'validate', EXAMPLES], { CDK8S_ZEROTRUST_GENERIC_RENDER: 'yes' });
    expect(r).toEqual({ code: 2, stdout: '', stderr: 'cdk8s-zerotrust: CDK8S_ZEROTRUST_GENERIC_RENDER "yes" is not allowed; use 1 (on), or 0 or unset (off)\n' });
  });
});
