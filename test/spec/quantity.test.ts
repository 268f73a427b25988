import { ParsedQuantity, compareQuantities, containerResourceName, parseQuantity, resourceProblems } from '../../src/spec/quantity';

const q = (text: string): ParsedQuantity => {
  const parsed = parseQuantity(text);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
};
const cmp = (a: string, b: string) => compareQuantities(q(a), q(b));

describe('parseQuantity (the API server\'s grammar)', () => {
  test.each([
    '0', '1', '100m', '0.5', '1.', '.5', '+1', '-1', '007', '1e3', '1E3', '1e-3', '1e+3', '128Mi', '1.5Gi', '2Ei', '1E', '1n', '1u', '1k', '1M', '1G', '1T', '1P', ' 100m ',
  ])('reads %j', (text) => {
    expect(typeof parseQuantity(text)).toBe('object');
  });

  test.each([
    '', ' ', '512MB', '1K', '1KB', '1e', '1e1.5', '1.5.5', 'Mi', '1 Mi', '--1', '+-1', '1i', '1Ki3', '+', '.', '-', '1mi', '1MiB', 'abc', '0x10', '1_000', '∞', '1e99999999999999999999',
  ])('fails %j', (text) => {
    expect(typeof parseQuantity(text)).toBe('string');
  });

  test('fails with a message naming the value and the forms allowed, and suggests the unit meant', () => {
    expect(parseQuantity('512MB')).toBe('"512MB" is not a Kubernetes quantity: a number with an optional suffix: Ki, Mi, Gi, Ti, Pi, Ei (powers of 1024), n, u, m, k, M, G, T, P, E (powers of 1000) or an exponent such as e6 (did you mean "512M" or "512Mi"?)');
    expect(parseQuantity('1K')).toMatch(/did you mean "1k" or "1Ki"\?\)$/);
    expect(parseQuantity('2gb')).toMatch(/did you mean "2G" or "2Gi"\?\)$/);
    expect(parseQuantity('1e5000000000')).toBe('"1e5000000000" has the exponent 5000000000; the API server reads exponents from -2147483647 to 2147483647');
  });

  test('keeps the value exactly: digits, powers of ten and two, form', () => {
    expect(q('1.50Gi')).toEqual({ text: '1.50Gi', negative: false, digits: '150', exponent10: -2, exponent2: 30, format: 'BinarySI' });
    expect(q('-0.25m')).toMatchObject({ negative: true, digits: '25', exponent10: -5, format: 'DecimalSI' });
    expect(q('12e-1')).toMatchObject({ digits: '12', exponent10: -1, format: 'DecimalExponent' });
    expect(q('-0')).toMatchObject({ negative: false, digits: '0' });
  });
});

describe('compareQuantities', () => {
  test.each([
    ['1Gi', '1G', 1],
    ['1000m', '1', 0],
    ['1e3', '1k', 0],
    ['1Ki', '1024', 0],
    ['1.5Gi', '1536Mi', 0],
    ['0.5', '500m', 0],
    ['256Mi', '512Mi', -1],
    ['-1', '0', -1],
    ['-2', '-1', -1],
    ['0', '-0', 0],
    ['1e400', '1e399', 1],
    ['1e2147483647', '1e-2147483647', 1],
    ['99e-1', '1e1', -1],
    // the API server rounds a value finer than a nano-unit up to 1n, and caps binary SI at 2^63-1
    ['0.1n', '1n', 0],
    ['1e-30', '1n', 0],
    ['8Ei', '9Ei', 0],
    ['8Ei', '9223372036854775807', 0],
    ['9E', '8Ei', -1],
    ['1e19', '8Ei', 1],
  ])('%s vs %s is %d', (a, b, expected) => {
    expect(cmp(a, b)).toBe(expected);
    expect(cmp(b, a)).toBe(-expected || 0);
  });
});

describe('resource names', () => {
  test.each(['cpu', 'memory', 'ephemeral-storage', 'hugepages-2Mi', 'hugepages-1Gi', 'nvidia.com/gpu', 'example.com/foo_bar'])('accepts %s', (name) => {
    expect(containerResourceName(name)).toBeUndefined();
  });
  test.each(['cpus', 'storage', 'hugepages-', 'hugepages-2MB', 'kubernetes.io/foo', 'Example.com/gpu', 'requests.example.com/x', 'example.com/-x', 'example.com/'])('fails %s', (name) => {
    expect(containerResourceName(name)).toMatch(/^"/);
  });
});

describe('resourceProblems', () => {
  test('accepts the defaults and usual requests and limits', () => {
    expect(resourceProblems({ requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } })).toEqual([]);
    expect(resourceProblems({ requests: { cpu: '2', memory: '1G' }, limits: { cpu: '2000m', memory: '1e9' } })).toEqual([]);
    expect(resourceProblems({ requests: { 'nvidia.com/gpu': '1', 'hugepages-2Mi': '4Mi', memory: '1Gi' }, limits: { 'nvidia.com/gpu': '1', 'hugepages-2Mi': '4Mi' } })).toEqual([]);
  });

  test('fails a memory limit below its request, naming both values', () => {
    expect(resourceProblems({ requests: { memory: '1Gi' }, limits: { memory: '512Mi' } })).toEqual([
      { field: 'requests.memory', message: '"1Gi" is more than the memory limit "512Mi" (limits.memory); a request must be at most its limit' },
    ]);
  });

  test('fails something that is not a quantity, a negative value and a fraction of a byte, each at its field', () => {
    expect(resourceProblems({ requests: { memory: '512MB', cpu: '-100m' }, limits: { memory: '128m' } }).map((p) => `${p.field}: ${p.message}`)).toEqual([
      'limits.memory: "128m" is a fraction of a byte ("m" is thousandths); memory is counted in bytes: use Ki, Mi, Gi (or k, M, G), e.g. "128Mi"',
      expect.stringMatching(/^requests\.memory: "512MB" is not a Kubernetes quantity: .*\(did you mean "512M" or "512Mi"\?\)$/),
      'requests.cpu: "-100m" is negative; a request is 0 or more',
    ]);
  });

  test('fails extended resources and huge pages that differ from their limit, lack one or are not whole', () => {
    expect(resourceProblems({
      requests: { 'nvidia.com/gpu': '1', 'example.com/fpga': '0.5', 'hugepages-2Mi': '3Mi', memory: '1Gi' },
      limits: { 'nvidia.com/gpu': '2', 'example.com/fpga': '0.5', 'hugepages-2Mi': '3Mi' },
    }).map((p) => `${p.field}: ${p.message}`)).toEqual([
      'limits.example.com/fpga: "0.5" is not a whole number; extended resources are counted in whole units',
      'limits.hugepages-2Mi: "3Mi" is not a whole number of 2Mi pages',
      'requests.example.com/fpga: "0.5" is not a whole number; extended resources are counted in whole units',
      'requests.hugepages-2Mi: "3Mi" is not a whole number of 2Mi pages',
      'requests.nvidia.com/gpu: "1" differs from the nvidia.com/gpu limit "2"; nvidia.com/gpu cannot be overcommitted, so its request must equal its limit',
    ]);
    expect(resourceProblems({ requests: { 'nvidia.com/gpu': '1', cpu: '1' } })).toEqual([
      { field: 'requests.nvidia.com/gpu', message: 'nvidia.com/gpu cannot be overcommitted: set limits.nvidia.com/gpu to the same value, "1"' },
    ]);
    expect(resourceProblems({ limits: { 'hugepages-2Mi': '2Mi' } })).toEqual([{ field: '', message: 'huge pages need a cpu or memory request or limit beside them' }]);
  });

  test('fails an unknown resource name', () => {
    expect(resourceProblems({ limits: { cpus: '1' } })).toEqual([
      { field: 'limits.cpus', message: '"cpus" is not a container resource: use cpu, memory, ephemeral-storage, hugepages-<page size> or an extended resource "<domain>/<name>" such as nvidia.com/gpu' },
    ]);
  });
});
