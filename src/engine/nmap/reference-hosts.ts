// The hosts of a scan as a second scan of the same network is compared against, byte for byte: found by
// their tags alone (nmap writes each <host> at a line start, its <times/> just before </host>), nothing checked.
// What is found here is only a guess: each guess a scan relies on is compared afterwards with the places
// the checking pass (fast-host-scan.ts) found in the same file (digest-pair.ts, fillRepeats), and a guess
// that does not match means that scan is read again without it.
import { Buffer } from 'node:buffer';
import { readSync } from 'node:fs';

/** Where a host element's parts are in its file: [start, contentStart, timesStart, timesEnd, end). */
export const SHAPE_FIELDS = 5;

const HOST_LINE = Buffer.from('\n<host ');
const HOST_END = Buffer.from('</host>');
const TIMES = Buffer.from('<times');
const GT = 0x3e;
const WINDOW = 2 << 20;

export class ReferenceHosts {
  private readonly fd: number;
  private readonly size: number;
  /** SHAPE_FIELDS numbers a host, for the hosts found so far (timesStart, timesEnd: -1 without <times/>). */
  private shapes = new Float64Array(SHAPE_FIELDS * 1024);
  private count = 0;
  private done = false;
  private next: number;
  /** bytes [windowStart, windowStart + windowLength) of the file. */
  readonly window = Buffer.allocUnsafe(WINDOW);
  windowStart = 0;
  private windowLength = 0;

  constructor(fd: number, size: number) {
    this.fd = fd;
    this.size = size;
    this.load(0);
    const first = this.window.subarray(0, this.windowLength).indexOf(HOST_LINE);
    this.next = first === -1 ? size : first + 1;
  }

  /** Whether host j was found (looking on as far as it takes); then field(j, k) reads its shape. */
  has(j: number): boolean {
    while (j >= this.count && !this.done) this.findNext();
    return j >= 0 && j < this.count;
  }

  /** Field k (0 to SHAPE_FIELDS - 1, in the order of SHAPE_FIELDS' doc) of host j's shape. */
  field(j: number, k: number): number {
    return this.shapes[SHAPE_FIELDS * j + k]!;
  }

  /** The shapes found, SHAPE_FIELDS numbers a host (a copy: posted to another thread). */
  takeShapes(): Float64Array {
    return this.shapes.slice(0, SHAPE_FIELDS * this.count);
  }

  /** Makes file bytes [start, end) available in window (false if they are not within one window). */
  cover(start: number, end: number): boolean {
    if (start >= this.windowStart && end <= this.windowStart + this.windowLength) return true;
    if (end - start > WINDOW) return false;
    this.load(start);
    return end <= this.windowStart + this.windowLength;
  }

  private load(from: number): void {
    let got = 0;
    while (got < WINDOW && from + got < this.size) {
      const n = readSync(this.fd, this.window, got, WINDOW - got, from + got);
      if (n === 0) break;
      got += n;
    }
    this.windowStart = from;
    this.windowLength = got;
    this.view = this.window.subarray(0, got);
  }

  /** window[0, windowLength). */
  private view = this.window;

  private findNext(): void {
    const start = this.next;
    if (start + 6 > this.size) {
      this.done = true;
      return;
    }
    if (start < this.windowStart || start + 6 > this.windowStart + this.windowLength) this.load(start);
    let close = this.find(HOST_END, start);
    // A host cut by the window's end: the window moves to its start.
    if (close === -1 && this.windowStart < start && this.windowStart + this.windowLength < this.size) {
      this.load(start);
      close = this.find(HOST_END, start);
    }
    const w = this.window;
    const at = start - this.windowStart;
    if (close === -1 || !isHostTag(w, at)) {
      this.done = true;
      return;
    }
    // The start tag's '>' and the last '<times' before </host>: near, found by a loop (a native call costs
    // more than the few bytes it would look at).
    let gt = at + 6;
    while (gt < close && w[gt] !== GT) gt++;
    let times = close - 1;
    while (times > gt && !(w[times] === 0x3c && w[times + 1] === 0x74 && startsWithTimes(w, times))) times--;
    let timesClose = times + 6;
    while (timesClose < close && w[timesClose] !== GT) timesClose++;
    const hasTimes = times > gt && w[timesClose - 1] === 0x2f && timesClose < close;
    if (gt >= close) {
      this.done = true;
      return;
    }
    if (this.shapes.length < SHAPE_FIELDS * (this.count + 1)) {
      const bigger = new Float64Array(this.shapes.length * 2);
      bigger.set(this.shapes);
      this.shapes = bigger;
    }
    const base = this.windowStart;
    const s = SHAPE_FIELDS * this.count++;
    this.shapes[s] = start;
    this.shapes[s + 1] = base + gt + 1;
    this.shapes[s + 2] = hasTimes ? base + times : -1;
    this.shapes[s + 3] = hasTimes ? base + timesClose + 1 : -1;
    this.shapes[s + 4] = base + close + HOST_END.length;
    // The next host: after the line end that follows this one.
    let p = close + HOST_END.length;
    while (p < this.windowLength && (w[p] === 10 || w[p] === 13)) p++;
    this.next = base + p;
  }

  /** indexOf(what) in the window from file offset `from`, as a position in the window (-1: not there). */
  private find(what: Buffer, from: number): number {
    return this.view.indexOf(what, from - this.windowStart);
  }
}

function startsWithTimes(b: Buffer, at: number): boolean {
  for (let k = 0; k < TIMES.length; k++) if (b[at + k] !== TIMES[k]) return false;
  return true;
}

function isHostTag(b: Buffer, at: number): boolean {
  return (
    b[at] === 0x3c &&
    b[at + 1] === 0x68 &&
    b[at + 2] === 0x6f &&
    b[at + 3] === 0x73 &&
    b[at + 4] === 0x74 &&
    (b[at + 5] === 0x20 || b[at + 5] === 0x3e)
  );
}

/**
 * Where the first line that starts with '<host' at or after byte `offset` starts (-1: none in the next
 * 64 kB): a guess at a host's start, for splitting a file between two passes (a head that stops there must
 * find an element starting exactly there, or it goes on).
 */
export function hostLineAfter(fd: number, offset: number): number {
  const bytes = Buffer.allocUnsafe(64 << 10);
  const n = readSync(fd, bytes, 0, bytes.length, offset);
  const at = bytes.subarray(0, n).indexOf(HOST_LINE);
  return at === -1 ? -1 : offset + at + 1;
}
