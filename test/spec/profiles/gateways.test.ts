import { createHash } from 'node:crypto';
import {
  GATEWAY_IMPLEMENTATIONS, envoyGatewayResourceName, findGateway, gatewayClusterProblems, gatewayPrincipal, nginxGatewayResourceName, resolveGateway,
} from '../../../src/spec/profiles/gateways';

describe('gateway implementation profiles', () => {
  test('istio: the Gateway\'s namespace, the portable label, ServiceAccount and Service <gateway>-<class>', () => {
    const g = resolveGateway({ name: 'public', namespace: 'gateways', implementation: 'istio' });
    expect(g).toMatchObject({
      className: 'istio', podNamespace: 'gateways', podLabels: { 'gateway.networking.k8s.io/gateway-name': 'public' },
      serviceName: 'public-istio', serviceAccount: 'public-istio', portableSelector: true,
      peer: { namespaceLabels: { 'kubernetes.io/metadata.name': 'gateways' }, podLabels: { 'gateway.networking.k8s.io/gateway-name': 'public' } },
    });
    expect(gatewayPrincipal(g)).toBe('cluster.local/ns/gateways/sa/public-istio');
    expect(resolveGateway({ name: 'public', namespace: 'gateways', implementation: 'istio', className: 'internal' }).serviceAccount).toBe('public-internal');
  });

  test('openshift: class openshift-default, capabilities by version (BackendTLSPolicy 4.22, TLSRoute and frontend validation 4.23)', () => {
    const at = (version?: string) => resolveGateway({ name: 'gw', namespace: 'openshift-ingress', implementation: 'openshift', version });
    expect(at().serviceAccount).toBe('gw-openshift-default');
    expect(at().podLabels).toEqual({ 'gateway.networking.k8s.io/gateway-name': 'gw' });
    expect([at('4.19'), at('4.21'), at('4.22'), at('4.23'), at()].map((g) => [g.grpcRoute, g.backendTlsPolicy, g.tlsRoute, g.frontendValidation])).toEqual([
      [true, false, false, false], [true, false, false, false], [true, true, false, false], [true, true, true, true], [true, true, true, true],
    ]);
    expect(at().profile.separateMesh).toBe(true);
  });

  test('envoy-gateway: envoy-gateway-system, owning-gateway labels, hashed names (the portable selector does not apply)', () => {
    const g = resolveGateway({ name: 'eg', namespace: 'default', implementation: 'envoy-gateway' });
    const hash = createHash('sha256').update('default/eg').digest('hex').slice(0, 8);
    expect(g).toMatchObject({
      className: 'eg', podNamespace: 'envoy-gateway-system', portableSelector: false,
      podLabels: { 'gateway.envoyproxy.io/owning-gateway-name': 'eg', 'gateway.envoyproxy.io/owning-gateway-namespace': 'default' },
      serviceAccount: `envoy-default-eg-${hash}`, serviceName: `envoy-default-eg-${hash}`,
    });
    // internal/utils/misc.go GetHashedName truncates "<ns>-<name>" to 48 characters (one trailing '-' trimmed).
    const long = envoyGatewayResourceName('a'.repeat(30), 'b'.repeat(30));
    expect(long).toMatch(new RegExp(`^envoy-${'a'.repeat(30)}-${'b'.repeat(17)}-[0-9a-f]{8}$`));
  });

  test('envoy-gateway modes: GatewayNamespace mode is portable; mergeGateways selects by class', () => {
    expect(resolveGateway({ name: 'eg', namespace: 'edge', implementation: 'envoy-gateway', gatewayNamespaceMode: true })).toMatchObject({
      podNamespace: 'edge', podLabels: { 'gateway.networking.k8s.io/gateway-name': 'eg' }, serviceAccount: 'eg', portableSelector: true,
    });
    expect(resolveGateway({ name: 'eg', namespace: 'edge', implementation: 'envoy-gateway', mergeGateways: true }).podLabels).toEqual({ 'gateway.envoyproxy.io/owning-gatewayclass': 'eg' });
    expect(resolveGateway({ name: 'eg', namespace: 'edge', implementation: 'envoy-gateway', podNamespace: 'envoy' }).podNamespace).toBe('envoy');
  });

  test('nginx-gateway-fabric: <gateway>-<class>; over 63 characters the gateway-name label becomes an annotation', () => {
    expect(resolveGateway({ name: 'ngf', namespace: 'edge', implementation: 'nginx-gateway-fabric' })).toMatchObject({
      podLabels: { 'gateway.networking.k8s.io/gateway-name': 'ngf' }, serviceAccount: 'ngf-nginx', portableSelector: true, h2cHttpRoute: false, grpcRoute: true,
    });
    const name = `g${'x'.repeat(63)}`;
    const long = resolveGateway({ name, namespace: 'edge', implementation: 'nginx-gateway-fabric' });
    expect(long.portableSelector).toBe(false);
    expect(long.podLabels).toEqual({ 'app.kubernetes.io/name': long.serviceName });
    expect(long.serviceName.length).toBeLessThanOrEqual(63);
    expect(nginxGatewayResourceName(name, 'nginx')).toMatch(/^gx+-[0-9a-f]{8}-nginx$/);
  });

  test('overrides for hand-deployed gateways', () => {
    const g = resolveGateway({ name: 'gw', namespace: 'edge', implementation: 'istio', podLabels: { app: 'my-gw' }, serviceAccount: 'gw-sa', serviceName: 'gw-svc' });
    expect(g).toMatchObject({ podLabels: { app: 'my-gw' }, serviceAccount: 'gw-sa', serviceName: 'gw-svc', portableSelector: false });
  });

  test('every profile names its default class and its notes', () => {
    for (const p of Object.values(GATEWAY_IMPLEMENTATIONS)) {
      expect(p.defaultClassName).toMatch(/^[a-z-]+$/);
      expect(p.notes.length).toBeGreaterThan(0);
    }
  });

  test('findGateway: by name and namespace, or by a name only one gateway has', () => {
    const list = [{ name: 'a', namespace: 'x', implementation: 'istio' as const }, { name: 'a', namespace: 'y', implementation: 'istio' as const }, { name: 'b', namespace: 'x', implementation: 'istio' as const }];
    expect(findGateway(list, 'b')?.namespace).toBe('x');
    expect(findGateway(list, 'a')).toBeUndefined();
    expect(findGateway(list, 'a', 'y')?.namespace).toBe('y');
  });

  test('fails bad cluster gateways, listing every problem', () => {
    expect(gatewayClusterProblems([
      { name: 'gw', namespace: 'edge', implementation: 'traefik' as any },
      { name: 'gw', namespace: 'edge', implementation: 'istio', gatewayNamespaceMode: true },
      { name: 'ocp', namespace: 'openshift-ingress', implementation: 'openshift', version: '4.18' },
      { name: 'x', namespace: 'Edge', implementation: 'istio', podLabels: {} },
    ])).toEqual([
      { field: '[0].implementation', message: '"traefik" is not a profiled implementation; use one of "istio", "openshift", "envoy-gateway", "nginx-gateway-fabric"' },
      { field: '[1].name', message: 'gateway "edge/gw" repeats spec.gateways[0]; a Gateway is declared once' },
      { field: '[1].gatewayNamespaceMode', message: 'is an Envoy Gateway setting; implementation is "istio"' },
      { field: '[2].version', message: 'OpenShift 4.18 has no Gateway API; it comes with 4.19' },
      { field: '[3].namespace', message: expect.stringMatching(/"Edge" is not a DNS-1123 label/) },
      { field: '[3].podLabels', message: 'an empty label map selects every pod of the namespace; give the gateway pods\' labels' },
    ]);
  });
});
