// Errors a user can act on. The CLI prints `portwatch: <message>` (one line) and exits 2; the windows show
// `forWindows(error)`. Anything else that escapes is a bug and is reported as such.
//
// What to do about an error depends on where the user is: the CLI names a command, a window names a place on
// screen. A UserError keeps its problem and its hints apart, so each face phrases it its own way:
//   throw new UserError('no sender address is set', {
//     hint: { cli: "run 'portwatch config set email.from you@example.com'", app: 'fill it in above' } });

/** What to do about it, per face; each is appended after "; ". */
export interface Hint {
  cli?: string;
  app?: string;
}

export interface UserErrorOptions {
  /** Process exit code for the CLI (default 2). */
  exitCode?: number;
  hint?: Hint;
}

export class UserError extends Error {
  override name = 'UserError';
  /** Process exit code for the CLI. */
  readonly exitCode: number;
  /** What is wrong, without advice. */
  readonly problem: string;
  readonly hint: Hint;
  /** `message` is the CLI's line: the problem and the CLI's hint. */
  constructor(problem: string, options: number | UserErrorOptions = {}) {
    const { exitCode = 2, hint = {} } = typeof options === 'number' ? { exitCode: options } : options;
    super(hint.cli ? `${problem}; ${hint.cli}` : problem);
    this.exitCode = exitCode;
    this.problem = problem;
    this.hint = hint;
  }
}

/** The line a window shows for a UserError: the problem with the app's hint (or the message as it is). */
export function forWindows(error: UserError): string {
  return error.hint.app ? `${error.problem}; ${error.hint.app}` : error.message;
}

/** The message of anything thrown, without a stack. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Text on one line (a server's multi-line reply, nmap's stderr). */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Anything thrown, as one line without a stack: for logs, history reasons and delivery errors. */
export function lineOf(error: unknown): string {
  return oneLine(messageOf(error));
}
