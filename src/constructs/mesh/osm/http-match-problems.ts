/**
 * The rules on a mesh rule's HTTP matches (`mesh.allow[].http`), over spec data only: both mesh
 * providers validate with them without loading cdk8s and the generated SMI classes;
 * `SmiHttpRouteGroup` throws on them.
 */
import type { HttpMatch, HttpMethod } from '../../../spec/app-spec';
import { Problem, Problems } from '../../../spec/problems';
import { dns1123Subdomain, oneOf } from '../../../spec/rules';

/** The SMI HTTP methods, case-sensitive as the CRD enum has them. */
export const HTTP_METHODS: readonly HttpMethod[] = ['*', 'GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'];

/** Checks HTTP matches; fields are relative to the match list. */
export function httpMatchProblems(matches: readonly HttpMatch[]): Problem[] {
  const out = new Problems();
  if (matches.length === 0) out.add('', 'at least one match is required');
  const seen = new Set<string>();
  matches.forEach((m, i) => {
    out.add(`[${i}].name`, dns1123Subdomain(m.name));
    if (seen.has(m.name)) out.add(`[${i}].name`, `match name ${JSON.stringify(m.name)} is used twice; names must be unique`);
    seen.add(m.name);
    if (m.pathRegex !== undefined) {
      try { new RegExp(m.pathRegex); } catch { out.add(`[${i}].pathRegex`, `${JSON.stringify(m.pathRegex)} is not a regular expression`); }
    }
    (m.methods ?? []).forEach((method, j) => out.add(`[${i}].methods[${j}]`, oneOf(method, HTTP_METHODS, 'method')));
  });
  return out.list;
}
