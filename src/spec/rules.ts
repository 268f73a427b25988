/**
 * Pure validation rules shared by the spec validator (which reports them with field paths)
 * and by the constructs (which throw early on bad props). Each rule returns a lowercase
 * message naming the bad value and what is allowed, or undefined when the value is fine.
 */
import { isIPv4, isIPv6 } from 'node:net';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const IANA_SVC_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

export type Rule<T> = (value: T) => string | undefined;

const q = (v: unknown): string => JSON.stringify(v);

export function dns1123Label(value: string): string | undefined {
  if (value.length > 63) return `${q(value)} is ${value.length} characters; a DNS-1123 label has at most 63`;
  if (!DNS1123_LABEL.test(value)) {
    return `${q(value)} is not a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit`;
  }
  return undefined;
}

export function dns1035Label(value: string): string | undefined {
  if (value.length > 63) return `${q(value)} is ${value.length} characters; a DNS-1035 label has at most 63`;
  if (!DNS1035_LABEL.test(value)) {
    return `${q(value)} is not a DNS-1035 label: lowercase letters, digits and '-', starting with a letter and ending with a letter or digit`;
  }
  return undefined;
}

export function dns1123Subdomain(value: string): string | undefined {
  if (value.length > 253) return `${q(value)} is ${value.length} characters; a DNS-1123 subdomain has at most 253`;
  for (const label of value.split('.')) {
    if (label.length > 63 || !DNS1123_LABEL.test(label)) {
      return `${q(value)} is not a DNS-1123 subdomain: dot-separated lowercase labels of letters, digits and '-', each at most 63 characters`;
    }
  }
  return undefined;
}

/** A Route or Ingress host: a DNS-1123 subdomain; `*.` allowed only where `wildcard` is true. */
export function hostName(value: string, wildcard = false): string | undefined {
  const bare = wildcard && value.startsWith('*.') ? value.slice(2) : value;
  if (value !== value.toLowerCase()) return `host ${q(value)} must be lowercase`;
  if (value.length > 253) return `host ${q(value)} is ${value.length} characters; at most 253 are allowed`;
  for (const label of bare.split('.')) {
    if (label.length > 63) return `host ${q(value)} has the label ${q(label)} of ${label.length} characters; at most 63 are allowed`;
    if (!DNS1123_LABEL.test(label)) {
      return `host ${q(value)} is not a DNS name: dot-separated labels of lowercase letters, digits and '-'`;
    }
  }
  return undefined;
}

/** An IANA service name, as Kubernetes requires for container and Service port names. */
export function portName(value: string): string | undefined {
  if (value.length > 15) return `port name ${q(value)} is ${value.length} characters; at most 15 are allowed`;
  if (!IANA_SVC_NAME.test(value) || value.includes('--') || !/[a-z]/.test(value)) {
    return `port name ${q(value)} is not an IANA service name: lowercase letters, digits and single '-', with at least one letter`;
  }
  return undefined;
}

export function portNumber(value: number): string | undefined {
  if (!Number.isInteger(value) || value < 1 || value > 65535) return `port ${q(value)} is not an integer from 1 to 65535`;
  return undefined;
}

export function labelKey(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && dns1123Subdomain(prefix)) return `label key ${q(key)} has a prefix that is not a DNS-1123 subdomain`;
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) {
    return `label key ${q(key)} is not valid: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit, with an optional DNS prefix and '/'`;
  }
  return undefined;
}

export function labelValue(value: string): string | undefined {
  if (typeof value !== 'string') return `label value ${q(value)} must be a string`;
  if (value.length > 63 || !LABEL_VALUE.test(value)) {
    return `label value ${q(value)} is not valid: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;
  }
  return undefined;
}

/** An IPv4 or IPv6 CIDR such as 10.0.0.0/8. */
export function cidr(value: string): string | undefined {
  const bad = `${q(value)} is not a CIDR such as 10.0.0.0/8 or fd00::/8`;
  const [ip, bits, extra] = value.split('/');
  if (extra !== undefined || bits === undefined || !/^\d{1,3}$/.test(bits)) return bad;
  const max = isIPv4(ip) ? 32 : isIPv6(ip) ? 128 : -1;
  if (max < 0 || Number(bits) > max) return bad;
  return undefined;
}

/** A container image with a pinned tag or digest. */
export function pinnedImage(value: string): string | undefined {
  if (/\s/.test(value) || value.length === 0) return `image ${q(value)} is not an image reference`;
  if (value.includes('@sha256:')) return undefined;
  const lastSlash = value.lastIndexOf('/');
  const colon = value.indexOf(':', lastSlash + 1);
  if (colon < 0) return `image ${q(value)} has no tag; pin a version tag or a @sha256 digest`;
  if (value.slice(colon + 1) === 'latest') return `image ${q(value)} uses the tag "latest"; pin a version tag or a @sha256 digest`;
  return undefined;
}

/** Router durations such as 30s, 5m, 500ms. */
export function routerTimeout(value: string): string | undefined {
  if (!/^\d+(us|ms|s|m|h|d)?$/.test(value)) return `timeout ${q(value)} is not a duration such as 30s, 500ms, 5m or 1h`;
  return undefined;
}

export function oneOf<T>(value: T, allowed: readonly T[], what: string): string | undefined {
  if (!allowed.includes(value)) return `${what} ${q(value)} is not allowed; use one of ${allowed.map((a) => q(a)).join(', ')}`;
  return undefined;
}

/** A URL path: no space or control character (they cannot appear unencoded in a request line). */
export function urlPath(value: string): string | undefined {
  const bad = /[\u0000-\u0020\u007f]/.exec(value);
  return bad ? `path ${q(value)} contains ${bad[0] === ' ' ? 'a space' : `the control character U+${bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`}; percent-encode it (%${bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')})` : undefined;
}

/** An HTTP header value: no control character but horizontal tab (RFC 9110 section 5.5). */
export function headerValue(value: string): string | undefined {
  const bad = /[\u0000-\u0008\u000a-\u001f\u007f]/.exec(value);
  return bad ? `header value ${q(value)} contains the control character U+${bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}; header values may hold visible characters, spaces and tabs only (RFC 9110 section 5.5)` : undefined;
}

/** An HTTP header name: a token (RFC 9110 section 5.1). */
export function headerName(value: string): string | undefined {
  return /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(value) ? undefined : `header name ${q(value)} is not an HTTP token (letters, digits and !#$%&'*+-.^_\`|~)`;
}

/** Throws the first problem found, for constructs that validate their props early. */
export function assertValid(field: string, problem: string | undefined): void {
  if (problem !== undefined) throw new Error(`${field}: ${problem}`);
}
