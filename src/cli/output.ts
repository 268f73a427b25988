import { SpecIssue, formatIssue } from '../engine/issues';
import { escapeControl, escapeLines } from '../engine/safe-text';

/** Where the CLI writes its output (stdout and stderr by default). */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

/** The terminal: lines to stdout and stderr. */
export const PROCESS_IO: CliIo = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) };

/**
 * `io` with every line escaped (`escapeLines`): whatever a message echoes (a spec value, a path,
 * a line of a file), no control character reaches the terminal. `main` wraps the io it is given.
 */
export function escapingIo(io: CliIo): CliIo {
  return { out: (l) => io.out(escapeLines(l)), err: (l) => io.err(escapeLines(l)) };
}

/** An issue as one printable line: `formatIssue`, with every control character escaped (a newline too). */
export function issueLine(i: SpecIssue): string {
  return escapeControl(formatIssue(i));
}

/** `1 app`, `2 apps` */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Prints the warnings among the issues, as `FILE: APP: field: warning: message`. */
export function printWarnings(io: CliIo, issues: SpecIssue[]): void {
  for (const w of issues) if (w.warning) io.err(issueLine(w));
}

/** Prints the warnings, then the errors, then how many errors; returns exit status 1. */
export function printProblems(io: CliIo, issues: SpecIssue[]): number {
  const errors = issues.filter((i) => !i.warning);
  printWarnings(io, issues);
  for (const i of errors) io.err(issueLine(i));
  io.err(`cdk8s-zerotrust: ${count(errors.length, 'problem')} found; nothing written`);
  return 1;
}

/** Apps from which a progress line is shown (on a terminal only, so logs and CI stay clean). */
export const PROGRESS_THRESHOLD = 500;

/** A progress line on stderr for runs of many apps, on a terminal, unless quiet. */
export function progressIndicator(quiet: boolean): ((done: number, total: number) => void) | undefined {
  if (quiet || !process.stderr.isTTY) return undefined;
  return (done, total) => {
    if (total < PROGRESS_THRESHOLD) return;
    const step = Math.max(1, Math.floor(total / 100));
    if (done === total) process.stderr.write('\r\x1b[K');
    else if (done % step === 0) process.stderr.write(`\rsynthesizing ${done}/${total} apps (${Math.floor((100 * done) / total)}%)`);
  };
}
