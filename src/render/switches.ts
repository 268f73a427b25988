/** The environment variable that turns fast rendering off: every object renders through cdk8s' `ApiObject.toJson`. */
export const GENERIC_RENDER_VARIABLE = 'CDK8S_ZEROTRUST_GENERIC_RENDER';
/** The environment variable that turns `dumpYaml` off: manifests are written by js-yaml's own `dump`. */
export const JS_YAML_VARIABLE = 'CDK8S_ZEROTRUST_JS_YAML';

/**
 * The switches from the performance paths back to the generic library paths. Both paths give
 * byte-identical output (tests synthesize every example both ways); the switches are there to
 * compare them (tests, `npm run bench`) and as a way out should a cdk8s or js-yaml release
 * change what the fast paths rely on.
 */
export interface RenderSwitches {
  /** `CDK8S_ZEROTRUST_GENERIC_RENDER=1`: every object renders through cdk8s' generic `ApiObject.toJson`. */
  readonly genericRender: boolean;
  /** `CDK8S_ZEROTRUST_JS_YAML=1`: manifests are written by js-yaml's `dump` (same options) instead of `dumpYaml`. */
  readonly jsYaml: boolean;
}

let switches: RenderSwitches | undefined;

/**
 * The render switches, read from the environment once (on first use) and then kept: this is the
 * only place that reads them. Each is `1` (on), `0` or unset (off); any other value throws.
 */
export function renderSwitches(): RenderSwitches {
  switches ??= { genericRender: readSwitch(GENERIC_RENDER_VARIABLE), jsYaml: readSwitch(JS_YAML_VARIABLE) };
  return switches;
}

function readSwitch(name: string): boolean {
  const value = process.env[name];
  if (value === undefined || value === '' || value === '0') return false;
  if (value === '1') return true;
  throw new Error(`${name} ${JSON.stringify(value)} is not allowed; use 1 (on), or 0 or unset (off)`);
}
