// STUB (being written): the streaming nmap XML reader. The signatures below are the contract.
import type { NmapRun } from '../../shared/scan.ts';
import { UserError } from '../errors.ts';

export interface ParseOptions {
  /** Named in error messages, e.g. the file path. */
  source?: string;
  /**
   * false (default, for `diff`): truncated XML is an error.
   * true (for the scanner): truncated XML yields the hosts read so far with completeness 'incomplete'.
   */
  allowIncomplete?: boolean;
}

/** Malformed or non-nmap XML: names the source and the position. */
export class NmapXmlError extends UserError {
  override name = 'NmapXmlError';
  readonly source: string;
  readonly line: number;
  readonly column: number;
  constructor(message: string, source: string, line: number, column: number) {
    super(`${source}:${line}:${column}: ${message}`);
    this.source = source;
    this.line = line;
    this.column = column;
  }
}

/** Push-style parser: feed chunks as they arrive (a file, nmap's stdout), then end(). */
export class NmapXmlParser {
  readonly options: ParseOptions;
  constructor(options: ParseOptions = {}) {
    this.options = options;
  }
  write(_chunk: string | Uint8Array): void {
    throw new Error('not implemented');
  }
  end(): NmapRun {
    throw new Error('not implemented');
  }
}

export function parseNmapXml(text: string | Uint8Array, options: ParseOptions = {}): NmapRun {
  const parser = new NmapXmlParser(options);
  parser.write(text);
  return parser.end();
}

/** Reads a file in chunks (never the whole DOM in memory). Missing/unreadable files are UserErrors. */
export function parseNmapXmlFile(_file: string, _options: ParseOptions = {}): NmapRun {
  throw new Error('not implemented');
}
