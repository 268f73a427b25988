#!/usr/bin/env node
// The consumer test (test/consumer/consumer.test.ts) installs the packed package into apps laid
// out as `cdk8s init typescript-app` lays them out, once per cdk8s version it claims: the one the
// package is built against (package-lock.json) and the oldest of each peer range. It installs
// with `npm install --offline`, so the npm cache must already hold every package it needs:
//
//   node scripts/consumer-test.js warm    fills the cache (needs the npm registry; .ci/run does it)
//   node scripts/consumer-test.js check   says what the cache lacks, without the network
//
// The test and this script share the definitions below, so the warm-up resolves exactly the
// dependency set the test installs.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
/** The app template of the cdk8s CLI (a dev dependency): its tsconfig and dev dependency versions. */
const TEMPLATE = path.join(ROOT, 'node_modules', 'cdk8s-cli', 'templates', 'typescript-app');
/** The peer dependencies the apps vary. */
const PEERS = ['cdk8s', 'constructs', 'cdk8s-plus-28'];
const WARM_COMMAND = 'node scripts/consumer-test.js warm';

const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));

/** The lowest version of a caret range (`^2.68.12` -> `2.68.12`); only caret ranges are claimed. */
function lowest(name, range) {
  const m = /^\^(\d+\.\d+\.\d+)$/.exec(range ?? '');
  if (!m) throw new Error(`peerDependencies.${name}: ${JSON.stringify(range)} is not a caret range ^X.Y.Z (the consumer test installs its lowest version)`);
  return m[1];
}

/**
 * The apps the test builds, one per set of peer versions: `current` (what package-lock.json pins,
 * what the package is built and tested against) and `oldest` (the lowest version of every peer range).
 */
function matrix() {
  const pkg = readJson(path.join(ROOT, 'package.json'));
  const lock = readJson(path.join(ROOT, 'package-lock.json'));
  const current = { name: 'current' };
  const oldest = { name: 'oldest' };
  for (const peer of PEERS) {
    const locked = lock.packages[`node_modules/${peer}`];
    if (!locked) throw new Error(`package-lock.json: ${peer} is not installed (it must be a dev dependency as well as a peer dependency)`);
    current[peer] = locked.version;
    oldest[peer] = lowest(peer, (pkg.peerDependencies ?? {})[peer]);
  }
  return [current, oldest];
}

/** The dev dependencies of the `cdk8s init typescript-app` template that decide how the typings compile. */
function templateDevDependencies() {
  const tmpl = readJson(path.join(TEMPLATE, 'package.json'));
  const dev = {};
  for (const name of ['@types/node', 'typescript']) {
    if (!tmpl.devDependencies?.[name]) throw new Error(`${TEMPLATE}/package.json: devDependencies.${name} is missing`);
    dev[name] = tmpl.devDependencies[name];
  }
  return dev;
}

/**
 * The app's package.json. `packageSpec` is what the app depends on for cdk8s-zerotrust (the packed
 * tarball); without it the package's own dependencies are listed instead (the warm-up, which has
 * no tarball, resolves the same set).
 */
function appPackageJson(entry, packageSpec) {
  const pkg = readJson(path.join(ROOT, 'package.json'));
  const dependencies = {};
  for (const peer of PEERS) dependencies[peer] = entry[peer];
  if (packageSpec) dependencies[pkg.name] = packageSpec;
  else Object.assign(dependencies, pkg.dependencies);
  return {
    name: `consumer-${entry.name}`,
    version: '1.0.0',
    main: 'main.js',
    license: 'Apache-2.0',
    private: true,
    scripts: { compile: 'tsc --build' },
    dependencies,
    devDependencies: templateDevDependencies(),
  };
}

/** The environment for child npm and node processes: none of the calling npm's own settings but its cache, registry and config files. */
function childEnv() {
  const keep = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig', 'npm_config_globalconfig', 'npm_config_cafile']);
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_/i.test(k) && !keep.has(k.toLowerCase())) continue;
    if (/^CDK8S_(OUTDIR|DISABLE_SORT)$/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, CDK8S_CHECK_UPGRADE: 'false' };
}

const NPM_FLAGS = ['--no-audit', '--no-fund', '--ignore-scripts', '--no-update-notifier'];

/** Runs a command; resolves with its status, its stdout and all its output (never rejects on a non-zero status). */
function run(cmd, args, cwd) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let out = '';
    child.stdout.on('data', (d) => { stdout += d; out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('error', (e) => resolve({ status: -1, stdout, out: `${out}${e.message}` }));
    child.on('close', (status) => resolve({ status, stdout, out }));
  });
}

/** Installs an app's dependencies from the npm cache only; the output names what the cache lacks. */
function installOffline(dir) {
  return run('npm', ['install', '--offline', ...NPM_FLAGS], dir);
}

/** The package names npm could not find in its cache, from its output (`request to URL failed: cache mode is 'only-if-cached'`). */
function notCached(out) {
  const names = [];
  for (const m of out.matchAll(/request to (\S+) failed: cache mode is 'only-if-cached'/g)) {
    let pathname;
    try { pathname = decodeURIComponent(new URL(m[1]).pathname); } catch { continue; }
    const parts = pathname.split('/-/')[0].split('/').filter(Boolean);
    const name = parts.length >= 2 && parts[parts.length - 2].startsWith('@') ? parts.slice(-2).join('/') : parts[parts.length - 1];
    if (name && !names.includes(name)) names.push(name);
  }
  return names;
}

function tempApp(entry, packageSpec) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `zt-consumer-${entry.name}-`));
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(appPackageJson(entry, packageSpec), null, 2)}\n`);
  return dir;
}

/**
 * Whether the npm cache can resolve every app's dependencies without the network (the package
 * metadata; a lockfile-only install, a few seconds). Returns why not, or undefined.
 */
function cacheGap() {
  const gaps = [];
  for (const entry of matrix()) {
    const dir = tempApp(entry);
    try {
      const r = spawnSync('npm', ['install', '--offline', '--package-lock-only', ...NPM_FLAGS], { cwd: dir, env: childEnv(), encoding: 'utf8' });
      if (r.status !== 0) {
        const missing = notCached(`${r.stdout}${r.stderr}`);
        gaps.push(`${entry.name} (cdk8s ${entry.cdk8s}): ${missing.length ? `the npm cache lacks ${missing.join(', ')} (and maybe more: npm stops at the first)` : `npm install --offline failed: ${`${r.stdout}${r.stderr}`.trim().split('\n').slice(-3).join(' / ')}`}`);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  return gaps.length ? `${gaps.join('; ')}; run \`${WARM_COMMAND}\`` : undefined;
}

/** Installs every app's dependency set once with the registry reachable, so that the npm cache holds them. */
async function warm() {
  for (const entry of matrix()) {
    const dir = tempApp(entry);
    try {
      const started = Date.now();
      const r = await run('npm', ['install', ...NPM_FLAGS], dir);
      if (r.status !== 0) throw new Error(`npm install for the ${entry.name} consumer app failed:\n${r.out}`);
      const versions = PEERS.map((p) => `${p} ${entry[p]}`).join(', ');
      process.stdout.write(`consumer-test: cached the ${entry.name} app's dependencies (${versions}) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

module.exports = { ROOT, TEMPLATE, PEERS, WARM_COMMAND, matrix, appPackageJson, childEnv, run, installOffline, notCached, cacheGap, warm };

if (require.main === module) {
  const command = process.argv[2];
  if (command === 'warm') {
    warm().catch((e) => { process.stderr.write(`consumer-test: ${e.message}\n`); process.exit(1); });
  } else if (command === 'check') {
    const gap = cacheGap();
    process.stdout.write(gap ? `consumer-test: ${gap}\n` : 'consumer-test: the npm cache holds every consumer app dependency\n');
    process.exit(gap ? 1 : 0);
  } else {
    process.stderr.write(`consumer-test: command ${JSON.stringify(command ?? '')} is not one of: warm, check\n`);
    process.exit(2);
  }
}
