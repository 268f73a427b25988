#!/usr/bin/env node
// Builds the package with jsii (the compiler that makes one TypeScript API usable from Python, Java,
// Go and .NET, as cdk8s-plus does) and generates API.md with jsii-docgen.
//
// jsii owns the tsconfig of the folder it builds, so it runs on a staging copy of the package
// (the git-tracked and untracked, not ignored, files; test/ and dist/ left out); the repository
// keeps its own tsconfig.json for tsc, ts-jest and the CLI.
//
//   node scripts/jsii.js                 jsii must report 0 errors; API.md must be fresh
//   node scripts/jsii.js --write-api-md  jsii, then write API.md
//   node scripts/jsii.js --pacmak        also generate the language packages (see README)
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const bin = (name) => path.join(ROOT, 'node_modules', '.bin', name);

function stage() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-zerotrust-jsii-'));
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n').filter((f) => f && !/^(test|dist|docs)\//.test(f) && f !== 'tsconfig.json' && fs.existsSync(path.join(ROOT, f)) && fs.lstatSync(path.join(ROOT, f)).isFile());
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  // jsii wants dependencies that are not jsii modules bundled; npm installs them normally, so only
  // the staging copy says so.
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  pkg.bundledDependencies = Object.keys(pkg.dependencies ?? {}).sort();
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  return dir;
}

/** Runs jsii in the staging folder; returns its output, throws when it reports errors. */
function jsii(dir) {
  const run = spawnSync(bin('jsii'), ['--silence-warnings=reserved-word', '--silence-warnings=metadata/missing-dev-dependency'], { cwd: dir, encoding: 'utf8' });
  const out = `${run.stdout}${run.stderr}`.split('\n').filter((l) => !l.startsWith('!!')).join('\n');
  if (run.status !== 0 || /error JSII|error TS/.test(out)) {
    process.stderr.write(out);
    throw new Error(`jsii reported errors (exit ${run.status})`);
  }
  return out;
}

function main() {
  const args = process.argv.slice(2);
  const dir = stage();
  try {
    const out = jsii(dir);
    const summary = /Errors: \d+ \| Warnings: \d+[^\n]*/.exec(out);
    console.log(`jsii: ${summary ? summary[0] : 'ok'}`);
    execFileSync(bin('jsii-docgen'), ['-o', 'API.md'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    const generated = fs.readFileSync(path.join(dir, 'API.md'), 'utf8');
    const committed = path.join(ROOT, 'API.md');
    if (args.includes('--write-api-md')) {
      fs.writeFileSync(committed, generated);
      console.log('wrote API.md');
    } else if (!fs.existsSync(committed) || fs.readFileSync(committed, 'utf8') !== generated) {
      console.error('API.md is stale: run npm run api-md and commit it');
      process.exitCode = 1;
    } else {
      console.log('API.md is fresh');
    }
    if (args.includes('--pacmak')) {
      // Source only: building a wheel needs Python packages from PyPI (wheel, the jsii runtime),
      // which this project's machines cannot reach (README "Every cdk8s language").
      execFileSync(bin('jsii-pacmak'), ['--targets', 'python', '--code-only'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
      const init = path.join(dir, '.jsii-dist', 'python', 'src', 'cdk8s_zerotrust', '__init__.py');
      const text = fs.readFileSync(init, 'utf8');
      const classes = (text.match(/^class /gm) ?? []).length;
      if (!/^class SecureApp\(/m.test(text)) throw new Error(`the generated Python module has no SecureApp class (${init})`);
      console.log(`python: ${classes} classes generated (cdk8s_zerotrust/__init__.py)`);
    }
  } finally {
    if (!args.includes('--keep')) fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
