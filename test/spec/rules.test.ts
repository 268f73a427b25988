import { cidr, dns1035Label, dns1123Label, dns1123Subdomain, hostName, labelKey, labelValue, pinnedImage, portName, portNumber, routerTimeout } from '../../src/spec/rules';

describe('rules', () => {
  test.each([
    [dns1123Label, ['a', 'a-1', '0abc', 'x'.repeat(63)], ['A', '-a', 'a-', 'a_b', 'x'.repeat(64), '']],
    [dns1035Label, ['a', 'a-1'], ['0abc', 'A']],
    [dns1123Subdomain, ['a.b-c.d', 'x'.repeat(63)], ['a..b', 'A.b', `${'a'.repeat(64)}.b`, 'x.'.repeat(127) + 'xx']],
    [portName, ['http', 'h2c', 'http-metrics', 'a'.repeat(15)], ['a'.repeat(16), '8080', 'a--b', 'HTTP', '-a']],
    [labelKey, ['team', 'example.com/team', 'a.b_c-d'], ['bad key', 'Example..com/x', '/x', `${'a'.repeat(64)}`]],
    [labelValue, ['', 'a', 'a.b_c-d'], ['-a', 'a '.trim() + ' ', 'x'.repeat(64)]],
    [cidr, ['10.0.0.0/8', '0.0.0.0/0', 'fd00::/8', '::/0'], ['10.0.0.0', '10.0.0.0/33', '10.0.0.256/8', 'fd00::/129', 'x/8']],
    [pinnedImage, ['nginx:1.25', 'quay.io/acme/x:1.0', 'localhost:5000/x:1', `x@sha256:${'a'.repeat(64)}`], ['nginx', 'nginx:latest', 'localhost:5000/x', 'a b:1']],
    [routerTimeout, ['30s', '500ms', '5m', '1h', '10'], ['soon', '5 m', '-1s']],
  ] as const)('%p passes good values and fails bad ones', (rule, good, bad) => {
    for (const v of good) expect([v, (rule as (x: string) => string | undefined)(v)]).toEqual([v, undefined]);
    for (const v of bad) expect((rule as (x: string) => string | undefined)(v)).toMatch(/^[^A-Z]/);
  });

  test('hostName allows a wildcard only where asked', () => {
    expect(hostName('*.apps.example.com', true)).toBeUndefined();
    expect(hostName('*.apps.example.com')).toMatch(/not a DNS name/);
  });

  test('portNumber fails 0, 65536 and fractions', () => {
    expect([0, 65536, 1.5].map(portNumber).every((m) => m?.includes('not an integer from 1 to 65535'))).toBe(true);
    expect(portNumber(443)).toBeUndefined();
  });
});
