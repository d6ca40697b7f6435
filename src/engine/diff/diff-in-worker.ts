// Diffs two nmap XML files off the main thread: parse both, compute the change model, and optionally render
// ndiff's text, in a worker_threads Worker (src/engine/diff/worker.ts), so a large diff never freezes the
// app's main process or the CLI's signal handling. `diffFiles` is the same work on the calling thread.
//
//   const { changes, ndiffText, current } = await diffInWorker({ reference: refXml, current: newXml, ndiffText: true }, signal);
//
// Errors a user can act on (a missing file, malformed XML) come back as UserErrors with the worker's
// message; aborting `signal` terminates the worker and rejects with the signal's reason.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Change } from '../../shared/changes.ts';
import type { Completeness, NmapRun } from '../../shared/scan.ts';
import { UserError } from '../errors.ts';
import { runCounts } from '../nmap/hosts.ts';
import { parseNmapXmlFile } from '../nmap/parse.ts';
import { computeChanges } from './changes.ts';
import { ndiff } from './ndiff/index.ts';

export interface DiffRequest {
  /** Path of the reference scan's XML. */
  reference: string;
  /** Path of the current scan's XML. */
  current: string;
  /** Also render ndiff's text (reference -> current). */
  ndiffText?: boolean;
  /** ndiff -v (lists unchanged hosts and ports too). */
  ndiffVerbose?: boolean;
  /** Accept a truncated current scan (completeness says so) instead of failing; the reference must be whole. */
  allowIncomplete?: boolean;
}

/** What one run amounts to, for history counts and for deciding whether to alert. */
export interface RunSummary {
  completeness: Completeness;
  hostsUp: number;
  hostsDown: number;
  hostsScanned: number;
  /** Open ports (nmap/hosts.ts runCounts, the one count). */
  openPorts: number;
  /** nmap's command line as recorded in the XML. */
  args?: string;
  /** ISO time nmap started. */
  startedAt?: string;
  elapsedSeconds?: number;
  nmapVersion?: string;
}

export interface DiffResult {
  changes: Change[];
  /** ndiff's text, when asked for. */
  ndiffText?: string;
  /** Whether ndiff calls the scans different (its exit code 1), when ndiff's text was asked for. */
  different?: boolean;
  reference: RunSummary;
  current: RunSummary;
}

export function summarizeRun(run: NmapRun): RunSummary {
  const counts = runCounts(run);
  const summary: RunSummary = {
    completeness: run.completeness,
    hostsUp: run.hostCounts?.up ?? counts.hostsUp,
    hostsDown: run.hostCounts?.down ?? run.hosts.length - counts.hostsUp,
    hostsScanned: counts.hostsScanned,
    openPorts: counts.openPorts,
  };
  if (run.args !== undefined) summary.args = run.args;
  if (run.start !== undefined) summary.startedAt = new Date(run.start * 1000).toISOString();
  if (run.finished?.elapsed !== undefined) summary.elapsedSeconds = run.finished.elapsed;
  if (run.version !== undefined) summary.nmapVersion = run.version;
  return summary;
}

/** The whole diff on the calling thread (the worker runs this). */
export function diffFiles(request: DiffRequest): DiffResult {
  const reference = parseNmapXmlFile(request.reference, { source: request.reference });
  const current = parseNmapXmlFile(request.current, {
    source: request.current,
    allowIncomplete: request.allowIncomplete ?? false,
  });
  const result: DiffResult = {
    changes: computeChanges(reference, current),
    reference: summarizeRun(reference),
    current: summarizeRun(current),
  };
  if (request.ndiffText) {
    const pieces: string[] = [];
    const options = { verbose: request.ndiffVerbose ?? false, format: 'text' as const };
    result.different = ndiff(reference, current, options, (text) => pieces.push(text));
    result.ndiffText = pieces.join('');
  }
  return result;
}

/** The message a worker posts back. */
export type WorkerReply =
  | { ok: true; result: DiffResult }
  | { ok: false; error: { message: string; userError: boolean; exitCode?: number; stack?: string } };

/** Runs diffFiles in a worker thread. */
export function diffInWorker(request: DiffRequest, signal?: AbortSignal): Promise<DiffResult> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<DiffResult>((resolve, reject) => {
    let settled = false;
    const worker = new Worker(workerFile(), { workerData: request });
    const settle = (action: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      action();
    };
    const onAbort = () => {
      settle(() => reject(signal?.reason));
      void worker.terminate();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (reply: WorkerReply) => {
      settle(() => {
        if (reply.ok) resolve(reply.result);
        else if (reply.error.userError) reject(new UserError(reply.error.message, reply.error.exitCode));
        else {
          const error = new Error(`diff failed: ${reply.error.message}`);
          if (reply.error.stack) error.stack = reply.error.stack;
          reject(error);
        }
      });
    });
    worker.once('error', (error) => settle(() => reject(new Error(`diff worker crashed: ${error.message}`))));
    worker.once('exit', (code) =>
      settle(() => reject(new Error(`diff worker stopped (exit code ${code}) before answering`))),
    );
  });
}

/**
 * The worker's file next to the running module: dist/diff-worker.mjs when bundled (the CLI in dist/, the
 * app's main in dist/main/), worker.ts when running from source.
 */
function workerFile(): URL {
  // In a CommonJS bundle import.meta is empty and __filename names the bundle.
  const here = import.meta.url ?? pathToFileURL(__filename).href;
  for (const candidate of ['./diff-worker.mjs', '../diff-worker.mjs', './worker.ts']) {
    const url = new URL(candidate, here);
    if (existsSync(fileURLToPath(url))) return url;
  }
  throw new Error(`the diff worker is missing next to ${fileURLToPath(here)}; run 'npm run build'`);
}
