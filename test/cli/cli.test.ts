import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { main } from '../../src/cli/cli';
import * as validateSpec from '../../src/constructs/validate-spec';
import { classifyDocuments } from '../../src/engine/load';
import { loadSpecFiles } from '../../src/engine/synth';
import { ROOT } from '../util';

function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const GOOD = `apiVersion: cdk8s-zerotrust/v1alpha1
kind: App
metadata: { name: web, namespace: shop }
spec:
  image: quay.io/acme/web:1.0.0
  ports: [{ name: http, port: 8080 }]
  environments:
    prod: { replicas: 3 }
`;
const BAD = `apiVersion: cdk8s-zerotrust/v1alpha1
kind: App
metadata: { name: app2, namespace: shop }
spec:
  image: quay.io/acme/app2:1.0.0
  ports: [{ name: https, port: 8443, protocol: https }]
  tls: { source: serviceCA }
  route: { termination: passthrough, certificate: { secretName: app2-cert } }
---
apiVersion: cdk8s-zerotrust/v1alpha1
kind: App
metadata: { name: app3 }
spec:
  image: nginx
  ports: [{ name: http, port: 80 }]
`;

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-cli-'));
  fs.mkdirSync(path.join(dir, 'specs'));
  fs.writeFileSync(path.join(dir, 'specs', 'web.yaml'), GOOD);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('cli', () => {
  test('synth writes one file per app and a kustomization, and reports a summary', () => {
    const r = run(['synth', path.join(dir, 'specs'), '--out', path.join(dir, 'dist')]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^synthesized 1 app, \d+ objects, 4 files into .*base in \d+ ms$/);
    expect(fs.readdirSync(path.join(dir, 'dist', 'base'), { recursive: true }).sort()).toEqual(['TRUST.md', 'kustomization.yaml', 'shop', 'shop/web.yaml', 'trust.svg']);
    expect(fs.readFileSync(path.join(dir, 'dist', 'base', 'kustomization.yaml'), 'utf8')).toContain('- shop/web.yaml');
  });

  test('synth --env writes the environment folder with its overrides', () => {
    expect(run(['synth', path.join(dir, 'specs'), `--out=${path.join(dir, 'dist')}`, '--env', 'prod']).code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'dist', 'prod', 'shop', 'web.yaml'), 'utf8')).toContain('replicas: 3');
  });

  test('synth replaces the folder: an app removed from the specs disappears', () => {
    const out = path.join(dir, 'dist');
    fs.writeFileSync(path.join(dir, 'specs', 'other.yaml'), GOOD.replace('name: web', 'name: other'));
    run(['synth', path.join(dir, 'specs'), '--out', out]);
    fs.rmSync(path.join(dir, 'specs', 'other.yaml'));
    run(['synth', path.join(dir, 'specs'), '--out', out]);
    expect(fs.readdirSync(path.join(out, 'base', 'shop'))).toEqual(['web.yaml']);
    expect(fs.readdirSync(out)).toEqual(['base']);
  });

  test('fails bad specs with every error as FILE: APP: field: message, writing nothing', () => {
    const bad = path.join(dir, 'specs', 'bad.yaml');
    fs.writeFileSync(bad, BAD);
    const out = path.join(dir, 'dist');
    const r = run(['synth', path.join(dir, 'specs'), '--out', out]);
    expect(r.code).toBe(1);
    expect(r.err.split('\n')).toEqual([
      `${bad}: app2: spec.route.certificate: passthrough routes cannot carry a certificate: the pod terminates TLS`,
      `${bad}: app3: spec.image: image "nginx" has no tag; pin a version tag or a @sha256 digest`,
      'cdk8s-zerotrust: 2 problems found; nothing written',
    ]);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('fails bad specs leaving an existing output folder untouched', () => {
    const out = path.join(dir, 'dist');
    run(['synth', path.join(dir, 'specs'), '--out', out]);
    const before = fs.readFileSync(path.join(out, 'base', 'shop', 'web.yaml'), 'utf8');
    fs.writeFileSync(path.join(dir, 'specs', 'web.yaml'), GOOD.replace('replicas: 3', 'replicas: many'));
    expect(run(['synth', path.join(dir, 'specs'), '--out', out]).err).toMatch(/web \(environment prod\): spec\.replicas: "many" is not an? (number|integer)/);
    expect(fs.readFileSync(path.join(out, 'base', 'shop', 'web.yaml'), 'utf8')).toBe(before);
    expect(fs.readdirSync(out)).toEqual(['base']);
  });

  test('prints warnings and still writes', () => {
    const fixtures = path.join(ROOT, 'test', 'fixtures');
    fs.writeFileSync(path.join(dir, 'specs', 'web.yaml'), GOOD.replace('  environments:', `  route:
    host: other.example.com
    certificate:
      allowInlineKeys: true
      inline: { certificateFile: ${fixtures}/route.crt.pem, keyFile: ${fixtures}/route.key.pem }
  environments:`));
    const r = run(['synth', path.join(dir, 'specs'), '--out', path.join(dir, 'dist')]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/web\.yaml: web: spec\.route\.certificate\.inline\.certificateFile: warning: the certificate does not cover the route host "other\.example\.com"/);
    expect(fs.existsSync(path.join(dir, 'dist', 'base', 'shop', 'web.yaml'))).toBe(true);
  });

  test('fails YAML syntax errors with the file and line', () => {
    const bad = path.join(dir, 'specs', 'broken.yaml');
    fs.writeFileSync(bad, 'metadata: { name: x\n');
    const r = run(['validate', bad]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: document 1: not valid YAML at line \\d+`));
  });

  test('fails the same app defined twice', () => {
    fs.writeFileSync(path.join(dir, 'specs', 'copy.yaml'), GOOD);
    const r = run(['synth', path.join(dir, 'specs'), '--out', path.join(dir, 'dist')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/web\.yaml: web: metadata\.name: app shop\/web is also defined in .*copy\.yaml/);
  });

  test('validate writes nothing and says how many apps are valid', () => {
    const r = run(['validate', path.join(dir, 'specs')]);
    expect(r).toEqual({ code: 0, out: '1 app valid', err: '' });
    expect(fs.readdirSync(dir)).toEqual(['specs']);
  });

  test('check passes on fresh output and fails with a readable diff when stale', () => {
    const out = path.join(dir, 'dist');
    run(['synth', path.join(dir, 'specs'), '--out', out]);
    expect(run(['check', path.join(dir, 'specs'), '--out', out]).code).toBe(0);
    fs.writeFileSync(path.join(dir, 'specs', 'web.yaml'), GOOD.replace('1.0.0', '1.0.1'));
    fs.writeFileSync(path.join(out, 'base', 'stray.yaml'), 'x: 1\n');
    const r = run(['check', path.join(dir, 'specs'), '--out', out]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('changed: ');
    expect(r.err).toMatch(/\d+- .*image: quay.io\/acme\/web:1.0.0/);
    expect(r.err).toMatch(/\d+\+ .*image: quay.io\/acme\/web:1.0.1/);
    expect(r.err).toContain(`extra: ${path.join(out, 'base', 'stray.yaml')}`);
    expect(r.err).toMatch(/is stale; run: cdk8s-zerotrust synth/);
  });

  test('fails unknown commands and options with usage, exit 2', () => {
    expect(run(['deploy']).code).toBe(2);
    expect(run(['synth', '--force']).err).toMatch(/unknown option --force/);
    expect(run(['synth', 'x', '--env', 'Prod']).err).toMatch(/--env "Prod" is not a DNS-1123 label/);
    expect(run(['synth']).err).toMatch(/no spec files given/);
  });

  test('--help shows every command, examples and the exit statuses', () => {
    for (const help of ['--help', '-h', 'help']) {
      const r = run([help]);
      expect(r.code).toBe(0);
      expect(r.err).toBe('');
      expect(r.out).toContain('cdk8s-zerotrust synth SPEC... [--out dist] [--env NAME]');
      expect(r.out).toContain('cdk8s-zerotrust certs SPEC... [--out dev-certs] [--days 30] [--env NAME]');
      expect(r.out).toContain('cdk8s-zerotrust verify DIR... [--specs PATH]');
      expect(r.out).toMatch(/examples:\n {2}cdk8s-zerotrust synth examples --out dist\n/);
      expect(r.out).toContain('exit status: 0 ok, 1 problems');
    }
  });

  test('COMMAND --help (or help COMMAND) shows its options with their defaults, and runs nothing', () => {
    const r = run(['synth', path.join(dir, 'specs'), '--help', '--out', path.join(dir, 'dist')]);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe('usage: cdk8s-zerotrust synth SPEC... [--out dist] [--env NAME]');
    expect(r.out).toMatch(/--out DIR +write DIR\/ENV .*\(default: dist\)/);
    expect(r.out).toMatch(/-q, --quiet/);
    expect(r.out).toContain('cdk8s-zerotrust synth examples --out dist --env prod');
    expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
    expect(run(['help', 'certs']).out).toMatch(/--days N +how long .*\(default: 30\)/);
    expect(run(['validate', '-h']).out).not.toContain('--out');
  });

  test('--version prints the package version', () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(run(['--version'])).toEqual({ code: 0, out: version, err: '' });
  });

  test('suggests the command or option meant, exit 2', () => {
    const typo = run(['snyth', 'x']);
    expect(typo.code).toBe(2);
    expect(typo.err.split('\n')[0]).toBe('cdk8s-zerotrust: unknown command "snyth"; did you mean synth?');
    expect(run(['deploy']).err.split('\n')[0]).toBe('cdk8s-zerotrust: unknown command "deploy"; use one of synth, validate, check, certs, verify');
    const option = run(['synth', 'x', '--ot', 'dist']);
    expect(option.code).toBe(2);
    expect(option.err).toBe('cdk8s-zerotrust: unknown option --ot; did you mean --out?\nusage: cdk8s-zerotrust synth SPEC... [--out dist] [--env NAME]\n(cdk8s-zerotrust synth --help shows its options)');
    expect(run(['certs', 'x', '--dyas', '3']).err).toMatch(/^cdk8s-zerotrust: unknown option --dyas; did you mean --days\?/);
  });

  test('refuses options the command does not take, missing values and values given to flags, exit 2', () => {
    const cases: Array<[string[], string]> = [
      [['validate', 'x', '--out', 'dist'], 'unknown option --out; validate takes --allow-empty, --quiet, --debug, --help'],
      [['synth', 'x', '--days', '3'], 'unknown option --days; synth takes --out, --env, --allow-empty, --quiet, --debug, --help'],
      [['synth', 'x', '--out'], '--out needs a value: --out DIR'],
      [['synth', 'x', '--out', '--env', 'prod'], '--out needs a value: --out DIR'],
      [['check', 'x', '--env='], '--env needs a value: --env NAME'],
      [['synth', 'x', '--quiet=yes'], '--quiet takes no value (given "yes")'],
      [['certs', 'x', '--days', 'many'], '--days "many" is not a whole number from 1 to 825'],
      [['--out', 'dist', 'synth'], "unknown option --out (a command's options come after the command)"],
    ];
    for (const [argv, message] of cases) {
      const r = run(argv);
      expect({ argv, code: r.code, message: r.err.split('\n')[0] }).toEqual({ argv, code: 2, message: `cdk8s-zerotrust: ${message}` });
    }
  });

  test('verify: the committed dist/ folders are exactly what the examples declare (each spec asked once whether others may read it)', () => {
    const appDocuments = classifyDocuments(loadSpecFiles([path.join(ROOT, 'examples')]).docs).apps.length;
    expect(appDocuments).toBeGreaterThan(5);
    const asked = jest.spyOn(validateSpec, 'usableByOthers');
    try {
      for (const env of ['base', 'prod']) {
        asked.mockClear();
        const r = run(['verify', path.join(ROOT, 'dist', env), '--specs', path.join(ROOT, 'examples'), ...(env === 'prod' ? ['--env', 'prod'] : [])]);
        expect({ env, code: r.code, err: r.err }).toEqual({ env, code: 0, err: '' });
        expect(r.out).toMatch(/verified: the allowed paths are exactly the \d+ paths the specs declare, and every pod is admitted$/);
        const documents = asked.mock.calls.map(([d]) => d);
        expect(documents.length).toBe(appDocuments);
        expect(new Set(documents).size).toBe(appDocuments);
      }
    } finally {
      asked.mockRestore();
    }
  });

  test('verify reads hand-written manifests (a List, JSON) and fails an open path the specs do not declare', () => {
    const folder = path.join(dir, 'manifests');
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, 'app.json'), JSON.stringify({
      apiVersion: 'v1', kind: 'List', items: [
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { 'app.kubernetes.io/name': 'web' } }, spec: { containers: [{ name: 'web', image: 'quay.io/acme/web:1.0.0', ports: [{ name: 'http', containerPort: 8080 }] }] } } } },
      ],
    }));
    const open = run(['verify', folder, '--platform', 'kubernetes']);
    expect(open.code).toBe(0);
    expect(open.out).toMatch(/allowed +a pod in another namespace: network policy: .*no NetworkPolicy selects/);
    fs.writeFileSync(path.join(dir, 'specs', 'web.yaml'), GOOD);
    const against = run(['verify', folder, '--specs', path.join(dir, 'specs', 'web.yaml')]);
    expect(against.code).toBe(1);
    expect(against.err).toMatch(/allowed but not declared: a pod in another namespace -> Deployment shop\/web port http \(8080\)/);
  });

  test('fails verify without a folder, exit 2', () => {
    expect(run(['verify']).code).toBe(2);
  });

  test('fails a missing spec path', () => {
    expect(run(['validate', path.join(dir, 'nope.yaml')]).err).toMatch(/nope\.yaml: -: no such file or directory/);
  });

  test('the installed bin runs the compiled CLI', () => {
    const bin = path.join(ROOT, 'bin', 'cdk8s-zerotrust');
    expect(execFileSync(bin, ['validate', path.join(dir, 'specs')], { encoding: 'utf8' })).toBe('1 app valid\n');
    const failed = spawnSync(bin, ['validate', path.join(dir, 'nope')], { encoding: 'utf8' });
    expect(failed.status).toBe(1);
  });
});
