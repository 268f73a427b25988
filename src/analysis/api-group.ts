/**
 * The API group of an `apiVersion` (`group/version`): `networking.istio.io/v1` ->
 * `networking.istio.io`; '' for the core group, whose apiVersion is a version alone (`v1`).
 * Undefined for an apiVersion the API server would refuse (an empty part, more than one `/`, or no
 * `/` and not a version, such as `security.istio.io`): such an object belongs to no group, and
 * nothing that reads objects of a group reads it. The one reader of the group for the analysis and
 * the engine's checks.
 */
export function apiGroupOf(apiVersion: string): string | undefined {
  const slash = apiVersion.indexOf('/');
  if (slash < 0) return VERSION.test(apiVersion) ? '' : undefined;
  if (slash === 0 || slash === apiVersion.length - 1 || apiVersion.indexOf('/', slash + 1) >= 0) return undefined;
  return apiVersion.slice(0, slash);
}

/** A Kubernetes API version: v1, v2beta1, v1alpha3. */
const VERSION = /^v[1-9][0-9]*((alpha|beta)[1-9][0-9]*)?$/;
