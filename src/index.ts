/**
 * The public API of cdk8s-zerotrust: the constructs and their props, the spec types, the mesh
 * provider seam and the engine entry points. Layers (see each folder's index.ts):
 * render/ <- spec/ <- constructs/ <- engine/ <- cli/.
 */
export * from './spec';
export * from './constructs';
export * from './engine';
export * from './render';
export { CliIo, main } from './cli';
