/**
 * The rules on the sources of an entry into the mesh (`mesh.ingress.from`), over spec data only:
 * `OsmSmiMesh` validates with them without loading cdk8s and the generated OSM classes;
 * `OsmIngressBackend` throws on them.
 */
import type { MeshIngressSource } from '../../../spec/app-spec';
import { Problem, Problems } from '../../../spec/problems';
import { cidr, dns1123Label, dns1123Subdomain } from '../../../spec/rules';

/** Checks ingress sources; fields are relative to the source list. */
export function ingressSourceProblems(sources: readonly MeshIngressSource[]): Problem[] {
  const out = new Problems();
  if (sources.length === 0) out.add('', 'at least one source is required');
  sources.forEach((s, i) => {
    const kinds = (['service', 'principal', 'ipRange'] as const).filter((k) => s[k] !== undefined);
    if (kinds.length !== 1) {
      out.add(`[${i}]`, `a source has exactly one of service, principal or ipRange; found ${kinds.length ? kinds.join(' and ') : 'none'}`);
      return;
    }
    if (s.service) {
      if (typeof s.service.name !== 'string') out.add(`[${i}].service.name`, 'a Service name is required');
      else out.add(`[${i}].service.name`, dns1123Label(s.service.name));
      if (typeof s.service.namespace !== 'string') out.add(`[${i}].service.namespace`, 'a namespace is required for a Service source');
      else out.add(`[${i}].service.namespace`, dns1123Label(s.service.namespace));
    }
    if (s.principal !== undefined) out.add(`[${i}].principal`, dns1123Subdomain(s.principal));
    if (s.ipRange !== undefined) out.add(`[${i}].ipRange`, cidr(s.ipRange));
  });
  return out.list;
}
