import { apiGroupOf } from '../../src/analysis/api-group';

describe('apiGroupOf', () => {
  test('is what comes before the first slash of an apiVersion', () => {
    expect(apiGroupOf('networking.istio.io/v1')).toBe('networking.istio.io');
    expect(apiGroupOf('apps/v1')).toBe('apps');
    expect(apiGroupOf('a/b/v1')).toBe('a');
  });

  test('is empty for the core group, which has no slash', () => {
    expect(apiGroupOf('v1')).toBe('');
    expect(apiGroupOf('')).toBe('');
  });
});
