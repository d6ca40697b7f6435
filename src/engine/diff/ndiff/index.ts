// nmap's ndiff 7.93, byte for byte, from two parsed runs: the same text or XML for the same options.
// Ported from /usr/lib/python3/dist-packages/ndiff.py. Where ndiff crashes (two or more scripts on a port or
// host; a script-only port change in plain non-verbose text), this prints what ndiff meant to print.
import type { NmapRun } from '../../../shared/scan.ts';
import { diffHosts, diffScriptLists } from './host-diff.ts';
import {
  PLACEHOLDER_HOST,
  sameHostForNdiff,
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
 * host_pairs: merges the two id-sorted host lists; a host missing on one side meets the empty Host().
 * Calls `pair` with ndiff's view of each host (built here, so it lives only as long as the pair).
 */
function forEachHostPair(
  a: NdScan,
  b: NdScan,
  verbose: boolean,
  pair: (hostA: NdHost, hostB: NdHost) => void,
): void {
  let i = 0;
  let j = 0;
  while (i < a.hosts.length && j < b.hosts.length) {
    const keyA = a.keys[i]!;
    const keyB = b.keys[j]!;
    if (keyA !== null && keyA === keyB) {
      const hostA = a.hosts[i++]!;
      const hostB = b.hosts[j++]!;
      // Unchanged hosts print nothing unless -v: skip them without building ndiff's view.
      if (verbose || !sameHostForNdiff(hostA, hostB)) pair(viewHost(hostA), viewHost(hostB));
    } else if (keyA === null || (keyB !== null && keyA < keyB)) {
      // A null key (no address, no name) is ndiff's id(self): unique, so it never pairs.
      pair(viewHost(a.hosts[i++]!), PLACEHOLDER_HOST);
    } else {
      pair(PLACEHOLDER_HOST, viewHost(b.hosts[j++]!));
    }
  }
  while (i < a.hosts.length) pair(viewHost(a.hosts[i++]!), PLACEHOLDER_HOST);
  while (j < b.hosts.length) pair(PLACEHOLDER_HOST, viewHost(b.hosts[j++]!));
}

/** ndiff's comparison of two scans already in its view (see scan-view.ts). */
export function ndiffScans(
  a: NdScan,
  b: NdScan,
  options: NdiffOptions,
  write: (text: string) => void,
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
  forEachHostPair(a, b, verbose, (hostA, hostB) => {
    const d = diffHosts(hostA, hostB, verbose);
    realCost += d.realCost;
    if (d.cost > 0 || verbose) emit(xml ? hostDiffXml(d, verbose) : hostDiffText(d, verbose));
  });

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
