/**
 * cli/: the `cdk8s-zerotrust` command: the command table (commands.ts), argument parsing with
 * `node:util` parseArgs (args.ts), help (help.ts), terminal output (output.ts) and `main`
 * (cli.ts).
 *
 * May import: everything else in src/. Nothing imports cli/ but bin/ and the package index.
 */
export { CliIo, main } from './cli';
