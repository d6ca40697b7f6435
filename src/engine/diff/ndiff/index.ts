// STUB (being written): nmap's ndiff 7.93, byte for byte, from two parsed runs.
import type { NmapRun } from '../../../shared/scan.ts';

export interface NdiffOptions {
  verbose: boolean;
  format: 'text' | 'xml';
}

/**
 * Writes ndiff's output through `write` (in pieces, so huge diffs need not sit in one string) and returns
 * whether the scans differ (ndiff's exit code 1; computed as non-verbose ndiff would, so two identical scans
 * are "not different" even with -v).
 */
export function ndiff(
  _a: NmapRun,
  _b: NmapRun,
  _options: NdiffOptions,
  _write: (text: string) => void,
): boolean {
  throw new Error('not implemented');
}
