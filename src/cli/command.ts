// The shape of one CLI command. Each command lives in src/cli/commands/<name>.ts and is listed in registry.ts.
import type { Writable } from 'node:stream';

export interface CommandContext {
  /** --data-dir, or the app's default data directory. */
  dataDir: string;
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
}

export interface Command {
  name: string;
  /** One line for `portwatch --help`. */
  summary: string;
  /** Full help text for `portwatch NAME --help`. */
  help: string;
  /** Returns the exit code: 0 ok / nothing changed, 1 changes found, 2 error (or throw UserError). */
  run(args: string[], ctx: CommandContext): Promise<number>;
}
