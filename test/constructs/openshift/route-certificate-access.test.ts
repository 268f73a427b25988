import { RouteCertificateAccess } from '../../../src/constructs/openshift/route-certificate-access';
import { oneOf, ofKind, schemaProblems, synth } from '../../util';

describe('RouteCertificateAccess', () => {
  test('lets only the router service account read only the named Secret', () => {
    const objects = synth((c) => new RouteCertificateAccess(c, 'A', { name: 'web-route-certificate', namespace: 'shop', secretName: 'web-cert' }));
    expect(oneOf(objects, 'Role').rules).toEqual([{ apiGroups: [''], resources: ['secrets'], resourceNames: ['web-cert'], verbs: ['get', 'list', 'watch'] }]);
    expect(oneOf(objects, 'RoleBinding')).toMatchObject({
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'web-route-certificate' },
      subjects: [{ kind: 'ServiceAccount', name: 'router', namespace: 'openshift-ingress' }],
    });
    expect(ofKind(objects, 'Role').concat(ofKind(objects, 'RoleBinding')).flatMap(schemaProblems)).toEqual([]);
  });
  test('fails an invalid secret name', () => {
    expect(() => synth((c) => new RouteCertificateAccess(c, 'A', { name: 'x', namespace: 's', secretName: 'Bad_Name' }))).toThrow(/secretName: "Bad_Name" is not a DNS-1123 subdomain/);
  });
});
