import * as path from 'node:path';
import { Yaml } from 'cdk8s';
import * as fc from 'fast-check';
import * as yaml from 'js-yaml';
import { loadSpecFiles, synthesizeDocuments } from '../../src/engine/synth';
import { cdk8sYaml } from '../../src/render/cdk8s-yaml';
import { ROOT } from '../util';

/** The objects of every example, as the CLI renders them (parsed back from its files). */
function exampleObjects(): unknown[] {
  const { docs } = loadSpecFiles([path.join(ROOT, 'examples')]);
  const result = synthesizeDocuments(docs);
  return [...result.files].filter(([f]) => f.endsWith('.yaml')).flatMap(([, content]) => yaml.loadAll(content));
}

const letterFirst = fc.tuple(fc.constantFrom(...'abeEnNoOyYtTfF'), fc.string({ unit: fc.constantFrom(...'aeEyYnNo0123456789_./@:-+ #'), maxLength: 6 })).map(([a, b]) => a + b);
const tricky = fc.string({ unit: fc.constantFrom('a', ' ', '\n', ':', '#', '-', '"', "'", '1', 'y', '|', '\t', 'é', '*', '&', '!', '%', '@', '`') });

describe('cdk8sYaml (what App.synth writes, byte for byte)', () => {
  test('every example object', () => {
    const objects = exampleObjects();
    expect(objects.length).toBeGreaterThan(100);
    for (const o of objects) expect(cdk8sYaml(o)).toBe(Yaml.stringify(o));
    expect(cdk8sYaml(...objects)).toBe(Yaml.stringify(...objects));
  });

  test('strings that YAML 1.1 reads as other types, quoting, block literals at any depth, undefined as null', () => {
    const values = ['yes', 'No', 'on', 'y', 'e5', 'E-3', 'null', '~', '8080', '0o17', '1:20', '', ' x', 'x:', 'a: b', '#x', '- x', '---', 'a\nb', 'a\n', 'a\n\n', '\nx', ' x\ny', 'x  \ny', undefined, null, -0, 0.5, 1e21, NaN, true];
    for (const v of values) {
      for (const doc of [{ k: v }, { k: [v, { m: v }] }, [[v]], { a: { b: { c: [{ d: v }] } } }]) expect(cdk8sYaml(doc)).toBe(Yaml.stringify(doc));
    }
    expect(cdk8sYaml(undefined, { a: 1 })).toBe(Yaml.stringify(undefined, { a: 1 }));
  });

  test('an object met twice is left to the yaml package (it writes an anchor and an alias)', () => {
    const shared = { x: 1 };
    const doc = { a: shared, b: shared };
    expect(cdk8sYaml(doc)).toBe(Yaml.stringify(doc));
    expect(cdk8sYaml(doc)).toContain('*a1');
  });

  test('generated values', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => cdk8sYaml({ root: v }) === Yaml.stringify({ root: v })), { numRuns: 1000 });
    fc.assert(fc.property(fc.dictionary(fc.oneof(letterFirst, tricky), fc.oneof(letterFirst, tricky, fc.array(fc.oneof(letterFirst, tricky)), fc.double(), fc.constant(undefined))),
      (v) => cdk8sYaml(v) === Yaml.stringify(v)), { numRuns: 2000 });
  });
});
