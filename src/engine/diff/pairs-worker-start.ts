// Starting a diff's worker thread (its code: pair-blocks.ts). A Node worker takes ~80 ms to come up (Node's
// own start-up on that thread, most of it compiling Node's internal modules), so the CLI may start it first
// thing, before the diff's code is loaded (startPairsWorkerEarly): its start then overlaps this thread's
// loading of that code and opening of the files, and it begins reading ~25 ms sooner (~4% of a /16 diff).
// startPairsWorker takes that worker, or starts one. Nothing but node:fs here, and node:worker_threads only
// when a worker starts (loading it takes ~4 ms): the CLI loads this module before any command.
import { existsSync, statSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';

/** workerData's mark of a pairs worker: pair-blocks.ts runs the worker's side when it sees it. */
export const PAIRS_WORKER = 'portwatchPairsWorker';

/** Below this many bytes for both files, a diff stays on one thread: a worker takes longer to start than they take to read. */
export const ONE_THREAD_BYTES = 4 << 20;

/**
 * The worker's heap, in MB: it keeps the second file's hosts until it has posted them (a few MB for a /16, more
 * when every host differs), then nothing but a block's text, and reads hosts into short-lived objects; V8
 * would let its nursery (up to 32 MB) and old generation grow well past that before collecting. Capped, a -v
 * diff of two /16 scans peaks ~20 MB lower, no slower (the cap was 16 MB for host pairs alone; it is 24 MB now
 * that the worker holds the second file's hosts too). If the worker runs out, this thread reads the files
 * itself (digestPair) or does the blocks it left (shareHostPairs).
 */
const YOUNG_GENERATION_MB = 4;
const OLD_GENERATION_MB = 24;

/** A pairs worker running `code` (a file whose code includes pair-blocks.ts). */
export function newPairsWorker(code: URL): Worker {
  const { Worker } = process.getBuiltinModule('node:worker_threads');
  return new Worker(code, {
    workerData: { [PAIRS_WORKER]: true },
    resourceLimits: {
      maxYoungGenerationSizeMb: YOUNG_GENERATION_MB,
      maxOldGenerationSizeMb: OLD_GENERATION_MB,
    },
  });
}

let early: { worker: Worker; stopped: boolean } | undefined;

/**
 * Starts the pairs worker for a diff of `files` now, if that diff will want one (ndiffFiles: regular files,
 * ONE_THREAD_BYTES or more together) and `code` exists (the CLI's bundle has it; a run from source has not).
 */
export function startPairsWorkerEarly(code: URL, files: readonly string[]): void {
  if (early) return;
  let bytes = 0;
  for (const file of files) {
    try {
      const stats = statSync(file);
      if (!stats.isFile()) return;
      bytes += stats.size;
    } catch {
      return; // the diff says what is wrong with it
    }
  }
  if (bytes < ONE_THREAD_BYTES || !existsSync(code)) return;
  const worker = newPairsWorker(code);
  const started = { worker, stopped: false };
  // Idle until the diff gives it a job: it must not keep the process alive (an error before that ends it).
  worker.unref();
  worker.once('error', () => (started.stopped = true));
  worker.once('exit', () => (started.stopped = true));
  early = started;
}

/** The worker startPairsWorkerEarly started, once; undefined if it started none or the worker stopped. */
export function takeEarlyPairsWorker(): Worker | undefined {
  const taken = early;
  early = undefined;
  if (taken?.stopped) return undefined;
  return taken?.worker;
}
