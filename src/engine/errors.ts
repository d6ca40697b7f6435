// Errors a user can act on. The CLI prints `portwatch: <message>` (one line) and exits 2; the app shows the
// message as is. Anything else that escapes is a bug and is reported as such.

export class UserError extends Error {
  override name = 'UserError';
  /** Process exit code for the CLI. */
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** The message of anything thrown, without a stack. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
