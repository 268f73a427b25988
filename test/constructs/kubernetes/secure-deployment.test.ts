import { SecureDeployment } from '../../../src/constructs/kubernetes/secure-deployment';
import { oneOf, ofKind, synth } from '../../util';

const base = { name: 'web', namespace: 'shop', image: 'quay.io/acme/web:1.0.0', serviceAccountName: 'web', ports: [{ name: 'http', containerPort: 8080 }] };

describe('SecureDeployment', () => {
  test('is restricted by default: non-root, no escalation, drop ALL, seccomp, read-only root with /tmp', () => {
    const objects = synth((c) => new SecureDeployment(c, 'D', base));
    const pod = oneOf(objects, 'Deployment').spec.template.spec;
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.automountServiceAccountToken).toBe(false);
    const [c] = pod.containers;
    expect(c.securityContext).toEqual({
      runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(c.securityContext.runAsUser).toBeUndefined();
    expect(c.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }]);
    expect(c.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } });
  });

  test('defaults to distinct TCP readiness and liveness probes on the first port', () => {
    const [c] = oneOf(synth((ch) => new SecureDeployment(ch, 'D', base)), 'Deployment').spec.template.spec.containers;
    expect(c.readinessProbe).toEqual({ tcpSocket: { port: 'http' }, periodSeconds: 5 });
    expect(c.livenessProbe).toEqual({ tcpSocket: { port: 'http' }, periodSeconds: 10, initialDelaySeconds: 10, failureThreshold: 3 });
  });

  test('derives liveness from a given readiness probe, keeping numeric and named ports', () => {
    const [c] = oneOf(synth((ch) => new SecureDeployment(ch, 'D', { ...base, readinessProbe: { httpGet: { path: '/ready', port: 8080 as any } } })), 'Deployment').spec.template.spec.containers;
    expect(c.readinessProbe).toEqual({ httpGet: { path: '/ready', port: 8080 } });
    expect(c.livenessProbe).toEqual({ httpGet: { path: '/ready', port: 8080 }, initialDelaySeconds: 10, periodSeconds: 20, failureThreshold: 3 });
  });

  test('adds a PodDisruptionBudget from two replicas, not for one', () => {
    expect(oneOf(synth((c) => new SecureDeployment(c, 'D', base)), 'PodDisruptionBudget').spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'web' } } });
    expect(ofKind(synth((c) => new SecureDeployment(c, 'D', { ...base, replicas: 1 })), 'PodDisruptionBudget')).toEqual([]);
  });

  test('mounts secrets read-only and adds pod annotations added after construction', () => {
    const objects = synth((c) => {
      const d = new SecureDeployment(c, 'D', base);
      d.addSecretMount({ name: 'tls', secretName: 'web-tls', mountPath: '/etc/tls' });
      d.addPodAnnotation('b', '2');
      d.addPodAnnotation('a', '1');
    });
    const tpl = oneOf(objects, 'Deployment').spec.template;
    expect(tpl.metadata.annotations).toEqual({ a: '1', b: '2' });
    expect(Object.keys(tpl.metadata.annotations)).toEqual(['a', 'b']);
    expect(tpl.spec.containers[0].volumeMounts).toContainEqual({ name: 'tls', mountPath: '/etc/tls', readOnly: true });
    expect(tpl.spec.volumes).toContainEqual({ name: 'tls', secret: { secretName: 'web-tls' } });
  });

  test('keeps env in the order given (later variables may reference earlier ones)', () => {
    const [c] = oneOf(synth((ch) => new SecureDeployment(ch, 'D', { ...base, env: { Z: '1', A: '$(Z)' } })), 'Deployment').spec.template.spec.containers;
    expect(c.env).toEqual([{ name: 'Z', value: '1' }, { name: 'A', value: '$(Z)' }]);
  });

  test('fails an unpinned image', () => {
    expect(() => synth((c) => new SecureDeployment(c, 'D', { ...base, image: 'nginx:latest' }))).toThrow('image: image "nginx:latest" uses the tag "latest"');
  });
  test('fails a port name that is not an IANA service name', () => {
    expect(() => synth((c) => new SecureDeployment(c, 'D', { ...base, ports: [{ name: 'Http_Port', containerPort: 80 }] }))).toThrow(/ports.name: port name "Http_Port" is not an IANA service name/);
  });
  test('fails a clashing secret mount', () => {
    expect(() => synth((c) => {
      const d = new SecureDeployment(c, 'D', base);
      d.addSecretMount({ name: 'tls', secretName: 'a', mountPath: '/etc/tls' });
      d.addSecretMount({ name: 'tls2', secretName: 'b', mountPath: '/etc/tls' });
    })).toThrow(/clashes with a mount already added/);
  });
  test('fails negative replicas', () => {
    expect(() => synth((c) => new SecureDeployment(c, 'D', { ...base, replicas: -1 }))).toThrow('replicas: -1 is not a whole number >= 0');
  });
});
