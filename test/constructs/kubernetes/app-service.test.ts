import { AppService } from '../../../src/constructs/kubernetes/app-service';
import { oneOf, synth } from '../../util';

describe('AppService', () => {
  test('names ports, targets container ports by name and sets appProtocol (h2c for grpc)', () => {
    const svc = oneOf(synth((c) => new AppService(c, 'S', {
      name: 'web', namespace: 'shop',
      ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443, protocol: 'https' }, { name: 'grpc', port: 9090, protocol: 'grpc' }, { name: 'pg', port: 5432, protocol: 'tcp' }],
    })), 'Service');
    expect(svc.spec.ports).toEqual([
      { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' },
      { name: 'https', port: 443, targetPort: 'https', protocol: 'TCP', appProtocol: 'https' },
      { name: 'grpc', port: 9090, targetPort: 'grpc', protocol: 'TCP', appProtocol: 'kubernetes.io/h2c' },
      { name: 'pg', port: 5432, targetPort: 'pg', protocol: 'TCP' },
    ]);
    expect(svc.spec.selector).toEqual({ 'app.kubernetes.io/name': 'web' });
    expect(svc.metadata.name).toBe('web');
  });

  test('adds annotations after construction', () => {
    const svc = oneOf(synth((c) => new AppService(c, 'S', { name: 'web', namespace: 'shop', ports: [{ name: 'http', port: 80 }] }).addAnnotation('k', 'v')), 'Service');
    expect(svc.metadata.annotations).toEqual({ k: 'v' });
  });

  test('fails a name that is not a DNS-1035 label', () => {
    expect(() => synth((c) => new AppService(c, 'S', { name: '9web', namespace: 'shop', ports: [{ name: 'http', port: 80 }] }))).toThrow(/name: "9web" is not a DNS-1035 label/);
  });
  test('fails an unknown protocol', () => {
    expect(() => synth((c) => new AppService(c, 'S', { name: 'web', namespace: 'shop', ports: [{ name: 'http', port: 80, protocol: 'udp' as any }] }))).toThrow(/protocol "udp" is not allowed; use one of "http", "https", "grpc", "grpcs", "tcp", "tcp-server-first"/);
  });
  test('fails without ports', () => {
    expect(() => synth((c) => new AppService(c, 'S', { name: 'web', namespace: 'shop', ports: [] }))).toThrow('ports: at least one port is required');
  });
});
