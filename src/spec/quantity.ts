/**
 * Kubernetes resource quantities ("100m", "128Mi", "1e3") as the API server reads them
 * (k8s.io/apimachinery pkg/api/resource, `ParseQuantity`), and the API server's checks of a
 * container's requests and limits (k8s.io/kubernetes pkg/apis/core/validation,
 * `ValidateResourceRequirements`). Values are compared exactly, never as floating point.
 *
 * The grammar:
 *
 *     <quantity>        ::= <sign>? <number> <suffix>?
 *     <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
 *     <suffix>          ::= <binarySI> | <decimalSI> | <decimalExponent>
 *     <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei              (powers of 1024)
 *     <decimalSI>       ::= n | u | m | k | M | G | T | P | E        (powers of 1000)
 *     <decimalExponent> ::= e <sign>? <digits> | E <sign>? <digits>
 *
 * The exponent is an integer, as `ParseQuantity` reads it (its documented grammar allows a
 * fraction there, which it then refuses). As `ParseQuantity` does, a value finer than a
 * nano-unit is rounded up to 1n and a binary-SI value is capped at 2^63-1. Surrounding spaces
 * are trimmed (the API server's JSON decoding does the same).
 */
import type { Problem } from './problems';

/** Which of the three forms a quantity was written in. */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** A quantity, exactly: `(negative ? -1 : 1) * digits * 10^exponent10 * 2^exponent2`. */
export interface ParsedQuantity {
  /** The text, trimmed. */
  readonly text: string;
  readonly negative: boolean;
  /** The digits of the number without its point, leading zeros removed ("0" for zero). */
  readonly digits: string;
  /** The power of ten: the suffix's or exponent's, less the number of fraction digits. */
  readonly exponent10: number;
  /** The power of two of a binary suffix (Ki: 10, Mi: 20, ...); 0 otherwise. */
  readonly exponent2: number;
  readonly format: QuantityFormat;
}

const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+|[numkMGTPE])?$/;
const BINARY: { readonly [suffix: string]: number } = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: { readonly [suffix: string]: number } = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const INT32_MAX = 2 ** 31 - 1;
const INT64_MAX = (1n << 63n) - 1n;

/** What a quantity looks like, for messages. */
export const QUANTITY_FORMS = 'a number with an optional suffix: Ki, Mi, Gi, Ti, Pi, Ei (powers of 1024), n, u, m, k, M, G, T, P, E (powers of 1000) or an exponent such as e6';

/** The quantity, or a message saying why the text is not one. */
export function parseQuantity(text: string): ParsedQuantity | string {
  const trimmed = text.trim();
  const m = QUANTITY.exec(trimmed);
  if (!m) return `${JSON.stringify(text)} is not a Kubernetes quantity: ${QUANTITY_FORMS}${suggestion(trimmed)}`;
  const [, sign, number, suffix = ''] = m;
  const [whole, fraction = ''] = number.split('.');
  let exponent10 = -fraction.length;
  let exponent2 = 0;
  let format: QuantityFormat = 'DecimalSI';
  if (suffix in BINARY) {
    exponent2 = BINARY[suffix];
    format = 'BinarySI';
  } else if (suffix in DECIMAL) {
    exponent10 += DECIMAL[suffix];
  } else if (suffix) {
    const exponent = Number(suffix.slice(1));
    if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > INT32_MAX) {
      return `${JSON.stringify(text)} has the exponent ${suffix.slice(1)}; the API server reads exponents from -${INT32_MAX} to ${INT32_MAX}`;
    }
    exponent10 += exponent;
    format = 'DecimalExponent';
  }
  const digits = `${whole}${fraction}`.replace(/^0+/, '') || '0';
  return { text: trimmed, negative: sign === '-' && digits !== '0', digits, exponent10, exponent2, format };
}

/** "512MB" -> ` (did you mean "512M" or "512Mi"?)`: the common mistakes of units written as for disks. */
function suggestion(text: string): string {
  const m = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*([kKmMgGtTpPeE])(i)?[bB]?$/.exec(text);
  if (!m) return '';
  const [, number, unit] = m;
  const decimal = unit.toLowerCase() === 'k' ? 'k' : unit.toUpperCase();
  const binary = `${unit.toUpperCase()}i`;
  return ` (did you mean ${JSON.stringify(`${number}${decimal}`)} or ${JSON.stringify(`${number}${binary}`)}?)`;
}

/** A value as `n * 10^e`, after the API server's rounding to nano-units and its binary cap. */
interface Exact {
  readonly n: bigint;
  readonly e: number;
}

function exact(q: ParsedQuantity): Exact {
  let n = BigInt(q.digits) << BigInt(q.exponent2);
  let e = q.exponent10;
  if (n === 0n) return { n, e: 0 };
  if (e < -9) {
    // rounded away from zero to a whole number of nano-units
    const shift = -9 - e;
    if (shift > q.digits.length + 20) n = 1n;
    else { const d = 10n ** BigInt(shift); n = (n + d - 1n) / d; }
    e = -9;
  }
  if (q.format === 'BinarySI' && compareMagnitudes({ n, e }, { n: INT64_MAX, e: 0 }) > 0) return { n: INT64_MAX, e: 0 };
  return { n, e };
}

/** Compares two non-negative values without expanding large exponents. */
function compareMagnitudes(a: Exact, b: Exact): number {
  if (a.n === 0n || b.n === 0n) return a.n === b.n ? 0 : a.n === 0n ? -1 : 1;
  const ma = a.n.toString().length + a.e;
  const mb = b.n.toString().length + b.e;
  if (ma !== mb) return ma < mb ? -1 : 1;
  // Same order of magnitude: the exponents differ by at most the digits written.
  const e = Math.min(a.e, b.e);
  const x = a.n * 10n ** BigInt(a.e - e);
  const y = b.n * 10n ** BigInt(b.e - e);
  return x === y ? 0 : x < y ? -1 : 1;
}

/** -1, 0 or 1 as `a` is less than, equal to or more than `b`, as the API server compares them. */
export function compareQuantities(a: ParsedQuantity, b: ParsedQuantity): number {
  const x = exact(a);
  const y = exact(b);
  const sa = x.n === 0n ? 0 : a.negative ? -1 : 1;
  const sb = y.n === 0n ? 0 : b.negative ? -1 : 1;
  if (sa !== sb) return sa < sb ? -1 : 1;
  const c = compareMagnitudes(x, y);
  return sa < 0 ? -c : c;
}

/** Whether the quantity is a whole number (no fraction after the API server's rounding). */
export function isWholeQuantity(q: ParsedQuantity): boolean {
  const { n, e } = exact(q);
  if (n === 0n || e >= 0) return true;
  return n % 10n ** BigInt(-e) === 0n;
}

/** The resource names a container may request without a domain (core/v1 ResourceName). */
const STANDARD_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];
const HUGEPAGES = 'hugepages-';
/** Resources counted in bytes: a fraction of a byte is a unit mistake ("128m" for "128Mi"). */
const BYTE_RESOURCES = new Set(['memory', 'ephemeral-storage']);
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why a name is not a container resource, or undefined (core/v1 `validateContainerResourceName`). */
export function containerResourceName(name: string): string | undefined {
  const allowed = 'use cpu, memory, ephemeral-storage, hugepages-<page size> or an extended resource "<domain>/<name>" such as nvidia.com/gpu';
  if (STANDARD_RESOURCES.includes(name)) return undefined;
  if (name.startsWith(HUGEPAGES)) {
    const size = parseQuantity(name.slice(HUGEPAGES.length));
    return typeof size === 'string' || size.negative || size.digits === '0' ? `${JSON.stringify(name)} does not name a page size: hugepages-<size> such as hugepages-2Mi` : undefined;
  }
  const slash = name.indexOf('/');
  if (slash < 0) return `${JSON.stringify(name)} is not a container resource: ${allowed}`;
  const domain = name.slice(0, slash);
  const local = name.slice(slash + 1);
  if (domain === 'kubernetes.io' || domain.endsWith('.kubernetes.io')) return `${JSON.stringify(name)} is in the kubernetes.io domain, which has no such container resource: ${allowed}`;
  if (name.startsWith('requests.') || domain.length > 253 || !DNS_SUBDOMAIN.test(domain) || local.length > 63 || !QUALIFIED_NAME.test(local)) {
    return `${JSON.stringify(name)} is not an extended resource name: "<DNS subdomain>/<name>", such as nvidia.com/gpu`;
  }
  return undefined;
}

const isExtended = (name: string) => name.includes('/') && containerResourceName(name) === undefined;
/** Requests may be below limits (the API server's `IsOvercommitAllowed`): cpu, memory, ephemeral-storage. */
const overcommitAllowed = (name: string) => STANDARD_RESOURCES.includes(name);

/** A container's requests and limits, as the spec gives them. */
export interface ResourceRequirements {
  readonly requests?: { readonly [resource: string]: unknown };
  readonly limits?: { readonly [resource: string]: unknown };
}

/**
 * The API server's checks of a container's resources, with fields relative to `resources`:
 * names, quantities (not negative, whole for extended resources, whole bytes for memory and
 * storage, whole pages for huge pages), every request at most its limit (equal to it for huge
 * pages and extended resources, which also need a limit), and cpu or memory beside huge pages.
 */
export function resourceProblems(resources: ResourceRequirements): Problem[] {
  const out: Problem[] = [];
  const parsed: { [kind: string]: Map<string, ParsedQuantity> } = { requests: new Map(), limits: new Map() };
  for (const kind of ['limits', 'requests'] as const) {
    const list = resources[kind];
    if (list === undefined || list === null || typeof list !== 'object') continue;
    for (const [name, value] of Object.entries(list)) {
      const field = `${kind}.${name}`;
      const nameProblem = containerResourceName(name);
      if (nameProblem) out.push({ field, message: nameProblem });
      if (typeof value !== 'string') continue; // the schema reports the type
      const q = parseQuantity(value);
      if (typeof q === 'string') { out.push({ field, message: q }); continue; }
      if (q.negative) { out.push({ field, message: `${JSON.stringify(value)} is negative; a ${kind === 'limits' ? 'limit' : 'request'} is 0 or more` }); continue; }
      if (nameProblem) continue;
      parsed[kind].set(name, q);
      if (isExtended(name) && !isWholeQuantity(q)) out.push({ field, message: `${JSON.stringify(value)} is not a whole number; extended resources are counted in whole units` });
      if (BYTE_RESOURCES.has(name) && !isWholeQuantity(q)) {
        out.push({ field, message: `${JSON.stringify(value)} is a fraction of a byte${/m$/.test(q.text) ? ' ("m" is thousandths)' : ''}; ${name} is counted in bytes: use Ki, Mi, Gi (or k, M, G), e.g. "128Mi"` });
      }
      if (name.startsWith(HUGEPAGES)) {
        const page = parseQuantity(name.slice(HUGEPAGES.length)) as ParsedQuantity;
        if (!wholeMultiple(q, page)) out.push({ field, message: `${JSON.stringify(value)} is not a whole number of ${name.slice(HUGEPAGES.length)} pages` });
      }
    }
  }
  for (const [name, request] of parsed.requests) {
    const limit = parsed.limits.get(name);
    const field = `requests.${name}`;
    if (limit === undefined) {
      if (!overcommitAllowed(name) && !resources.limits?.[name]) out.push({ field, message: `${name} cannot be overcommitted: set limits.${name} to the same value, ${JSON.stringify(request.text)}` });
      continue;
    }
    const c = compareQuantities(request, limit);
    if (!overcommitAllowed(name) && c !== 0) {
      out.push({ field, message: `${JSON.stringify(request.text)} differs from the ${name} limit ${JSON.stringify(limit.text)}; ${name} cannot be overcommitted, so its request must equal its limit` });
    } else if (c > 0) {
      out.push({ field, message: `${JSON.stringify(request.text)} is more than the ${name} limit ${JSON.stringify(limit.text)} (limits.${name}); a request must be at most its limit` });
    }
  }
  const names = [...parsed.requests.keys(), ...parsed.limits.keys()];
  if (names.some((n) => n.startsWith(HUGEPAGES)) && !names.some((n) => n === 'cpu' || n === 'memory')) {
    out.push({ field: '', message: 'huge pages need a cpu or memory request or limit beside them' });
  }
  return out;
}

/** Whether `q` is a whole multiple of `unit` (0 is). */
function wholeMultiple(q: ParsedQuantity, unit: ParsedQuantity): boolean {
  const a = exact(q);
  const b = exact(unit);
  if (a.n === 0n) return true;
  if (b.n === 0n) return false;
  const e = Math.min(a.e, b.e);
  if (Math.abs(a.e - b.e) > 1000) return false;
  const x = a.n * 10n ** BigInt(a.e - e);
  const y = b.n * 10n ** BigInt(b.e - e);
  return x % y === 0n;
}
