// The log: one line per event, `TIME LEVEL [module] message`, in DATA/portwatch.log (capped: past MAX_BYTES
// the file moves to portwatch.log.1 and a new one starts, so two generations at most) and, for the CLI and
// `portwatch watch`, on stderr too (the level in colour only when stderr is a terminal). An app started at
// login has no terminal: its failures would be lost without the file. Writing the log never throws.
//
//   const log = openLog({ dataDir, stderr: ctx.stderr });
//   log.for('mail').error('sending failed', error);
import fs from 'node:fs';
import path from 'node:path';
import { lineOf } from './errors.ts';

export type Level = 'debug' | 'info' | 'warn' | 'error';

const RANK: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };
const COLOUR: Record<Level, string> = { debug: '2', info: '36', warn: '33', error: '31' };

export const LOG_FILE = 'portwatch.log';
export const MAX_BYTES = 1024 * 1024;

export interface Logger {
  debug(message: string, error?: unknown): void;
  info(message: string, error?: unknown): void;
  warn(message: string, error?: unknown): void;
  error(message: string, error?: unknown): void;
}

export interface Log {
  /** The log of one module: its lines carry `[module]`. */
  for(module: string): Logger;
  /** Where the file is (undefined when logging to stderr only). */
  readonly file: string | undefined;
}

export interface LogOptions {
  /** The data directory: the file goes there. Without it, stderr only. */
  dataDir?: string;
  /** Also write here (the CLI's stderr); its isTTY decides colour. */
  stderr?: { write(text: string): unknown; isTTY?: boolean };
  /** Lines below this level are dropped (default 'info'). */
  level?: Level;
  maxBytes?: number;
  now?: () => Date;
}

export function openLog(options: LogOptions = {}): Log {
  const file = options.dataDir ? path.join(options.dataDir, LOG_FILE) : undefined;
  const least = RANK[options.level ?? 'info'];
  const maxBytes = options.maxBytes ?? MAX_BYTES;
  const now = options.now ?? (() => new Date());
  let size: number | undefined;

  const toFile = (line: string) => {
    if (!file) return;
    try {
      size ??= fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0;
      if (size + line.length > maxBytes && size > 0) {
        fs.renameSync(file, `${file}.1`);
        size = 0;
      }
      fs.appendFileSync(file, line, { mode: 0o600 });
      size += Buffer.byteLength(line);
    } catch {
      size = undefined; // a full disk or a removed data directory must not take the caller down
    }
  };

  const write = (level: Level, module: string, message: string, error?: unknown) => {
    if (RANK[level] < least) return;
    const text = error === undefined ? lineOf(message) : `${lineOf(message)}: ${lineOf(error)}`;
    const upper = level.toUpperCase();
    toFile(`${now().toISOString()} ${upper} [${module}] ${text}\n`);
    const stderr = options.stderr;
    if (!stderr) return;
    const shown = stderr.isTTY ? `\x1b[${COLOUR[level]}m${upper}\x1b[0m` : upper;
    try {
      stderr.write(`portwatch: ${shown} [${module}] ${text}\n`);
    } catch {
      // a closed terminal: the file still has it
    }
  };

  return {
    file,
    for(module) {
      return {
        debug: (m, e) => write('debug', module, m, e),
        info: (m, e) => write('info', module, m, e),
        warn: (m, e) => write('warn', module, m, e),
        error: (m, e) => write('error', module, m, e),
      };
    },
  };
}

/** A log that drops everything (tests, one-shot readers). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
