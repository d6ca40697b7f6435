// The fast way to a scan's host digests (host-digests.ts): one pass over the file's bytes, no text decoded.
// Each <host> element (a direct child of <nmaprun>) is checked with a strict subset of what the full reader
// accepts (ASCII names, quoted attributes without '<', known references, no control characters, valid
// UTF-8, no comments, CDATA or instructions inside a host), hashed as the full reader hashes it, and its
// id read from its <address> and <hostname> tags. Everything else (the prolog, <nmaprun>'s other children,
// what follows it) is a few kB: it goes, with the hosts cut out, through the full reader, which checks it
// and reads the run from it.
//
// The check of each element (tags, attributes, references, nesting) is WebAssembly (wasm/element-check.as.ts,
// through element-checker.ts), reading the bytes where this pass read them to: its memory holds the buffer.
//
// The pass only ever accepts: anything outside the subset, any error in the rest, a file that ends early,
// and it gives up (returns null). The caller then reads the whole file with the full reader, which accepts
// it or refuses it with its usual message. So a file accepted here is one the full reader accepts, with the
// same ids and digests; a file refused is refused exactly as before.
import { Buffer, isAscii, isUtf8 } from 'node:buffer';
import { fstatSync, readSync } from 'node:fs';
import type { Address, Host, NmapRun } from '../../shared/scan.ts';
import { parseNmapXml, type HostDigestSink } from './parse.ts';
import type { ReferenceHosts } from './reference-hosts.ts';
import { sha256Base64 } from './sha256.ts';
import {
  ADDRESS_TAG,
  ElementChecker,
  GIVE_UP,
  HOST_CLOSE,
  HOST_CONTENT,
  HOST_END,
  HOST_KEY_LENGTH,
  HOST_LT,
  HOST_OSMATCH,
  HOST_TIMES,
  HOST_TIMES_END,
  HOSTNAME_TAG,
  OSMATCH_TAG,
  REPEAT_END,
  REPEAT_LT,
  TIMES_TAG,
} from './element-checker.ts';

/** What a fast pass gives: the same as ScanFile.digest. */
export interface FastDigest {
  run: NmapRun;
  keys: (string | null)[];
  digests: string[];
  byteStarts: number[];
  byteEnds: number[];
  /** Whether some host has an <osmatch name=...> in an <os> (HostDigestSink.anyOsMatch). */
  anyOsMatch: boolean;
}

/**
 * A pass over part of a file (fastDigestPart): a head (from the start up to a boundary), a tail (from a
 * boundary to the end) or the whole file. Its rest is read by the full reader once the parts are joined
 * (runOfRest).
 */
export interface DigestPart extends Omit<FastDigest, 'run'> {
  /** What is not a host, in file order, for the full reader. */
  rest: Buffer[];
  /** Where a head stopped (its boundary), or -1 when the pass went on to the end of the file. */
  stoppedAt: number;
  /** With `shapes`: per host, where its content starts and its first <times/> starts and ends (-1: none). */
  contentStarts: number[];
  timesStarts: number[];
  timesEnds: number[];
  /** The hosts (indices in this part) with an <osmatch name=...> in an <os>. */
  osMatchHosts: number[];
  /**
   * With a reference: per host, j >= 0: it repeats reference host j (ReferenceHosts index) apart from its start
   * tag and <times/> (its key is null here: it is host j's once that is checked); -2 - j: it was compared with
   * reference host j and is not known to repeat it; -1: not compared.
   */
  sameAs: number[];
}

export interface PartOptions {
  /** A tail: starts here (an element's '<' inside <nmaprun>, after the prolog) instead of at the start. */
  from?: number;
  /**
   * A head: at the first element at or after each of `at` (increasing), asks stopHere(which one, whether the
   * element starts exactly there, hosts read so far, how many of them repeat the reference), and stops there
   * if it says so.
   */
  boundaries?: {
    at: number[];
    stopHere(index: number, exact: boolean, hosts: number, repeated: number): boolean;
  };
  /** Hosts of another scan of the same network, to compare this file's hosts with before checking them. */
  reference?: ReferenceHosts;
  /**
   * With a reference: the reference host with this id, or -1. A host found not to repeat the reference host
   * expected in its place is then looked up by its id, and the hosts after it are compared from there (a part
   * that starts mid-file, or runs of hosts added or removed).
   */
  locate?(id: string | null): number;
  /** Called as the pass reads on (each time it reads more of the file): hosts so far, how many repeat. */
  progress?(hosts: number, repeated: number): void;
  /** Keep each host's shape (contentStarts, timesStarts, timesEnds). */
  shapes?: boolean;
  /** false: no digests (each is ''), for a caller that compares hosts by their shapes and bytes instead. */
  hash?: boolean;
  /**
   * keyOf is ndiff's id (ndiffHostId): the check then writes each host's id itself (ElementChecker.ndiffId),
   * and keyOf is called only for the hosts it leaves (ids past ASCII, say).
   */
  ndiffIds?: boolean;
}

/** Thrown inside the pass when the input is outside the subset (never leaves this module). */
class GiveUp extends Error {}
const giveUp = new GiveUp('outside the fast subset');

const READ = 1 << 20;
/** An element larger than this is left to the full reader (nmap's hosts are a few kB). */
const MAX_ELEMENT = 16 << 20;

/** A byte a name may hold after its first (as the check's table has it). */
const isNameByte = (c: number) =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 58) || c === 45 || c === 46 || c === 95;

const isSpace = (c: number) => c === 32 || c === 10 || c === 9 || c === 13;

/** Bytes of a name, to compare in place. */
const HOST = Buffer.from('host');
const TIMES = Buffer.from('times');

const usualValues = (...values: string[]): [Uint8Array, string][] => values.map((v) => [Buffer.from(v), v]);
const ADDRTYPES = usualValues('ipv4', 'ipv6', 'mac');
const HOSTNAME_TYPES = usualValues('PTR', 'user');

function nameIs(b: Uint8Array, start: number, end: number, name: Uint8Array): boolean {
  if (end - start !== name.length) return false;
  for (let k = 0; k < name.length; k++) if (b[start + k] !== name[k]) return false;
  return true;
}

/**
 * Digests the scan in `fd` (read by position: the file offset is not moved), or null when the file is left
 * to the full reader.
 */
export function fastDigest(
  fd: number,
  source: string,
  keyOf: HostDigestSink['keyOf'],
  ndiffIds = false,
): FastDigest | null {
  const part = fastDigestPart(fd, source, keyOf, { ndiffIds });
  const run = part && runOfRest(part.rest, source, keyOf);
  if (!part || !run) return null;
  const { keys, digests, byteStarts, byteEnds, anyOsMatch } = part;
  return { run, keys, digests, byteStarts, byteEnds, anyOsMatch };
}

/** A part of the file in `fd` (see PartOptions), or null when it is left to the full reader. */
export function fastDigestPart(
  fd: number,
  source: string,
  keyOf: HostDigestSink['keyOf'],
  options: PartOptions = {},
): DigestPart | null {
  try {
    return new Pass(fd, keyOf, options).run();
  } catch (error) {
    if (error instanceof GiveUp) return null;
    throw error;
  }
}

/** The run from the parts' rest, joined, read by the full reader; null if it refuses it (it says why then). */
export function runOfRest(rest: Buffer[], source: string, keyOf: HostDigestSink['keyOf']): NmapRun | null {
  try {
    return parseNmapXml(Buffer.concat(rest), {
      source,
      hostDigests: { keyOf, keys: [], digests: [], byteStarts: [], byteEnds: [] },
    });
  } catch {
    return null; // the full reader reports it where it is in the file
  }
}

class Pass {
  private readonly fd: number;
  private readonly keyOf: HostDigestSink['keyOf'];
  private readonly options: PartOptions;
  /** The element check (WebAssembly), whose memory holds buf. */
  private readonly checker: ElementChecker;
  private buf: Buffer;
  /** buf[0, len) holds the file's bytes from fileBase on. */
  private len = 0;
  private fileBase = 0;
  private eof = false;
  /** What is not a host, for the full reader. */
  private readonly rest: Buffer[] = [];
  private readonly keys: (string | null)[] = [];
  private readonly digests: string[] = [];
  private readonly byteStarts: number[] = [];
  private readonly byteEnds: number[] = [];
  private anyOsMatch = false;
  private hostOsMatch = false;
  private readonly osMatchHosts: number[] = [];
  private readonly contentStarts: number[] = [];
  private readonly timesStarts: number[] = [];
  private readonly timesEnds: number[] = [];
  private readonly sameAs: number[] = [];
  /** The last host found the same as a reference host: its index here and there. */
  private lastSameHere = -1;
  private lastSameThere = -1;

  // The current host.
  private addresses: Address[] = [];
  private hostnames: { name: string; type: string | undefined }[] = [];
  private timesStart = -1;
  private timesEnd = -1;

  constructor(fd: number, keyOf: HostDigestSink['keyOf'], options: PartOptions) {
    this.fd = fd;
    this.keyOf = keyOf;
    this.options = options;
    this.fileBase = options.from ?? 0;
    // A small scan gets a small buffer (it grows for an element that does not fit).
    const size = fstatSync(fd).size - this.fileBase;
    this.checker = new ElementChecker(Math.min(READ * 2, Math.max(1 << 16, size + 1)));
    this.buf = this.checker.buf;
    // The reference's window grows in the same memory (for a large host): buf is then a new view.
    this.checker.onResize = () => {
      this.buf = this.checker.buf;
      this.view = this.buf.subarray(0, this.len);
    };
    options.reference?.attach(this.checker);
  }

  run(): DigestPart {
    this.fill();
    let p = this.options.from === undefined ? this.prolog() : 0;
    const { boundaries, reference } = this.options;
    let nextBoundary = boundaries ? 0 : Infinity;
    let boundaryAt = boundaries?.at[0] ?? Infinity;
    // Hosts whose ids the check writes are checked many at a time (checkedHosts); with a reference, hosts
    // that repeat it are compared many at a time (comparedHosts), from the first and after each that did.
    const manyAtOnce = this.options.ndiffIds === true && !reference;
    // Inside <nmaprun>: hosts are digested, everything else goes to the rest.
    for (;;) {
      if (manyAtOnce) p = this.checkedHosts(p, boundaryAt);
      else if (reference && this.lastSameHere === this.keys.length - 1)
        p = this.comparedHosts(reference, p, boundaryAt);
      let lt = this.find(0x3c, p);
      while (lt + 6 > this.len) {
        if (this.eof) throw giveUp; // the full reader says where the file stops
        p = this.more(p);
        lt = this.find(0x3c, p);
      }
      while (this.fileBase + lt >= boundaryAt) {
        const at = boundaryAt;
        boundaryAt = boundaries!.at[++nextBoundary] ?? Infinity;
        const exact = this.fileBase + lt === at;
        if (boundaries!.stopHere(nextBoundary - 1, exact, this.keys.length, this.repeated)) {
          if (!isBlank(this.buf, p, lt)) this.keepRest(p, lt);
          return this.part(at);
        }
      }
      const b = this.buf;
      if (b[lt + 1] === 0x2f) {
        // </nmaprun> (or a mismatched end tag, which the full reader reports): the rest of the file is rest.
        this.keepRest(p, this.len);
        while (!this.eof) {
          this.fileBase += this.len;
          this.len = 0;
          this.fill();
          this.keepRest(0, this.len);
        }
        break;
      }
      let end: number;
      const isHost = nameIs(b, lt + 1, lt + 5, HOST) && !isNameByte(b[lt + 5]!);
      if (isHost && reference) {
        end = this.sameAsReference(reference, lt);
        if (end > 0) {
          if (!isBlank(this.buf, p, lt)) this.keepRest(p, lt);
          p = end;
          continue;
        }
      }
      for (;;) {
        end = this.element(lt, isHost);
        if (end >= 0) break;
        if (this.eof) throw giveUp;
        const keep = p;
        this.more(keep);
        lt -= keep;
        p = 0;
      }
      if (isHost) {
        // What is between two hosts is nearly always a line end: the full reader need not see it.
        if (!isBlank(this.buf, p, lt)) this.keepRest(p, lt);
        this.endHost(lt, end);
      } else this.keepRest(p, end);
      p = end;
    }
    return this.part(-1);
  }

  private part(stoppedAt: number): DigestPart {
    return {
      rest: this.rest,
      stoppedAt,
      keys: this.keys,
      digests: this.digests,
      byteStarts: this.byteStarts,
      byteEnds: this.byteEnds,
      anyOsMatch: this.anyOsMatch,
      osMatchHosts: this.osMatchHosts,
      contentStarts: this.contentStarts,
      timesStarts: this.timesStarts,
      timesEnds: this.timesEnds,
      sameAs: this.sameAs,
    };
  }

  /**
   * When the host at buf[lt] repeats the reference host expected here (or one next to it) apart from its
   * start tag and <times/>, which are checked on their own: notes it (sameAs) and returns the position after
   * it; else -1 (the host is then checked and digested as any other). Each host's well-formedness then
   * follows from the reference host's, once that is checked too.
   */
  private sameAsReference(reference: ReferenceHosts, lt: number): number {
    const b = this.buf;
    const content = this.startTag(lt);
    if (content < 0 || b[content - 2] === 0x2f || this.nameEnd !== lt + 5) return -1;
    const here = this.keys.length;
    // Hosts of two scans of one network come in the same order; one host more or fewer shifts them by one.
    const expected = this.lastSameThere + (here - this.lastSameHere);
    this.comparedWith = reference.has(expected) ? -2 - expected : -1;
    for (let shift = 0; shift < 3; shift++) {
      const there = expected + (shift === 2 ? -1 : shift);
      if (!reference.has(there)) continue;
      const end = this.repeats(reference, there, content);
      if (end < 0) continue;
      this.noteRepeated(lt, end, there);
      return end;
    }
    return -1;
  }

  /** Notes the host buf[lt, end) as repeating reference host `there` (its key is that host's, once checked). */
  private noteRepeated(lt: number, end: number, there: number): void {
    if (!this.ascii) this.checkUtf8(lt, end);
    this.lastSameHere = this.keys.length;
    this.lastSameThere = there;
    this.keys.push(null);
    this.digests.push('');
    this.byteStarts.push(this.fileBase + lt);
    this.byteEnds.push(this.fileBase + end);
    this.sameAs.push(there);
    this.repeated++;
    if (this.options.shapes) {
      this.contentStarts.push(-1);
      this.timesStarts.push(-1);
      this.timesEnds.push(-1);
    }
  }

  /**
   * The hosts from buf[p] on that repeat the reference's next hosts, compared in one call
   * (ElementChecker.compareHosts, the same comparison as sameAsReference's, none starting at or past file
   * offset `boundaryAt`), each noted as sameAsReference notes one; returns where the next element is to be read
   * from (the one it stopped at is read the usual way).
   */
  private comparedHosts(reference: ReferenceHosts, p: number, boundaryAt: number): number {
    const here = this.keys.length;
    const expected = this.lastSameThere + (here - this.lastSameHere);
    const next = reference.nextAt(expected);
    const known = next < 0 ? reference.knownFrom(expected) : 0;
    if (next < 0 && known === 0) return p;
    const checker = this.checker;
    const limit = Math.min(this.len, boundaryAt - this.fileBase);
    const hosts = checker.compareHosts(p, this.len, limit, next, reference.windowEnd(), known);
    if (hosts === 0) return p;
    for (let i = 0; i < hosts; i++)
      this.noteRepeated(checker.host(i, REPEAT_LT), checker.host(i, REPEAT_END), expected + i);
    if (known === 0) reference.takeCompared(hosts);
    return checker.hostsStop;
  }

  /** How many hosts repeat the reference's. */
  private repeated = 0;

  /** sameAs for the host the last sameAsReference did not find repeated. */
  private comparedWith = -1;

  /**
   * The end of the host whose content starts at buf[content] if it repeats reference host j; else -1. The
   * bytes are compared by the check (the reference's window is in its memory): one call, not a Buffer.compare
   * (~1 µs a host less, with its argument checks and its way into C++).
   */
  private repeats(reference: ReferenceHosts, j: number, content: number): number {
    const b = this.buf;
    const checker = this.checker;
    const refContent = reference.field(j, 1);
    const refTimes = reference.field(j, 2);
    const refEnd = reference.field(j, 4);
    if (!reference.cover(refContent, refEnd)) return -1;
    if (refTimes < 0) {
      const end = content + (refEnd - refContent);
      if (end >= this.len || !checker.sameRange(content, reference.at(refContent), refEnd - refContent))
        return -1;
      return end;
    }
    const times = content + (refTimes - refContent);
    if (times + 6 >= this.len || !checker.sameRange(content, reference.at(refContent), refTimes - refContent))
      return -1;
    // Its own <times .../>, checked as any tag (within the subset: self-closing, named times).
    if (b[times] !== 0x3c || !nameIs(b, times + 1, times + 6, TIMES)) return -1;
    const timesEnd = this.startTag(times);
    if (timesEnd < 0 || this.nameEnd !== times + 6 || b[timesEnd - 2] !== 0x2f) return -1;
    const refTimesEnd = reference.field(j, 3);
    const end = timesEnd + (refEnd - refTimesEnd);
    if (end >= this.len || !checker.sameRange(timesEnd, reference.at(refTimesEnd), refEnd - refTimesEnd))
      return -1;
    return end;
  }

  // ---- reading ---------------------------------------------------------------------------------------------

  /** Reads until buf is full or the file ends. */
  private fill(): void {
    const from = this.len;
    const room = this.buf.length - 1;
    while (!this.eof && this.len < room) {
      const n = readSync(this.fd, this.buf, this.len, room - this.len, this.fileBase + this.len);
      if (n === 0) this.eof = true;
      this.len += n;
    }
    if (this.ascii && !isAscii(this.buf.subarray(from, this.len))) this.ascii = false;
    // A sentinel after the data: 0 ends every name, value and text loop of the check (as a control character
    // it ends a value or text, and is in no name), so those loops need no bounds check.
    this.buf[this.len] = 0;
    this.view = this.buf.subarray(0, this.len);
  }

  /** buf[0, len), for indexOf. */
  private view: Buffer = Buffer.alloc(0);
  /** Whether every byte read so far is ASCII (then no host needs its own UTF-8 check). */
  private ascii = true;

  /** Drops buf[0, keep) (after saving the rest in it), reads more; returns where `keep` now is (0). */
  private more(keep: number): number {
    this.options.progress?.(this.keys.length, this.repeated);
    if (keep === 0 && this.len === this.buf.length - 1) {
      // One element fills the buffer: a bigger one, up to the cap.
      if (this.buf.length > MAX_ELEMENT) throw giveUp;
      this.checker.resize(2 * this.len);
      this.buf = this.checker.buf;
    } else {
      this.buf.copy(this.buf, 0, keep, this.len);
      this.fileBase += keep;
      this.len -= keep;
    }
    this.fill();
    return 0;
  }

  /**
   * indexOf(byte, from) in what was read; len when it is not there. The next '<' is nearly always a byte or
   * two away (a line end between hosts): those are looked at here, without a call into C++ for each host.
   */
  private find(byte: number, from: number): number {
    const b = this.buf;
    const near = Math.min(from + 8, this.len);
    for (let p = from; p < near; p++) if (b[p] === byte) return p;
    if (near === this.len) return this.len;
    const at = this.view.indexOf(byte, near);
    return at === -1 ? this.len : at;
  }

  private keepRest(from: number, to: number): void {
    if (to > from) this.rest.push(Buffer.from(this.buf.subarray(from, to)));
  }

  // ---- the prolog --------------------------------------------------------------------------------------------

  /** Everything up to and with <nmaprun ...> goes to the rest; returns the position after that tag. */
  private prolog(): number {
    const b = this.buf;
    let p = 0;
    if (this.len < 2 || (b[0] === 0xef && b[1] === 0xbb) || (b[0] === 0x1f && b[1] === 0x8b)) throw giveUp;
    for (;;) {
      while (p < this.len && isSpace(b[p]!)) p++;
      if (p >= this.len || b[p] !== 0x3c) throw giveUp;
      let end: number;
      if (b[p + 1] === 0x3f) end = this.findText('?>', p + 2) + 2;
      else if (startsWith(b, '<!--', p)) end = this.findText('-->', p + 4) + 3;
      else if (startsWith(b, '<!DOCTYPE', p)) {
        const gt = this.findText('>', p);
        const bracket = b.subarray(0, this.len).indexOf(0x5b, p);
        if (bracket !== -1 && bracket < gt) throw giveUp;
        end = gt + 1;
      } else if (startsWith(b, '<nmaprun', p) && (isSpace(b[p + 8]!) || b[p + 8] === 0x3e)) {
        end = this.startTag(p);
        if (end < 0 || b[end - 2] === 0x2f) throw giveUp;
        this.keepRest(0, end);
        return end;
      } else throw giveUp;
      p = end;
    }
  }

  /** The position of `what` at or after `from` in what was read (the prolog is in the first MiB). */
  private findText(what: string, from: number): number {
    const at = this.view.indexOf(what, from);
    if (at === -1) throw giveUp;
    return at;
  }

  // ---- elements ----------------------------------------------------------------------------------------------

  /**
   * Checks the element (or comment or instruction) at buf[lt] and returns the position after it, or -1 when
   * it goes on past what was read. In a host, also notes its addresses, host names and first <times/>.
   */
  private element(lt: number, host: boolean): number {
    const checker = this.checker;
    const withId = host && this.options.ndiffIds === true;
    const end = withId ? checker.checkHostWithId(lt, this.len) : checker.checkElement(lt, this.len, host);
    if (end === GIVE_UP) throw giveUp;
    if (end < 0 || !host) return end;
    this.contentStart = checker.contentStart;
    this.hostEnd = checker.hostEnd;
    this.timesStart = this.timesEnd = -1;
    this.hostOsMatch = false;
    this.id = withId ? checker.ndiffId() : undefined;
    // With the id written by the check, only <times> and <osmatch> are still to be read here.
    const idsToo = this.id === undefined;
    if (idsToo) {
      this.addresses = [];
      this.hostnames = [];
    }
    for (let i = 0, n = checker.events; i < n; i++) {
      const kind = checker.eventKind(i);
      if (idsToo || kind === TIMES_TAG || kind === OSMATCH_TAG) this.hostTag(i, kind);
    }
    return end;
  }

  /**
   * The hosts from buf[p] on that the check takes many at a time (ElementChecker.checkHosts: plain hosts,
   * none starting at or past file offset `boundaryAt`), each digested as element() and endHost() do one;
   * returns where the next element is to be read from (the one it stopped at is read the usual way).
   */
  private checkedHosts(p: number, boundaryAt: number): number {
    const checker = this.checker;
    const base = this.fileBase;
    const hosts = checker.checkHosts(p, this.len, Math.min(this.len, boundaryAt - base));
    let key = 0;
    for (let i = 0; i < hosts; i++) {
      const keyLength = checker.host(i, HOST_KEY_LENGTH);
      this.id = keyLength === 0 ? null : checker.hostKey(key, keyLength);
      key += keyLength;
      this.contentStart = checker.host(i, HOST_CONTENT);
      this.hostEnd = checker.host(i, HOST_CLOSE);
      const times = checker.host(i, HOST_TIMES);
      this.timesStart = times < 0 ? -1 : base + times;
      this.timesEnd = times < 0 ? -1 : base + checker.host(i, HOST_TIMES_END);
      this.hostOsMatch = checker.host(i, HOST_OSMATCH) === 1;
      this.endHost(checker.host(i, HOST_LT), checker.host(i, HOST_END));
    }
    return hosts > 0 ? checker.hostsStop : p;
  }

  /** The current host's id as the check wrote it (ndiffIds), or undefined: keyOf gives it. */
  private id: string | null | undefined;

  private contentStart = 0;
  private hostEnd = 0;

  /**
   * The start tag at buf[lt], checked (ElementChecker): the position after its '>', or -1 when it goes on past
   * what was read.
   */
  private startTag(lt: number): number {
    const end = this.checker.startTag(lt, this.len);
    if (end === GIVE_UP) throw giveUp;
    this.nameEnd = this.checker.nameEnd;
    return end;
  }

  /** Where the name of the tag startTag last read ends. */
  private nameEnd = 0;

  /**
   * Notes what a host's id and digest need from tag i of those the check found in it (ElementChecker's
   * events), as the full reader reads it.
   */
  private hostTag(i: number, kind: number) {
    const checker = this.checker;
    if (kind === TIMES_TAG) {
      this.timesStart = this.fileBase + checker.eventStart(i);
      // A <times> with content stays in the digest and the full reader looks for a later one: rare, left to
      // it.
      const end = checker.eventEnd(i);
      if (this.buf[end - 2] !== 0x2f) throw giveUp;
      this.timesEnd = this.fileBase + end;
      return;
    }
    // As the full reader's digest mode: an <osmatch> with a name in an <os> (any value: presence only).
    if (kind === OSMATCH_TAG) {
      if (checker.valueStart(i, 0) >= 0) this.hostOsMatch = true;
      return;
    }
    // References and line ends (which the full reader rewrites) in an id are rare: left to it.
    if (checker.valueFlags(i) !== 0) throw giveUp;
    if (kind === ADDRESS_TAG) {
      const addr = this.value(i, 0);
      const addrtype = this.value(i, 1, ADDRTYPES) ?? 'ipv4';
      const vendor = this.value(i, 2);
      if (addr === undefined) return;
      if (addrtype !== 'ipv4' && addrtype !== 'ipv6' && addrtype !== 'mac') throw giveUp;
      this.addresses.push({ addr, addrtype, vendor });
    } else if (kind === HOSTNAME_TAG) {
      const name = this.value(i, 0);
      const type = this.value(i, 1, HOSTNAME_TYPES);
      if (name !== undefined) this.hostnames.push({ name, type });
    }
  }

  /** Value v of event i (ElementChecker.valueStart), or undefined when its tag has no such attribute. */
  private value(i: number, v: number, usual?: readonly [Uint8Array, string][]): string | undefined {
    const s = this.checker.valueStart(i, v);
    if (s < 0) return undefined;
    const e = this.checker.valueEnd(i, v);
    const b = this.buf;
    // A usual value ('ipv4', 'PTR') is one shared string, not a new one per host.
    if (usual) for (const [bytes, value] of usual) if (nameIs(b, s, e, bytes)) return value;
    let ascii = true;
    for (let p = s; p < e; p++) if (b[p]! >= 0x80) ascii = false;
    return b.toString(ascii ? 'latin1' : 'utf8', s, e);
  }

  /** The host element is buf[lt, end): its digest, id and place, as the full reader's digest mode has them. */
  private endHost(lt: number, end: number): void {
    const b = this.buf;
    const base = this.fileBase;
    if (!this.ascii) this.checkUtf8(lt, end);
    const start = this.contentStart;
    const stop = this.hostEnd;
    let digest: string;
    if (this.options.hash === false) digest = '';
    else if (this.timesStart < 0) digest = sha256Base64(b.subarray(start, stop));
    else {
      const times = this.timesStart - base;
      let q = this.timesEnd - base;
      while (q < stop && isSpace(b[q]!)) q++;
      digest = sha256Base64(b.subarray(start, times));
      if (q < stop) digest += sha256Base64(b.subarray(this.timesEnd - base, stop));
    }
    if (this.id !== undefined) this.keys.push(this.id);
    else {
      const host = { addresses: this.addresses, hostnames: this.hostnames } as unknown as Host;
      this.keys.push(this.keyOf(host));
    }
    this.digests.push(digest);
    this.byteStarts.push(base + lt);
    this.byteEnds.push(base + end);
    if (this.hostOsMatch) {
      this.anyOsMatch = true;
      this.osMatchHosts.push(this.keys.length - 1);
    }
    if (this.options.reference) {
      this.sameAs.push(this.comparedWith);
      this.comparedWith = -1;
      const there = this.options.locate?.(this.keys[this.keys.length - 1]!) ?? -1;
      if (there >= 0) {
        this.lastSameHere = this.keys.length - 1;
        this.lastSameThere = there;
      }
    }
    if (this.options.shapes) {
      this.contentStarts.push(base + start);
      this.timesStarts.push(this.timesStart);
      this.timesEnds.push(this.timesEnd);
    }
  }

  /** buf[lt, end) is valid UTF-8 without U+FFFE and U+FFFF (which XML does not allow). */
  private checkUtf8(lt: number, end: number): void {
    const bytes = this.buf.subarray(lt, end);
    if (isAscii(bytes)) return;
    if (!isUtf8(bytes) || bytes.indexOf(FFFE) !== -1 || bytes.indexOf(FFFF) !== -1) throw giveUp;
  }
}

const FFFE = Buffer.from([0xef, 0xbf, 0xbe]);
const FFFF = Buffer.from([0xef, 0xbf, 0xbf]);

function isBlank(b: Uint8Array, from: number, to: number): boolean {
  for (let p = from; p < to; p++) if (!isSpace(b[p]!)) return false;
  return true;
}

function startsWith(b: Buffer, s: string, at: number): boolean {
  for (let k = 0; k < s.length; k++) if (b[at + k] !== s.charCodeAt(k)) return false;
  return true;
}
