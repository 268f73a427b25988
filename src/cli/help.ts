import * as fs from 'node:fs';
import * as path from 'node:path';
import { BASE_ENV } from '../engine/environments';
import { OptionSpec, OptionTable } from './args';
import { COMMANDS, Command, DEBUG_OPTION, HELP_OPTION } from './commands';

/** A command's options with `--help`, which every command takes. */
export function optionsOf(command: Command): OptionTable {
  return { ...command.options, debug: DEBUG_OPTION, help: HELP_OPTION };
}

/** `synth SPEC... [--out dist] [--env NAME]` */
function synopsis(name: string, command: Command): string {
  const options = Object.entries(command.options).filter(([, o]) => o.value).map(([n, o]) => `[--${n} ${o.default ?? o.value}]`);
  return [name, command.args, ...options].join(' ');
}

const pad = (s: string, width: number) => s + ' '.repeat(Math.max(1, width - s.length));

/** Words of `text` in lines of at most `width` characters, each line after the first indented by `indent`. */
function wrap(text: string, width: number, indent: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && indent + line.length + 1 + word.length > width) { lines.push(line); line = word; }
    else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

const WIDTH = 110;
const COLUMN = 60;

/** The general help: every command with its synopsis, what SPEC is, examples, exit status. */
export function usage(): string {
  const names = Object.keys(COMMANDS);
  const line = (left: string, summary: string) => {
    const head = `  cdk8s-zerotrust ${left}`;
    return head.length < COLUMN - 1 ? `${pad(head, COLUMN)}${wrap(summary, WIDTH, COLUMN)}` : `${head}\n${' '.repeat(COLUMN)}${wrap(summary, WIDTH, COLUMN)}`;
  };
  return [
    'usage:',
    ...names.map((n) => line(synopsis(n, COMMANDS[n]), COMMANDS[n].summary)),
    line('COMMAND --help', "a command's options"),
    line('--version', 'the version'),
    '',
    'SPEC is a YAML file or a directory searched for *.yaml. Output goes to OUT/ENV/NAMESPACE/APP.yaml',
    `(ENV is "${BASE_ENV}" without --env) with a kustomization.yaml per environment folder.`,
    '',
    'examples:',
    ...names.flatMap((n) => COMMANDS[n].examples.slice(0, 1)).map((e) => `  ${e}`),
    '',
    'exit status: 0 ok, 1 problems in the specs (or stale output, for check) or a file-system error, 2 usage errors.',
    'a stack trace is shown only with --debug (or CDK8S_ZEROTRUST_DEBUG=1).',
  ].join('\n');
}

/** The help of one command: synopsis, summary, options with defaults, examples. */
export function commandHelp(name: string): string {
  const command = COMMANDS[name];
  const options = Object.entries(optionsOf(command));
  const label = ([n, o]: [string, OptionSpec]) => `${o.short ? `-${o.short}, ` : '    '}--${n}${o.value ? ` ${o.value}` : ''}`;
  const width = Math.max(...options.map((e) => label(e).length)) + 2;
  return [
    `usage: cdk8s-zerotrust ${synopsis(name, command)}`,
    '',
    command.summary,
    '',
    'options:',
    ...options.map((e) => `  ${pad(label(e), width)}${wrap(`${e[1].description}${e[1].default ? ` (default: ${e[1].default})` : ''}`, WIDTH, width + 2)}`),
    ...(command.examples.length ? ['', 'examples:', ...command.examples.map((e) => `  ${e}`)] : []),
  ].join('\n');
}

/** The package version, from the package.json above this file (in src/ and in lib/src/ alike). */
export function packageVersion(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) return String(JSON.parse(fs.readFileSync(file, 'utf8')).version);
    if (path.dirname(dir) === dir) return 'unknown';
  }
}
