// How a cycle (cycle.ts) compares its scan with the profile's reference. A /16's reference takes over a second
// to load in full, so when the reference has its XML it is read as host digests instead (diff/fast-digest.ts),
// on a worker thread started with the cycle, while nmap runs; the scan's own digests are computed as its XML
// arrives (runNmap's hostDigests). Only hosts whose digests differ are then read from the reference file,
// one at a time: nothing of the reference stays in memory between scans. A reference without XML (a merged
// one), or one whose XML can't be digested, is loaded in full as before: the same changes, the same text.
//
//   const read = startReferenceRead(references);          // when the cycle starts
//   ... nmap runs ...
//   const comparison = await openComparison(references, meta, read, result);
//   try { computeChangesLazy(comparison.reference, comparison.current); comparison.ndiffText(); }
//   finally { comparison.close(); }
import { existsSync } from 'node:fs';
import type { Host, NmapRun } from '../../shared/scan.ts';
import { hostIndex, lazyRunOf, type LazyRun } from '../diff/changes.ts';
import {
  digestScanInWorker,
  lazyRunOfDigest,
  openDigested,
  type DigestedHosts,
  type ScanDigest,
} from '../diff/fast-digest.ts';
import { ndiff, ndiffLazy, sameDigest, type LazyHosts, type LazyScan } from '../diff/ndiff/index.ts';
import { toNdiffScan } from '../diff/ndiff/scan-view.ts';
import { hostKey, isUp } from '../nmap/hosts.ts';
import type { NmapResult } from '../nmap/run.ts';
import type { OfflineCheck } from './offline.ts';
import type { ReferenceMeta, ReferenceStore } from './references.ts';

/** The profile's current reference being digested (its XML file, on a worker thread). */
export interface ReferenceRead {
  id: string;
  file: string;
  digest: Promise<ScanDigest>;
  /** Stops the worker if it still runs (call it in every case once the cycle is past its comparison). */
  cancel(): void;
}

/** Starts reading the current reference's XML as digests; undefined when it has none. */
export function startReferenceRead(references: ReferenceStore): ReferenceRead | undefined {
  try {
    const meta = references.current();
    if (!meta?.hasXml) return undefined;
    const file = references.paths.referenceXml(meta.id);
    const job = digestScanInWorker(file, 'both');
    // Its hosts' index by key is made as soon as it is read (not once nmap exits).
    const digest = job.result.then((d) => (hostIndex({ keys: d.addressKeys }), d));
    digest.catch(() => {}); // openComparison falls back to loading the reference in full
    return { id: meta.id, file, digest, cancel: job.cancel };
  } catch {
    return undefined; // the cycle loads the reference as before, and reports what is wrong with it
  }
}

/** The reference and the scan, as the cycle compares them. */
export interface Comparison {
  /** The reference; its hosts read when needed. */
  reference: LazyRun;
  /** The scan (all in memory: result.run). */
  current: LazyRun;
  /** ndiff's text, reference -> scan ('' if it fails: the report goes out with the change model alone). */
  ndiffText(): string;
  /** Closes the reference file (throws if it changed while it was read). */
  close(): void;
}

/**
 * The scan and the reference `meta` ready to compare: through digests when `read` digested that reference
 * and the scan has its digests, else with the reference loaded in full (references.load: a missing
 * reference is its UserError).
 */
export async function openComparison(
  references: ReferenceStore,
  meta: ReferenceMeta,
  read: ReferenceRead | undefined,
  result: NmapResult,
): Promise<Comparison> {
  const digests = result.hostDigests;
  // The parsed run (JSON) is what the reference is; its XML is where it was read from. Without the JSON the
  // reference is missing, which references.load reports.
  if (read?.id === meta.id && digests && existsSync(references.paths.referenceRun(meta.id))) {
    const digested = await read.digest.catch(() => undefined);
    const hosts = digested && openQuietly(read.file, digested);
    if (digested && hosts) return digestedComparison(digested, hosts, result.run, digests);
  }
  const reference = references.load(meta.id);
  return {
    reference: lazyRunOf(reference),
    current: lazyRunOf(result.run),
    ndiffText: () => textOf((write) => ndiff(reference, result.run, NDIFF_TEXT, write)),
    close: () => {},
  };
}

const NDIFF_TEXT = { verbose: false, format: 'text' } as const;

function openQuietly(file: string, digest: ScanDigest): DigestedHosts | undefined {
  try {
    return openDigested(file, digest);
  } catch {
    return undefined; // the file changed since it was digested: load the reference in full
  }
}

function digestedComparison(
  reference: ScanDigest,
  referenceHosts: DigestedHosts,
  run: NmapRun,
  digests: string[],
): Comparison {
  const currentHosts: LazyHosts = { digests, loadHost: (i) => run.hosts[i]! };
  // The change model and ndiff ask for the same hosts (those that differ): each is read from the file once.
  const loaded = new Map<number, Host>();
  const cachedHosts: LazyHosts = {
    digests: referenceHosts.digests,
    loadHost: (i) => {
      let host = loaded.get(i);
      if (!host) loaded.set(i, (host = referenceHosts.loadHost(i)));
      return host;
    },
  };
  return {
    reference: lazyRunOfDigest(reference, cachedHosts),
    current: { ...lazyRunOf(run), ...currentHosts },
    ndiffText: () => {
      const sorted = toNdiffScan(run);
      const a: LazyScan = {
        run: reference.run,
        keys: reference.keys,
        order: reference.order,
        hosts: cachedHosts,
      };
      const b: LazyScan = { run, keys: sorted.keys, order: sorted.order, hosts: currentHosts };
      return textOf((write) => ndiffLazy(a, b, NDIFF_TEXT, write));
    },
    close: () => {
      loaded.clear();
      referenceHosts.close();
    },
  };
}

function textOf(print: (write: (text: string) => void) => void): string {
  const parts: string[] = [];
  try {
    print((text) => parts.push(text));
  } catch {
    return '';
  }
  return parts.join('');
}

/**
 * "Every host up in the reference is now down, and this machine looks offline": not a change. A reference
 * host's state is its pair's when their digests are equal; otherwise it is read.
 */
export function offlineCheck(
  reference: LazyRun,
  current: LazyRun,
  isOffline: OfflineCheck,
): string | undefined {
  const hosts = current.run.hosts;
  const currentIndex = hostIndex(current);
  // Whether some host with this key is up now: its first one usually answers, else all are looked at.
  let nowUp: Set<string | undefined> | undefined;
  const isUpNow = (key: string | undefined) => {
    const j = key === undefined ? undefined : currentIndex.get(key);
    if (j !== undefined && isUp(hosts[j]!)) return true;
    nowUp ??= new Set(hosts.filter(isUp).map(hostKey));
    return nowUp.has(key);
  };
  let wasUp = 0;
  for (let i = 0; i < reference.keys.length; i++) {
    const key = reference.keys[i] ?? undefined;
    const j = key === undefined ? undefined : currentIndex.get(key);
    const same = j !== undefined && sameDigest(reference.digests[i]!, current.digests[j]!);
    if (!isUp(same ? hosts[j]! : reference.loadHost(i))) continue;
    if (isUpNow(key)) return undefined; // some host up in the reference still answers
    wasUp++;
  }
  if (wasUp === 0) return undefined;
  if (!isOffline()) return undefined;
  return `all ${wasUp} host(s) up in the reference are down and this machine looks offline (no network interface or default route); not treated as changes`;
}
