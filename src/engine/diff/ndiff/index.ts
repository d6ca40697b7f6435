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

function sameDigest(a: string, b: string): boolean {
  return a !== '' && a === b;
}

/** The full model of the scan's i-th host (in ndiff's order). */
function hostAt(scan: NdScan, lazy: LazyHosts | undefined, i: number): Host {
  return lazy ? lazy.loadHost(scan.order[i]!) : scan.hosts[i]!;
}

/**
 * host_pairs: merges the two id-sorted host lists; a host missing on one side meets the empty Host().
 * Calls `pair` with ndiff's view of each host (built here, so it lives only as long as the pair).
 */
function forEachHostPair(
  a: NdScan,
  b: NdScan,
  verbose: boolean,
  pair: (hostA: NdHost, hostB: NdHost) => void,
  lazyA?: LazyHosts,
  lazyB?: LazyHosts,
): void {
  let i = 0;
  let j = 0;
  const lengthA = a.keys.length;
  const lengthB = b.keys.length;
  while (i < lengthA && j < lengthB) {
    const keyA = a.keys[i]!;
    const keyB = b.keys[j]!;
    if (keyA !== null && keyA === keyB) {
      // Unchanged hosts print nothing unless -v: skip them without building ndiff's view (with digests,
      // without even building the hosts).
      if (
        !verbose &&
        lazyA &&
        lazyB &&
        sameDigest(lazyA.digests[a.order[i]!]!, lazyB.digests[b.order[j]!]!)
      ) {
        i++;
        j++;
        continue;
      }
      const hostA = hostAt(a, lazyA, i++);
      const hostB = hostAt(b, lazyB, j++);
      if (verbose || !sameHostForNdiff(hostA, hostB)) pair(viewHost(hostA), viewHost(hostB));
    } else if (keyA === null || (keyB !== null && keyA < keyB)) {
      // A null key (no address, no name) is ndiff's id(self): unique, so it never pairs.
      pair(viewHost(hostAt(a, lazyA, i++)), PLACEHOLDER_HOST);
    } else {
      pair(PLACEHOLDER_HOST, viewHost(hostAt(b, lazyB, j++)));
    }
  }
  while (i < lengthA) pair(viewHost(hostAt(a, lazyA, i++)), PLACEHOLDER_HOST);
  while (j < lengthB) pair(PLACEHOLDER_HOST, viewHost(hostAt(b, lazyB, j++)));
}

/** ndiff's comparison of two scans already in its view (see scan-view.ts). */
export function ndiffScans(
  a: NdScan,
  b: NdScan,
  options: NdiffOptions,
  write: (text: string) => void,
  lazyA?: LazyHosts,
  lazyB?: LazyHosts,
): boolean {
  const { verbose } = options;
  const xml = options.format === 'xml';
  let buffer = '';
  const emit = (s: string) => {
    buffer += s;
    if (buffer.length >= CHUNK) {
      write(buffer);
      buffer = '';
    }
  };

  emit(xml ? xmlBeginning(a, b, verbose) : bannerText(a, b, verbose));

  const preDiffs = diffScriptLists(a.preScripts, b.preScripts, verbose);
  emit(
    xml
      ? topScriptsXml('prescript', a.preScripts, b.preScripts, preDiffs, verbose)
      : scriptDiffsText('Pre-scan script results', a.preScripts, b.preScripts, preDiffs, verbose),
  );

  let realCost = 0;
  forEachHostPair(
    a,
    b,
    verbose,
    (hostA, hostB) => {
      const d = diffHosts(hostA, hostB, verbose);
      realCost += d.realCost;
      if (d.cost > 0 || verbose) emit(xml ? hostDiffXml(d, verbose) : hostDiffText(d, verbose));
    },
    lazyA,
    lazyB,
  );

  const postDiffs = diffScriptLists(a.postScripts, b.postScripts, verbose);
  emit(
    xml
      ? topScriptsXml('postscript', a.postScripts, b.postScripts, postDiffs, verbose)
      : scriptDiffsText('Post-scan script results', a.postScripts, b.postScripts, postDiffs, verbose),
  );
  if (xml) emit(XML_ENDING);
  if (buffer !== '') write(buffer);
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

/** ndiff() on two runs whose hosts are read only when they differ (see LazyHosts): the same output. */
export function ndiffLazy(
  a: LazyScan,
  b: LazyScan,
  options: NdiffOptions,
  write: (text: string) => void,
): boolean {
  return ndiffScans(
    sortedNdiffScan(a.run, a.keys, a.order),
    sortedNdiffScan(b.run, b.keys, b.order),
    options,
    write,
    a.hosts,
    b.hosts,
  );
}
