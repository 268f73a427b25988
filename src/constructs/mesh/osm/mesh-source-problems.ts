/**
 * The rules on the callers of a mesh rule (`mesh.allow[].from`), over spec data only:
 * `OsmSmiMesh` validates with them without loading cdk8s and the generated SMI classes;
 * `SmiTrafficTarget` throws on them.
 */
import type { MeshSource } from '../../../spec/app-spec';
import { Problem, Problems } from '../../../spec/problems';
import { dns1123Label, dns1123Subdomain } from '../../../spec/rules';

/** Checks caller identities; fields are relative to the source list. */
export function meshSourceProblems(sources: readonly MeshSource[]): Problem[] {
  const out = new Problems();
  if (sources.length === 0) out.add('', 'at least one source is required');
  sources.forEach((s, i) => {
    if (typeof s.serviceAccount !== 'string') out.add(`[${i}].serviceAccount`, 'a ServiceAccount name is required');
    else out.add(`[${i}].serviceAccount`, dns1123Subdomain(s.serviceAccount));
    if (typeof s.namespace !== 'string') out.add(`[${i}].namespace`, 'a namespace is required: SMI sources are ServiceAccounts with namespaces');
    else out.add(`[${i}].namespace`, dns1123Label(s.namespace));
  });
  return out.list;
}
