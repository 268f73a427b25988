import { classifyDocuments } from '../../src/engine/load';
import { resolveEnvironment } from '../../src/engine/environments';
import { pipelineContext } from '../../src/engine/pipeline';
import * as yaml from 'js-yaml';
import { loadSpecFiles, synthesizeApp } from '../../src/engine/synth';
import { YAML_DUMP_OPTIONS, dumpYaml } from '../../src/render/yaml-dump';
import { ROOT } from '../util';

const jsYaml = (v: unknown) => yaml.dump(v, YAML_DUMP_OPTIONS);

/** A small seeded generator, so that a failure can be reproduced. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Strings that make YAML writers quote, escape or change style. */
const TRICKY = [
  '', ' ', 'a ', ' a', 'a: b', 'a:b', 'a:', ':a', 'a #b', 'a#b', '#a', '-', '- a', '-a', '?', '? a', '@a', '`a', '%a', '!a', '&a', '*a', '|', '>',
  '"', "'", "it's", 'say "hi"', '[a]', '{a}', 'a,b', 'a[0]', 'true', 'True', 'TRUE', 'false', 'null', 'Null', 'NULL', '~', 'y', 'Y', 'n', 'N', 'yes', 'No', 'on', 'OFF',
  '0', '01', '1.0', '1e3', '-1', '+1', '0x1F', '0o17', '0b101', '1_000', '.inf', '-.Inf', '.nan', '1:20', '190:20:30', '2001-12-14', '2001-12-14t21:59:43.10-05:00', '<<',
  '128Mi', '100m', '0.5', '8080', '/healthz', './a', 'a/b', 'quay.io/acme/app:1.0.0', 'quay.io/acme/app@sha256:abc', 'app.kubernetes.io/name', 'a.b-c_d', 'A', 'z9',
  'line1\nline2', 'line1\nline2\n', 'a\n\n', '\n', '\na', ' leading\nspace', 'tab\there', 'cr\rhere', 'bell\u0007', 'nel\u0085', 'nbsp\u00a0', 'é', '日本', '😀', '\ufeffbom',
  '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', 'x'.repeat(1100),
];

function randomString(rnd: () => number): string {
  if (rnd() < 0.5) return TRICKY[Math.floor(rnd() * TRICKY.length)];
  const alphabet = 'abcXYZ019 :#-_./@"\'\n\t{}[],&*!|>%`?~=\u00e9\u0085';
  let s = '';
  const n = Math.floor(rnd() * 8);
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(rnd() * alphabet.length)];
  return s;
}

function randomValue(rnd: () => number, depth: number): unknown {
  const r = rnd();
  if (depth > 3 || r < 0.35) return randomString(rnd);
  if (r < 0.45) return [0, -0, 1, -7, 3.5, 1e21, 1e-7, NaN, Infinity, -Infinity, 2 ** 53][Math.floor(rnd() * 11)];
  if (r < 0.5) return [true, false, null, undefined][Math.floor(rnd() * 4)];
  if (r < 0.7) return Array.from({ length: Math.floor(rnd() * 4) }, () => randomValue(rnd, depth + 1));
  const o: Record<string, unknown> = {};
  const n = Math.floor(rnd() * 5);
  for (let i = 0; i < n; i++) o[randomString(rnd)] = randomValue(rnd, depth + 1);
  return o;
}

describe('dumpYaml', () => {
  test('writes every example manifest exactly as js-yaml does', () => {
    const { docs } = loadSpecFiles([`${ROOT}/examples`]);
    const specs = classifyDocuments(docs);
    const context = pipelineContext({}, resolveEnvironment(specs, undefined));
    let compared = 0;
    for (const d of specs.apps) {
      for (const o of synthesizeApp(d.doc as any, { baseDir: `${ROOT}/examples`, cluster: context.cluster, directory: context.directory })) {
        expect(dumpYaml(o)).toBe(jsYaml(o));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(30);
  });

  test('writes tricky strings as values, keys and list items exactly as js-yaml does', () => {
    for (const s of TRICKY) {
      for (const v of [s, { [s]: s }, [s], { a: { b: [s, { c: s }] } }, [[s, [s]]]]) expect(dumpYaml(v)).toBe(jsYaml(v));
    }
  });

  test('writes generated JSON-like values exactly as js-yaml does', () => {
    const rnd = random(20261122);
    for (let i = 0; i < 3000; i++) {
      const v = randomValue(rnd, 0);
      expect(dumpYaml(v)).toBe(jsYaml(v));
    }
  });

  test('writes empty and undefined members as js-yaml does', () => {
    for (const v of [{}, [], { a: {} }, { a: [] }, { a: undefined }, { a: { b: undefined } }, [undefined, null], [[], {}], { a: [[]] }, 0, -0, true, null]) {
      expect(dumpYaml(v)).toBe(jsYaml(v));
    }
    expect(dumpYaml(undefined)).toBe('');
  });

  test('leaves values that are not plain data to js-yaml', () => {
    class Point { constructor(public x = 1, public y = 'a: b') {} }
    for (const v of [new Point(), { p: new Point() }, [new Point()], { when: new Date(0) }, Object.assign(Object.create(null), { a: 1 })]) {
      expect(dumpYaml(v)).toBe(jsYaml(v));
    }
    expect(() => dumpYaml({ f: () => 1 })).toThrow(/unacceptable kind/);
  });

  test('writes the same output once its string cache has been cleared', () => {
    const values = Array.from({ length: 25000 }, (_, i) => `${i}`);
    expect(dumpYaml(values)).toBe(jsYaml(values));
    expect(dumpYaml(values)).toBe(jsYaml(values));
  });
});
