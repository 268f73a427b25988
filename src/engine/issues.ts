import { escapeControl } from './safe-text';
import type { Problem } from '../spec/problems';

/** A problem in a spec, with where it is: `FILE: APP: field.path: message`. */
export interface SpecIssue {
  /** The file, as given (relative paths stay relative); `-` when there is none. */
  readonly file: string;
  /** The app (`NAME`, `NAME (environment ENV)`, `document N`), or `-` for a problem of the file itself. */
  readonly app: string;
  /** Dotted path of the field; empty for a problem of the whole document or file. */
  readonly field: string;
  readonly message: string;
  /** Reported, but does not stop synthesis. @default false */
  readonly warning?: boolean;
}

/** `FILE: APP: field: message`, with `warning: ` before the message of a warning. */
export function formatIssue(i: SpecIssue): string {
  return escapeControl(`${i.file}: ${i.app}: ${i.field ? `${i.field}: ` : ''}${i.warning ? 'warning: ' : ''}${i.message}`);
}

/** Whether any of the issues is an error (not a warning). */
export function hasErrors(issues: SpecIssue[]): boolean {
  return issues.some((i) => !i.warning);
}

/** A problem a check reported (fields relative to the document) as an issue of `app` in `file`. */
export function issueOf(file: string, app: string, p: Problem): SpecIssue {
  return { file, app, field: p.field, message: p.message, warning: p.warning };
}
