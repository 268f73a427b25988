/**
 * The public API of cdk8s-zerotrust: the constructs and their props, the spec types, the mesh
 * provider seam and the engine entry points. Layers (see each folder's index.ts):
 * render/ <- spec/ <- analysis/ <- constructs/ <- engine/ <- cli/. The CLI (`cdk8s-zerotrust`)
 * is not part of the library's API: bin/ runs lib/src/cli/cli.js.
 */
export * from './spec';
export * from './analysis';
export * from './constructs';
export * from './engine';
export * from './render';
