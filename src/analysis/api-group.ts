/**
 * The API group of an `apiVersion`: what comes before its first `/` (`networking.istio.io/v1` ->
 * `networking.istio.io`), or '' for the core group (`v1`). The one reader of the group for the
 * analysis and the engine's checks.
 */
export function apiGroupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}
