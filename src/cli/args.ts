import { parseArgs } from 'node:util';

/** One option of a command, as its help shows it and as the parser checks it. */
export interface OptionSpec {
  /** What the value is, in usage (`DIR`, `NAME`, `N`). @default - none: a flag */
  readonly value?: string;
  /** A one-letter alias (`q` for `-q`). @default - none */
  readonly short?: string;
  /** One line for the help. */
  readonly description: string;
  /** The default, shown in usage and help (the command applies it). @default - none */
  readonly default?: string;
  /** Checks a value; returns what is wrong with it, e.g. `is not a DNS-1123 label`. @default - any value */
  check?(value: string): string | undefined;
}

/** A command's options by long name (without `--`). */
export interface OptionTable {
  readonly [name: string]: OptionSpec;
}

/** Option values by long name: the string given, or `true` for a flag given. */
export interface OptionValues {
  readonly [name: string]: string | boolean | undefined;
}

/** A command's arguments after parsing. */
export interface ParsedArgs {
  /** The arguments that are not options, in order. */
  readonly positionals: string[];
  readonly values: OptionValues;
}

/** A mistake in the command line: reported with the usage, exit status 2. */
export class UsageError extends Error {
  /** The command whose usage to show. @default - the general usage */
  public readonly command?: string;
  constructor(message: string, command?: string) {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}

/**
 * Parses a command's arguments (after the command name) with `node:util`'s `parseArgs`, then
 * checks every option token itself, so that each mistake gets one message naming the option,
 * the bad value and what is allowed: unknown options (with a suggestion), missing values, values
 * given to flags, and values that fail the option's `check`.
 */
export function parseCommandArgs(command: string, args: string[], options: OptionTable): ParsedArgs {
  const config = Object.fromEntries(Object.entries(options).map(([name, o]) => [name, { type: o.value ? 'string' as const : 'boolean' as const, ...(o.short ? { short: o.short } : {}) }]));
  const { values, positionals, tokens } = parseArgs({ args, options: config, allowPositionals: true, strict: false, tokens: true });
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    const spec = Object.prototype.hasOwnProperty.call(options, t.name) ? options[t.name] : undefined;
    if (!spec) throw new UsageError(unknownOption(command, t.rawName, options), command);
    const long = `--${t.name}`;
    if (!spec.value) {
      if (t.value !== undefined) throw new UsageError(`${long} takes no value (given ${JSON.stringify(t.value)})`, command);
      continue;
    }
    // parseArgs takes the next argument as the value even when it is an option (`--out --env`).
    if (t.value === undefined || t.value === '' || (!t.inlineValue && t.value.startsWith('-'))) {
      throw new UsageError(`${long} needs a value: ${long} ${spec.value}`, command);
    }
    const complaint = spec.check?.(t.value);
    if (complaint !== undefined) throw new UsageError(`${long} ${JSON.stringify(t.value)} ${complaint}`, command);
  }
  return { positionals, values: values as OptionValues };
}

function unknownOption(command: string, raw: string, options: OptionTable): string {
  const names = Object.keys(options).map((n) => `--${n}`);
  const guess = closest(raw, names);
  return guess ? `unknown option ${raw}; did you mean ${guess}?` : `unknown option ${raw}; ${command} takes ${names.join(', ')}`;
}

/**
 * The edit distance of two strings: insertions, deletions, substitutions and swaps of two
 * neighbouring characters each count 1 (optimal string alignment).
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The candidate closest to a mistyped word, when it is close enough to be what was meant: at most
 * 1 edit for names of up to 3 letters, 2 for longer ones (ignoring a leading `--`).
 */
export function closest(word: string, candidates: string[]): string | undefined {
  const bare = (s: string) => s.replace(/^--?/, '');
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const distance = editDistance(bare(word), bare(c));
    const allowed = bare(c).length <= 3 ? 1 : 2;
    if (distance <= allowed && distance < bestDistance) { best = c; bestDistance = distance; }
  }
  return best;
}
