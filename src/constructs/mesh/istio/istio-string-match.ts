/**
 * The spec's `pathRegex` (and header values) are regular expressions matched against the whole
 * value, as OSM's Envoy routes match them. Istio's AuthorizationPolicy has no regex: every string
 * field is an exact value, a prefix `abc*`, a suffix `*abc` or the presence match `*`
 * (istio/api security/v1beta1/authorization_policy.proto, "Any string field in the rule supports
 * Exact, Prefix, Suffix and Presence match"). This module turns the regexes that have an exact
 * equivalent into such values and says why the others cannot be expressed.
 */

/** The Istio values equivalent to a regex, or why there are none. */
export interface IstioStringMatch {
  /** Exact, `prefix*` or `*suffix` values (OR-ed). @default - any value (the regex matches everything) */
  readonly values?: string[];
  /** Why the regex has no Istio equivalent. @default - it has one */
  readonly problem?: string;
  /**
   * The values are narrower than the regex: a lone `.` between literal characters (as in
   * `/helloworld.Greeter/SayHello`) is read as a literal dot, since Istio has no single-character
   * wildcard; reading it so only ever admits less.
   * @default - the values match exactly what the regex matches
   */
  readonly narrowed?: string;
}

/** At most this many values from one regex (alternations multiply). */
const MAX_VALUES = 16;

/** A wildcard piece (`.*`). */
const WILD = Symbol('wild');
type Piece = string | typeof WILD;
type Sequence = Piece[];

class Unsupported extends Error {}

/** Characters that stand for themselves in a path or header value. */
const LITERAL = /^[A-Za-z0-9/_\-~%!&'=:@,;"<>`#]$/;
/** Characters that may follow a backslash to stand for themselves. */
const ESCAPABLE = '.\\/-_~*+?()[]{}|^$&=:@,;!%#';

/**
 * Converts a full-match regex into Istio string values. Supported: literals (with `\.` style
 * escapes), `.*`, alternation `a|b`, groups `(...)` and `(?:...)` with an optional `?`, and
 * anchors `^`/`$` at the ends; every alternative must then be a literal, a literal followed by
 * `.*`, `.*` followed by a literal, or `.*` alone.
 */
export function istioStringMatch(regex: string): IstioStringMatch {
  let body = regex;
  if (body.startsWith('^')) body = body.slice(1);
  if (body.endsWith('$') && !body.endsWith('\\$')) body = body.slice(0, -1);
  let sequences: Sequence[];
  let parser: Parser;
  try {
    parser = new Parser(body);
    sequences = parser.alternation();
    if (!parser.done) throw new Unsupported(`unexpected ${JSON.stringify(body[parser.pos])} at offset ${parser.pos}`);
  } catch (e) {
    if (e instanceof Unsupported) return { problem: `${JSON.stringify(regex)} has no Istio equivalent: ${e.message}; Istio matches exact values, prefixes (abc.*), suffixes (.*abc) and alternatives of those` };
    throw e;
  }
  const values = new Set<string>();
  for (const seq of sequences.map(normalize)) {
    if (seq.length === 1 && seq[0] === WILD) return {}; // matches everything
    if (seq.length === 0) return { problem: `${JSON.stringify(regex)} has an alternative that matches only the empty string, which Istio cannot express` };
    const wilds = seq.filter((p) => p === WILD).length;
    const text = seq.filter((p): p is string => p !== WILD).join('');
    if (text.includes('*')) return { problem: `${JSON.stringify(regex)} matches a literal '*', which Istio reads as a wildcard` };
    if (wilds === 0) values.add(text);
    else if (wilds === 1 && seq[seq.length - 1] === WILD) values.add(`${text}*`);
    else if (wilds === 1 && seq[0] === WILD) values.add(`*${text}`);
    else {
      return { problem: `${JSON.stringify(regex)} has no Istio equivalent: ".*" may only start or end a value (Istio matches exact values, prefixes abc* and suffixes *abc); split the rule into matches Istio can express` };
    }
  }
  for (const v of values) {
    if (v.includes('{') || v.includes('}')) return { problem: `${JSON.stringify(regex)} contains '{' or '}', which Istio reads as a path template operator` };
  }
  const narrowed = parser.looseDots.length
    ? `${JSON.stringify(regex)} has "." (any one character) at offset${parser.looseDots.length > 1 ? 's' : ''} ${parser.looseDots.join(', ')}, read as a literal dot (Istio has no single-character wildcard; this admits only less); write "\\." to say so`
    : undefined;
  return narrowed ? { values: [...values].sort(), narrowed } : { values: [...values].sort() };
}

/** Joins adjacent literals and collapses repeated wildcards. */
function normalize(seq: Sequence): Sequence {
  const out: Sequence = [];
  for (const p of seq) {
    const last = out[out.length - 1];
    if (p === WILD && last === WILD) continue;
    if (typeof p === 'string' && typeof last === 'string') out[out.length - 1] = last + p;
    else if (p !== '') out.push(p);
  }
  return out;
}

/** A recursive-descent parser of the supported regex subset into alternative sequences. */
class Parser {
  public pos = 0;
  /** Offsets of lone dots read as literal dots. */
  public readonly looseDots: number[] = [];
  constructor(private readonly s: string) {}

  public get done(): boolean {
    return this.pos >= this.s.length;
  }

  public alternation(): Sequence[] {
    const out = [...this.sequence()];
    while (this.s[this.pos] === '|') {
      this.pos++;
      out.push(...this.sequence());
      if (out.length > MAX_VALUES) throw new Unsupported(`more than ${MAX_VALUES} alternatives`);
    }
    return out;
  }

  private sequence(): Sequence[] {
    let result: Sequence[] = [[]];
    while (!this.done && this.s[this.pos] !== '|' && this.s[this.pos] !== ')') {
      let alts = this.atom();
      if (this.s[this.pos] === '?') {
        this.pos++;
        alts = [...alts, []];
      } else if (this.s[this.pos] !== undefined && '*+{'.includes(this.s[this.pos])) {
        throw new Unsupported(`the quantifier ${JSON.stringify(this.s[this.pos])} at offset ${this.pos} repeats something other than "."`);
      }
      const next: Sequence[] = [];
      for (const r of result) for (const a of alts) next.push([...r, ...a]);
      if (next.length > MAX_VALUES) throw new Unsupported(`more than ${MAX_VALUES} alternatives`);
      result = next;
    }
    return result;
  }

  private atom(): Sequence[] {
    const c = this.s[this.pos];
    if (c === '(') {
      this.pos++;
      if (this.s.startsWith('?:', this.pos)) this.pos += 2;
      else if (this.s[this.pos] === '?') throw new Unsupported(`the group construct "(?${this.s[this.pos + 1] ?? ''}" at offset ${this.pos - 1}`);
      const alts = this.alternation();
      if (this.s[this.pos] !== ')') throw new Unsupported(`an unclosed group`);
      this.pos++;
      return alts;
    }
    if (c === '.') {
      if (this.s[this.pos + 1] === '*') {
        this.pos += 2;
        if (this.s[this.pos] === '?') this.pos++; // lazy: same set of matches
        return [[WILD]];
      }
      const prev = this.s[this.pos - 1];
      const next = this.s[this.pos + 1];
      if (prev !== undefined && next !== undefined && LITERAL.test(prev) && LITERAL.test(next)) {
        // Between literal characters, as in a gRPC path or a file extension: a literal dot, narrower than the regex.
        this.looseDots.push(this.pos);
        this.pos++;
        return [['.']];
      }
      throw new Unsupported(`"." at offset ${this.pos} matches one character of any kind (only ".*", any run of characters, is supported)`);
    }
    if (c === '\\') {
      const e = this.s[this.pos + 1];
      if (e !== undefined && ESCAPABLE.includes(e)) {
        this.pos += 2;
        return [[e]];
      }
      throw new Unsupported(`the escape "\\${e ?? ''}" at offset ${this.pos} is a character class`);
    }
    if (LITERAL.test(c)) {
      this.pos++;
      return [[c]];
    }
    throw new Unsupported(`${JSON.stringify(c)} at offset ${this.pos} (character classes, repetition and anchors inside the expression are not supported)`);
  }
}
