// The hosts of a scan as a second scan of the same network is compared against, byte for byte: found by
// their tags alone (nmap writes each <host> at a line start, its <times/> just before </host>), nothing checked.
// What is found here is only a guess: each guess a scan relies on is compared afterwards with the places
// the checking pass (fast-host-scan.ts) found in the same file (digest-pair.ts, fillRepeats), and a guess
// that does not match means that scan is read again without it. A thread that has checked the scan itself
// gives the hosts as it found them instead (the constructor's `known`): nothing is guessed then.
import { Buffer } from 'node:buffer';
import { readSync } from 'node:fs';
import {
  REPEAT_REFERENCE,
  REPEAT_REFERENCE_CONTENT,
  REPEAT_REFERENCE_END,
  REPEAT_REFERENCE_TIMES,
  REPEAT_REFERENCE_TIMES_END,
  type ElementChecker,
} from './element-checker.ts';

/** Where a host element's parts are in its file: [start, contentStart, timesStart, timesEnd, end). */
export const SHAPE_FIELDS = 5;

const HOST_LINE = Buffer.from('\n<host ');
const HOST_END_LENGTH = '</host>'.length;
/**
 * The window's size: 128 kB stays in a core's L2 cache, into which the kernel copies a read ~4x faster than
 * into 2 MiB (measured: the bench's 62 MB scan's hosts found in ~12 ms against ~50). It grows for a host
 * that does not fit, up to MAX_WINDOW.
 */
const WINDOW = 128 << 10;
const MAX_WINDOW = 16 << 20;

export class ReferenceHosts {
  private readonly fd: number;
  private readonly size: number;
  /** SHAPE_FIELDS numbers a host, for the hosts found so far (timesStart, timesEnd: -1 without <times/>). */
  private shapes: Float64Array = new Float64Array(SHAPE_FIELDS * 1024);
  private count = 0;
  private done = false;
  private next = -1;
  /**
   * The check of the pass that compares with these hosts (attach): the window is in its memory, after the
   * pass's buffer, so that one WebAssembly call compares a host with its reference (sameRange); and it finds
   * each host's tags (a loop over ~1 kB a host).
   */
  private checker: ElementChecker | undefined;
  /** The window holds bytes [windowStart, windowStart + windowLength) of the file (windowSize at most). */
  windowStart = 0;
  private windowLength = 0;
  private windowSize = WINDOW;
  /** Whether the hosts were given (the constructor's `known`), not found here. */
  private readonly known: boolean;
  /** The checker's windowMoves when the window was read (a move loses what it held). */
  private windowRead = -1;

  /**
   * The hosts of the scan in `fd`, found as they are asked for; or, with `known`, these hosts (SHAPE_FIELDS
   * numbers a host, as a checking pass found them: no guess then).
   */
  constructor(fd: number, size: number, known?: Float64Array) {
    this.fd = fd;
    this.size = size;
    this.known = known !== undefined;
    if (known) {
      // Nothing to find: the window is read where a host is compared (cover).
      this.shapes = known;
      this.count = known.length / SHAPE_FIELDS;
      this.done = true;
      this.next = size;
    }
  }

  /** Puts the window in the memory of `checker`, the check of the pass that compares with these hosts. */
  attach(checker: ElementChecker): void {
    this.checker = checker;
    checker.reserveWindow(this.windowSize);
    this.windowLength = 0;
    if (this.next >= 0) return;
    this.load(0);
    const first = this.bytes().indexOf(HOST_LINE);
    this.next = first === -1 ? this.size : first + 1;
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

  /**
   * Where host j starts in the checker's memory, when it is the next to find and starts in the window (then
   * compareHosts may find it, and those after it, itself: takeCompared takes them); else -1.
   */
  nextAt(j: number): number {
    const checker = this.checker!;
    if (j !== this.count || this.done || this.windowRead !== checker.windowMoves) return -1;
    if (this.next < this.windowStart || this.next >= this.windowStart + this.windowLength) return -1;
    return checker.windowAt + this.next - this.windowStart;
  }

  /**
   * For compareHosts with known hosts (the constructor's `known`): hosts j, j + 1, ... that lie in the window
   * (moved to host j's content first), given to the checker (setKnown); how many (0: none, or the hosts are
   * found here, not known).
   */
  knownFrom(j: number): number {
    if (!this.known || j < 0 || j >= this.count) return 0;
    if (!this.cover(this.field(j, 1), this.field(j, 4))) return 0;
    const checker = this.checker!;
    const from = this.windowStart;
    const to = from + this.windowLength;
    const at = checker.windowAt - from;
    let k = 0;
    for (; k < checker.maxKnown && j + k < this.count; k++) {
      const s = SHAPE_FIELDS * (j + k);
      const content = this.shapes[s + 1]!;
      const end = this.shapes[s + 4]!;
      if (content < from || end > to) break;
      const times = this.shapes[s + 2]!;
      const timesEnd = this.shapes[s + 3]!;
      checker.setKnown(
        k,
        at + content,
        times < 0 ? -1 : at + times,
        times < 0 ? -1 : at + timesEnd,
        at + end,
      );
    }
    return k;
  }

  /** Where the window's bytes end in the checker's memory. */
  windowEnd(): number {
    return this.checker!.windowAt + this.windowLength;
  }

  /** Takes the `hosts` hosts the checker's last compareHosts found (its records), as findNext would. */
  takeCompared(hosts: number): void {
    const checker = this.checker!;
    this.reserve(this.count + hosts);
    const base = this.windowStart - checker.windowAt;
    for (let i = 0; i < hosts; i++) {
      const s = SHAPE_FIELDS * this.count++;
      const times = checker.host(i, REPEAT_REFERENCE_TIMES);
      this.shapes[s] = base + checker.host(i, REPEAT_REFERENCE);
      this.shapes[s + 1] = base + checker.host(i, REPEAT_REFERENCE_CONTENT);
      this.shapes[s + 2] = times < 0 ? -1 : base + times;
      this.shapes[s + 3] = times < 0 ? -1 : base + checker.host(i, REPEAT_REFERENCE_TIMES_END);
      this.shapes[s + 4] = base + checker.host(i, REPEAT_REFERENCE_END);
    }
    this.next = base + checker.referenceNext;
  }

  /** Room for `hosts` shapes. */
  private reserve(hosts: number): void {
    if (this.shapes.length >= SHAPE_FIELDS * hosts) return;
    const bigger = new Float64Array(Math.max(this.shapes.length * 2, SHAPE_FIELDS * hosts));
    bigger.set(this.shapes);
    this.shapes = bigger;
  }

  /** The shapes found, SHAPE_FIELDS numbers a host (a copy: posted to another thread). */
  takeShapes(): Float64Array {
    return this.shapes.slice(0, SHAPE_FIELDS * this.count);
  }

  /** Makes file bytes [start, end) available in the window (false if they are not within one window). */
  cover(start: number, end: number): boolean {
    if (this.windowRead !== this.checker!.windowMoves) this.windowLength = 0;
    if (start >= this.windowStart && end <= this.windowStart + this.windowLength) return true;
    if (end - start > this.windowSize) return false;
    this.load(start);
    return end <= this.windowStart + this.windowLength;
  }

  /** Where file byte `offset` (covered) is for the checker: a position to give it, as buf's are. */
  at(offset: number): number {
    return this.checker!.windowAt + offset - this.windowStart;
  }

  /** What the window holds. */
  private bytes(): Buffer {
    return this.checker!.window.subarray(0, this.windowLength);
  }

  private load(from: number): void {
    const checker = this.checker!;
    const window = checker.window;
    let got = 0;
    const size = this.windowSize;
    while (got < size && from + got < this.size) {
      const n = readSync(this.fd, window, got, size - got, from + got);
      if (n === 0) break;
      got += n;
    }
    this.windowStart = from;
    this.windowLength = got;
    this.windowRead = checker.windowMoves;
  }

  private findNext(): void {
    const start = this.next;
    if (start + 6 > this.size) {
      this.done = true;
      return;
    }
    const checker = this.checker!;
    this.cover(start, start + 6);
    const at = checker.windowAt;
    let close = checker.referenceHost(at + start - this.windowStart, at + this.windowLength);
    // A host cut by the window's end: the window moves to its start, and grows if the host fills it.
    while (close === -1 && this.windowStart + this.windowLength < this.size) {
      if (this.windowStart === start) {
        if (2 * this.windowSize > MAX_WINDOW) break;
        this.windowSize *= 2;
        checker.reserveWindow(this.windowSize); // the pass takes the memory's new views (onResize)
      }
      this.load(start);
      close = checker.referenceHost(at, at + this.windowLength);
    }
    if (close < 0) {
      this.done = true;
      return;
    }
    this.reserve(this.count + 1);
    // The check's positions are from BUFFER: the file's, from the window's start.
    const base = this.windowStart - at;
    const times = checker.referenceTimes;
    const s = SHAPE_FIELDS * this.count++;
    this.shapes[s] = start;
    this.shapes[s + 1] = base + checker.referenceGt + 1;
    this.shapes[s + 2] = times < 0 ? -1 : base + times;
    this.shapes[s + 3] = times < 0 ? -1 : base + checker.referenceTimesEnd;
    this.shapes[s + 4] = base + close + HOST_END_LENGTH;
    // The next host: after the line end that follows this one.
    const w = checker.window;
    let p = close - at + HOST_END_LENGTH;
    while (p < this.windowLength && (w[p] === 10 || w[p] === 13)) p++;
    this.next = this.windowStart + p;
  }
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
