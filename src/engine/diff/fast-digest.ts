// The two scans of a diff read at once, one of them on a worker thread (the machine's second core): each as
// host digests (nmap/host-digests.ts), which are compact and cheap to post between threads, unlike a full
// model (posting one costs about as much as parsing it). Hosts whose digests differ are then read again,
// on the calling thread, from their byte ranges.
//
//   const job = digestScanInWorker('b.xml');          // runs while this thread reads a.xml
//   const a = digestScan('a.xml'); const b = await job.result;
//   const hostsA = openDigested('a.xml', a); ... hostsA.loadHost(i) ... hostsA.close();
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { Host, NmapRun } from '../../shared/scan.ts';
import { UserError } from '../errors.ts';
import { ScanFile, type FileIdentity } from '../nmap/host-digests.ts';
import type { LazyHosts } from './ndiff/index.ts';
import { ndiffHostId, toNdiffScan } from './ndiff/scan-view.ts';
import { runPairsJob, type PairsJob } from './pair-blocks.ts';

/** One scan, digested: plain data (a few MB for a /16), fit to post between threads. */
export interface ScanDigest {
  /** The file as it was read. */
  identity: FileIdentity;
  /** The run without its hosts (hosts is empty). */
  run: NmapRun;
  /** The hosts' ndiff ids in ndiff's order (sorted on the worker thread: see toNdiffScan). */
  keys: (string | null)[];
  /** order[i]: the document index of the host with keys[i]. */
  order: number[];
  /** Per host in document order: content digest, byte range in the file. */
  digests: string[];
  byteStarts: number[];
  byteEnds: number[];
}

/** Reads and checks the whole file on this thread. Bad input is a UserError (NmapXmlError). */
export function digestScan(file: string): ScanDigest {
  const scan = ScanFile.open(file);
  let digest: ScanDigest;
  try {
    const { run, keys, digests, byteStarts, byteEnds } = scan.digest(ndiffHostId);
    const sorted = toNdiffScan(run, keys);
    digest = {
      identity: scan.identity,
      run,
      keys: sorted.keys,
      order: sorted.order,
      digests,
      byteStarts,
      byteEnds,
    };
  } catch (error) {
    scan.closeQuietly();
    throw error;
  }
  scan.close();
  return digest;
}

/** The hosts of a digested scan, each read from the file when asked for. Throws if the file changed. */
export function openDigested(file: string, digest: ScanDigest): LazyHosts & { close(): void } {
  const scan = ScanFile.open(file);
  try {
    scan.expect(digest.identity);
  } catch (error) {
    scan.closeQuietly();
    throw error;
  }
  return {
    digests: digest.digests,
    loadHost: (i: number): Host => scan.readHost(digest.byteStarts[i]!, digest.byteEnds[i]!),
    close: () => scan.close(),
  };
}

const MARK = 'portwatchDigestScan';
const PAIRS = 'portwatchPairs';

/**
 * A digest as the worker posts it: its 65,536 keys and digests (for a /16) as two strings and its numbers as
 * typed arrays (moved, not copied), because posting 130,000 small strings one by one costs tens of ms on the
 * way out and again on the way in, at the end of the critical path.
 */
interface PackedDigest {
  identity: FileIdentity;
  run: NmapRun;
  /** The keys joined by NUL (which XML cannot hold); a null key is SOH (idem). */
  keys: string;
  digests: string;
  order: Int32Array<ArrayBuffer>;
  byteStarts: Float64Array<ArrayBuffer>;
  byteEnds: Float64Array<ArrayBuffer>;
}

const NUL = '\u0000';
const NULL_KEY = '\u0001';

function pack(d: ScanDigest): PackedDigest {
  return {
    identity: d.identity,
    run: d.run,
    keys: d.keys.map((k) => k ?? NULL_KEY).join(NUL),
    digests: d.digests.join(NUL),
    order: Int32Array.from(d.order),
    byteStarts: Float64Array.from(d.byteStarts),
    byteEnds: Float64Array.from(d.byteEnds),
  };
}

function unpack(p: PackedDigest): ScanDigest {
  const split = (joined: string, n: number) => (n === 0 ? [] : joined.split(NUL));
  const n = p.order.length;
  return {
    identity: p.identity,
    run: p.run,
    keys: split(p.keys, n).map((k) => (k === NULL_KEY ? null : k)),
    order: Array.from(p.order),
    digests: split(p.digests, n),
    byteStarts: Array.from(p.byteStarts),
    byteEnds: Array.from(p.byteEnds),
  };
}

type Reply =
  | { ok: true; digest: PackedDigest }
  | { ok: false; message: string; userError: boolean; stack: string | undefined };

/**
 * The worker's old-generation cap, in MB. A digest keeps ~200 bytes a host (13 MB for a /16), but V8 lets a
 * heap grow well past what it keeps before collecting it: capped, the reader's garbage is collected early
 * (measured on two 62 MB scans read at once: peak 191 MB for the process instead of 275-290 MB, no slower).
 * A scan too large for the cap is read again without it.
 */
const OLD_GENERATION_MB = 32;
const YOUNG_GENERATION_MB = 8;

/** A scan being digested on a worker thread, which can then take a share of the host pairs (pair-blocks.ts). */
export interface DigestWorker {
  result: Promise<ScanDigest>;
  /**
   * After the result: the worker takes blocks of the job's pairs, posting them on job.port (which it is
   * given). Rejects if the worker fails or stops meanwhile; never resolves (job.port says when it is done).
   */
  sharePairs(job: PairsJob): Promise<never>;
  /** Stops the worker (its result then never settles). */
  cancel(): void;
}

/** digestScan on a worker thread (see DigestWorker). */
export function digestScanInWorker(file: string): DigestWorker {
  let worker: Worker | undefined;
  let cancelled = false;
  /** Rejects when the worker fails or stops after its result (while it shares pairs). */
  let stopped: (error: Error) => void = () => {};
  const start = (capped: boolean): Promise<ScanDigest> =>
    new Promise<ScanDigest>((resolve, reject) => {
      // This module is the worker's code too (below): in the CLI bundle, import.meta.url is its chunk.
      const w = new Worker(new URL(import.meta.url), {
        workerData: { [MARK]: file },
        resourceLimits: capped
          ? { maxOldGenerationSizeMb: OLD_GENERATION_MB, maxYoungGenerationSizeMb: YOUNG_GENERATION_MB }
          : undefined,
      });
      worker = w;
      w.once('message', (reply: Reply) => {
        // The worker then waits for a share of the host pairs: that must not keep the process alive.
        w.unref();
        if (reply.ok) resolve(unpack(reply.digest));
        else if (reply.userError) reject(new UserError(reply.message));
        else reject(Object.assign(new Error(reply.message), { stack: reply.stack }));
      });
      let retrying = false;
      w.once('error', (error: NodeJS.ErrnoException) => {
        retrying = capped && !cancelled && error.code === 'ERR_WORKER_OUT_OF_MEMORY';
        if (retrying) start(false).then(resolve, reject);
        else {
          reject(error);
          stopped(error);
        }
      });
      w.once('exit', (code) => {
        // After 'message' or 'error' this changes nothing (a promise settles once), unless a retry is under way.
        if (!retrying) {
          const error = new Error(`the scan reader thread stopped (exit code ${code})`);
          if (code !== 0 || cancelled) setImmediate(() => reject(error));
          stopped(error);
        }
      });
    });
  const result = start(true);
  // Handled here too: after cancel() (the caller has an error of its own to report) nobody awaits it.
  result.catch(() => {});
  return {
    result,
    // Posted at once (the worker reads it after its digest): the caller goes on without yielding.
    sharePairs: (job) =>
      new Promise<never>((_, reject) => {
        stopped = reject;
        worker!.postMessage({ [PAIRS]: job }, [job.port]);
      }),
    cancel: () => {
      cancelled = true;
      void worker?.terminate();
    },
  };
}

if (!isMainThread && parentPort && typeof (workerData as Record<string, unknown>)?.[MARK] === 'string') {
  const port = parentPort;
  let reply: Reply;
  try {
    reply = { ok: true, digest: pack(digestScan((workerData as Record<string, string>)[MARK]!)) };
  } catch (error) {
    const e = error as Error;
    reply = {
      ok: false,
      message: e?.message ?? String(error),
      userError: error instanceof UserError,
      stack: e instanceof UserError ? undefined : e?.stack,
    };
  }
  port.postMessage(
    reply,
    reply.ok ? [reply.digest.order.buffer, reply.digest.byteStarts.buffer, reply.digest.byteEnds.buffer] : [],
  );
  // Then, maybe, a share of the host pairs (the caller stops this thread when it no longer needs it).
  if (reply.ok)
    port.on('message', (message: Record<string, PairsJob>) => {
      if (message[PAIRS]) runPairsJob(message[PAIRS], (error) => error instanceof UserError);
    });
}
