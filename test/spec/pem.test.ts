import * as fs from 'node:fs';
import * as path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { validateAppSpec } from '../../src/constructs/validate-spec';
import { inlineCertificateFindings, signatureAlgorithmOid } from '../../src/spec/pem';
import { ROOT, appSpec } from '../util';

const read = (f: string) => fs.readFileSync(path.join(ROOT, 'test', 'fixtures', f), 'utf8');
const HOST = 'web.apps.example.com';

describe('inline certificate checks', () => {
  test('passes a matching key, a SHA-256 signature and a covered host', () => {
    expect(inlineCertificateFindings(read('route.crt.pem'), read('route.key.pem'), read('ca.pem'), HOST)).toEqual({ errors: [], warnings: [] });
  });

  test('fails a key that does not match the certificate', () => {
    expect(inlineCertificateFindings(read('route.crt.pem'), read('other.key.pem'), undefined, HOST).errors).toEqual([
      { field: 'keyFile', message: 'the key does not match the certificate' },
    ]);
  });

  test('fails a SHA-1 signature', () => {
    expect(signatureAlgorithmOid(new X509Certificate(read('sha1.crt.pem')).raw)).toBe('06092a864886f70d010105');
    expect(inlineCertificateFindings(read('sha1.crt.pem'), read('sha1.key.pem'), undefined, HOST).errors).toEqual([
      { field: 'certificateFile', message: expect.stringMatching(/signed with sha1WithRSAEncryption; .* use SHA-256 or better/) },
    ]);
  });

  test('fails unreadable PEM', () => {
    const { errors } = inlineCertificateFindings('-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----', 'garbage', 'x', HOST);
    expect(errors.map((e) => e.field)).toEqual(['certificateFile', 'keyFile', 'caCertificateFile']);
  });

  test('warns about a certificate close to expiry or expired, and a host it does not cover', () => {
    const short = inlineCertificateFindings(read('short.crt.pem'), read('short.key.pem'), undefined, 'other.example.com');
    expect(short.errors).toEqual([]);
    expect(short.warnings).toEqual([
      { field: 'certificateFile', message: expect.stringMatching(/^the certificate (expires on \d{4}-\d\d-\d\d, in \d+ days|expired on \d{4}-\d\d-\d\d)$/) },
      { field: 'certificateFile', message: 'the certificate does not cover the route host "other.example.com" (subject alternative names: DNS:web.apps.example.com)' },
    ]);
    const later = inlineCertificateFindings(read('route.crt.pem'), read('route.key.pem'), undefined, HOST, new Date('2099-01-01'));
    expect(later.warnings[0].message).toMatch(/^the certificate expired on /);
  });

  test('the spec validator reports them at their field, warnings flagged', () => {
    const inline = (cert: string, key: string) => appSpec({ route: { host: 'other.example.com', certificate: { allowInlineKeys: true, inline: { certificateFile: `test/fixtures/${cert}`, keyFile: `test/fixtures/${key}` } } } });
    expect(validateAppSpec(inline('route.crt.pem', 'other.key.pem'), { baseDir: ROOT })).toEqual([
      { field: 'spec.route.certificate.inline.keyFile', message: expect.stringMatching(/^the key does not match the certificate: the key file "[^"]*other\.key\.pem" and the certificate file "[^"]*route\.crt\.pem" are not a pair/) },
      { field: 'spec.route.certificate.inline.certificateFile', message: expect.stringMatching(/does not cover the route host/), warning: true },
    ]);
  });
});
