/**
 * Kubernetes' size limits on objects, checked in the serialize stage so that an object the API
 * server refuses is an error naming the app, the object and its size, not a file that fails at
 * `kubectl apply`:
 *
 * - an object of more than 1.5 MiB (etcd's default request limit, `--max-request-bytes`; the API
 *   server stores each object as one etcd request);
 * - ConfigMap and Secret data of more than 1 MiB (`MaxSecretSize` in the API server's validation);
 * - metadata.annotations of more than 256 KiB in all (`TotalAnnotationSizeLimitB`);
 * - and, as a warning, an object of more than 256 KiB: client-side `kubectl apply` copies the
 *   whole object into its `last-applied-configuration` annotation, which then exceeds the
 *   annotation limit (`kubectl apply --server-side` does not).
 */
import type { SpecIssue } from './issues';
import { setOwnProperty } from '../render/own-property';

/** etcd's default request limit, which bounds a stored object: 1.5 MiB. */
export const MAX_OBJECT_BYTES = 1572864;
/** The API server's limit on the data of a ConfigMap or Secret: 1 MiB. */
export const MAX_CONFIG_DATA_BYTES = 1048576;
/** The API server's limit on all annotations of an object, keys and values: 256 KiB. */
export const MAX_ANNOTATIONS_BYTES = 262144;

const MiB = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
const KiB = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
const size = (n: number) => (n >= 1048576 ? MiB(n) : KiB(n));
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The size problems of an app's rendered objects, as issues of `app` in `file`: errors for what
 * the API server refuses, a warning for what client-side `kubectl apply` cannot apply. With
 * `jsonBytesAtMost` (an upper bound of each object's size as JSON, as `sizedCopy` gives), objects
 * whose bound breaks no limit are not serialized to be measured.
 */
export function objectSizeIssues(file: string, app: string, objects: any[], jsonBytesAtMost?: number[]): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const push = (message: string, warning = false) => issues.push({ file, app, field: '', message, ...(warning ? { warning } : {}) });
  for (let i = 0; i < objects.length; i++) {
    const o = objects[i];
    if (!isMap(o)) continue;
    // Data and annotations are parts of the JSON: an object of at most 256 KiB as JSON breaks no limit.
    if (jsonBytesAtMost !== undefined && jsonBytesAtMost[i] <= MAX_ANNOTATIONS_BYTES) continue;
    const ref = objectRef(o);
    const json = bytes(JSON.stringify(o));
    const where = () => {
      const largest = largestField(o); // only for a message: objects of ordinary size are not walked
      return largest ? `; its largest field is ${largest.path} (${size(largest.bytes)})` : '';
    };
    if (json > MAX_OBJECT_BYTES) {
      push(`${ref} is ${MiB(json)} (${json} bytes as JSON): the API server refuses objects over 1.5 MiB (etcd's request limit)${where()}: make it smaller, e.g. mount large content from a volume or an image instead of the spec`);
      continue;
    }
    const data = configDataBytes(o);
    if (data > MAX_CONFIG_DATA_BYTES) {
      push(`${ref} holds ${MiB(data)} of data (${data} bytes): the API server refuses a ${o.kind} over 1 MiB${where()}: split it, or mount the content from a volume or an image`);
      continue;
    }
    const annotations = annotationBytes(o);
    if (annotations > MAX_ANNOTATIONS_BYTES) {
      push(`${ref} has ${KiB(annotations)} of annotations (${annotations} bytes): the API server refuses more than 256 KiB in all: shorten them`);
      continue;
    }
    if (json > MAX_ANNOTATIONS_BYTES) {
      push(`${ref} is ${size(json)} as JSON: client-side kubectl apply fails on it (it copies the object into an annotation, limited to 256 KiB)${where()}: apply with kubectl apply --server-side, or make it smaller`, true);
    }
  }
  return issues;
}

/** `Secret shop/web-env` */
function objectRef(o: Record<string, unknown>): string {
  const meta = isMap(o.metadata) ? o.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : '?';
  return `${typeof o.kind === 'string' ? o.kind : 'object'} ${typeof meta.namespace === 'string' ? `${meta.namespace}/` : ''}${name}`;
}

/** The data size of a ConfigMap or Secret as the API server's validation counts it; 0 for other kinds. */
function configDataBytes(o: Record<string, unknown>): number {
  let total = 0;
  const values = (m: unknown, decode: boolean, keys: boolean) => {
    if (!isMap(m)) return;
    for (const [k, v] of Object.entries(m)) {
      if (typeof v !== 'string') continue;
      total += (keys ? bytes(k) : 0) + (decode ? Buffer.from(v, 'base64').length : bytes(v));
    }
  };
  if (o.kind === 'ConfigMap') {
    values(o.data, false, true);
    values(o.binaryData, true, true);
  } else if (o.kind === 'Secret') {
    values(o.data, true, false);
    values(o.stringData, false, false);
  }
  return total;
}

function annotationBytes(o: Record<string, unknown>): number {
  const annotations = isMap(o.metadata) && isMap(o.metadata.annotations) ? o.metadata.annotations : {};
  return Object.entries(annotations).reduce((n, [k, v]) => n + bytes(k) + (typeof v === 'string' ? bytes(v) : 0), 0);
}

/** The path and size of the largest string in an object (`spec.template.spec.containers[0].env[0].value`). */
interface LargestField {
  readonly path: string;
  readonly bytes: number;
}

function largestField(o: unknown): LargestField | undefined {
  let best: LargestField | undefined;
  const walk = (v: unknown, at: string, depth: number) => {
    if (typeof v === 'string') {
      const n = bytes(v);
      if (!best || n > best.bytes) best = { path: at, bytes: n };
    } else if (Array.isArray(v) && depth < 64) {
      v.forEach((x, i) => walk(x, `${at}[${i}]`, depth + 1));
    } else if (isMap(v) && depth < 64) {
      for (const [k, x] of Object.entries(v)) walk(x, at ? `${at}.${k}` : k, depth + 1);
    }
  };
  walk(o, '', 0);
  return best && best.bytes >= 1024 ? best : undefined;
}

/** A copy of rendered data, and an upper bound of its size (`sizedCopy`). */
export interface SizedCopy {
  /** Built key by key in the same order; anything but plain objects and arrays is kept as it is. */
  readonly copy: any;
  /** At least `Buffer.byteLength(JSON.stringify(value))`; Infinity when a value kept as it is could serialize to anything. */
  readonly jsonBytesAtMost: number;
}

/**
 * The longest JSON of a number: 25 bytes, e.g. `-0.0000010000000000000002` (numbers from 1e-6 up
 * to 1e21 are written without an exponent; `-1.7976931348623157e+308` has 24).
 */
const NUMBER_JSON_BYTES = 25;
/** Bytes of JSON a string character can become: `\u001f` (UTF-8 needs at most 3 per UTF-16 unit). */
const STRING_JSON_BYTES_PER_UNIT = 6;

let bound = 0;

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * A copy of rendered (JSON-like) data, and an upper bound of its size as JSON in UTF-8, in one walk:
 * the run keeps the copy (`renderKept` in pipeline.ts) and checks sizes against the bound, so
 * that an object is serialized to be measured only when the bound comes near a limit. The bound
 * counts every string character as 6 bytes (its longest escape), every number as 25 and every
 * key, including those of undefined values (which JSON leaves out), with its quotes, colon and comma.
 */
export function sizedCopy(value: unknown): SizedCopy {
  bound = 0;
  const copy = copyCounting(value, true);
  return { copy, jsonBytesAtMost: bound };
}

/** The bound of `sizedCopy`, without the copy. */
export function jsonBytesBound(value: unknown): number {
  bound = 0;
  copyCounting(value, false);
  return bound;
}

/** Adds the value's bound to `bound`; returns its copy, or (without `copy`) the value itself. */
function copyCounting(v: any, copy: boolean): any {
  switch (typeof v) {
    case 'string': bound += STRING_JSON_BYTES_PER_UNIT * v.length + 2; return v;
    case 'number': bound += NUMBER_JSON_BYTES; return v;
    case 'boolean': bound += 5; return v;
    case 'undefined': bound += 4; return v; // null in an array
    case 'object': break;
    default: bound = Infinity; return v; // a function, a symbol or a bigint: not data
  }
  if (v === null) {
    bound += 4;
    return v;
  }
  if (Array.isArray(v)) {
    bound += 2 + v.length;
    const out = copy ? new Array(v.length) : v;
    for (let i = 0; i < v.length; i++) {
      const item = copyCounting(v[i], copy);
      if (copy) out[i] = item;
    }
    return out;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) {
    bound = Infinity; // a Date, a class with toJSON, ...: kept as it is, measured by serializing
    return v;
  }
  // for-in over own keys: Object.keys' keys in its order, without allocating their list (those lists were 2.7% of the bytes a 1,000-app synth allocates).
  bound += 2;
  const out = copy ? {} : v;
  for (const k in v) {
    if (!hasOwn.call(v, k)) continue;
    bound += STRING_JSON_BYTES_PER_UNIT * k.length + 4;
    const item = copyCounting(v[k], copy);
    if (copy) setOwnProperty(out, k, item);
  }
  return out;
}
