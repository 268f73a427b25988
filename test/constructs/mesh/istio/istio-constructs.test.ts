import { IstioAuthorizationPolicy } from '../../../../src/constructs/mesh/istio/istio-authorization-policy';
import { IstioPeerAuthentication } from '../../../../src/constructs/mesh/istio/istio-peer-authentication';
import { IstioServiceEntry } from '../../../../src/constructs/mesh/istio/istio-service-entry';
import { IstioSidecar } from '../../../../src/constructs/mesh/istio/istio-sidecar';
import { istioStringMatch } from '../../../../src/constructs/mesh/istio/istio-string-match';
import { oneOf, schemaProblems, synth } from '../../../util';
import { celProblems, uncoveredRules } from './istio-cel';

/** Schema (strict) and CEL problems of every object. */
function allProblems(objects: any[]): string[] {
  return objects.flatMap((o) => [...schemaProblems(o), ...celProblems(o)]);
}

describe('istioStringMatch (full-match regex -> Istio exact/prefix/suffix)', () => {
  test.each([
    ['.*', undefined],
    ['^.*$', undefined],
    ['/api/.*', ['/api/*']],
    ['^/api/v1/users$', ['/api/v1/users']],
    ['/health', ['/health']],
    ['.*\\.png', ['*.png']],
    ['/api(/.*)?', ['/api', '/api/*']],
    ['/v1/(users|orders)', ['/v1/orders', '/v1/users']],
    ['/a|/b/.*', ['/a', '/b/*']],
    ['(?:/x|/y).*', ['/x*', '/y*']],
    ['/static/.*?', ['/static/*']],
  ])('%s', (regex, values) => {
    expect(istioStringMatch(regex)).toEqual(values === undefined ? {} : { values });
  });

  test('reads a lone "." between literals as a literal dot (narrower), and says so', () => {
    expect(istioStringMatch('/helloworld.Greeter/SayHello')).toEqual({
      values: ['/helloworld.Greeter/SayHello'],
      narrowed: '"/helloworld.Greeter/SayHello" has "." (any one character) at offset 11, read as a literal dot (Istio has no single-character wildcard; this admits only less); write "\\." to say so',
    });
    expect(istioStringMatch('/helloworld\\.Greeter/.*')).toEqual({ values: ['/helloworld.Greeter/*'] });
  });

  test.each([
    ['/api/.*/edit', /may only start or end/],
    ['/users/[0-9]+', /"\[" at offset 7/],
    ['.a', /"\." at offset 0 matches one character/],
    ['/a+', /quantifier "\+"/],
    ['\\d+', /escape "\\d"/],
    ['/x{2}', /quantifier "\{"/],
    ['(/a', /unclosed group/],
    ['/a\\*', /literal '\*'/],
    ['(a|)', /only the empty string/],
  ])('refuses %s', (regex, reason) => {
    const r = istioStringMatch(regex);
    expect(r.values).toBeUndefined();
    expect(r.problem).toMatch(reason);
  });
});

describe('IstioAuthorizationPolicy', () => {
  test('allow-nothing is written as spec: {} and validates', () => {
    const objects = synth((c) => new IstioAuthorizationPolicy(c, 'P', { name: 'allow-nothing', namespace: 'shop' }));
    expect(oneOf(objects, 'AuthorizationPolicy')).toEqual({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'allow-nothing', namespace: 'shop' }, spec: {} });
    expect(allProblems(objects)).toEqual([]);
  });

  test('writes ports as strings and validates against the CRD', () => {
    const objects = synth((c) => new IstioAuthorizationPolicy(c, 'P', {
      name: 'web', namespace: 'shop', selector: { 'app.kubernetes.io/name': 'web' }, action: 'ALLOW',
      rules: [{ from: [{ principals: ['cluster.local/ns/shop/sa/app1'] }], to: [{ ports: [8080], methods: ['GET'], paths: ['/api/*'] }], when: [{ key: 'request.headers[x-tenant]', values: ['a'] }] }],
    }));
    const ap = oneOf(objects, 'AuthorizationPolicy');
    expect(ap.spec.rules).toEqual([{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/app1'] } }], to: [{ operation: { ports: ['8080'], methods: ['GET'], paths: ['/api/*'] } }], when: [{ key: 'request.headers[x-tenant]', values: ['a'] }] }]);
    expect(allProblems(objects)).toEqual([]);
  });

  test('lists every problem: empty lists and sources (IST0106), bad principals, wildcard selector, DENY with HTTP fields and no ports (IST0133)', () => {
    expect(() => synth((c) => new IstioAuthorizationPolicy(c, 'P', {
      name: 'Bad', namespace: 'shop', selector: { app: 'w*' }, action: 'DENY',
      rules: [{ from: [], to: [] }, { from: [{}], to: [{}] }, { from: [{ principals: ['app1'] }], to: [{ methods: ['GET'] }] }, { to: [{ ports: [1], paths: ['/a*b*'] }] }],
    }))).toThrow(new Error([
      'invalid authorization policy "Bad":',
      '  name: "Bad" is not a DNS-1123 subdomain: dot-separated lowercase labels of letters, digits and \'-\', each at most 63 characters',
      '  selector[app]: label value "w*" is not valid: at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit',
      '  selector[app]: wildcards are not allowed in a selector',
      '  rules[0].from: an empty from list is a schema error (IST0106); leave it out to admit any source',
      '  rules[0].to: an empty to list is a schema error (IST0106); leave it out to admit any operation',
      '  rules[1].from[0]: a source needs principals or ipBlocks (an empty source is a schema error, IST0106)',
      '  rules[1].to[0]: an operation needs ports, methods or paths (an empty operation is a schema error, IST0106)',
      '  rules[2].from[0].principals[0]: "app1" is not a principal <trustDomain>/ns/<namespace>/sa/<serviceAccount>',
      '  rules[2].to[0].ports: a DENY rule with HTTP fields and no ports denies every TCP connection to the workload, since istiod drops the HTTP part on TCP ports (IST0133); name the HTTP ports',
      '  rules[3].to[0].paths[0]: "/a*b*" is not an exact path, a prefix "abc*" or a suffix "*abc"',
    ].join('\n')));
  });
});

describe('IstioPeerAuthentication', () => {
  test('STRICT by default, namespace-wide without selector', () => {
    const objects = synth((c) => new IstioPeerAuthentication(c, 'P', { name: 'default', namespace: 'shop' }));
    expect(oneOf(objects, 'PeerAuthentication').spec).toEqual({ mtls: { mode: 'STRICT' } });
    expect(allProblems(objects)).toEqual([]);
  });

  test('port-level PERMISSIVE needs a selector and a reason, which is written on the object', () => {
    expect(() => synth((c) => new IstioPeerAuthentication(c, 'P', { name: 'web', namespace: 'shop', portLevelMtls: [{ port: 8080, mode: 'PERMISSIVE' }] })))
      .toThrow(/portLevelMtls: portLevelMtls requires a selector[^]*permissiveReason: PERMISSIVE admits plain text/);
    const objects = synth((c) => new IstioPeerAuthentication(c, 'P', {
      name: 'web', namespace: 'shop', selector: { app: 'web' }, portLevelMtls: [{ port: 8080, mode: 'PERMISSIVE' }], permissiveReason: 'the load balancer health check',
    }));
    const pa = oneOf(objects, 'PeerAuthentication');
    expect(pa.metadata.annotations).toEqual({ 'cdk8s-zerotrust.io/permissive': 'the load balancer health check' });
    expect(pa.spec).toEqual({ selector: { matchLabels: { app: 'web' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { 8080: { mode: 'PERMISSIVE' } } });
    expect(allProblems(objects)).toEqual([]);
  });

  test('refuses DISABLE', () => {
    expect(() => synth((c) => new IstioPeerAuthentication(c, 'P', { name: 'default', namespace: 'shop', mode: 'DISABLE' }))).toThrow(/mode: mode "DISABLE" is not allowed/);
  });
});

describe('IstioSidecar', () => {
  test('REGISTRY_ONLY with namespace/host egress entries', () => {
    const objects = synth((c) => new IstioSidecar(c, 'S', { name: 'web', namespace: 'shop', workloadSelector: { app: 'web' }, egressHosts: ['./*', 'istio-system/*'] }));
    expect(oneOf(objects, 'Sidecar').spec).toEqual({ workloadSelector: { labels: { app: 'web' } }, outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' }, egress: [{ hosts: ['./*', 'istio-system/*'] }] });
    expect(allProblems(objects)).toEqual([]);
  });

  test('refuses hosts without a namespace part', () => {
    expect(() => synth((c) => new IstioSidecar(c, 'S', { name: 'web', namespace: 'shop', egressHosts: ['api.example.com', 'Bad/*'] })))
      .toThrow(/egressHosts\[0\]: "api.example.com" is not namespace\/dnsName[^]*egressHosts\[1\]: "Bad\/\*": the namespace part/);
  });
});

describe('IstioServiceEntry', () => {
  test('DNS for host names, NONE with CIDR addresses, exportTo "."', () => {
    const objects = synth((c) => {
      new IstioServiceEntry(c, 'A', { name: 'api', namespace: 'shop', hosts: ['api.example.com'], ports: [{ number: 443, protocol: 'TLS' }] });
      new IstioServiceEntry(c, 'B', { name: 'db', namespace: 'shop', hosts: ['db.shop.egress.invalid'], addresses: ['10.1.0.0/16'], ports: [{ number: 5432, protocol: 'TCP' }] });
    });
    expect(oneOf(objects, 'ServiceEntry', 'api').spec).toEqual({ hosts: ['api.example.com'], ports: [{ number: 443, protocol: 'TLS', name: 'tls-443' }], location: 'MESH_EXTERNAL', resolution: 'DNS', exportTo: ['.'] });
    expect(oneOf(objects, 'ServiceEntry', 'db').spec).toMatchObject({ addresses: ['10.1.0.0/16'], resolution: 'NONE' });
    expect(allProblems(objects)).toEqual([]);
  });

  test('refuses "*", CIDRs with DNS, duplicate ports and TCP without addresses (IST0134)', () => {
    expect(() => synth((c) => new IstioServiceEntry(c, 'A', {
      name: 'x', namespace: 'shop', hosts: ['*'], addresses: ['10.0.0.0/8'], resolution: 'DNS',
      ports: [{ number: 80, protocol: 'HTTP' }, { number: 80, protocol: 'TCP' }],
    }))).toThrow(/hosts\[0\]: the host "\*" is not allowed[^]*resolution: CIDR addresses are allowed only with resolution NONE or STATIC[^]*ports\[1\].number: port 80 is listed twice/);
    expect(() => synth((c) => new IstioServiceEntry(c, 'A', { name: 'x', namespace: 'shop', hosts: ['db.example.com'], ports: [{ number: 5432, protocol: 'TCP' }] })))
      .toThrow(/addresses are required \(IST0134\)/);
  });
});

describe('Istio CRD CEL rules', () => {
  test.each([
    ['security.istio.io/v1', 'AuthorizationPolicy'],
    ['security.istio.io/v1', 'PeerAuthentication'],
    ['networking.istio.io/v1', 'Sidecar'],
    ['networking.istio.io/v1', 'ServiceEntry'],
  ])('every rule of %s %s has an equivalent in the tests', (apiVersion, kind) => {
    expect(uncoveredRules(apiVersion, kind)).toEqual([]);
  });

  test('the equivalents catch a broken object', () => {
    expect(celProblems({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'x' }, spec: { portLevelMtls: { 8080: { mode: 'PERMISSIVE' } } } }))
      .toEqual(['PeerAuthentication x.spec: portLevelMtls requires selector']);
  });
});
