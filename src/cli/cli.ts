/**
 * The `cdk8s-zerotrust` command line: finds the command in the command table (commands.ts),
 * parses its arguments with `node:util`'s `parseArgs` (args.ts) and runs it. Exit status: 0 ok,
 * 1 problems in the specs or stale output, 2 usage errors.
 */
import { renderSwitches } from '../render/switches';
import { UsageError, closest, parseCommandArgs } from './args';
import { COMMANDS } from './commands';
import { commandHelp, optionsOf, packageVersion, usage } from './help';
import { FileSystemError, errnoWords, errorCode } from '../engine/os-errors';
import { CliIo, PROCESS_IO, escapingIo } from './output';
import type * as CertificatesModule from '../engine/certificates';
import { boundHeapGrowth } from './heap';

export { CliIo, PROGRESS_THRESHOLD } from './output';
export { compareTree, writeTreeAtomically } from '../engine/write';

/** `devCertificateFiles` of engine/certificates.ts, loaded on first call (the X.509 code only `certs` needs). */
export function devCertificateFiles(...args: Parameters<typeof CertificatesModule.devCertificateFiles>): ReturnType<typeof CertificatesModule.devCertificateFiles> {
  return (require('../engine/certificates') as typeof CertificatesModule).devCertificateFiles(...args);
}

const HELP_WORDS = ['help', '--help', '-h'];

/** The environment variable that shows stack traces, as `--debug` does. */
export const DEBUG_VARIABLE = 'CDK8S_ZEROTRUST_DEBUG';

/**
 * Runs the CLI; returns the exit code (0 ok, 1 invalid specs, stale output or an operating-system
 * error, 2 usage). Never throws: an operating-system error is one line (what was tried, the path,
 * the error in words, what to do); anything else is reported as a bug. Stack traces only with
 * `--debug` or CDK8S_ZEROTRUST_DEBUG=1. Every line printed is escaped (no control character from
 * a spec or a file reaches the terminal).
 */
export function main(argv: string[], io: CliIo = PROCESS_IO): number {
  const safe = escapingIo(io);
  const end = argv.indexOf('--');
  const debug = (end === -1 ? argv : argv.slice(0, end)).includes('--debug') || process.env[DEBUG_VARIABLE] === '1';
  try {
    renderSwitches(); // a malformed CDK8S_ZEROTRUST_* switch is reported before anything runs
  } catch (e) {
    safe.err(`cdk8s-zerotrust: ${(e as Error).message}`);
    return 2;
  }
  boundHeapGrowth(); // large runs: garbage collected before it doubles the live heap
  try {
    return dispatch(argv, safe);
  } catch (e) {
    if (e instanceof UsageError) {
      const more = e.command
        ? `${commandHelp(e.command).split('\n')[0]}\n(cdk8s-zerotrust ${e.command} --help shows its options)`
        : usage();
      safe.err(`cdk8s-zerotrust: ${e.message}\n${more}`);
      return 2;
    }
    if (e instanceof FileSystemError) {
      safe.err(`cdk8s-zerotrust: ${e.message}`);
      if (debug) safe.err(traceOf((e as { cause?: unknown }).cause ?? e));
      return 1;
    }
    const os = e as NodeJS.ErrnoException;
    const message = errorCode(e) !== undefined
      ? `${os.syscall ?? 'a file operation'}${os.path ? ` ${os.path}` : ''}: ${errnoWords(e)}`
      : String((e as Error | undefined)?.message ?? e).split('\n')[0];
    safe.err(`cdk8s-zerotrust: internal error: ${message}`);
    safe.err(`cdk8s-zerotrust: this is a bug in cdk8s-zerotrust ${packageVersion()}, not in your specs: please report it with the command line${debug ? ' and this trace' : ' (--debug shows the trace)'}`);
    if (debug) safe.err(traceOf(e));
    return 1;
  }
}

function traceOf(e: unknown): string {
  return String((e as Error | undefined)?.stack ?? e);
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
  if (Object.prototype.hasOwnProperty.call(COMMANDS, name)) return name;
  const guess = closest(name, Object.keys(COMMANDS));
  const available = Object.keys(COMMANDS).filter((n) => !COMMANDS[n].reserved);
  throw new UsageError(`unknown command ${JSON.stringify(name)}${guess ? `; did you mean ${guess}?` : `; use one of ${available.join(', ')}`}`);
}
