// nmap's ndiff 7.93, byte for byte, from two parsed runs: the same text or XML for the same options.
// Ported from /usr/lib/python3/dist-packages/ndiff.py. Where ndiff crashes (two or more scripts on a port or
// host; a script-only port change in plain non-verbose text), this prints what ndiff meant to print.
import type { Host, NmapRun } from '../../../shared/scan.ts';
import { diffHosts, diffScriptLists } from './host-diff.ts';
import {
  PLACEHOLDER_HOST,
  sameHostForNdiff,
  sortedNdiffScan,
  toNdiffScan,
  viewHost,
  type NdHost,
  type NdScan,
} from './scan-view.ts';
import { bannerText, hostDiffText, scriptDiffsText } from './text.ts';
import { hostDiffXml, topScriptsXml, xmlBeginning, XML_ENDING } from './xml.ts';

export interface NdiffOptions {
  verbose: boolean;
  format: 'text' | 'xml';
}

/** Output is handed to `write` in pieces of about this many characters: few calls, no giant string. */
const CHUNK = 1 << 16;

/**
 * A run whose hosts hold only their id (addresses, host names), with their content as digests: the full
 * model of a host is built only when its digest differs from its pair's (see nmap/host-digests.ts).
 */
export interface LazyHosts {
  /** digests[i] is run.hosts[i]'s: equal digests mean equal hosts; '' is no digest (read the host). */
  digests: string[];
  /** The full model of run.hosts[i]. */
  loadHost(i: number): Host;
}

/** Equal digests ('' is none: such a host is always read). */
export function sameDigest(a: string, b: string): boolean {
  return a !== '' && a === b;
}

/**
 * host_pairs' merge of two id-sorted key lists: calls `pair` with each pair's positions in a and b, -1 for a
 * host missing on that side (ndiff pairs it with the empty Host()).
 */
function mergeByNdiffId(
  keysA: (string | null)[],
  keysB: (string | null)[],
  pair: (i: number, j: number) => void,
): void {
  let i = 0;
  let j = 0;
  while (i < keysA.length && j < keysB.length) {
    const keyA = keysA[i]!;
    const keyB = keysB[j]!;
    if (keyA !== null && keyA === keyB) pair(i++, j++);
    // A null key (no address, no name) is ndiff's id(self): unique, so it never pairs.
    else if (keyA === null || (keyB !== null && keyA < keyB)) pair(i++, -1);
    else pair(-1, j++);
  }
  while (i < keysA.length) pair(i++, -1);
  while (j < keysB.length) pair(-1, j++);
}

/**
 * Calls `pair` with ndiff's view of each host pair of two scans held in full (built here, so it lives only as
 * long as the pair); equal pairs are left out unless -v.
 */
function forEachHostPair(
  a: NdScan,
  b: NdScan,
  verbose: boolean,
  pair: (hostA: NdHost, hostB: NdHost) => void,
): void {
  mergeByNdiffId(a.keys, b.keys, (i, j) => {
    if (j < 0) pair(viewHost(a.hosts[i]!), PLACEHOLDER_HOST);
    else if (i < 0) pair(PLACEHOLDER_HOST, viewHost(b.hosts[j]!));
    else if (verbose || !sameHostForNdiff(a.hosts[i]!, b.hosts[j]!))
      pair(viewHost(a.hosts[i]!), viewHost(b.hosts[j]!));
  });
}

/** Collects output into pieces of about CHUNK characters for `write`: few calls, no giant string. */
export function chunkedWriter(write: (text: string) => void) {
  let buffer = '';
  return {
    emit(text: string): void {
      buffer += text;
      if (buffer.length >= CHUNK) {
        write(buffer);
        buffer = '';
      }
    },
    flush(): void {
      if (buffer !== '') write(buffer);
      buffer = '';
    },
  };
}

/** What comes before the hosts: the banner (or XML beginning) and the pre-scan scripts. */
export function ndiffHead(a: NdScan, b: NdScan, options: NdiffOptions): string {
  const { verbose } = options;
  const preDiffs = diffScriptLists(a.preScripts, b.preScripts, verbose);
  return options.format === 'xml'
    ? xmlBeginning(a, b, verbose) + topScriptsXml('prescript', a.preScripts, b.preScripts, preDiffs, verbose)
    : bannerText(a, b, verbose) +
        scriptDiffsText('Pre-scan script results', a.preScripts, b.preScripts, preDiffs, verbose);
}

/** What comes after the hosts: the post-scan scripts (and the XML ending). */
export function ndiffTail(a: NdScan, b: NdScan, options: NdiffOptions): string {
  const { verbose } = options;
  const postDiffs = diffScriptLists(a.postScripts, b.postScripts, verbose);
  return options.format === 'xml'
    ? topScriptsXml('postscript', a.postScripts, b.postScripts, postDiffs, verbose) + XML_ENDING
    : scriptDiffsText('Post-scan script results', a.postScripts, b.postScripts, postDiffs, verbose);
}

/** A host pair's part of the output (if any) through `emit`; returns its real cost (see HostDiff). */
function emitHostPair(
  hostA: NdHost,
  hostB: NdHost,
  options: NdiffOptions,
  emit: (text: string) => void,
): number {
  const d = diffHosts(hostA, hostB, options.verbose);
  if (d.cost > 0 || options.verbose)
    emit(options.format === 'xml' ? hostDiffXml(d, options.verbose) : hostDiffText(d, options.verbose));
  return d.realCost;
}

/** ndiff's comparison of two scans already in its view (see scan-view.ts), hosts in a.hosts and b.hosts. */
export function ndiffScans(
  a: NdScan,
  b: NdScan,
  options: NdiffOptions,
  write: (text: string) => void,
): boolean {
  const out = chunkedWriter(write);
  out.emit(ndiffHead(a, b, options));
  let realCost = 0;
  forEachHostPair(a, b, options.verbose, (hostA, hostB) => {
    realCost += emitHostPair(hostA, hostB, options, out.emit);
  });
  out.emit(ndiffTail(a, b, options));
  out.flush();
  return realCost > 0;
}

/**
 * Writes ndiff's output through `write` (in pieces, so huge diffs need not sit in one string) and returns
 * whether the scans differ (ndiff's exit code 1; computed as non-verbose ndiff would, so two identical scans
 * are "not different" even with -v).
 */
export function ndiff(a: NmapRun, b: NmapRun, options: NdiffOptions, write: (text: string) => void): boolean {
  return ndiffScans(toNdiffScan(a), toNdiffScan(b), options, write);
}

/** A run read without its hosts: its keys and order as toNdiffScan sorts them, its hosts read by index. */
export interface LazyScan {
  run: NmapRun;
  keys: (string | null)[];
  order: number[];
  hosts: LazyHosts;
}

/**
 * The host pairs of a lazy diff whose hosts must be read, in ndiff's order (host_pairs' merge by id). Pairs
 * of equal hosts (equal digests, or as `same` tells) print nothing unless -v, so they are left out; with -v
 * they are kept, marked `same`, and only one of their hosts is read.
 */
export interface HostPairPlan {
  /** Per pair: the document index of its host in a and in b; -1 when that side has none. */
  a: Int32Array;
  b: Int32Array;
  /** Per pair: 1 when the two hosts are the same for ndiff (equal digests, or planHostPairs' `same`). */
  same: Uint8Array;
  length: number;
}

export function planHostPairs(
  a: LazyScan,
  b: LazyScan,
  verbose: boolean,
  /** Whether a's host ia and b's host ib (document indices) are the same for ndiff: by digests, unless given. */
  same: (ia: number, ib: number) => boolean = (ia, ib) =>
    sameDigest(a.hosts.digests[ia]!, b.hosts.digests[ib]!),
): HostPairPlan {
  const capacity = a.keys.length + b.keys.length;
  const plan: HostPairPlan = {
    a: new Int32Array(capacity),
    b: new Int32Array(capacity),
    same: new Uint8Array(capacity),
    length: 0,
  };
  const add = (i: number, j: number, same: number) => {
    const k = plan.length++;
    plan.a[k] = i;
    plan.b[k] = j;
    plan.same[k] = same;
  };
  mergeByNdiffId(a.keys, b.keys, (i, j) => {
    if (j < 0) add(a.order[i]!, -1, 0);
    else if (i < 0) add(-1, b.order[j]!, 0);
    else {
      const ia = a.order[i]!;
      const ib = b.order[j]!;
      const equal = same(ia, ib);
      if (!equal || verbose) add(ia, ib, equal ? 1 : 0);
    }
  });
  return plan;
}

/**
 * The hosts' part of ndiff's output for plan pairs [from, to), through `emit`; returns their real cost. Hosts
 * are read with loadA / loadB (by document index). Each pair's views live only as long as the pair.
 */
export function emitHostPairs(
  plan: HostPairPlan,
  from: number,
  to: number,
  loadA: (i: number) => Host,
  loadB: (i: number) => Host,
  options: NdiffOptions,
  emit: (text: string) => void,
): number {
  let realCost = 0;
  for (let k = from; k < to; k++) {
    const ia = plan.a[k]!;
    const ib = plan.b[k]!;
    if (ib < 0) realCost += emitHostPair(viewHost(loadA(ia)), PLACEHOLDER_HOST, options, emit);
    else if (ia < 0) realCost += emitHostPair(PLACEHOLDER_HOST, viewHost(loadB(ib)), options, emit);
    else if (plan.same[k]) {
      // -v only: the host as it is in both scans (diffHosts only reads its views).
      const view = viewHost(loadA(ia));
      realCost += emitHostPair(view, view, options, emit);
    } else {
      const hostA = loadA(ia);
      const hostB = loadB(ib);
      if (options.verbose || !sameHostForNdiff(hostA, hostB))
        realCost += emitHostPair(viewHost(hostA), viewHost(hostB), options, emit);
    }
  }
  return realCost;
}

/** The NdScan of a lazy run (hosts read by index: NdScan.hosts is empty). */
export function lazyNdiffScan(scan: LazyScan): NdScan {
  return sortedNdiffScan(scan.run, scan.keys, scan.order);
}

/** ndiff() on two runs whose hosts are read only when they differ (see LazyHosts): the same output. */
export function ndiffLazy(
  a: LazyScan,
  b: LazyScan,
  options: NdiffOptions,
  write: (text: string) => void,
): boolean {
  const scanA = lazyNdiffScan(a);
  const scanB = lazyNdiffScan(b);
  const plan = planHostPairs(a, b, options.verbose);
  const out = chunkedWriter(write);
  out.emit(ndiffHead(scanA, scanB, options));
  const realCost = emitHostPairs(plan, 0, plan.length, a.hosts.loadHost, b.hosts.loadHost, options, out.emit);
  out.emit(ndiffTail(scanA, scanB, options));
  out.flush();
  return realCost > 0;
}
