import * as fc from 'fast-check';
import { MAX_ANNOTATIONS_BYTES, MAX_OBJECT_BYTES, jsonBytesBound, objectSizeIssues, sizedCopy } from '../../src/engine/limits';
import { synthesizeApp } from '../../src/engine/synth';
import { appSpec } from '../util';

describe('objectSizeIssues', () => {
  test('a 3 MiB env value: the Deployment is over the API server limit, named with its size and largest field', () => {
    const objects = synthesizeApp(appSpec({ env: { BIG: 'x'.repeat(3 * 1024 * 1024) } } as any));
    const issues = objectSizeIssues('web.yaml', 'web', objects);
    expect(issues).toEqual([{
      file: 'web.yaml', app: 'web', field: '',
      message: expect.stringMatching(/^Deployment shop\/web is 3\.0 MiB \(\d+ bytes as JSON\): the API server refuses objects over 1\.5 MiB \(etcd's request limit\); its largest field is spec\.template\.spec\.containers\[0\]\.env\[\d+\]\.value \(3\.0 MiB\): make it smaller/),
    }]);
  });

  test('ConfigMap and Secret data over 1 MiB; annotations over 256 KiB', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n' }, data: { a: 'x'.repeat(1048576) } };
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'n' }, data: { a: Buffer.alloc(1048577).toString('base64') } };
    const annotated = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a', annotations: { a: 'x'.repeat(262144) } } };
    const messages = objectSizeIssues('f.yaml', 'app', [cm, secret, annotated]).map((i) => i.message);
    expect(messages).toEqual([
      expect.stringMatching(/^ConfigMap n\/c holds 1\.0 MiB of data \(1048577 bytes\): the API server refuses a ConfigMap over 1 MiB/),
      expect.stringMatching(/^Secret n\/s holds 1\.0 MiB of data \(1048577 bytes\): the API server refuses a Secret over 1 MiB/),
      expect.stringMatching(/^Service a has 256 KiB of annotations \(262145 bytes\): the API server refuses more than 256 KiB in all/),
    ]);
  });

  test('over 256 KiB is a warning (client-side kubectl apply); small objects pass', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'x'.repeat(300 * 1024) } };
    expect(objectSizeIssues('f.yaml', 'app', [cm])).toEqual([{ file: 'f.yaml', app: 'app', field: '', warning: true, message: expect.stringMatching(/^ConfigMap c is 300 KiB as JSON: client-side kubectl apply fails on it/) }]);
    expect(objectSizeIssues('f.yaml', 'app', synthesizeApp(appSpec()))).toEqual([]);
    expect(MAX_OBJECT_BYTES).toBe(1.5 * 1024 * 1024);
  });
});

describe('sizedCopy', () => {
  const jsonBytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v) ?? '', 'utf8');

  test('the copy equals the value, key order included, and its bound is at least its size as JSON', () => {
    // Any JSON data, strings of any UTF-16 units (escapes, surrogates, lone halves), undefined values.
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    const data = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, text, fc.double(), fc.double({ min: -1e-5, max: -1e-6 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined), tie('array'), tie('object')),
      array: fc.array(tie('value'), { maxLength: 5 }),
      object: fc.dictionary(text, tie('value'), { maxKeys: 5 }),
    })).value;
    fc.assert(fc.property(data, (v) => {
      const { copy, jsonBytesAtMost } = sizedCopy(v);
      expect(JSON.stringify(copy)).toBe(JSON.stringify(v));
      if (typeof v === 'object' && v !== null) expect(Object.keys(copy)).toEqual(Object.keys(v));
      expect(jsonBytesAtMost).toBeGreaterThanOrEqual(jsonBytes(v));
    }), { numRuns: 2000 });
  });

  test('strings of the characters JSON escapes longest, and the longest numbers: the bound still holds', () => {
    // -0.0000010000000000000002: 25 bytes, the longest JSON of a number (decimal from 1e-6 up).
    const next = new Float64Array([1e-6]);
    new BigUint64Array(next.buffer)[0] += 1n;
    const longest = -next[0];
    expect(JSON.stringify(longest)).toHaveLength(25);
    const numbers = [Array(1000).fill(longest), [-1.7976931348623157e+308, -5e-324, -0, NaN, -Infinity, 2 ** 53 + 2]];
    for (const n of numbers) expect(sizedCopy(n).jsonBytesAtMost).toBeGreaterThanOrEqual(jsonBytes(n));
    for (const s of ['\u0001'.repeat(1000), '\ud800'.repeat(500), '\u{1F600}'.repeat(300), '"\\'.repeat(400)]) {
      const o = { a: s, [s]: [s] };
      expect(sizedCopy(o).jsonBytesAtMost).toBeGreaterThanOrEqual(jsonBytes(o));
    }
  });

  test('a key __proto__ is copied as a key, not as the prototype', () => {
    const value = JSON.parse('{"__proto__":{"a":1},"b":[{"__proto__":"x"}]}');
    const { copy, jsonBytesAtMost } = sizedCopy(value);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(JSON.stringify(copy)).toBe(JSON.stringify(value));
    expect(Object.getOwnPropertyDescriptor(copy.b[0], '__proto__')?.value).toBe('x');
    expect(jsonBytesAtMost).toBeGreaterThanOrEqual(jsonBytes(value));
  });

  test('the bound of a small object, exactly: braces 2, a key 6 per character + 4, a string 6 per character + 2', () => {
    expect(jsonBytesBound({ ab: 'x' })).toBe(2 + (6 * 2 + 4) + (6 * 1 + 2));
    expect(sizedCopy({ ab: 'x', c: [1, true, null] }).jsonBytesAtMost).toBe(2 + (6 * 2 + 4) + (6 + 2) + (6 + 4) + (2 + 3) + 25 + 5 + 4);
  });

  test('an enumerable property inherited from a polluted Object.prototype is neither copied nor counted', () => {
    const value = { a: 'x', b: [{ c: 1 }], d: Object.assign(Object.create(null), { e: true }) };
    const clean = sizedCopy(value);
    (Object.prototype as any).polluted = 'y'.repeat(1000);
    try {
      const { copy, jsonBytesAtMost } = sizedCopy(value);
      expect(Object.keys(copy)).toEqual(['a', 'b', 'd']);
      expect(Object.prototype.hasOwnProperty.call(copy.b[0], 'polluted')).toBe(false);
      expect(Object.keys(copy.d)).toEqual(['e']);
      expect(jsonBytesAtMost).toBe(clean.jsonBytesAtMost);
      expect(jsonBytesBound(value)).toBe(clean.jsonBytesAtMost);
    } finally {
      delete (Object.prototype as any).polluted;
    }
  });

  test('a value that is not plain data is kept as it is, and its bound is unknown (Infinity)', () => {
    const when = new Date(0);
    const { copy, jsonBytesAtMost } = sizedCopy({ a: { when } });
    expect(copy.a.when).toBe(when);
    expect(jsonBytesAtMost).toBe(Infinity);
    expect(sizedCopy({ f: () => 1 }).jsonBytesAtMost).toBe(Infinity);
  });

  test('an object whose bound is within 256 KiB is not measured; one whose bound is above it, or unknown, is', () => {
    const big = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'x'.repeat(2 * 1024 * 1024) } };
    expect(objectSizeIssues('f.yaml', 'app', [big], [MAX_ANNOTATIONS_BYTES])).toEqual([]); // taken at its (here false) bound's word
    expect(objectSizeIssues('f.yaml', 'app', [big], [MAX_ANNOTATIONS_BYTES + 1])).toHaveLength(1);
    expect(objectSizeIssues('f.yaml', 'app', [big], [Infinity])).toHaveLength(1);
    expect(objectSizeIssues('f.yaml', 'app', [big], [])).toHaveLength(1); // no bound: measured
  });

  test('objects with bounds within 256 KiB are not measured; a bound above it is, and the problems are the same as without bounds', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'x'.repeat(300 * 1024) } };
    const small = synthesizeApp(appSpec());
    const objects = [...small, cm];
    const bounds = objects.map((o) => sizedCopy(o).jsonBytesAtMost);
    expect(bounds.slice(0, small.length).every((b) => b <= MAX_ANNOTATIONS_BYTES)).toBe(true);
    expect(objectSizeIssues('f.yaml', 'app', objects, bounds)).toEqual(objectSizeIssues('f.yaml', 'app', objects));
    expect(objectSizeIssues('f.yaml', 'app', objects, bounds)).toHaveLength(1);
  });
});
