import { DEPRECATION_ANNOTATION, INGRESS_NGINX_DEPRECATION, NginxIngress } from '../../../src/constructs/kubernetes/nginx-ingress';
import { oneOf, schemaProblems, synth } from '../../util';

const base = { name: 'web', namespace: 'shop', host: 'web.example.com', serviceName: 'web', servicePort: 'http' };

describe('NginxIngress', () => {
  test('routes the host to the Service port by name', () => {
    const ing = oneOf(synth((c) => new NginxIngress(c, 'I', { ...base, className: 'nginx', tlsSecretName: 'web-tls' })), 'Ingress');
    expect(ing.spec).toEqual({
      ingressClassName: 'nginx',
      tls: [{ hosts: ['web.example.com'], secretName: 'web-tls' }],
      rules: [{ host: 'web.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'http' } } } }] } }],
    });
    expect(ing.metadata.annotations).toEqual({ [DEPRECATION_ANNOTATION]: INGRESS_NGINX_DEPRECATION });
    expect(schemaProblems(ing)).toEqual([]);
  });
  test('speaks HTTPS to the mesh with a client certificate and verifies the app identity', () => {
    const ing = oneOf(synth((c) => new NginxIngress(c, 'I', { ...base, backendTls: { clientCertSecret: 'ingress/client', serverName: 'web.shop.cluster.local', toSidecar: true } })), 'Ingress');
    expect(ing.metadata.annotations).toEqual({
      [DEPRECATION_ANNOTATION]: INGRESS_NGINX_DEPRECATION,
      'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS',
      'nginx.ingress.kubernetes.io/proxy-ssl-secret': 'ingress/client',
      'nginx.ingress.kubernetes.io/proxy-ssl-verify': 'on',
      'nginx.ingress.kubernetes.io/proxy-ssl-name': 'web.shop.cluster.local',
      'nginx.ingress.kubernetes.io/proxy-ssl-server-name': 'on',
    });
  });
  test('uses GRPC as the backend protocol for grpc ports', () => {
    expect(oneOf(synth((c) => new NginxIngress(c, 'I', { ...base, protocol: 'grpc' })), 'Ingress').metadata.annotations).toEqual({ [DEPRECATION_ANNOTATION]: INGRESS_NGINX_DEPRECATION, 'nginx.ingress.kubernetes.io/backend-protocol': 'GRPC' });
  });
  test('fails an uppercase host', () => {
    expect(() => synth((c) => new NginxIngress(c, 'I', { ...base, host: 'Web.example.com' }))).toThrow(/host: host "Web.example.com" must be lowercase/);
  });
});
