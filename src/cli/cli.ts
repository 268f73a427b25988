/**
 * The `cdk8s-zerotrust` command line: finds the command in the command table (commands.ts),
 * parses its arguments with `node:util`'s `parseArgs` (args.ts) and runs it. Exit status: 0 ok,
 * 1 problems in the specs or stale output, 2 usage errors.
 */
import { renderSwitches } from '../render/switches';
import { UsageError, closest, parseCommandArgs } from './args';
import { COMMANDS } from './commands';
import { commandHelp, optionsOf, packageVersion, usage } from './help';
import { CliIo, PROCESS_IO } from './output';

export { CliIo, PROGRESS_THRESHOLD } from './output';
export { compareTree, writeTreeAtomically } from '../engine/write';
export { devCertificateFiles } from '../engine/certificates';

const HELP_WORDS = ['help', '--help', '-h'];

/** Runs the CLI; returns the exit code (0 ok, 1 invalid specs or stale output, 2 usage). */
export function main(argv: string[], io: CliIo = PROCESS_IO): number {
  try {
    renderSwitches(); // a malformed CDK8S_ZEROTRUST_* switch is reported before anything runs
  } catch (e) {
    io.err(`cdk8s-zerotrust: ${(e as Error).message}`);
    return 2;
  }
  try {
    return dispatch(argv, io);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    const more = e.command
      ? `${commandHelp(e.command).split('\n')[0]}\n(cdk8s-zerotrust ${e.command} --help shows its options)`
      : usage();
    io.err(`cdk8s-zerotrust: ${e.message}\n${more}`);
    return 2;
  }
}

function dispatch(argv: string[], io: CliIo): number {
  const [name, ...rest] = argv;
  if (name === undefined || name === '') throw new UsageError('no command given');
  if (HELP_WORDS.includes(name)) {
    const topic = name === 'help' ? rest[0] : undefined;
    io.out(topic === undefined ? usage() : commandHelp(commandName(topic)));
    return 0;
  }
  if (name === '--version') {
    io.out(packageVersion());
    return 0;
  }
  if (name.startsWith('-')) {
    const guess = closest(name, ['--help', '--version']);
    throw new UsageError(`unknown option ${name}${guess ? `; did you mean ${guess}?` : ''} (a command's options come after the command)`);
  }
  const command = COMMANDS[commandName(name)];
  const end = rest.indexOf('--');
  if ((end === -1 ? rest : rest.slice(0, end)).some((a) => a === '--help' || a === '-h')) {
    io.out(commandHelp(name));
    return 0;
  }
  return command.run(parseCommandArgs(name, rest, optionsOf(command)), io);
}

/** The name, when it is a command's; otherwise a usage error suggesting the closest command. */
function commandName(name: string): string {
  if (Object.hasOwn(COMMANDS, name)) return name;
  const guess = closest(name, Object.keys(COMMANDS));
  const available = Object.keys(COMMANDS).filter((n) => !COMMANDS[n].reserved);
  throw new UsageError(`unknown command ${JSON.stringify(name)}${guess ? `; did you mean ${guess}?` : `; use one of ${available.join(', ')}`}`);
}
