// The nmap XML reader: nmap -oX output (a file, or nmap's stdout as it arrives) into the NmapRun model of
// src/shared/scan.ts. It reads what nmap's ndiff reads, the way ndiff reads it (see NmapContentHandler in
// ndiff.py), so that the ndiff-exact formatter can be built on it, and adds what a monitor must know: whether
// the run is complete. Streaming and fast (xml-tokenizer.ts says why it is hand-made); bad input is always one
// NmapXmlError naming the source, line and column.
import { Buffer, isAscii, isUtf8 } from 'node:buffer';
import { closeSync, openSync, readSync } from 'node:fs';
import type {
  Address,
  AddressType,
  ExtraPorts,
  ExtraReason,
  Finished,
  Host,
  NmapRun,
  OsClass,
  OsMatch,
  Port,
  ScriptResult,
  Service,
} from '../../shared/scan.ts';
import { UserError } from '../errors.ts';
import { decimal, pythonInt } from './xml-numbers.ts';
import { CheckedHostReader } from './checked-host-reader.ts';
import { sha256Base64 } from './sha256.ts';
import {
  DEFAULT_MAX_TOKEN,
  NameTable,
  XmlError,
  XmlTokenizer,
  type TagReader,
  type XmlHandler,
} from './xml-tokenizer.ts';

export { DEFAULT_MAX_DEPTH, DEFAULT_MAX_TOKEN } from './xml-tokenizer.ts';

/** One `<taskprogress>` line (nmap --stats-every). */
export interface TaskProgress {
  /** nmap's task, e.g. "Connect Scan", "Service scan". */
  task: string;
  /** 0..100 */
  percent: number;
  /** Seconds left, when nmap says. */
  remaining?: number;
  /** Estimated time of completion, seconds since the epoch, when nmap says. */
  etc?: number;
}

export interface ParseOptions {
  /** Named in error messages, e.g. the file path. */
  source?: string;
  /**
   * false (default, for `diff`): truncated XML is an error.
   * true (for the scanner): truncated XML yields the hosts read so far with completeness 'incomplete'.
   */
  allowIncomplete?: boolean;
  /** Called for each `<taskprogress>` as it is read (nmap's stdout with --stats-every). */
  onTaskProgress?: (progress: TaskProgress) => void;
  /** Refuse a single tag, text or comment longer than this many characters (default 64 MiB). */
  maxTokenLength?: number;
  /** Refuse elements nested deeper than this (default 1000; nmap nests about 8 deep). */
  maxDepth?: number;
  /**
   * For diff (host-digests.ts), file input only: hosts are read only as far as their ndiff id (addresses and
   * host names); each goes into `hostDigests` as its id, a digest and a byte range, not into run.hosts (so
   * the run's completeness does not see timed-out hosts).
   */
  hostDigests?: HostDigestSink;
}

/**
 * Per host, in document order: its id, a SHA-256 of everything in the host element but its start tag and
 * its empty <times/> (ndiff reads neither; '' when not computed), and where the whole element is in the file
 * (bytes [start, end)).
 */
export interface HostDigestSink {
  /** The id of a host that holds only its addresses and host names. */
  keyOf: (host: Host) => string | null;
  keys: (string | null)[];
  digests: string[];
  byteStarts: number[];
  byteEnds: number[];
  /** Set when some host has an <osmatch> with a name in its <os> (its parsed `os` list would not be empty). */
  anyOsMatch?: boolean;
  /** Bytes [start, end) of the input (set by the file reader): for a host that began in an earlier chunk. */
  readBytes?: (start: number, end: number) => Buffer;
}

/** Malformed or non-nmap XML: names the source and the position. */
export class NmapXmlError extends UserError {
  override name = 'NmapXmlError';
  readonly source: string;
  readonly line: number;
  readonly column: number;
  constructor(message: string, source: string, line: number, column: number) {
    super(`${source}:${line}:${column}: ${message}`);
    this.source = source;
    this.line = line;
    this.column = column;
  }
}

// Element and attribute ids for the tokenizer's name tables. Only these are read; anything else is checked
// for well-formedness and skipped.
const E_NMAPRUN = 1;
const E_SCANINFO = 2;
const E_HOST = 3;
const E_HOSTHINT = 4;
const E_STATUS = 5;
const E_ADDRESS = 6;
const E_HOSTNAMES = 7;
const E_HOSTNAME = 8;
const E_PORTS = 9;
const E_EXTRAPORTS = 10;
const E_EXTRAREASONS = 11;
const E_PORT = 12;
const E_STATE = 13;
const E_SERVICE = 14;
const E_CPE = 15;
const E_SCRIPT = 16;
const E_OS = 17;
const E_OSMATCH = 18;
const E_OSCLASS = 19;
const E_HOSTSCRIPT = 20;
const E_PRESCRIPT = 21;
const E_POSTSCRIPT = 22;
const E_RUNSTATS = 23;
const E_FINISHED = 24;
const E_HOSTS = 25;
const E_TASKPROGRESS = 26;
const E_TIMES = 27;

const ELEMENTS = new NameTable([
  [E_NMAPRUN, 'nmaprun'],
  [E_SCANINFO, 'scaninfo'],
  [E_HOST, 'host'],
  [E_HOSTHINT, 'hosthint'],
  [E_STATUS, 'status'],
  [E_ADDRESS, 'address'],
  [E_HOSTNAMES, 'hostnames'],
  [E_HOSTNAME, 'hostname'],
  [E_PORTS, 'ports'],
  [E_EXTRAPORTS, 'extraports'],
  [E_EXTRAREASONS, 'extrareasons'],
  [E_PORT, 'port'],
  [E_STATE, 'state'],
  [E_SERVICE, 'service'],
  [E_CPE, 'cpe'],
  [E_SCRIPT, 'script'],
  [E_OS, 'os'],
  [E_OSMATCH, 'osmatch'],
  [E_OSCLASS, 'osclass'],
  [E_HOSTSCRIPT, 'hostscript'],
  [E_PRESCRIPT, 'prescript'],
  [E_POSTSCRIPT, 'postscript'],
  [E_RUNSTATS, 'runstats'],
  [E_FINISHED, 'finished'],
  [E_HOSTS, 'hosts'],
  [E_TASKPROGRESS, 'taskprogress'],
  [E_TIMES, 'times'],
]);

const A_SCANNER = 1;
const A_ARGS = 2;
const A_START = 3;
const A_STARTSTR = 4;
const A_VERSION = 5;
const A_XMLOUTPUTVERSION = 6;
const A_TYPE = 7;
const A_PROTOCOL = 8;
const A_NUMSERVICES = 9;
const A_SERVICES = 10;
const A_STARTTIME = 11;
const A_ENDTIME = 12;
const A_TIMEDOUT = 13;
const A_STATE = 14;
const A_REASON = 15;
const A_REASON_TTL = 16;
const A_ADDR = 17;
const A_ADDRTYPE = 18;
const A_VENDOR = 19;
const A_NAME = 20;
const A_COUNT = 21;
const A_PROTO = 22;
const A_PORTS = 23;
const A_PORTID = 24;
const A_PRODUCT = 25;
const A_EXTRAINFO = 26;
const A_TUNNEL = 27;
const A_METHOD = 28;
const A_CONF = 29;
const A_OSTYPE = 30;
const A_DEVICETYPE = 31;
const A_HOSTNAME = 32;
const A_ID = 33;
const A_OUTPUT = 34;
const A_ACCURACY = 35;
const A_LINE = 36;
const A_OSFAMILY = 37;
const A_OSGEN = 38;
const A_TIME = 39;
const A_TIMESTR = 40;
const A_ELAPSED = 41;
const A_SUMMARY = 42;
const A_EXIT = 43;
const A_ERRORMSG = 44;
const A_UP = 45;
const A_DOWN = 46;
const A_TOTAL = 47;
const A_TASK = 48;
const A_PERCENT = 49;
const A_REMAINING = 50;
const A_ETC = 51;

const ATTRIBUTES = new NameTable([
  [A_SCANNER, 'scanner'],
  [A_ARGS, 'args'],
  [A_START, 'start'],
  [A_STARTSTR, 'startstr'],
  [A_VERSION, 'version'],
  [A_XMLOUTPUTVERSION, 'xmloutputversion'],
  [A_TYPE, 'type'],
  [A_PROTOCOL, 'protocol'],
  [A_NUMSERVICES, 'numservices'],
  [A_SERVICES, 'services'],
  [A_STARTTIME, 'starttime'],
  [A_ENDTIME, 'endtime'],
  [A_TIMEDOUT, 'timedout'],
  [A_STATE, 'state'],
  [A_REASON, 'reason'],
  [A_REASON_TTL, 'reason_ttl'],
  [A_ADDR, 'addr'],
  [A_ADDRTYPE, 'addrtype'],
  [A_VENDOR, 'vendor'],
  [A_NAME, 'name'],
  [A_COUNT, 'count'],
  [A_PROTO, 'proto'],
  [A_PORTS, 'ports'],
  [A_PORTID, 'portid'],
  [A_PRODUCT, 'product'],
  [A_EXTRAINFO, 'extrainfo'],
  [A_TUNNEL, 'tunnel'],
  [A_METHOD, 'method'],
  [A_CONF, 'conf'],
  [A_OSTYPE, 'ostype'],
  [A_DEVICETYPE, 'devicetype'],
  [A_HOSTNAME, 'hostname'],
  [A_ID, 'id'],
  [A_OUTPUT, 'output'],
  [A_ACCURACY, 'accuracy'],
  [A_LINE, 'line'],
  [A_OSFAMILY, 'osfamily'],
  [A_OSGEN, 'osgen'],
  [A_TIME, 'time'],
  [A_TIMESTR, 'timestr'],
  [A_ELAPSED, 'elapsed'],
  [A_SUMMARY, 'summary'],
  [A_EXIT, 'exit'],
  [A_ERRORMSG, 'errormsg'],
  [A_UP, 'up'],
  [A_DOWN, 'down'],
  [A_TOTAL, 'total'],
  [A_TASK, 'task'],
  [A_PERCENT, 'percent'],
  [A_REMAINING, 'remaining'],
  [A_ETC, 'etc'],
]);

// Memory: a /16 scan has ~65,000 hosts and ~150,000 ports, and `diff` holds two of them. So lists are made
// to their exact size (a growing array reserves 17 slots), and values that repeat from host to host (port
// states, services with their CPEs, host states, extrareasons, empty lists) are one frozen object each:
// the model is read-only, and an attempt to change a shared part throws instead of changing every host.

/** The shared empty list. */
const EMPTY = Object.freeze([]) as unknown as never[];

function append<T>(list: T[], item: T): T[] {
  if (list === EMPTY) return [item];
  list.push(item);
  return list;
}

/** The list at its exact size (slice() copies to length; push() had reserved room to grow). */
function compact<T>(list: T[]): T[] {
  return list.length > 1 ? list.slice() : list;
}

/**
 * One frozen object per distinct value. Candidates are found by one field (a bucket) and compared field by
 * field, which is cheaper than building a key string for each (strings are pooled, so === is mostly a
 * pointer comparison). Bounded: past the bounds, objects are simply not shared.
 */
class Interner<T extends object> {
  private readonly buckets = new Map<string, T[]>();
  private readonly same: (a: T, b: T) => boolean;
  constructor(same: (a: T, b: T) => boolean) {
    this.same = same;
  }
  intern(bucket: string | undefined, fresh: T, freeze: (fresh: T) => void = Object.freeze): T {
    const key = bucket ?? '';
    let list = this.buckets.get(key);
    if (list === undefined) {
      if (this.buckets.size >= 50_000) return fresh; // not shared: no need to freeze
      list = [];
      this.buckets.set(key, list);
    }
    for (let i = 0; i < list.length; i++) if (this.same(list[i]!, fresh)) return list[i]!;
    if (list.length >= 64) return fresh;
    // Object.freeze is a call into the runtime: only for the objects that are shared.
    freeze(fresh);
    list.push(fresh);
    return fresh;
  }
}

function freezeService(s: Service): void {
  Object.freeze(s.cpe);
  Object.freeze(s);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A copy that does not keep the chunk it was sliced from alive (V8 slices of 13+ characters share it). */
function detach(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

function isXmlSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x09 || byte === 0x0d;
}

/** Builds the NmapRun from the tokenizer's events, with ndiff's rules for what counts. */
class RunBuilder implements XmlHandler {
  tok!: TagReader;
  readonly run: NmapRun = {
    scanner: undefined,
    args: undefined,
    start: undefined,
    startstr: undefined,
    version: undefined,
    xmlOutputVersion: undefined,
    scanInfo: [],
    hosts: [],
    preScripts: [],
    postScripts: [],
    finished: undefined,
    hostCounts: undefined,
    completeness: { status: 'complete' },
  };
  started = false;
  sawRunstats = false;
  readonly timedOut: string[] = [];
  private host: Host | null = null;
  private port: Port | null = null;
  /** The current host's ports, collected here and copied to the host at its exact size at </host>. */
  private readonly ports: Port[] = [];
  private service: Service | null = null;
  private osmatch: OsMatch | null = null;
  private osclass: OsClass | null = null;
  private extraPorts: ExtraPorts | null = null;
  /** The service or OS class whose <cpe> text is being read. */
  private cpe: { cpe: string[] } | null = null;
  private cpeLength = 0;
  /** Depth of the <hosthint> being skipped, or -1. */
  private skipDepth = -1;
  private readonly statuses = new Interner<NonNullable<Host['status']>>(
    (a, b) => a.state === b.state && a.reason === b.reason && a.reasonTtl === b.reasonTtl,
  );
  private readonly portStates = new Interner<NonNullable<Port['state']>>(
    (a, b) => a.state === b.state && a.reason === b.reason && a.reasonTtl === b.reasonTtl,
  );
  private readonly services = new Interner<Service>(
    (a, b) =>
      a.name === b.name &&
      a.product === b.product &&
      a.version === b.version &&
      a.extrainfo === b.extrainfo &&
      a.tunnel === b.tunnel &&
      a.method === b.method &&
      a.conf === b.conf &&
      a.ostype === b.ostype &&
      a.devicetype === b.devicetype &&
      a.hostname === b.hostname &&
      sameList(a.cpe, b.cpe),
  );
  private readonly reasons = new Interner<ExtraPorts['reasons'][number]>(
    (a, b) => a.reason === b.reason && a.count === b.count && a.proto === b.proto && a.ports === b.ports,
  );
  /** The last two values of each attribute (by id), for pooled(). */
  private readonly recent: (string | undefined)[] = new Array<string | undefined>(256).fill(undefined);
  /** Repeated values (states, reasons, service names, products) are stored once. */
  private readonly pool = new Map<string, string>();
  private readonly onTaskProgress: ParseOptions['onTaskProgress'];
  private readonly maxText: number;
  /** Digest mode (see ParseOptions.hostDigests): host contents are hashed, not built. */
  private readonly digests: HostDigestSink | null;
  /** Set by the parser: the bytes being parsed, their offset in the file, and position -> file offset. */
  bytes: Buffer = Buffer.alloc(0);
  bytesBase = 0;
  byteAt: (p: number) => number = () => -1;
  /** Digest mode, inside a host: file offsets of the host, its content and its first <times>. */
  private hostByteStart = 0;
  private contentByteStart = -1;
  private timesByteStart = -1;
  private timesByteEnd = -1;

  constructor(options: ParseOptions) {
    this.onTaskProgress = options.onTaskProgress;
    this.maxText = options.maxTokenLength ?? 64 * 1024 * 1024;
    this.digests = options.hostDigests ?? null;
  }

  private startHostDigest(): void {
    const t = this.tok;
    this.hostByteStart = this.byteAt(t.tagStart);
    this.contentByteStart = this.byteAt(t.tagEnd);
    this.timesByteStart = this.timesByteEnd = -1;
  }

  private endHostDigest(sink: HostDigestSink, host: Host): void {
    const t = this.tok;
    const start = this.contentByteStart;
    const end = Math.max(this.byteAt(t.tagStart), start); // a self-closing <host/> has no content
    // The content's bytes are hashed in place when they are all in the buffer being parsed (no string made);
    // a host that began in an earlier buffer is read again from the file.
    let bytes = this.bytes;
    let base = this.bytesBase;
    if (start < base) {
      bytes = sink.readBytes?.(start, end) ?? Buffer.alloc(0);
      base = start;
    }
    let digest = '';
    if (bytes.length >= end - base) {
      // A strong hash: equal digests are taken as equal hosts, so none must be forgeable by a scanned host
      // (its banners and script outputs are in the content). The first <times/> is left out, and so is the
      // whitespace after it when nothing else follows (the usual case: one hash, one view of the bytes).
      const times = this.timesByteStart;
      if (times < 0) digest = sha256Base64(bytes.subarray(start - base, end - base));
      else {
        let p = this.timesByteEnd - base;
        while (p < end - base && isXmlSpace(bytes[p]!)) p++;
        digest = sha256Base64(bytes.subarray(start - base, times - base));
        if (p < end - base) digest += sha256Base64(bytes.subarray(this.timesByteEnd - base, end - base));
      }
    }
    sink.keys.push(sink.keyOf(host));
    sink.digests.push(digest);
    sink.byteStarts.push(this.hostByteStart);
    sink.byteEnds.push(this.byteAt(t.tagEnd));
    this.contentByteStart = -1;
  }

  private pooled(i: number): string {
    const t = this.tok;
    // Most values repeat the last one or two of the same attribute ("open", "syn-ack", "tcp"): compared in
    // place, they cost no string at all.
    const slot = t.attrId[i]! * 2;
    const last = this.recent[slot];
    if (last !== undefined && t.valueIs(i, last)) return last;
    const before = this.recent[slot + 1];
    if (before !== undefined && t.valueIs(i, before)) {
      this.recent[slot + 1] = last;
      this.recent[slot] = before;
      return before;
    }
    const known = this.pooledString(t.value(i));
    this.recent[slot + 1] = last;
    this.recent[slot] = known;
    return known;
  }

  /** The one copy of a repeated string (the pool is bounded; past it, a detached copy). */
  private pooledString(s: string): string {
    let known = this.pool.get(s);
    if (known === undefined) {
      known = detach(s);
      if (this.pool.size < 65536) this.pool.set(known, known);
    }
    return known;
  }

  private kept(i: number): string {
    return detach(this.tok.value(i));
  }

  /** Python int() of the value (ndiff's reading), NaN when ndiff's int() would raise. */
  private int(i: number): number {
    const v = this.tok.digits(i);
    return Number.isNaN(v) ? pythonInt(this.tok.value(i)) : v;
  }

  private optionalInt(i: number): number | undefined {
    const v = this.int(i);
    return Number.isNaN(v) ? undefined : v;
  }

  startElement(id: number): void {
    const t = this.tok;
    if (t.depth === 0) {
      if (id !== E_NMAPRUN)
        t.failAtTag(
          `this is XML but not nmap output: the root element is <${t.currentName()}>, not <nmaprun>; ` +
            'give a file written by nmap -oX',
        );
      this.started = true;
      this.startNmaprun();
      return;
    }
    if (this.skipDepth >= 0) return;
    const parent = t.parentId();
    switch (id) {
      case E_HOST:
        if (parent === E_NMAPRUN) this.startHost();
        break;
      case E_HOSTHINT:
        if (parent === E_NMAPRUN) this.skipDepth = t.depth;
        break;
      case E_STATUS:
        if (parent === E_HOST && this.host && !this.digests) this.startStatus(this.host);
        break;
      case E_ADDRESS:
        if (parent === E_HOST && this.host) this.startAddress(this.host);
        break;
      case E_HOSTNAME:
        if (parent === E_HOSTNAMES && this.host) this.startHostname(this.host);
        break;
      case E_EXTRAPORTS:
        if (parent === E_PORTS && this.host && !this.digests) this.startExtraPorts(this.host);
        break;
      case E_EXTRAREASONS:
        if (parent === E_EXTRAPORTS && this.extraPorts) this.startExtraReasons(this.extraPorts);
        break;
      case E_PORT:
        if (parent === E_PORTS && this.host && !this.digests) this.startPort();
        break;
      case E_STATE:
        if (parent === E_PORT && this.port) this.startState(this.port);
        break;
      case E_SERVICE:
        if (parent === E_PORT && this.port) this.startService(this.port);
        break;
      case E_CPE:
        if (parent === E_SERVICE && this.service) this.startCpe(this.service);
        else if (parent === E_OSCLASS && this.osclass) this.startCpe(this.osclass);
        break;
      case E_SCRIPT:
        this.startScript(parent);
        break;
      case E_OSMATCH:
        if (parent === E_OS && this.host) {
          if (!this.digests) this.startOsMatch(this.host);
          else if (hasAttribute(t, A_NAME)) this.digests.anyOsMatch = true;
        }
        break;
      case E_OSCLASS:
        if (parent === E_OSMATCH && this.osmatch) this.startOsClass(this.osmatch);
        break;
      case E_RUNSTATS:
        if (parent === E_NMAPRUN) this.sawRunstats = true;
        break;
      case E_FINISHED:
        if (parent === E_RUNSTATS) this.startFinished();
        break;
      case E_HOSTS:
        if (parent === E_RUNSTATS) this.startHosts();
        break;
      case E_SCANINFO:
        if (parent === E_NMAPRUN) this.startScanInfo();
        break;
      case E_TASKPROGRESS:
        if (this.onTaskProgress) this.taskProgress(this.onTaskProgress);
        break;
      case E_TIMES:
        // Digest mode: the host's first <times> is left out of its digest (if it turns out to be empty).
        if (parent === E_HOST && this.contentByteStart >= 0 && this.timesByteStart < 0) {
          this.timesByteStart = this.byteAt(t.tagStart);
          this.timesByteEnd = this.byteAt(t.tagEnd);
        }
        break;
    }
  }

  endElement(id: number): void {
    const t = this.tok;
    if (this.skipDepth >= 0) {
      if (t.depth === this.skipDepth && id === E_HOSTHINT) this.skipDepth = -1;
      return;
    }
    const parent = t.parentId();
    switch (id) {
      case E_HOST:
        if (parent === E_NMAPRUN && this.host) {
          const h = this.host;
          h.addresses = compact(h.addresses);
          h.hostnames = compact(h.hostnames);
          h.extraPorts = compact(h.extraPorts);
          h.ports = this.ports.length === 0 ? EMPTY : this.ports.slice();
          this.ports.length = 0;
          h.os = compact(h.os);
          h.hostScripts = compact(h.hostScripts);
          if (this.digests) this.endHostDigest(this.digests, h);
          else this.run.hosts.push(h);
          this.host = null;
        }
        break;
      case E_TIMES:
        // Not empty (it was not closed right after it opened): its content stays in the digest.
        if (this.timesByteStart >= 0 && this.timesByteEnd !== this.byteAt(t.tagEnd)) this.timesByteStart = -1;
        break;
      case E_PORT:
        if (parent === E_PORTS) {
          if (this.port && this.host) {
            this.port.scripts = compact(this.port.scripts);
            this.ports.push(this.port);
          }
          this.port = null;
        }
        break;
      case E_SERVICE:
        if (parent === E_PORT && this.service && this.port) {
          const s = this.service;
          if (s.cpe.length > 1) s.cpe = s.cpe.slice();
          this.port.service = this.services.intern(s.product ?? s.name, s, freezeService);
          this.service = null;
        }
        break;
      case E_CPE:
        if (this.cpe) {
          const text = this.cpeText.length === 1 ? this.cpeText[0]! : this.cpeText.join('');
          this.cpe.cpe = append(this.cpe.cpe, this.pooledString(text));
          this.cpe = null;
          this.cpeText.length = 0;
          t.captureText = false;
        }
        break;
      case E_EXTRAPORTS:
        if (parent === E_PORTS && this.extraPorts) {
          this.extraPorts.reasons = compact(this.extraPorts.reasons);
          this.extraPorts = null;
        }
        break;
      case E_OSMATCH:
        if (parent === E_OS && this.osmatch) {
          this.osmatch.classes = compact(this.osmatch.classes);
          this.osmatch = null;
        }
        break;
      case E_OSCLASS:
        if (parent === E_OSMATCH && this.osclass) {
          this.osclass.cpe = compact(this.osclass.cpe);
          this.osclass = null;
        }
        break;
    }
  }

  private cpeText: string[] = [];

  text(text: string): void {
    this.cpeLength += text.length;
    if (this.cpeLength > this.maxText)
      this.tok.failAtTag('a <cpe> text is too large: this is not nmap output');
    this.cpeText.push(text);
  }

  private startNmaprun(): void {
    const t = this.tok;
    const r = this.run;
    for (let i = 0; i < t.attrCount; i++) {
      switch (t.attrId[i]) {
        case A_SCANNER:
          r.scanner = this.kept(i);
          break;
        case A_ARGS:
          r.args = this.kept(i);
          break;
        case A_START:
          r.start = this.optionalInt(i);
          break;
        case A_STARTSTR:
          r.startstr = this.kept(i);
          break;
        case A_VERSION:
          r.version = this.kept(i);
          break;
        case A_XMLOUTPUTVERSION:
          r.xmlOutputVersion = this.kept(i);
          break;
      }
    }
  }

  private startScanInfo(): void {
    const t = this.tok;
    let type = '';
    let protocol = '';
    let numservices: number | undefined;
    let services = '';
    for (let i = 0; i < t.attrCount; i++) {
      switch (t.attrId[i]) {
        case A_TYPE:
          type = this.pooled(i);
          break;
        case A_PROTOCOL:
          protocol = this.pooled(i);
          break;
        case A_NUMSERVICES:
          numservices = this.optionalInt(i);
          break;
        case A_SERVICES:
          services = this.kept(i);
          break;
      }
    }
    this.run.scanInfo.push({ type, protocol, numservices, services });
  }

  private startHost(): void {
    const t = this.tok;
    const host: Host = {
      status: undefined,
      startTime: undefined,
      endTime: undefined,
      timedOut: false,
      addresses: EMPTY,
      hostnames: EMPTY,
      extraPorts: EMPTY,
      ports: EMPTY,
      os: EMPTY,
      hostScripts: EMPTY,
    };
    for (let i = 0; i < t.attrCount; i++) {
      switch (t.attrId[i]) {
        case A_STARTTIME:
          host.startTime = this.optionalInt(i);
          break;
        case A_ENDTIME:
          host.endTime = this.optionalInt(i);
          break;
        case A_TIMEDOUT:
          host.timedOut = t.value(i) === 'true';
          break;
      }
    }
    this.host = host;
    if (this.digests) this.startHostDigest();
    this.ports.length = 0;
    this.port = null;
    this.extraPorts = null;
    this.osmatch = null;
  }

  private startStatus(host: Host): void {
    const t = this.tok;
    let state: string | undefined;
    let reason: string | undefined;
    let reasonTtl: number | undefined;
    for (let i = 0; i < t.attrCount; i++) {
      switch (t.attrId[i]) {
        case A_STATE:
          state = this.pooled(i);
          break;
        case A_REASON:
          reason = this.pooled(i);
          break;
        case A_REASON_TTL:
          reasonTtl = this.optionalInt(i);
          break;
      }
    }
    host.status = this.statuses.intern(reason, { state, reason, reasonTtl });
  }

  private startAddress(host: Host): void {
    const t = this.tok;
    let addr: string | undefined;
    let addrtype: string | undefined;
    let vendor: string | undefined;
    for (let i = 0; i < t.attrCount; i++) {
      switch (t.attrId[i]) {
        case A_ADDR:
          addr = this.kept(i);
          break;
        case A_ADDRTYPE:
          addrtype = this.pooled(i);
          break;
        case A_VENDOR:
          vendor = this.pooled(i);
          break;
      }
    }
    // ndiff: no addr, skipped; no addrtype, IPv4; an unknown type, an error.
    if (addr === undefined) return;
    if (addrtype === undefined) addrtype = 'ipv4';
    else if (addrtype !== 'ipv4' && addrtype !== 'ipv6' && addrtype !== 'mac')
      t.failAtTag(
        `unknown address type "${addrtype}" (nmap writes ipv4, ipv6 or mac): this is not nmap output`,
      );
    const address: Address = { addr, addrtype: addrtype as AddressType, vendor };
    host.addresses = append(host.addresses, address);
  }

  private startHostname(host: Host): void {
    const t = this.tok;
    let name: string | undefined;
    let type: string | undefined;
    for (let i = 0; i < t.attrCount; i++) {
      switch (t.attrId[i]) {
        case A_NAME:
          name = this.kept(i);
          break;
        case A_TYPE:
          type = this.pooled(i);
          break;
      }
    }
    if (name !== undefined) host.hostnames = append(host.hostnames, { name, type });
  }

  private startExtraPorts(host: Host): void {
    const t = this.tok;
    let state: string | undefined;
    let count = 0;
    for (let i = 0; i < t.attrCount; i++) {
      switch (t.attrId[i]) {
        case A_STATE:
          state = this.pooled(i);
          break;
        case A_COUNT:
          count = this.int(i);
          if (Number.isNaN(count)) count = 0;
          break;
      }
    }
    this.extraPorts = { state, count, reasons: EMPTY };
    host.extraPorts = append(host.extraPorts, this.extraPorts);
  }

  private startExtraReasons(extra: ExtraPorts): void {
    const t = this.tok;
    let reason = '';
    let count = 0;
    let proto: string | undefined;
    let ports: string | undefined;
    for (let i = 0; i < t.attrCount; i++) {
      switch (t.attrId[i]) {
        case A_REASON:
          reason = this.pooled(i);
          break;
        case A_COUNT:
          count = this.int(i);
          if (Number.isNaN(count)) count = 0;
          break;
        case A_PROTO:
          proto = this.pooled(i);
          break;
        case A_PORTS:
          ports = this.kept(i); // differs from host to host: not pooled
          break;
      }
    }
    // nmap >= 7.80 lists the ports behind a reason, which differ from host to host: those are not shared.
    const item: ExtraReason =
      ports === undefined
        ? this.reasons.intern(reason, { reason, count, proto, ports })
        : { reason, count, proto, ports };
    extra.reasons = append(extra.reasons, item);
  }

  private startPort(): void {
    const t = this.tok;
    let portid = NaN;
    let protocol: string | undefined;
    for (let i = 0; i < t.attrCount; i++) {
      switch (t.attrId[i]) {
        case A_PORTID:
          portid = this.int(i);
          break;
        case A_PROTOCOL:
          protocol = this.pooled(i);
          break;
      }
    }
    // ndiff skips a port without a usable portid or protocol.
    this.port =
      Number.isNaN(portid) || protocol === undefined
        ? null
        : { protocol, portid, state: undefined, service: undefined, scripts: EMPTY };
  }

  private startState(port: Port): void {
    const t = this.tok;
    let state: string | undefined;
    let reason: string | undefined;
    let reasonTtl: number | undefined;
    for (let i = 0; i < t.attrCount; i++) {
      switch (t.attrId[i]) {
        case A_STATE:
          state = this.pooled(i);
          break;
        case A_REASON:
          reason = this.pooled(i);
          break;
        case A_REASON_TTL:
          reasonTtl = this.optionalInt(i);
          break;
      }
    }
    port.state =
      state === undefined ? undefined : this.portStates.intern(reason, { state, reason, reasonTtl });
  }

  private startService(port: Port): void {
    const t = this.tok;
    const s: Service = {
      name: undefined,
      product: undefined,
      version: undefined,
      extrainfo: undefined,
      tunnel: undefined,
      method: undefined,
      conf: undefined,
      ostype: undefined,
      devicetype: undefined,
      hostname: undefined,
      cpe: EMPTY,
    };
    for (let i = 0; i < t.attrCount; i++) {
      switch (t.attrId[i]) {
        case A_NAME:
          s.name = this.pooled(i);
          break;
        case A_PRODUCT:
          s.product = this.pooled(i);
          break;
        case A_VERSION:
          s.version = this.pooled(i);
          break;
        case A_EXTRAINFO:
          s.extrainfo = this.pooled(i);
          break;
        case A_TUNNEL:
          s.tunnel = this.pooled(i);
          break;
        case A_METHOD:
          s.method = this.pooled(i);
          break;
        case A_CONF:
          s.conf = this.optionalInt(i);
          break;
        case A_OSTYPE:
          s.ostype = this.pooled(i);
          break;
        case A_DEVICETYPE:
          s.devicetype = this.pooled(i);
          break;
        case A_HOSTNAME:
          s.hostname = this.kept(i);
          break;
      }
    }
    port.service = s;
    this.service = s;
  }

  private startCpe(owner: { cpe: string[] }): void {
    this.cpe = owner;
    this.cpeText.length = 0;
    this.cpeLength = 0;
    this.tok.captureText = true;
  }

  private startScript(parent: number): void {
    const owner =
      parent === E_PORT
        ? this.port
        : parent === E_HOSTSCRIPT
          ? this.digests
            ? null
            : this.host
          : parent === E_PRESCRIPT || parent === E_POSTSCRIPT
            ? this.run
            : null;
    if (owner === null) return;
    const t = this.tok;
    let id: string | undefined;
    let output: string | undefined;
    for (let i = 0; i < t.attrCount; i++) {
      switch (t.attrId[i]) {
        case A_ID:
          id = this.pooled(i);
          break;
        case A_OUTPUT:
          output = this.pooled(i);
          break;
      }
    }
    // ndiff drops a script result without an id or an output.
    if (id === undefined || output === undefined) return;
    const result: ScriptResult = { id, output };
    if (parent === E_PORT) this.port!.scripts = append(this.port!.scripts, result);
    else if (parent === E_HOSTSCRIPT) this.host!.hostScripts = append(this.host!.hostScripts, result);
    else if (parent === E_PRESCRIPT) this.run.preScripts.push(result);
    else this.run.postScripts.push(result);
  }

  private startOsMatch(host: Host): void {
    const t = this.tok;
    let name: string | undefined;
    let accuracy: number | undefined;
    let line: number | undefined;
    for (let i = 0; i < t.attrCount; i++) {
      switch (t.attrId[i]) {
        case A_NAME:
          name = this.pooled(i);
          break;
        case A_ACCURACY:
          accuracy = this.optionalInt(i);
          break;
        case A_LINE:
          line = this.optionalInt(i);
          break;
      }
    }
    if (name === undefined) {
      this.osmatch = null;
      return;
    }
    this.osmatch = { name, accuracy, line, classes: EMPTY };
    host.os = append(host.os, this.osmatch);
  }

  private startOsClass(osmatch: OsMatch): void {
    const t = this.tok;
    const c: OsClass = {
      type: undefined,
      vendor: undefined,
      osfamily: undefined,
      osgen: undefined,
      accuracy: undefined,
      cpe: EMPTY,
    };
    for (let i = 0; i < t.attrCount; i++) {
      switch (t.attrId[i]) {
        case A_TYPE:
          c.type = this.pooled(i);
          break;
        case A_VENDOR:
          c.vendor = this.pooled(i);
          break;
        case A_OSFAMILY:
          c.osfamily = this.pooled(i);
          break;
        case A_OSGEN:
          c.osgen = this.pooled(i);
          break;
        case A_ACCURACY:
          c.accuracy = this.optionalInt(i);
          break;
      }
    }
    osmatch.classes = append(osmatch.classes, c);
    this.osclass = c;
  }

  private startFinished(): void {
    const t = this.tok;
    const f: Finished = {
      time: undefined,
      timestr: undefined,
      elapsed: undefined,
      summary: undefined,
      exit: undefined,
      errormsg: undefined,
    };
    for (let i = 0; i < t.attrCount; i++) {
      switch (t.attrId[i]) {
        case A_TIME:
          f.time = this.optionalInt(i);
          break;
        case A_TIMESTR:
          f.timestr = this.kept(i);
          break;
        case A_ELAPSED:
          f.elapsed = decimal(t.value(i));
          break;
        case A_SUMMARY:
          f.summary = this.kept(i);
          break;
        case A_EXIT:
          f.exit = this.kept(i);
          break;
        case A_ERRORMSG:
          f.errormsg = this.kept(i);
          break;
      }
    }
    this.run.finished = f;
  }

  private startHosts(): void {
    const t = this.tok;
    let up = 0;
    let down = 0;
    let total = 0;
    for (let i = 0; i < t.attrCount; i++) {
      switch (t.attrId[i]) {
        case A_UP:
          up = this.optionalInt(i) ?? 0;
          break;
        case A_DOWN:
          down = this.optionalInt(i) ?? 0;
          break;
        case A_TOTAL:
          total = this.optionalInt(i) ?? 0;
          break;
      }
    }
    this.run.hostCounts = { up, down, total };
  }

  private taskProgress(callback: NonNullable<ParseOptions['onTaskProgress']>): void {
    const t = this.tok;
    let task = '';
    let percent: number | undefined;
    let remaining: number | undefined;
    let etc: number | undefined;
    for (let i = 0; i < t.attrCount; i++) {
      switch (t.attrId[i]) {
        case A_TASK:
          task = t.value(i);
          break;
        case A_PERCENT:
          percent = decimal(t.value(i));
          break;
        case A_REMAINING:
          remaining = this.optionalInt(i);
          break;
        case A_ETC:
          etc = this.optionalInt(i);
          break;
      }
    }
    if (percent === undefined) return;
    const progress: TaskProgress = { task, percent };
    if (remaining !== undefined) progress.remaining = remaining;
    if (etc !== undefined) progress.etc = etc;
    callback(progress);
  }

  /** Whether the run can be trusted as a whole, once the document ended normally. */
  completeness(): NmapRun['completeness'] {
    const f = this.run.finished;
    if (f?.exit === 'error')
      return { status: 'failed', reason: `nmap failed: ${f.errormsg ?? 'it gave no reason'}` };
    if (!this.sawRunstats)
      return { status: 'incomplete', reason: 'the XML has no <runstats>: nmap did not finish the scan' };
    const timedOut = this.run.hosts.filter((h) => h.timedOut);
    if (timedOut.length > 0) {
      const name = (h: Host) => h.addresses[0]?.addr ?? 'a host without an address';
      return {
        status: 'incomplete',
        reason:
          timedOut.length === 1
            ? `host ${name(timedOut[0]!)} timed out (--host-timeout): its results are partial`
            : `${timedOut.length} hosts timed out (--host-timeout), e.g. ${timedOut.slice(0, 3).map(name).join(', ')}: their results are partial`,
      };
    }
    return { status: 'complete' };
  }
}

/** The byte offset of the first byte that is not valid UTF-8 (only used to report where). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!;
    const n =
      b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) {
      if (i + k >= bytes.length) return i;
      if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    }
    i += n + 1;
  }
  return bytes.length;
}

function hasAttribute(t: TagReader, id: number): boolean {
  for (let i = 0; i < t.attrCount; i++) if (t.attrId[i] === id) return true;
  return false;
}

/** How many bytes at the end of `data` are the start of a UTF-8 character that continues in the next chunk. */
function incompleteTail(data: Uint8Array): number {
  const n = data.length;
  for (let back = 1; back <= 3 && back <= n; back++) {
    const b = data[n - back]!;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}

/** Push-style parser: feed chunks as they arrive (a file, nmap's stdout), then end(). */
export class NmapXmlParser {
  readonly options: ParseOptions;
  private readonly source: string;
  private readonly builder: RunBuilder;
  private readonly tokenizer: XmlTokenizer;
  private checkedReader: CheckedHostReader | undefined;
  /** Input not consumed yet (the start of a token that continues), as text or as bytes. */
  private pendingText = '';
  private pendingBytes: Buffer | null = null;
  private bytesConsumed = 0;
  /** Chunks held back while one huge token is pending (see write()). */
  private deferred: (string | Buffer)[] = [];
  private deferredLength = 0;
  private failure: NmapXmlError | null = null;
  private ended = false;

  constructor(options: ParseOptions = {}) {
    this.options = options;
    this.source = options.source ?? 'nmap XML';
    this.builder = new RunBuilder(options);
    this.tokenizer = new XmlTokenizer(this.builder, ELEMENTS, ATTRIBUTES, {
      maxToken: options.maxTokenLength,
      maxDepth: options.maxDepth,
    });
    this.builder.tok = this.tokenizer;
  }

  write(chunk: string | Uint8Array): void {
    if (this.ended) throw new Error('NmapXmlParser.write() after end()');
    if (this.failure) throw this.failure;
    try {
      if (typeof chunk === 'string') {
        if (this.pendingBytes) throw new Error('NmapXmlParser: do not mix text and byte chunks');
        // A token longer than a chunk (a huge attribute, say) is collected until its end may have come,
        // rather than parsed again from its start with every chunk.
        if (this.pendingText.length + this.deferredLength > 65536 && !/[<>]/.test(chunk)) {
          this.defer(chunk, chunk.length);
          return;
        }
        const text = this.pendingText + this.deferred.join('') + chunk;
        this.deferred = [];
        this.deferredLength = 0;
        this.pendingText = text.slice(this.tokenizer.parse(text, false));
        return;
      }
      if (this.pendingText !== '') throw new Error('NmapXmlParser: do not mix text and byte chunks');
      const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      const pendingLength = (this.pendingBytes?.length ?? 0) + this.deferredLength;
      if (pendingLength > 65536 && bytes.indexOf(0x3c) === -1 && bytes.indexOf(0x3e) === -1) {
        this.defer(Buffer.from(bytes), bytes.length);
        return;
      }
      const parts = this.deferred as Buffer[];
      const data =
        this.pendingBytes || parts.length > 0
          ? Buffer.concat([...(this.pendingBytes ? [this.pendingBytes] : []), ...parts, bytes])
          : bytes;
      this.deferred = [];
      this.deferredLength = 0;
      const used = this.parseBytes(data, false);
      // A copy: the caller may reuse its chunk.
      this.pendingBytes = used < data.length ? Buffer.from(data.subarray(used)) : null;
    } catch (error) {
      throw this.fail(error);
    }
  }

  end(): NmapRun {
    if (this.ended) throw new Error('NmapXmlParser.end() called twice');
    if (this.failure) throw this.failure;
    this.ended = true;
    try {
      if (this.pendingBytes || (this.deferred.length > 0 && typeof this.deferred[0] !== 'string'))
        this.parseBytes(
          Buffer.concat([...(this.pendingBytes ? [this.pendingBytes] : []), ...(this.deferred as Buffer[])]),
          true,
        );
      else this.tokenizer.parse(this.pendingText + this.deferred.join(''), true);
    } catch (error) {
      if (
        error instanceof XmlError &&
        error.truncated &&
        this.builder.started &&
        this.options.allowIncomplete
      ) {
        this.builder.run.completeness = { status: 'incomplete', reason: error.message };
        return this.builder.run;
      }
      throw this.fail(error);
    }
    this.builder.run.completeness = this.builder.completeness();
    return this.builder.run;
  }

  /**
   * Decodes and parses `data` (which starts with the bytes not consumed before); returns how many bytes were
   * consumed. The file reader calls this on its own buffer, so a chunk is copied only into one flat string.
   */
  parseBytes(data: Buffer, final: boolean): number {
    if (this.bytesConsumed === 0 && data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b)
      throw new XmlError('this is a gzip-compressed file: decompress it first (gunzip)', 1, 1);
    const tail = incompleteTail(data);
    if (final && tail > 0) {
      // The input stops inside a multi-byte character: parse the rest, which reports the truncation.
      this.parseBytes(data.subarray(0, data.length - tail), true);
      throw new XmlError('the file ends inside a UTF-8 character after </nmaprun>', 0, 0);
    }
    const end = data.length - tail;
    let text: string;
    let ascii = isAscii(data.subarray(0, end));
    // TextDecoder makes an ordinary heap string; Buffer's latin1 makes an external one for big chunks, which
    // measured slower here (and drives extra GCs).
    // In digest mode chunks are 64 KiB: an ASCII chunk read as latin1 is one copy (measured 2-4% faster).
    if (ascii)
      text = this.options.hostDigests ? data.toString('latin1', 0, end) : utf8.decode(data.subarray(0, end));
    else {
      // A UTF-8 byte order mark is not part of the text (nmap does not write one, editors may).
      const bom =
        this.bytesConsumed === 0 && data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf ? 3 : 0;
      if (!isUtf8(data.subarray(bom, end))) {
        const bad = bom + firstInvalidUtf8(data.subarray(bom, end));
        const at = this.bytesConsumed + bad;
        // Parse up to the bad byte: an earlier error comes first, and the position is the bad byte's.
        this.tokenizer.parse(utf8.decode(data.subarray(bom, bad)), false);
        const { line, column } = this.tokenizer.position();
        throw new XmlError(
          `binary data or text that is not UTF-8 (at byte ${at}): this is not an nmap XML file`,
          line,
          column,
        );
      }
      if (bom > 0) {
        this.bytesConsumed += bom;
        return bom + this.parseBytes(data.subarray(bom), final);
      }
      text = utf8.decode(data.subarray(0, end));
      ascii = false;
    }
    if (this.options.hostDigests) this.mapBytes(data, text, ascii);
    const chars = this.tokenizer.parse(text, final);
    const used = ascii ? chars : end - Buffer.byteLength(text.slice(chars), 'utf8');
    this.bytesConsumed += used;
    return used;
  }

  /** Digest mode: lets the builder turn positions in `text` (parsed next) into byte offsets in the file. */
  private mapBytes(data: Buffer, text: string, ascii: boolean): void {
    const base = this.bytesConsumed;
    this.builder.bytes = data;
    this.builder.bytesBase = base;
    if (ascii) {
      this.builder.byteAt = (p) => base + p;
      return;
    }
    // Positions are asked for in increasing order: count the UTF-8 bytes from the last one.
    let char = 0;
    let byte = 0;
    this.builder.byteAt = (p) => {
      if (p < char) {
        char = 0;
        byte = 0;
      }
      byte += Buffer.byteLength(text.slice(char, p), 'utf8');
      char = p;
      return base + byte;
    };
  }

  /**
   * Reads one host element (its bytes alone, after OPEN was written) for takeHosts(), its tokens found by the
   * WebAssembly check (checked-host-reader.ts); false when the check does not accept it: write() it then.
   */
  readCheckedHost(bytes: Buffer): boolean {
    // Its tag positions are the host's own, not the file's: not for digests, which record them.
    if (this.options.hostDigests) return false;
    this.checkedReader ??= new CheckedHostReader(this.builder, ELEMENTS, ATTRIBUTES, E_NMAPRUN);
    this.builder.tok = this.checkedReader;
    try {
      return this.checkedReader.read(bytes);
    } finally {
      this.builder.tok = this.tokenizer;
    }
  }

  /** The hosts read since the last call, taken out of the run (for a parser fed one host at a time). */
  takeHosts(): Host[] {
    const hosts = this.builder.run.hosts;
    this.builder.run.hosts = [];
    return hosts;
  }

  private defer(part: string | Buffer, length: number): void {
    this.deferred.push(part);
    this.deferredLength += length;
    const pending = this.pendingText.length + (this.pendingBytes?.length ?? 0) + this.deferredLength;
    if (pending > (this.options.maxTokenLength ?? DEFAULT_MAX_TOKEN)) {
      // Parse what is there: the tokenizer reports the oversized token where it starts.
      const text = this.pendingText + this.deferred.map((d) => d.toString()).join('');
      this.tokenizer.parse(text, false);
    }
  }

  /** Turns whatever went wrong into the one error this parser throws from now on. */
  private fail(error: unknown): unknown {
    if (error instanceof XmlError) {
      // Decoding errors have no position of their own: use where the text read so far ends.
      const { line, column } = error.line > 0 ? error : this.tokenizer.position();
      this.failure = new NmapXmlError(error.message, this.source, line, column);
      return this.failure;
    }
    return error;
  }

  /** For the file reader: wraps an error the same way write() does. */
  failWith(error: unknown): unknown {
    return this.failure ?? this.fail(error);
  }
}

export function parseNmapXml(text: string | Uint8Array, options: ParseOptions = {}): NmapRun {
  const parser = new NmapXmlParser(options);
  parser.write(text);
  return parser.end();
}

// 512 KiB: measured as fast as 1-4 MiB on a 62 MB scan, with a lower peak (218 MB against 240-255 MB for the
// whole process): each chunk's string dies young instead of piling up in the large-object space.
const READ_CHUNK = 512 * 1024;
// Digest mode keeps almost nothing: with 64 KiB chunks each chunk's string is an ordinary young object that
// dies in the next scavenge (a 512 KiB one goes to the large-object space until a full GC). Measured on two
// 62 MB scans read at once: 1.4-1.7 s instead of 1.9-2.0 s.
const DIGEST_READ_CHUNK = 64 * 1024;
const utf8 = new TextDecoder('utf-8');

/** Reads a file in chunks (never the whole DOM in memory). Missing/unreadable files are UserErrors. */
export function parseNmapXmlFile(file: string, options: ParseOptions = {}): NmapRun {
  const fd = openNmapXmlFile(file);
  try {
    return parseNmapXmlFd(fd, file, options);
  } finally {
    closeSync(fd);
  }
}

/** Opens a file for reading; a missing or unreadable one is a UserError. */
export function openNmapXmlFile(file: string): number {
  try {
    return openSync(file, 'r');
  } catch (error) {
    throw new UserError(`can't read ${file}: ${fileProblem(error)}`);
  }
}

/** parseNmapXmlFile on a file already open (read from its start; the caller closes it). */
export function parseNmapXmlFd(fd: number, file: string, options: ParseOptions = {}): NmapRun {
  const parser = new NmapXmlParser({ ...options, source: options.source ?? file });
  const chunk = options.hostDigests ? DIGEST_READ_CHUNK : READ_CHUNK;
  if (options.hostDigests) options.hostDigests.readBytes = (start, end) => readRange(fd, file, start, end);
  // The bytes not consumed yet stay at the front of the buffer and the next read goes after them; the
  // buffer grows only while one token is longer than it (up to the token cap).
  let buffer = Buffer.allocUnsafe(chunk);
  let have = 0;
  for (;;) {
    if (buffer.length - have < chunk / 2) {
      const bigger = Buffer.allocUnsafe(buffer.length * 2);
      buffer.copy(bigger, 0, 0, have);
      buffer = bigger;
    }
    let n: number;
    try {
      n = readSync(fd, buffer, have, buffer.length - have, null);
    } catch (error) {
      throw new UserError(`can't read ${file}: ${fileProblem(error)}`);
    }
    if (n === 0) break;
    const data = buffer.subarray(0, have + n);
    let used: number;
    try {
      used = parser.parseBytes(data, false);
    } catch (error) {
      throw parser.failWith(error);
    }
    buffer.copy(buffer, 0, used, have + n);
    have = have + n - used;
  }
  parser.write(buffer.subarray(0, have));
  return parser.end();
}

/** Bytes [start, end) of an open file (fewer at its end). */
function readRange(fd: number, file: string, start: number, end: number): Buffer {
  const bytes = Buffer.allocUnsafe(end - start);
  let got = 0;
  while (got < bytes.length) {
    let n: number;
    try {
      n = readSync(fd, bytes, got, bytes.length - got, start + got);
    } catch (error) {
      throw new UserError(`can't read ${file}: ${fileProblem(error)}`);
    }
    if (n === 0) break;
    got += n;
  }
  return bytes.subarray(0, got);
}

export function fileProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory, not a file';
  return (error as Error)?.message ?? String(error);
}
