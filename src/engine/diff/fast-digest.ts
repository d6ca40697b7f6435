// Scans read as host digests (nmap/host-digests.ts), on this thread or a worker thread (the machine's second
// core): digests are compact and cheap to post between threads, unlike a full model (posting one costs about
// as much as parsing it). Hosts whose digests differ are then read again, on the calling thread, from their
// byte ranges. Used by `diff --format json` and the monitor; ndiff's own diff of two files reads them
// together instead (digest-pair.ts).
//
//   const job = digestScanInWorker('b.xml');          // runs while this thread reads a.xml
//   const a = digestScan('a.xml'); const b = await job.result;
//   const hostsA = openDigested('a.xml', a); ... hostsA.loadHost(i) ... hostsA.close();
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { Host, NmapRun } from '../../shared/scan.ts';
import { UserError } from '../errors.ts';
import { ScanFile, type FileIdentity } from '../nmap/host-digests.ts';
import type { LazyRun } from './changes.ts';
import type { LazyHosts } from './ndiff/index.ts';
import { ndiffHostId, toNdiffScan } from './ndiff/scan-view.ts';
import { hostKey } from '../nmap/hosts.ts';

/**
 * Which ids a digest keeps per host: ndiff's (ndiffHostId, for ndiffLazy), the change model's (hostKey, for
 * computeChangesLazy), or both (the monitor prints both).
 */
export type DigestKeys = 'ndiff' | 'address' | 'both';

/** One scan, digested: plain data (a few MB for a /16), fit to post between threads. */
export interface ScanDigest {
  /** The file as it was read. */
  identity: FileIdentity;
  /** The run without its hosts (hosts is empty). */
  run: NmapRun;
  /** The hosts' ndiff ids in ndiff's order (sorted on the worker thread: see toNdiffScan); [] for 'address'. */
  keys: (string | null)[];
  /** order[i]: the document index of the host with keys[i]. */
  order: number[];
  /** The hosts' hostKey in document order; [] for 'ndiff'. */
  addressKeys: (string | null)[];
  /** Whether some host's OS list is not empty (the change model's ranOsDetection). */
  anyOsMatch: boolean;
  /** Per host in document order: content digest, byte range in the file. */
  digests: string[];
  byteStarts: ArrayLike<number>;
  byteEnds: ArrayLike<number>;
}

/** Reads and checks the whole file on this thread. Bad input is a UserError (NmapXmlError). */
export function digestScan(file: string, kind: DigestKeys = 'ndiff'): ScanDigest {
  const scan = ScanFile.open(file);
  let digest: ScanDigest;
  try {
    const { run, keys, digests, byteStarts, byteEnds, anyOsMatch } = scan.digest(
      keyFunction(kind),
      kind === 'ndiff',
    );
    // 'both' keeps the two ids as one JSON pair per host (keyOf gives one string): split here.
    const pairs = kind === 'both' ? keys.map((k) => JSON.parse(k!) as [string | null, string | null]) : [];
    const ndiffKeys = kind === 'both' ? pairs.map((p) => p[0]) : kind === 'ndiff' ? keys : [];
    const sorted = kind === 'address' ? { keys: [], order: [] } : toNdiffScan(run, ndiffKeys);
    digest = {
      identity: scan.identity,
      run,
      keys: sorted.keys,
      order: sorted.order,
      addressKeys: kind === 'both' ? pairs.map((p) => p[1]) : kind === 'address' ? keys : [],
      anyOsMatch,
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

const addressKey = (host: Host): string | null => hostKey(host) ?? null;

function keyFunction(kind: DigestKeys): (host: Host) => string | null {
  if (kind === 'ndiff') return ndiffHostId;
  if (kind === 'address') return addressKey;
  return (host) => JSON.stringify([ndiffHostId(host), addressKey(host)]);
}

/**
 * A digested scan's file, open: prefetch(indices) reads those hosts ahead of loadHost; close() throws if it
 * changed; closeQuietly() after an error of its own.
 */
export type DigestedHosts = LazyHosts & {
  prefetch(indices: number[]): void;
  /** File bytes [start, end). */
  read(start: number, end: number): Buffer;
  close(): void;
  closeQuietly(): void;
};

/** The hosts of a digested scan, each read from the file when asked for. Throws if the file changed. */
export function openDigested(file: string, digest: ScanDigest): DigestedHosts {
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
    prefetch: (indices) =>
      scan.prefetch(
        indices.map((i) => digest.byteStarts[i]!),
        indices.map((i) => digest.byteEnds[i]!),
      ),
    read: (start, end) => scan.read(start, end),
    close: () => scan.close(),
    closeQuietly: () => scan.closeQuietly(),
  };
}

/** A digested scan as the change model reads it (computeChangesLazy), its hosts from `hosts` (openDigested). */
export function lazyRunOfDigest(digest: ScanDigest, hosts: LazyHosts): LazyRun {
  return {
    run: digest.run,
    keys: digest.addressKeys,
    anyOsMatch: digest.anyOsMatch,
    digests: hosts.digests,
    loadHost: hosts.loadHost,
  };
}

/**
 * Two scans digested at once, each on a worker thread (so this thread's heap holds only the digests), and
 * both before anything is used: if both are bad, the first file's error is the one reported.
 */
export async function digestScansInWorkers(
  files: [string, string],
  kind: DigestKeys,
): Promise<[ScanDigest, ScanDigest]> {
  const first = digestScanInWorker(files[0], kind);
  const second = digestScanInWorker(files[1], kind);
  try {
    return [await first.result, await second.result];
  } finally {
    first.cancel();
    second.cancel();
  }
}

/** Opens both digested scans for `use`, and closes both after it (throwing if either file changed). */
export function useDigestedPair<T>(
  files: [string, string],
  digests: [ScanDigest, ScanDigest],
  use: (a: LazyHosts, b: LazyHosts) => T,
): T {
  const hostsA = openDigested(files[0], digests[0]);
  let hostsB: DigestedHosts;
  try {
    hostsB = openDigested(files[1], digests[1]);
  } catch (error) {
    hostsA.closeQuietly(); // the error is the one to report
    throw error;
  }
  try {
    return use(hostsA, hostsB);
  } finally {
    try {
      hostsA.close();
    } finally {
      hostsB.close();
    }
  }
}

const MARK = 'portwatchDigestScan';

type Reply =
  | { ok: true; digest: ScanDigest }
  | { ok: false; message: string; userError: boolean; stack: string | undefined };

/**
 * The worker's old-generation cap, in MB. A digest keeps ~200 bytes a host (13 MB for a /16), but V8 lets a
 * heap grow well past what it keeps before collecting it: capped, the reader's garbage is collected early
 * (measured on two 62 MB scans read at once: peak 191 MB for the process instead of 275-290 MB, no slower).
 * A scan too large for the cap is read again without it.
 */
const OLD_GENERATION_MB = 32;
const YOUNG_GENERATION_MB = 8;

/** A scan being digested on a worker thread. */
export interface DigestWorker {
  result: Promise<ScanDigest>;
  /** Stops the worker (its result then never settles). */
  cancel(): void;
}

/**
 * The worker's code is this module (below). In an ESM build (the CLI) it finds its own file; the tray app's
 * main bundle is CommonJS, without import.meta.url, so the shell names the file built for it
 * (setDigestWorkerFile). Without either, digestScanInWorker fails and its callers read the file in full.
 */
let workerFile: URL | undefined;

export function setDigestWorkerFile(file: string | undefined): void {
  workerFile = file === undefined ? undefined : pathToFileURL(file);
}

function digestWorkerUrl(): URL {
  if (workerFile) return workerFile;
  const own = import.meta.url as string | undefined; // undefined in a CommonJS bundle
  if (!own) throw new Error('the scan reader thread has no code file (setDigestWorkerFile was not called)');
  return new URL(own);
}

/** digestScan on a worker thread (see DigestWorker). */
export function digestScanInWorker(file: string, kind: DigestKeys = 'ndiff'): DigestWorker {
  let worker: Worker | undefined;
  let cancelled = false;
  const start = (capped: boolean): Promise<ScanDigest> =>
    new Promise<ScanDigest>((resolve, reject) => {
      const w = new Worker(digestWorkerUrl(), {
        workerData: { [MARK]: file, kind },
        resourceLimits: capped
          ? { maxOldGenerationSizeMb: OLD_GENERATION_MB, maxYoungGenerationSizeMb: YOUNG_GENERATION_MB }
          : undefined,
      });
      worker = w;
      w.once('message', (reply: Reply) => {
        if (reply.ok) resolve(reply.digest);
        else if (reply.userError) reject(new UserError(reply.message));
        else reject(Object.assign(new Error(reply.message), { stack: reply.stack }));
      });
      let retrying = false;
      w.once('error', (error: NodeJS.ErrnoException) => {
        retrying = capped && !cancelled && error.code === 'ERR_WORKER_OUT_OF_MEMORY';
        if (retrying) start(false).then(resolve, reject);
        else reject(error);
      });
      w.once('exit', (code) => {
        // After 'message' or 'error' this changes nothing (a promise settles once), unless a retry is under way.
        if ((code !== 0 || cancelled) && !retrying)
          setImmediate(() => reject(new Error(`the scan reader thread stopped (exit code ${code})`)));
      });
    });
  const result = start(true);
  // Handled here too: after cancel() (the caller has an error of its own to report) nobody awaits it.
  result.catch(() => {});
  return {
    result,
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
    const data = workerData as Record<string, string>;
    reply = { ok: true, digest: digestScan(data[MARK]!, data.kind as DigestKeys) };
  } catch (error) {
    const e = error as Error;
    reply = {
      ok: false,
      message: e?.message ?? String(error),
      userError: error instanceof UserError,
      stack: e instanceof UserError ? undefined : e?.stack,
    };
  }
  port.postMessage(reply);
}
