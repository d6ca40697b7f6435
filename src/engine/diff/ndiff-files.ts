// ndiff of two scan files (regular files: hosts are read again by their place in the file), on both cores:
// the files are read by this thread and a worker together (digest-pair.ts: the second file mostly by
// comparison with the first), then only the hosts that matter are read in full (the pairs that differ; every
// pair with -v), in blocks, shared with the same worker when there are many (pair-blocks.ts). Small files
// stay on this thread. The output is ndiff's, byte for byte, as ndiff() gives it.
import { statSync } from 'node:fs';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { UserError } from '../errors.ts';
import { digestPair, sameHosts } from './digest-pair.ts';
import { digestScan, openDigested, type DigestedHosts, type ScanDigest } from './fast-digest.ts';
import {
  chunkedWriter,
  emitHostPairs,
  lazyNdiffScan,
  ndiffHead,
  ndiffTail,
  planHostPairs,
  type HostPairPlan,
  type NdiffOptions,
} from './ndiff/index.ts';
import {
  blockSizeFor,
  claimBlock,
  prefetchBlock,
  startPairsWorker,
  type PairsMessage,
  type PairsWorker,
} from './pair-blocks.ts';
import { ONE_THREAD_BYTES, takeEarlyPairsWorker } from './pairs-worker-start.ts';

/** Writes ndiff's output for two scan files through `write`; returns whether they differ (exit code 1). */
export async function ndiffFiles(
  files: [string, string],
  options: NdiffOptions,
  write: (text: string) => void,
  tuning: ThreadTuning = THREAD_TUNING,
): Promise<boolean> {
  // Both files are read before anything is written: a bad second file leaves no half diff behind; if both
  // are bad, the first file's error is the one reported.
  // Small scans on this thread alone: a worker takes longer to start (~100 ms) than they take to read.
  const small = files.reduce((sum, file) => sum + sizeOf(file), 0) < tuning.oneThreadBytes;
  if (small) void takeEarlyPairsWorker()?.terminate(); // started for files that were bigger then
  const pairsWorker = small ? undefined : startPairsWorker();
  let hostsA: DigestedHosts | undefined;
  let hostsB: DigestedHosts | undefined;
  try {
    const { digests, shapes } = pairsWorker
      ? await digestPair(files, pairsWorker.digest)
      : { digests: [digestScan(files[0]), digestScan(files[1])], shapes: null };
    const [digestA, digestB] = digests;
    hostsA = openDigested(files[0], digestA);
    hostsB = openDigested(files[1], digestB);
    const a = { ...digestA, hosts: hostsA };
    const b = { ...digestB, hosts: hostsB };
    const scanA = lazyNdiffScan(a);
    const scanB = lazyNdiffScan(b);
    const plan = planHostPairs(
      a,
      b,
      options.verbose,
      shapes ? sameHosts(shapes, hostsA.read, hostsB.read) : undefined,
    );
    const out = chunkedWriter(write);
    out.emit(ndiffHead(scanA, scanB, options));
    const share = pairsWorker !== undefined && plan.length >= tuning.sharedPairs;
    // Not needed any more: it ends now, its heap freed on its own thread while this one reads the pairs
    // (at the process's exit it would be one more heap to free, ~7 ms).
    if (!share) pairsWorker?.cancel();
    const realCost =
      share && pairsWorker
        ? await shareHostPairs(
            plan,
            files,
            [digestA, digestB],
            [hostsA, hostsB],
            options,
            out.emit,
            pairsWorker,
          )
        : emitPrefetched(plan, [hostsA, hostsB], options, out.emit);
    out.emit(ndiffTail(scanA, scanB, options));
    out.flush();
    const [closeA, closeB] = [hostsA, hostsB];
    hostsA = hostsB = undefined;
    try {
      closeA.close();
    } finally {
      closeB.close();
    }
    return realCost > 0;
  } finally {
    pairsWorker?.cancel();
    // Still open only after an error, which is the one to report.
    hostsA?.closeQuietly();
    hostsB?.closeQuietly();
  }
}

/** The file's size; Infinity if it can't be read (opening it then says why). */
function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return Infinity;
  }
}

/** When ndiffFiles uses its second thread (tests lower both to run small scans on two threads). */
export interface ThreadTuning {
  /** Below this many bytes for both files, everything is done on this thread. */
  oneThreadBytes: number;
  /**
   * Below this many host pairs to read, they are read on this thread alone: the worker's code for them would
   * be as cold as this thread's, and two threads compiling it measured no faster (2,966 pairs of a /16 pair:
   * 310-345 ms alone, ~400 ms shared).
   */
  sharedPairs: number;
}

export const THREAD_TUNING: ThreadTuning = { oneThreadBytes: ONE_THREAD_BYTES, sharedPairs: 8192 };

/** emitHostPairs over the whole plan on this thread, block by block, each block's hosts read ahead. */
function emitPrefetched(
  plan: HostPairPlan,
  hosts: [DigestedHosts, DigestedHosts],
  options: NdiffOptions,
  emit: (text: string) => void,
): number {
  const blockSize = blockSizeFor(plan.length);
  let realCost = 0;
  for (let from = 0; from < plan.length; from += blockSize) {
    const to = Math.min(plan.length, from + blockSize);
    prefetchBlock(plan, from, to, hosts[0].prefetch, hosts[1].prefetch);
    realCost += emitHostPairs(plan, from, to, hosts[0].loadHost, hosts[1].loadHost, options, emit);
  }
  return realCost;
}

/** Blocks of text held at most, waiting for an earlier one of the worker's, before this thread waits for it. */
const MAX_AHEAD = 8;

/**
 * emitHostPairs over the whole plan, block by block, this thread and `worker` each taking the next block
 * until none is left; blocks are emitted in order. Returns the pairs' real cost. If the worker fails (short
 * of memory, say), this thread does the blocks it left.
 */
export async function shareHostPairs(
  plan: HostPairPlan,
  files: [string, string],
  digests: [ScanDigest, ScanDigest],
  hosts: [DigestedHosts, DigestedHosts],
  options: NdiffOptions,
  emit: (text: string) => void,
  worker: PairsWorker,
): Promise<number> {
  const pairs = plan.length;
  if (pairs === 0) return 0;
  const blockSize = blockSizeFor(pairs);
  const blocks = Math.ceil(pairs / blockSize);
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const ranges = new Float64Array(4 * pairs);
  const [a, b] = digests;
  for (let k = 0; k < pairs; k++) {
    const ia = plan.a[k]!;
    const ib = plan.b[k]!;
    ranges[4 * k] = ia < 0 ? -1 : a.byteStarts[ia]!;
    ranges[4 * k + 1] = ia < 0 ? -1 : a.byteEnds[ia]!;
    ranges[4 * k + 2] = ib < 0 ? -1 : b.byteStarts[ib]!;
    ranges[4 * k + 3] = ib < 0 ? -1 : b.byteEnds[ib]!;
  }
  const { port1, port2 } = new MessageChannel();
  const failure = worker.share({
    files,
    identities: [a.identity, b.identity],
    ranges,
    same: plan.same.slice(0, pairs),
    options,
    blockSize,
    counter: counter.buffer as SharedArrayBuffer,
    port: port2,
  });
  failure.catch(() => {}); // awaited below, if the worker is still needed

  const texts = new Map<number, string>();
  let next = 0;
  let realCost = 0;
  let workerDone = false;
  let userError: UserError | undefined;
  const take = (message: PairsMessage) => {
    if ('block' in message) {
      texts.set(message.block, message.text);
      realCost += message.realCost;
    } else {
      workerDone = true;
      if ('failed' in message && message.userError) userError = new UserError(message.failed);
    }
  };
  const emitReady = () => {
    for (let text = texts.get(next); text !== undefined; text = texts.get(next)) {
      emit(text);
      texts.delete(next++);
    }
  };
  const runBlock = (block: number) => {
    const from = block * blockSize;
    const to = Math.min(pairs, from + blockSize);
    prefetchBlock(plan, from, to, hosts[0].prefetch, hosts[1].prefetch);
    // Joined into one flat string: a block may wait in texts, and as a chain of its thousands of pieces
    // (text += piece) it takes several times its size.
    const pieces: string[] = [];
    realCost += emitHostPairs(plan, from, to, hosts[0].loadHost, hosts[1].loadHost, options, (t) => {
      pieces.push(t);
    });
    texts.set(block, pieces.join(''));
  };
  let stopped = false;
  failure.catch(() => (stopped = true));
  /** Resolves at the worker's next message (taken), or when it stops. */
  const workerMessage = () =>
    new Promise<void>((resolve) => {
      const onMessage = (message: PairsMessage) => {
        port1.off('message', onMessage);
        take(message);
        emitReady();
        resolve();
      };
      port1.on('message', onMessage);
      failure.catch(() => {
        port1.off('message', onMessage);
        resolve();
      });
    });

  try {
    for (
      let block = claimBlock(counter, pairs, blockSize);
      block >= 0;
      block = claimBlock(counter, pairs, blockSize)
    ) {
      runBlock(block);
      // The worker's blocks so far, without waiting for them.
      for (let m = receiveMessageOnPort(port1); m; m = receiveMessageOnPort(port1))
        take(m.message as PairsMessage);
      emitReady();
      // Blocks done here wait for the worker's earlier one; MAX_AHEAD of them, and this thread waits for the
      // worker instead of going on (else a slow worker would leave every block done here in memory).
      while (texts.size >= MAX_AHEAD && !workerDone && !stopped) await workerMessage();
    }
    if (!workerDone) {
      await new Promise<void>((resolve) => {
        port1.on('message', (message: PairsMessage) => {
          take(message);
          emitReady();
          if (workerDone) resolve();
        });
        failure.catch(() => resolve()); // the worker died: its blocks are done below
      });
    }
  } finally {
    port1.close();
  }
  if (userError) throw userError;
  // Blocks the worker claimed but did not finish (it failed).
  for (let block = next; block < blocks; block++) if (!texts.has(block)) runBlock(block);
  emitReady();
  return realCost;
}
