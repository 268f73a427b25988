import { ServingCertificate, serviceDnsNames } from '../../../src/constructs/cert-manager/serving-certificate';
import { oneOf, schemaProblems, synth } from '../../util';

describe('ServingCertificate', () => {
  test('issues an ECDSA certificate for the Service DNS names, rotating the key', () => {
    const cert = oneOf(synth((c) => new ServingCertificate(c, 'C', {
      name: 'web-tls', namespace: 'shop', secretName: 'web-tls', issuer: { name: 'ca', kind: 'ClusterIssuer' }, dnsNames: serviceDnsNames('web', 'shop'),
    })), 'Certificate');
    expect(cert.spec).toEqual({
      secretName: 'web-tls',
      issuerRef: { name: 'ca', kind: 'ClusterIssuer', group: 'cert-manager.io' },
      dnsNames: ['web', 'web.shop', 'web.shop.svc', 'web.shop.svc.cluster.local'],
      duration: '2160h',
      renewBefore: '360h',
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
      usages: ['server auth', 'client auth', 'digital signature'],
    });
    expect(schemaProblems(cert)).toEqual([]);
  });
  test('fails without DNS names', () => {
    expect(() => synth((c) => new ServingCertificate(c, 'C', { name: 'a', namespace: 's', secretName: 'a', issuer: { name: 'ca' }, dnsNames: [] }))).toThrow('dnsNames: at least one DNS name is required');
  });
});
