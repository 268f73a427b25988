import { MAX_OBJECT_BYTES, objectSizeIssues } from '../../src/engine/limits';
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
