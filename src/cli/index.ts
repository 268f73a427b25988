/**
 * cli/: the `cdk8s-zerotrust` command: argument parsing, commands, terminal output.
 *
 * May import: everything else in src/. Nothing imports cli/ but bin/ and the package index.
 */
export { CliIo, main } from './cli';
