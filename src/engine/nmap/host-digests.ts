// A scan read for diffing: every byte is read and checked as parseNmapXmlFile does, but each host is kept
// only as its ndiff id (addresses, host names), a SHA-256 of its content and its byte range in the file.
// Most hosts of two scans of one network are the same: ndiff prints nothing for them, so their full model is
// never needed. A host that is needed is read again from its byte range (readHost).
//
//   const file = ScanFile.open('a.xml');
//   try { const { keys, digests, byteStarts, byteEnds } = file.digest(keyOf); ... file.readHost(byteStarts[i], byteEnds[i]); }
//   finally { file.close(); }   // throws if the file changed meanwhile
import { Buffer } from 'node:buffer';
import { closeSync, fstatSync, readSync } from 'node:fs';
import type { Host, NmapRun } from '../../shared/scan.ts';
import { UserError } from '../errors.ts';
import { fastDigest, fastDigestPart, type DigestPart, type PartOptions } from './fast-host-scan.ts';
import { fileProblem, NmapXmlParser, openNmapXmlFile, parseNmapXmlFd, type HostDigestSink } from './parse.ts';
import { hostLineAfter, ReferenceHosts } from './reference-hosts.ts';

export interface DigestedRun extends HostDigestSink {
  /** The run without its hosts (they are in the digest lists). */
  run: NmapRun;
  /** Whether some host's OS list is not empty (see HostDigestSink.anyOsMatch). */
  anyOsMatch: boolean;
}

/** What tells one version of a file from another (compared before and after reading). */
export interface FileIdentity {
  ino: number;
  size: number;
  mtimeMs: number;
}

const OPEN = Buffer.from('<nmaprun>');
const WINDOW = 1024 * 1024;
/** Prefetched ranges closer than this are read as one (a read call costs about as much as copying 4 kB more). */
const PREFETCH_GAP = 4096;

export class ScanFile {
  readonly file: string;
  readonly identity: FileIdentity;
  private fd: number;
  private hostReader: NmapXmlParser | null = null;
  private window = Buffer.alloc(0);
  private windowStart = 0;
  private windowLength = 0;

  private constructor(file: string, fd: number) {
    this.file = file;
    this.fd = fd;
    this.identity = identityOf(fd);
  }

  /** Opens a scan; a missing or unreadable file is a UserError. */
  static open(file: string): ScanFile {
    return new ScanFile(file, openNmapXmlFile(file));
  }

  /**
   * Reads the whole file (from its start) into host digests; bad XML is an NmapXmlError. `ndiffIds`: keyOf is
   * ndiffHostId (PartOptions.ndiffIds).
   */
  digest(keyOf: HostDigestSink['keyOf'], ndiffIds = false): DigestedRun {
    // The byte-level pass when the file is within its subset (nearly always); else, the full reader.
    const fast = fastDigest(this.fd, this.file, keyOf, ndiffIds);
    if (fast) return { ...fast, keyOf };
    return this.digestFully(keyOf);
  }

  /** Part of the file by the byte-level pass (fastDigestPart), or null when the file is the full reader's. */
  digestPart(keyOf: HostDigestSink['keyOf'], options: PartOptions): DigestPart | null {
    return fastDigestPart(this.fd, this.file, keyOf, options);
  }

  /**
   * The file's hosts as another scan is compared against (reference-hosts.ts): found by their tags, or these
   * (SHAPE_FIELDS numbers a host, as a checking pass of this file found them).
   */
  referenceHosts(known?: Float64Array): ReferenceHosts {
    return new ReferenceHosts(this.fd, this.identity.size, known);
  }

  /** A guess at where a host starts near `fraction` of the file (hostLineAfter), or -1. */
  hostLineNear(fraction: number): number {
    return hostLineAfter(this.fd, Math.floor(this.identity.size * fraction));
  }

  /** digest() by the full reader alone (which also gives the message for a bad file). */
  digestFully(keyOf: HostDigestSink['keyOf']): DigestedRun {
    const sink: HostDigestSink = { keyOf, keys: [], digests: [], byteStarts: [], byteEnds: [] };
    const run = parseNmapXmlFd(this.fd, this.file, { hostDigests: sink });
    return { run, ...sink, anyOsMatch: sink.anyOsMatch ?? false };
  }

  /** The full model of the host element at bytes [start, end), read as it is read in the whole file. */
  readHost(start: number, end: number): Host {
    const bytes = this.bytesAt(start, end);
    let hosts: Host[];
    try {
      // One parser for all the hosts read from this file, fed one host element at a time in a root element.
      if (!this.hostReader) {
        this.hostReader = new NmapXmlParser({ source: this.file });
        this.hostReader.write(OPEN);
      }
      // Through the WebAssembly check's tokens when it accepts the bytes again, else the full tokenizer.
      if (!this.hostReader.readCheckedHost(bytes)) this.hostReader.write(bytes);
      hosts = this.hostReader.takeHosts();
    } catch {
      throw this.changed();
    }
    if (hosts.length !== 1) throw this.changed();
    return hosts[0]!;
  }

  /**
   * Reads the hosts at [starts[i], ends[i]) at once, ahead of readHost: ranges less than PREFETCH_GAP apart
   * in one read, the others each in its own (a few hosts of a /16 are a few reads of a few kB, not one 1 MiB
   * window for each /24 they are in). Replaces what the last prefetch read.
   */
  prefetch(starts: number[], ends: number[]): void {
    const order = starts.map((_, i) => i).sort((i, j) => starts[i]! - starts[j]!);
    const ranges: [number, number][] = [];
    for (let k = 0; k < order.length;) {
      const start = starts[order[k]!]!;
      let end = ends[order[k]!]!;
      for (k++; k < order.length && starts[order[k]!]! - end < PREFETCH_GAP; k++)
        end = Math.max(end, ends[order[k]!]!);
      ranges.push([start, end]);
    }
    // One buffer for all of them, kept from one prefetch to the next (a new one each time would pile up
    // until a full collection: ~30 MB on a -v diff of two /16 scans).
    const total = ranges.reduce((sum, [start, end]) => sum + end - start, 0);
    if (this.prefetchBuffer.length < total)
      this.prefetchBuffer = Buffer.allocUnsafe(Math.max(total, 2 * this.prefetchBuffer.length));
    let at = 0;
    this.segments = ranges.map(([start, end]) => {
      const bytes = this.read(start, end, this.prefetchBuffer.subarray(at, at + end - start));
      at += end - start;
      return { start, bytes };
    });
  }

  private segments: { start: number; bytes: Buffer }[] = [];
  private prefetchBuffer = Buffer.alloc(0);

  /** File bytes [start, end), read now into `into` or a new buffer (a file that ends before is one that changed). */
  read(start: number, end: number, into?: Buffer): Buffer {
    const bytes = into ?? Buffer.allocUnsafe(end - start);
    let got = 0;
    while (got < bytes.length) {
      let n: number;
      try {
        n = readSync(this.fd, bytes, got, bytes.length - got, start + got);
      } catch (error) {
        throw new UserError(`can't read ${this.file}: ${fileProblem(error)}`);
      }
      if (n === 0) throw this.changed();
      got += n;
    }
    return bytes;
  }

  /** bytes [start, end) from the last prefetch, or null. */
  private prefetched(start: number, end: number): Buffer | null {
    const segments = this.segments;
    let lo = 0;
    let hi = segments.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const segment = segments[mid]!;
      if (start < segment.start) hi = mid - 1;
      else if (start >= segment.start + segment.bytes.length) lo = mid + 1;
      else
        return end <= segment.start + segment.bytes.length
          ? segment.bytes.subarray(start - segment.start, end - segment.start)
          : null;
    }
    return null;
  }

  /**
   * bytes [start, end) of the file: from the last prefetch, or through a window: hosts are asked for in
   * ndiff's order (by address string: .0, .1, .10, .100, ...), which jumps around within a few hundred kB of
   * the file, so one read of a 1 MiB window serves many (measured: 5,178 hosts of a /16 in ~60 reads instead
   * of 5,178).
   */
  private bytesAt(start: number, end: number): Buffer {
    const prefetched = this.segments.length > 0 ? this.prefetched(start, end) : null;
    if (prefetched) return prefetched;
    if (start < this.windowStart || end > this.windowStart + this.windowLength) {
      const from = Math.max(0, start - WINDOW / 4);
      const length = Math.max(WINDOW, end - from);
      if (this.window.length < length) this.window = Buffer.allocUnsafe(length);
      let got = 0;
      while (got < end - from) {
        let n: number;
        try {
          n = readSync(this.fd, this.window, got, length - got, from + got);
        } catch (error) {
          throw new UserError(`can't read ${this.file}: ${fileProblem(error)}`);
        }
        if (n === 0) throw this.changed();
        got += n;
      }
      this.windowStart = from;
      this.windowLength = got;
    }
    return this.window.subarray(start - this.windowStart, end - this.windowStart);
  }

  /** Throws a UserError unless the file is still the one `identity` describes. */
  expect(identity: FileIdentity): void {
    if (!sameIdentity(identityOf(this.fd), identity)) throw this.changed();
  }

  /** Closes the file; throws a UserError if it changed since it was opened (what was read may be wrong). */
  close(): void {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    let now: FileIdentity;
    try {
      now = identityOf(fd);
    } finally {
      closeSync(fd);
    }
    if (!sameIdentity(now, this.identity)) throw this.changed();
  }

  /** Closes the file without checking it (after an error, which matters more). */
  closeQuietly(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
  }

  private changed(): UserError {
    return new UserError(`${this.file} changed while it was being compared: run the diff again`);
  }
}

function identityOf(fd: number): FileIdentity {
  const { ino, size, mtimeMs } = fstatSync(fd);
  return { ino, size, mtimeMs };
}

function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}
