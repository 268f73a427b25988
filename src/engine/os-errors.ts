/**
 * Operating-system errors as one line for a person: what we tried, the path, the error in words
 * (with its code), and what to do. The CLI prints a `FileSystemError`'s message and exits 1; any
 * other exception reaching `main` is a bug.
 */

/** An errno code in words, and what usually helps. */
interface ErrnoText {
  readonly words: string;
  readonly advice: string;
}

const ERRNO: { [code: string]: ErrnoText } = {
  ENOENT: { words: 'no such file or directory', advice: 'check the path' },
  EACCES: { words: 'permission denied', advice: 'check the permissions of the path and of the folders above it' },
  EPERM: { words: 'operation not permitted', advice: 'check the permissions and attributes (read-only, immutable) of the path' },
  EROFS: { words: 'read-only file system', advice: 'choose a folder on a writable file system' },
  ENOSPC: { words: 'no space left on the device', advice: 'free some space and run again' },
  EDQUOT: { words: 'disk quota exceeded', advice: 'free some space and run again' },
  EFBIG: { words: 'file too large for the file system', advice: 'choose another file system' },
  EEXIST: { words: 'already exists', advice: 'move it away, or choose another path' },
  ENOTDIR: { words: 'a part of the path is a file, not a folder', advice: 'check the path' },
  EISDIR: { words: 'is a folder', advice: 'give a file' },
  ENOTEMPTY: { words: 'the folder is not empty', advice: 'move it away, or choose another path' },
  ELOOP: { words: 'too many levels of symbolic links', advice: 'check the symbolic links in the path' },
  ENAMETOOLONG: { words: 'name too long', advice: 'choose a shorter path' },
  EMFILE: { words: 'too many open files', advice: 'raise the limit of open files (ulimit -n) and run again' },
  ENFILE: { words: 'too many open files in the system', advice: 'run again when fewer files are open' },
  EBUSY: { words: 'busy (in use, or a mount point)', advice: 'close what uses it, or choose another path' },
  EXDEV: { words: 'on another file system', advice: 'choose a path on one file system' },
  EIO: { words: 'input/output error', advice: 'check the disk' },
  EAGAIN: { words: 'resource temporarily unavailable', advice: 'run again' },
  ETXTBSY: { words: 'file busy', advice: 'close what uses it and run again' },
  EINVAL: { words: 'invalid argument', advice: 'check the path' },
  ENXIO: { words: 'no such device or address', advice: 'give a regular file' },
  ENODEV: { words: 'no such device', advice: 'give a regular file' },
  ESTALE: { words: 'stale file handle (a network file system)', advice: 'run again' },
};

/** The error code of an exception (`EACCES`), when it has one. */
export function errorCode(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** `permission denied (EACCES)`; the exception's own message when it has no known code. */
export function errnoWords(e: unknown): string {
  const code = errorCode(e);
  if (code && ERRNO[code]) return `${ERRNO[code].words} (${code})`;
  const message = String((e as Error | undefined)?.message ?? e).split('\n')[0];
  return code ? `${message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '')} (${code})` : message;
}

/** What usually helps with an exception's errno, lowercase, without a final period. */
export function errnoAdvice(e: unknown): string {
  const code = errorCode(e);
  return (code && ERRNO[code]?.advice) || 'check the path and run again';
}

/** Options of a `FileSystemError`. */
export interface FileSystemErrorOptions {
  /** What to do, when the errno's usual advice does not fit. @default - the errno's advice */
  readonly advice?: string;
  /** The exception from the operating system. @default - none */
  readonly cause?: unknown;
  /** The error in words, when there is no exception. @default - the exception's errno in words */
  readonly words?: string;
}

/**
 * A file-system operation that failed, as one line: `cannot ACTION PATH: WORDS (CODE): ADVICE`.
 * `action` says what we tried (`read the spec file`, `create the output folder`, `replace`).
 */
export class FileSystemError extends Error {
  /** What we tried, e.g. `create the output folder`. */
  public readonly action: string;
  /** The path it was tried on. */
  public readonly path: string;
  /** The errno code, when the operating system gave one. @default - none */
  public readonly code?: string;

  constructor(action: string, filePath: string, options: FileSystemErrorOptions = {}) {
    const words = options.words ?? errnoWords(options.cause);
    super(`cannot ${action} ${filePath}: ${words}: ${options.advice ?? errnoAdvice(options.cause)}`);
    this.name = 'FileSystemError';
    this.action = action;
    this.path = filePath;
    this.code = errorCode(options.cause);
    if (options.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}
