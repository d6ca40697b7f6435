// nmap's ndiff 7.93, byte for byte, from two parsed runs: the same text or XML for the same options.
// Ported from /usr/lib/python3/dist-packages/ndiff.py. Where ndiff crashes (two or more scripts on a port or
// host; a script-only port change in plain non-verbose text), this prints what ndiff meant to print.
import type { NmapRun } from '../../../shared/scan.ts';
import { diffHosts, diffScriptLists } from './host-diff.ts';
import { PLACEHOLDER_HOST, toNdiffScan, type NdHost, type NdScan } from './scan-view.ts';
import { bannerText, hostDiffText, scriptDiffsText } from './text.ts';
import { hostDiffXml, topScriptsXml, xmlBeginning, XML_ENDING } from './xml.ts';

export interface NdiffOptions {
  verbose: boolean;
  format: 'text' | 'xml';
}

/** Output is handed to `write` in pieces of about this many characters: few calls, no giant string. */
const CHUNK = 1 << 16;

/** host_pairs: merge the two id-sorted host lists; a host missing on one side meets the empty Host(). */
function* hostPairs(a: NdHost[], b: NdHost[]): Generator<[NdHost, NdHost]> {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const keyA = a[i]!.key;
    const keyB = b[j]!.key;
    // A null key (no address, no name) is ndiff's id(self): unique, so it never pairs.
    if (keyA === null || (keyB !== null && keyA < keyB)) yield [a[i++]!, PLACEHOLDER_HOST];
    else if (keyB === null || keyA > keyB) yield [PLACEHOLDER_HOST, b[j++]!];
    else yield [a[i++]!, b[j++]!];
  }
  while (i < a.length) yield [a[i++]!, PLACEHOLDER_HOST];
  while (j < b.length) yield [PLACEHOLDER_HOST, b[j++]!];
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
  for (const [hostA, hostB] of hostPairs(a.hosts, b.hosts)) {
    const d = diffHosts(hostA, hostB, verbose);
    realCost += d.realCost;
    if (d.cost > 0 || verbose) emit(xml ? hostDiffXml(d, verbose) : hostDiffText(d, verbose));
  }

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
