// The host phase of a lazy diff (ndiff/index.ts planHostPairs) on two threads: the plan's pairs are cut into
// blocks, and this thread and a pairs worker (startPairsWorker, below) each take the next unclaimed block from a
// shared counter until none is left, so both stay busy whatever a block costs (a block of changed hosts costs
// many times one of unchanged ones). Blocks are written in order: output is the same as on one thread.
import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { Host } from '../../shared/scan.ts';
import { UserError } from '../errors.ts';
import type { FileIdentity } from '../nmap/host-digests.ts';
import { ScanFile } from '../nmap/host-digests.ts';
import { digestSecondScan, replyBuffers, type PairDigestJob, type PairDigestReply } from './digest-pair.ts';
import { emitHostPairs, type HostPairPlan, type NdiffOptions } from './ndiff/index.ts';
import { newPairsWorker, PAIRS_WORKER, takeEarlyPairsWorker } from './pairs-worker-start.ts';

/** What the worker is sent: where each pair's hosts are in the two files. Plain data, posted once. */
export interface PairsJob {
  files: [string, string];
  identities: [FileIdentity, FileIdentity];
  /** Per pair: start and end of its host in file a, then in file b (-1, -1: none on that side). */
  ranges: Float64Array;
  same: Uint8Array;
  options: NdiffOptions;
  blockSize: number;
  /** A shared Int32Array(1): the next block to take. */
  counter: SharedArrayBuffer;
  port: MessagePort;
}

/** What the worker posts on job.port: a block's output, then done (or an error). */
export type PairsMessage =
  { block: number; text: string; realCost: number } | { done: true } | { failed: string; userError: boolean };

/** Pairs per block: enough blocks to share out evenly, few enough that claiming one costs nothing. */
export function blockSizeFor(pairs: number): number {
  return Math.min(512, Math.max(8, Math.ceil(pairs / 64)));
}

/** Takes the next unclaimed block, or -1 when all are taken. */
export function claimBlock(counter: Int32Array, pairs: number, blockSize: number): number {
  const block = Atomics.add(counter, 0, 1);
  return block * blockSize < pairs ? block : -1;
}

/**
 * Reads ahead, in as few reads as they allow, the hosts emitHostPairs will load for pairs [from, to) (by
 * document index; a -v pair of equal hosts loads only a's).
 */
export function prefetchBlock(
  plan: HostPairPlan,
  from: number,
  to: number,
  prefetchA: (indices: number[]) => void,
  prefetchB: (indices: number[]) => void,
): void {
  const a: number[] = [];
  const b: number[] = [];
  for (let k = from; k < to; k++) {
    if (plan.a[k]! >= 0) a.push(plan.a[k]!);
    if (plan.b[k]! >= 0 && !plan.same[k]) b.push(plan.b[k]!);
  }
  prefetchA(a);
  prefetchB(b);
}

/** The job's ranges as a plan over local indices (pair k's hosts are host k of each side). */
function localPlan(job: PairsJob): HostPairPlan {
  const length = job.same.length;
  const plan: HostPairPlan = { a: new Int32Array(length), b: new Int32Array(length), same: job.same, length };
  for (let k = 0; k < length; k++) {
    plan.a[k] = job.ranges[4 * k]! >= 0 ? k : -1;
    plan.b[k] = job.ranges[4 * k + 2]! >= 0 ? k : -1;
  }
  return plan;
}

/** The worker's side: takes blocks until none is left, posting each block's output. */
function runPairsJob(job: PairsJob): void {
  const { port, ranges, options, blockSize } = job;
  let a: ScanFile | undefined;
  let b: ScanFile | undefined;
  try {
    a = ScanFile.open(job.files[0]);
    a.expect(job.identities[0]);
    b = ScanFile.open(job.files[1]);
    b.expect(job.identities[1]);
    const fileA = a;
    const fileB = b;
    const loadA = (k: number): Host => fileA.readHost(ranges[4 * k]!, ranges[4 * k + 1]!);
    const loadB = (k: number): Host => fileB.readHost(ranges[4 * k + 2]!, ranges[4 * k + 3]!);
    const plan = localPlan(job);
    const counter = new Int32Array(job.counter);
    for (let block = claimBlock(counter, plan.length, blockSize); block >= 0;) {
      const from = block * blockSize;
      const to = Math.min(plan.length, from + blockSize);
      prefetchBlock(
        plan,
        from,
        to,
        (ks) =>
          fileA.prefetch(
            ks.map((k) => ranges[4 * k]!),
            ks.map((k) => ranges[4 * k + 1]!),
          ),
        (ks) =>
          fileB.prefetch(
            ks.map((k) => ranges[4 * k + 2]!),
            ks.map((k) => ranges[4 * k + 3]!),
          ),
      );
      let text = '';
      const realCost = emitHostPairs(plan, from, to, loadA, loadB, options, (t) => {
        text += t;
      });
      port.postMessage({ block, text, realCost } satisfies PairsMessage);
      block = claimBlock(counter, plan.length, blockSize);
    }
    a.close();
    b.close();
    port.postMessage({ done: true } satisfies PairsMessage);
  } catch (error) {
    a?.closeQuietly();
    b?.closeQuietly();
    port.postMessage({
      failed: (error as Error)?.message ?? String(error),
      userError: error instanceof UserError,
    } satisfies PairsMessage);
  }
  port.close();
}

/**
 * A worker thread for a diff: first, if asked, its share of reading the two files (digest-pair.ts), then a
 * PairsJob. Started before the files are read: its start-up overlaps this thread's reading.
 */
export interface PairsWorker {
  /** Reads the second file (and maybe the first one's tail): digestSecondScan on the worker. */
  digest(job: PairDigestJob): Promise<PairDigestReply>;
  /** Posts the job (at once: the caller goes on without yielding). Rejects if the worker fails or stops. */
  share(job: PairsJob): Promise<never>;
  cancel(): void;
}

export function startPairsWorker(): PairsWorker {
  // Started by the CLI already (pairs-worker-start.ts), or now: this module is the worker's code too (below);
  // in the CLI bundle, import.meta.url is its chunk.
  const worker = takeEarlyPairsWorker() ?? newPairsWorker(new URL(import.meta.url));
  // Idle until it has a job: it must not keep the process alive.
  worker.unref();
  // The job waiting for the worker is told if it stops; a job given after it stopped fails at once.
  let ended: Error | undefined;
  let stopped: (error: Error) => void = () => {};
  const stop = (error: Error) => {
    ended ??= error;
    stopped(error);
  };
  worker.once('error', stop);
  worker.once('exit', (code) => stop(new Error(`the host pair thread stopped (exit code ${code})`)));
  return {
    digest: (job) =>
      new Promise<PairDigestReply>((resolve, reject) => {
        if (ended) return reject(ended);
        stopped = reject;
        // Waited for: while it works, the worker keeps the process alive.
        worker.ref();
        worker.once('message', (reply: PairDigestReply) => {
          worker.unref();
          resolve(reply);
        });
        worker.postMessage({ digest: job });
      }),
    share: (job) =>
      new Promise<never>((_, reject) => {
        if (ended) return reject(ended);
        stopped = reject;
        worker.postMessage(job, [job.port]);
      }),
    cancel: () => void worker.terminate(),
  };
}

if (!isMainThread && parentPort && (workerData as Record<string, unknown>)?.[PAIRS_WORKER] === true) {
  // A digest job, maybe, then a PairsJob; then the thread ends by itself (nothing is left listening).
  const port = parentPort;
  const take = (message: PairsJob | { digest: PairDigestJob }) => {
    if ('digest' in message) {
      const reply = digestSecondScan(message.digest);
      try {
        port.postMessage(reply, replyBuffers(reply));
      } catch (error) {
        // Not posted (it should be plain data): the other thread reads the files itself.
        const problem = { ok: false, message: String(error), userError: false } as const;
        port.postMessage({ second: problem, tail: null } satisfies PairDigestReply);
      }
      port.once('message', take);
    } else runPairsJob(message);
  };
  port.once('message', take);
}
