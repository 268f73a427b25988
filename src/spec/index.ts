/**
 * spec/: the user-facing contract. The `AppSpec` types (the YAML app document and the JSON
 * Schema's source), the cluster-level spec, field rules (names, ports, CIDRs, images) and the
 * `Problem` type every validation reports in.
 *
 * May import: render/ only (and nothing that creates Kubernetes objects).
 */
export * from './app-spec';
export { Problem } from './problems';
