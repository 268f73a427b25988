import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { CRD_DIR } from '../../../util';

/**
 * The CEL rules (`x-kubernetes-validations`) of the vendored Istio CRDs, checked on objects by
 * hand-written equivalents keyed by the rule's exact text (the JSON Schema validator of
 * test/util.ts does not evaluate CEL). A rule without an equivalent is reported, so a CRD update
 * that adds one fails the tests until it is covered here.
 */

type Predicate = (self: any) => boolean;

/** A rule's text with its line breaks (YAML folding) as single spaces. */
const ruleKey = (rule: string) => rule.replace(/\s+/g, ' ').trim();

const has = (o: any, k: string) => o !== null && typeof o === 'object' && o[k] !== undefined;
const count = (...xs: boolean[]) => xs.filter(Boolean).length;

const PREDICATES: { [rule: string]: Predicate } = {
  // ServiceEntry
  '(has(self.workloadSelector) ? 1 : 0) + (has(self.endpoints) ? 1 : 0) <= 1': (s) => count(has(s, 'workloadSelector'), has(s, 'endpoints')) <= 1,
  '!((has(self.addresses) ? self.addresses : []).exists(k, k.contains("/")) && !((has(self.resolution) ? self.resolution : "NONE") in ["STATIC", "NONE"]))':
    (s) => !((s.addresses ?? []).some((k: string) => k.includes('/')) && !['STATIC', 'NONE'].includes(s.resolution ?? 'NONE')),
  '((has(self.resolution) ? self.resolution : "NONE") == "NONE") ? !has(self.endpoints) : true': (s) => ((s.resolution ?? 'NONE') === 'NONE' ? !has(s, 'endpoints') : true),
  '((has(self.resolution) ? self.resolution : "") == "DNS_ROUND_ROBIN") ? ((has(self.endpoints) ? self.endpoints : []).size() <= 1) : true':
    (s) => ((s.resolution ?? '') === 'DNS_ROUND_ROBIN' ? (s.endpoints ?? []).length <= 1 : true),
  'has(self.address) || has(self.network)': (s) => has(s, 'address') || has(s, 'network'),
  '(has(self.address) ? self.address : "").startsWith("unix://") ? !has(self.ports) : true': (s) => ((s.address ?? '').startsWith('unix://') ? !has(s, 'ports') : true),
  'self.startsWith("unix://") ? (self.substring(7, 8) == "/" || self.substring(7, 8) == "@") : true': (s) => (s.startsWith('unix://') ? ['/', '@'].includes(s.substring(7, 8)) : true),
  'self.startsWith("unix://") ? !self.endsWith("/") : true': (s) => (s.startsWith('unix://') ? !s.endsWith('/') : true),
  'self.all(key, size(key) < 63 && key.matches("^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$"))': (s) => Object.keys(s).every((k) => k.length < 63 && /^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$/.test(k)),
  '0 < self && self <= 65535': (s) => s > 0 && s <= 65535,
  'self != "*"': (s) => s !== '*',
  'self.all(l1, self.exists_one(l2, l1.number == l2.number))': (s) => s.every((a: any) => s.filter((b: any) => a.number === b.number).length === 1),
  '!self.contains("*")': (s) => !s.includes('*'),
  // Sidecar
  'duration(self) >= duration(\'1ms\')': () => { throw new Error('durations are not written'); },
  '(has(self.tlsCertificates) ? 1 : 0) + (has(self.credentialNames) ? 1 : 0) <= 1': (s) => count(has(s, 'tlsCertificates'), has(s, 'credentialNames')) <= 1,
  '(has(self.credentialName) ? 1 : 0) + (has(self.credentialNames) ? 1 : 0) <= 1': (s) => count(has(s, 'credentialName'), has(s, 'credentialNames')) <= 1,
  '(has(self.credentialNames) ? 1 : 0) + (has(self.tlsCertificates) ? 1 : 0) <= 1': (s) => count(has(s, 'credentialNames'), has(s, 'tlsCertificates')) <= 1,
  // AuthorizationPolicy
  '(has(self.selector) ? 1 : 0) + (has(self.targetRef) ? 1 : 0) + (has(self.targetRefs) ? 1 : 0) <= 1': (s) => count(has(s, 'selector'), has(s, 'targetRef'), has(s, 'targetRefs')) <= 1,
  '(has(self.serviceAccounts) || has(self.notServiceAccounts)) ? (!has(self.principals) && !has(self.notPrincipals) && !has(self.namespaces) && !has(self.notNamespaces)) : true':
    (s) => ((has(s, 'serviceAccounts') || has(s, 'notServiceAccounts')) ? !['principals', 'notPrincipals', 'namespaces', 'notNamespaces'].some((k) => has(s, k)) : true),
  'self.all(key, !key.contains("*"))': (s) => Object.keys(s).every((k) => !k.includes('*')),
  'self.all(key, key.size() != 0)': (s) => Object.keys(s).every((k) => k.length !== 0),
  'self.size() == 0': (s) => s.length === 0,
  // PeerAuthentication
  'has(self.portLevelMtls) ? (((has(self.selector) && has(self.selector.matchLabels)) ? self.selector.matchLabels : {}).size() > 0) : true':
    (s) => (has(s, 'portLevelMtls') ? Object.keys((has(s, 'selector') && has(s.selector, 'matchLabels')) ? s.selector.matchLabels : {}).length > 0 : true),
  'self.all(key, 0 < int(key) && int(key) <= 65535)': (s) => Object.keys(s).every((k) => /^\d+$/.test(k) && Number(k) > 0 && Number(k) <= 65535),
};

interface CelRule { readonly rule: string; readonly message: string }

const schemas = new Map<string, any>();

/** The openAPIV3Schema of a served Istio CRD version, keyed "apiVersion/kind". */
function schemaOf(apiVersion: string, kind: string): any {
  if (schemas.size === 0) {
    const dir = path.join(CRD_DIR, 'istio');
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.yaml'))) {
      const crd = yaml.load(fs.readFileSync(path.join(dir, f), 'utf8')) as any;
      for (const v of crd.spec.versions) schemas.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, v.schema.openAPIV3Schema);
    }
  }
  return schemas.get(`${apiVersion}/${kind}`);
}

/** Every CEL rule of a kind's schema (for the coverage test). */
export function celRules(apiVersion: string, kind: string): CelRule[] {
  const out: CelRule[] = [];
  const walk = (s: any) => {
    if (!s || typeof s !== 'object') return;
    for (const r of s['x-kubernetes-validations'] ?? []) out.push({ rule: r.rule, message: r.message });
    for (const v of Object.values(s.properties ?? {})) walk(v);
    if (s.items) walk(s.items);
    if (s.additionalProperties && typeof s.additionalProperties === 'object') walk(s.additionalProperties);
  };
  walk(schemaOf(apiVersion, kind));
  return out;
}

/** Whether every CEL rule of the vendored CRDs has an equivalent here. */
export function uncoveredRules(apiVersion: string, kind: string): string[] {
  return celRules(apiVersion, kind).filter((r) => !(ruleKey(r.rule) in PREDICATES)).map((r) => ruleKey(r.rule));
}

/** The CEL rules an Istio object breaks (empty for other kinds). */
export function celProblems(obj: any): string[] {
  const schema = schemaOf(obj.apiVersion, obj.kind);
  if (!schema) return [];
  const out: string[] = [];
  const walk = (s: any, value: any, at: string) => {
    if (!s || typeof s !== 'object' || value === undefined || value === null) return;
    for (const r of s['x-kubernetes-validations'] ?? []) {
      const p = PREDICATES[ruleKey(r.rule)];
      if (!p) out.push(`${obj.kind} ${obj.metadata?.name}${at}: no equivalent for CEL rule ${r.rule}`);
      else if (!p(value)) out.push(`${obj.kind} ${obj.metadata?.name}${at}: ${r.message}`);
    }
    if (s.properties && typeof value === 'object') for (const [k, v] of Object.entries(s.properties)) walk(v, value[k], `${at}.${k}`);
    if (s.items && Array.isArray(value)) value.forEach((x, i) => walk(s.items, x, `${at}[${i}]`));
    if (s.additionalProperties && typeof s.additionalProperties === 'object' && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(s.additionalProperties, v, `${at}.${k}`);
    }
  };
  walk(schema, obj, '');
  return out;
}
