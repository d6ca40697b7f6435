// STUB (being written): running nmap. The signatures below are the contract.
import type { NmapRun } from '../../shared/scan.ts';
import type { ScanOptions } from '../../shared/profile.ts';

export interface ScanProgress {
  /** nmap's current task, e.g. "Connect Scan". */
  task: string;
  /** 0..100 */
  percent: number;
  /** Seconds left, when nmap says. */
  etaSeconds?: number;
}

export interface RunNmapRequest {
  /** Validated targets (see src/shared/validate). */
  targets: string[];
  options: ScanOptions;
  /** Path to nmap; default: found on PATH. */
  nmapPath?: string;
  /** Only these ports (used by change confirmation: rescan just the changed hosts and ports). */
  onlyPorts?: { tcp: number[]; udp: number[] };
  signal?: AbortSignal;
  onProgress?: (progress: ScanProgress) => void;
}

export interface NmapResult {
  /** The parsed run; completeness says whether it can be trusted. */
  run: NmapRun;
  /** The raw XML nmap wrote (kept for references and scans with changes). */
  xml: string;
  /** The argv nmap was started with (without the nmap path). */
  args: string[];
  exitCode: number | null;
  stderr: string;
  startedAt: Date;
  durationMs: number;
  /** Why the run is not to be trusted (killed, timed out, cancelled, exit code, truncated XML), if it is not. */
  failure?: { kind: 'cancelled' | 'timeout' | 'nmap-error' | 'incomplete'; message: string };
}

/** Builds nmap's argv from typed options: never from a free-form string; `--` before the targets. */
export function buildNmapArgs(_targets: string[], _options: ScanOptions): string[] {
  throw new Error('not implemented');
}

/**
 * Runs nmap without a shell, XML to a pipe, progress from --stats-every. Throws UserError when nmap is missing
 * or lacks the privileges the options need; otherwise resolves, with `failure` set when the run failed.
 */
export function runNmap(_request: RunNmapRequest): Promise<NmapResult> {
  throw new Error('not implemented');
}
