import { closest, editDistance, parseCommandArgs } from '../../src/cli/args';

describe('argument parsing', () => {
  test('editDistance counts insertions, deletions, substitutions and swaps of neighbours', () => {
    expect(editDistance('out', 'out')).toBe(0);
    expect(editDistance('ot', 'out')).toBe(1);
    expect(editDistance('snyth', 'synth')).toBe(1);
    expect(editDistance('synthh', 'synth')).toBe(1);
    expect(editDistance('', 'env')).toBe(3);
    expect(editDistance('deploy', 'verify')).toBe(4);
  });

  test('closest suggests only what is close enough to be what was meant', () => {
    const options = ['--out', '--env', '--days', '--quiet', '--help'];
    expect(closest('--ot', options)).toBe('--out');
    expect(closest('--evn', options)).toBe('--env');
    expect(closest('--quite', options)).toBe('--quiet');
    expect(closest('--force', options)).toBeUndefined();
    expect(closest('--o', options)).toBeUndefined();
    expect(closest('chekc', ['synth', 'validate', 'check', 'certs'])).toBe('check');
  });

  test('parses positionals and options in any order, = or a separate value, short flags and --', () => {
    const options = { out: { value: 'DIR', description: '' }, quiet: { short: 'q', description: '' } };
    expect(parseCommandArgs('synth', ['a', '--out=x', 'b', '-q', '--', '--c'], options)).toEqual({ positionals: ['a', 'b', '--c'], values: { out: 'x', quiet: true } });
    expect(parseCommandArgs('synth', ['--out', 'x', '--out', 'y'], options).values.out).toBe('y');
  });
});
