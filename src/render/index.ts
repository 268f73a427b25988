/**
 * render/: how objects become bytes, fast. `fastRendering` renders cdk8s' generated classes
 * without the generic resolve pass; `dumpYaml` writes plain data as js-yaml's `dump` would.
 * Both are performance paths with a switch back to the generic library path
 * (`CDK8S_ZEROTRUST_GENERIC_RENDER=1`, `CDK8S_ZEROTRUST_JS_YAML=1`, read in switches.ts only) and
 * equivalence tests (test/render/).
 *
 * May import: nothing else in src/ (cdk8s and js-yaml only).
 */
export { dumpYaml, manifestYaml, YAML_DUMP_OPTIONS } from './yaml-dump';
export { cdk8sYaml } from './cdk8s-yaml';
export { RenderSwitches, renderSwitches, GENERIC_RENDER_VARIABLE, JS_YAML_VARIABLE } from './switches';
