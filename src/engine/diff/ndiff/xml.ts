// ndiff's XML output (ScanDiffXML). ndiff builds minidom fragments and writes them with
// writexml(newl="\n"): no indentation, a newline after every start tag that has children and after every
// end or empty tag, attributes in the order they were set, values escaped by minidom's _write_data (& < " >;
// an empty value writes nothing). The wrapper elements (<nmapdiff>, <scandiff>, and <a>/<b> around the
// nmaprun) come from XMLGenerator instead: no newlines, escaping by saxutils.quoteattr.
import type { Address, ScriptResult } from '../../../shared/scan.ts';
import type { HostDiff, PortDiff, ScriptDiff } from './host-diff.ts';
import { isExtraports, portState, serviceOf } from './host-diff.ts';
import { formatLocalTime, Mktime } from './py-time.ts';
import type { NdHost, NdPort, NdScan } from './scan-view.ts';
import { compareAddresses, sortedScripts } from './scan-view.ts';
import { comparePy } from './pystr.ts';

const XML_SPECIALS = /[&<">]/g;
const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '"': '&quot;', '>': '&gt;' };

/** minidom's _write_data for attribute values; None and "" write nothing. */
function escapeValue(value: string | null | undefined): string {
  if (!value) return '';
  // Nearly every value has nothing to escape: a loop finds that without the regular expression's call.
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x26 || c === 0x3c || c === 0x22 || c === 0x3e)
      return value.replace(XML_SPECIALS, (m) => XML_ESCAPES[m]!);
  }
  return value;
}

type Attrs = [name: string, value: string | null | undefined][];

/** One minidom element, written: `children` is the already-written child nodes ("" for none). */
function element(tag: string, attrs: Attrs, children = ''): string {
  let s = '<' + tag;
  for (const [name, value] of attrs) s += ` ${name}="${escapeValue(value)}"`;
  return children === '' ? `${s}/>\n` : `${s}>\n${children}</${tag}>\n`;
}

/** An <a> or <b> element around children; written only if there are children, as ndiff checks. */
const wrapIfAny = (tag: 'a' | 'b', children: string) => (children === '' ? '' : element(tag, [], children));

export const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n';

function nmaprunElement(scan: NdScan, mktime: Mktime): string {
  const attrs: Attrs = [];
  if (scan.scanner !== null) attrs.push(['scanner', scan.scanner]);
  if (scan.args !== null) attrs.push(['args', scan.args]);
  if (scan.start !== null) {
    attrs.push(['start', mktime.roundTrip(scan.start)]);
    attrs.push(['startstr', formatLocalTime(scan.start)]);
  }
  if (scan.version !== null) attrs.push(['version', scan.version]);
  return element('nmaprun', attrs);
}

const localTime = (t: number | null) => (t === null ? null : formatLocalTime(t));

/** ScanDiffXML.nmaprun_differs (datetimes compare as naive local times). */
function nmaprunDiffers(a: NdScan, b: NdScan): boolean {
  return (
    a.scanner !== b.scanner ||
    a.version !== b.version ||
    a.args !== b.args ||
    localTime(a.start) !== localTime(b.start) ||
    localTime(a.end) !== localTime(b.end)
  );
}

/** startDocument, <nmapdiff version="1"><scandiff>, and the nmaprun elements when they differ (or -v). */
export function xmlBeginning(a: NdScan, b: NdScan, verbose: boolean): string {
  // ndiff runs mktime for a's start, then b's, in a fresh process.
  const mktime = new Mktime();
  let out = XML_DECLARATION + '<nmapdiff version="1"><scandiff>';
  if (nmaprunDiffers(a, b)) {
    out += `<a>${nmaprunElement(a, mktime)}</a>`;
    out += `<b>${nmaprunElement(b, mktime)}</b>`;
  } else if (verbose) {
    out += nmaprunElement(a, mktime);
  }
  return out;
}

export const XML_ENDING = '</scandiff></nmapdiff>';

function scriptElement(sr: ScriptResult): string {
  return element('script', [
    ['id', sr.id],
    ['output', sr.output],
  ]);
}

/** ScriptResultDiff.to_dom_fragment. */
function scriptDiffXml(d: ScriptDiff): string {
  if (d.a && d.b && d.a.id === d.b.id && d.a.output === d.b.output) return scriptElement(d.a);
  let out = '';
  if (d.a) out += element('a', [], scriptElement(d.a));
  if (d.b) out += element('b', [], scriptElement(d.b));
  return out;
}

export type ScriptBlock = { kind: 'none' } | { kind: 'a' | 'b' | 'element'; content: string };

/**
 * script_result_diffs_to_dom_fragment: nothing; <a> or <b> around the container holding every script of the
 * one side that has any; or the container with the script diffs. `content` is the container element.
 */
function scriptBlock(tag: string, a: ScriptResult[], b: ScriptResult[], diffs: ScriptDiff[]): ScriptBlock {
  if (a.length === 0 && b.length === 0) return { kind: 'none' };
  if (b.length === 0) return { kind: 'a', content: element(tag, [], a.map(scriptElement).join('')) };
  if (a.length === 0) return { kind: 'b', content: element(tag, [], b.map(scriptElement).join('')) };
  return { kind: 'element', content: element(tag, [], diffs.map(scriptDiffXml).join('')) };
}

/** The block as a child of <host>: the container, wrapped in <a>/<b> when one side has none. */
function scriptBlockAsChild(block: ScriptBlock): string {
  if (block.kind === 'none') return '';
  if (block.kind === 'element') return block.content;
  return element(block.kind, [], block.content);
}

/**
 * Pre-/post-scan scripts. ndiff hands the block to XMLWriter.frag, which writes the block's *children*: the
 * container when it is wrapped in <a>/<b>, the bare script diffs otherwise.
 */
export function topScriptsXml(
  tag: 'prescript' | 'postscript',
  a: ScriptResult[],
  b: ScriptResult[],
  diffs: ScriptDiff[],
  verbose: boolean,
): string {
  if (!(diffs.length > 0 || verbose)) return '';
  const block = scriptBlock(tag, a, b, diffs);
  if (block.kind === 'none') return '';
  if (block.kind !== 'element') return block.content;
  return diffs.map(scriptDiffXml).join('');
}

function addressElement(a: Address): string {
  return element('address', [
    ['addr', a.addr],
    ['addrtype', a.addrtype],
  ]);
}

const hostnameElement = (name: string) => element('hostname', [['name', name]]);
const osmatchElement = (name: string) => element('osmatch', [['name', name]]);
const statusElement = (host: NdHost) =>
  host.state === null ? '' : element('status', [['state', host.state]]);

function extraportsElements(host: NdHost): string {
  let out = '';
  for (const [state, count] of host.extraports) {
    out += element('extraports', [
      ['state', state],
      ['count', String(count)],
    ]);
  }
  return out;
}

function serviceElement(port: NdPort | null): string {
  const s = serviceOf(port);
  const attrs: Attrs = [];
  for (const name of ['name', 'product', 'version', 'extrainfo', 'tunnel'] as const) {
    if (s[name] !== undefined) attrs.push([name, s[name]]);
  }
  return attrs.length > 0 ? element('service', attrs) : '';
}

/** Port.to_dom_fragment; `port` null is ndiff's Port(spec) placeholder. */
function portElement(portid: number, protocol: string, port: NdPort | null): string {
  const state = portState(port);
  let children = state === null ? '' : element('state', [['state', state]]);
  children += serviceElement(port);
  if (port) for (const sr of sortedScripts(port.scripts)) children += scriptElement(sr);
  return element(
    'port',
    [
      ['portid', String(portid)],
      ['protocol', protocol],
    ],
    children,
  );
}

/** Host.to_dom_fragment: the whole host, for a host that is in one scan only. */
function hostElement(host: NdHost): string {
  let children = statusElement(host);
  for (const a of host.addresses) children += addressElement(a);
  if (host.hostnames.length > 0)
    children += element('hostnames', [], host.hostnames.map(hostnameElement).join(''));
  let ports = extraportsElements(host);
  for (const port of host.ports) {
    if (!isExtraports(host, port.state.state)) ports += portElement(port.portid, port.protocol, port);
  }
  if (ports !== '') children += element('ports', [], ports);
  if (host.os.length > 0) children += element('os', [], host.os.map(osmatchElement).join(''));
  if (host.scripts.length > 0)
    children += element('hostscript', [], host.scripts.map(scriptElement).join(''));
  return element('host', [], children);
}

function sameService(d: PortDiff): boolean {
  const a = serviceOf(d.a);
  const b = serviceOf(d.b);
  return (
    a.name === b.name && a.product === b.product && a.version === b.version && a.extrainfo === b.extrainfo
  );
}

/** PortDiff.to_dom_fragment. */
function portDiffXml(d: PortDiff): string {
  const stateA = portState(d.a);
  let inner: string;
  if (stateA === portState(d.b)) {
    let children = stateA === null ? '' : element('state', [['state', stateA]]);
    if (sameService(d)) children += serviceElement(d.a);
    else children += element('a', [], serviceElement(d.a)) + element('b', [], serviceElement(d.b));
    for (const sd of d.scriptDiffs) children += scriptDiffXml(sd);
    inner = element(
      'port',
      [
        ['portid', String(d.portid)],
        ['protocol', d.protocol],
      ],
      children,
    );
  } else {
    inner =
      element('a', [], portElement(d.portid, d.protocol, d.a)) +
      element('b', [], portElement(d.portid, d.protocol, d.b));
  }
  return element('portdiff', [], inner);
}

function sameExtraportsDict(a: NdHost, b: NdHost): boolean {
  if (a.extraports.length !== b.extraports.length) return false;
  return a.extraports.every(([state, count]) => b.extraports.some((e) => e[0] === state && e[1] === count));
}

/** HostDiff.to_dom_fragment. */
export function hostDiffXml(d: HostDiff, verbose: boolean): string {
  const { a, b } = d;
  if (a.state === null || b.state === null) {
    // The host is missing in one scan (or has no state): the whole host, or nothing.
    let inner = '';
    if (a.state !== null) inner = element('a', [], hostElement(a));
    else if (b.state !== null) inner = element('b', [], hostElement(b));
    return element('hostdiff', [], inner);
  }

  let host = '';
  if (a.state === b.state) {
    if (verbose) host += statusElement(a);
  } else {
    host += element('a', [], statusElement(a)) + element('b', [], statusElement(b));
  }

  const inB = (x: Address) => b.addresses.some((y) => compareAddresses(x, y) === 0);
  const inA = (y: Address) => a.addresses.some((x) => compareAddresses(x, y) === 0);
  const sortedA = [...a.addresses].sort(compareAddresses);
  const sortedB = [...b.addresses].sort(compareAddresses);
  for (const x of sortedA) if (inB(x)) host += addressElement(x);
  host += wrapIfAny(
    'a',
    sortedA
      .filter((x) => !inB(x))
      .map(addressElement)
      .join(''),
  );
  host += wrapIfAny(
    'b',
    sortedB
      .filter((y) => !inA(y))
      .map(addressElement)
      .join(''),
  );

  const namesA = [...a.hostnames].sort(comparePy);
  const namesB = [...b.hostnames].sort(comparePy);
  let names = '';
  for (const n of namesA) if (b.hostnames.includes(n)) names += hostnameElement(n);
  names += wrapIfAny(
    'a',
    namesA
      .filter((n) => !b.hostnames.includes(n))
      .map(hostnameElement)
      .join(''),
  );
  names += wrapIfAny(
    'b',
    namesB
      .filter((n) => !a.hostnames.includes(n))
      .map(hostnameElement)
      .join(''),
  );
  if (names !== '') host += element('hostnames', [], names);

  let ports: string;
  if (sameExtraportsDict(a, b)) ports = extraportsElements(a);
  else ports = element('a', [], extraportsElements(a)) + element('b', [], extraportsElements(b));
  for (const p of d.ports) {
    if (p.cost === 0) {
      if (verbose) ports += portElement(p.portid, p.protocol, p.a ?? p.b);
    } else {
      ports += portDiffXml(p);
    }
  }
  if (ports !== '') host += element('ports', [], ports);

  if (d.osChanged || verbose) {
    let os = '';
    for (const [op, i1, i2, j1, j2] of d.osOps) {
      if (op === 'replace' || op === 'delete') {
        os += element('a', [], a.os.slice(i1, i2).map(osmatchElement).join(''));
      }
      if (op === 'replace' || op === 'insert') {
        os += element('b', [], b.os.slice(j1, j2).map(osmatchElement).join(''));
      }
      if (op === 'equal') os += a.os.slice(i1, i2).map(osmatchElement).join('');
    }
    if (os !== '') host += element('os', [], os);
  }

  if (d.scriptDiffs.length > 0 || verbose) {
    host += scriptBlockAsChild(scriptBlock('hostscript', a.scripts, b.scripts, d.scriptDiffs));
  }

  return element('hostdiff', [], element('host', [], host));
}
