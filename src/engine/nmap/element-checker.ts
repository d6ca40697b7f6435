// The WebAssembly element check (wasm/element-check.as.ts) as fast-host-scan.ts and checked-host-reader.ts
// use it: one instance per pass (or reader), its memory holding the caller's buffer, so the check reads the
// file's bytes where they were read to.
import { Buffer } from 'node:buffer';
import { referencedCharacter } from './xml-tokenizer.ts';
import { WASM_BASE64 } from './wasm/element-check.wasm.ts';

const PAGE = 65536;
/** The i32 words of an event (EVENT_WORDS), and where its values and their flags are in it (noteValues). */
const EVENT_WORDS = 12;
const EVENT_VALUES = 4;
const EVENT_FLAGS = 10;

/** The words at OUT (element-check.as.ts's OUT_*), by their index. */
const OUT_CONTENT_START = 0;
const OUT_HOST_END = 1;
const OUT_EVENTS = 2;
const OUT_NAME_END = 3;
const OUT_TOKENS = 5;
const OUT_KEY_LENGTH = 6;
const OUT_REFERENCE_GT = 7;
const OUT_REFERENCE_TIMES = 8;
const OUT_REFERENCE_TIMES_END = 9;
const OUT_HOSTS_STOP = 10;
const OUT_REFERENCE_NEXT = 11;
/** checkHosts' record of a host: HOST_WORDS i32 (element-check.as.ts's HOST_*, in this order). */
const HOST_WORDS = 8;
/** Records at most (element-check.as.ts MAX_HOSTS); a known reference host's words (KNOWN_WORDS). */
const MAX_HOSTS = 2048;
const KNOWN_WORDS = 4;

/** The words of a host's record (ElementChecker.host), as element-check.as.ts's HOST_*. */
export const HOST_LT = 0;
export const HOST_END = 1;
export const HOST_CONTENT = 2;
export const HOST_CLOSE = 3;
export const HOST_TIMES = 4;
export const HOST_TIMES_END = 5;
/** The length of its id (0: it has none). */
export const HOST_KEY_LENGTH = 6;
/** 1 if it has an <osmatch> with a name in an <os>. */
export const HOST_OSMATCH = 7;
/** The words of a compareHosts record (host(i, REPEAT_...)): where the host is, then its reference's shape. */
export const REPEAT_LT = 0;
export const REPEAT_END = 1;
export const REPEAT_REFERENCE = 2;
export const REPEAT_REFERENCE_CONTENT = 3;
export const REPEAT_REFERENCE_TIMES = 4;
export const REPEAT_REFERENCE_TIMES_END = 5;
export const REPEAT_REFERENCE_END = 6;
type HostWord = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** checkElement's and startTag's results below 0. */
export const MORE = -1;
export const GIVE_UP = -2;

/** The kinds of tag a host's id needs (ElementChecker.eventKind). */
export const ADDRESS_TAG = 1;
export const TIMES_TAG = 2;
export const HOSTNAME_TAG = 3;
export const OSMATCH_TAG = 4;

interface Exports {
  memory: WebAssembly.Memory;
  BUFFER: WebAssembly.Global;
  OUT: WebAssembly.Global;
  EVENTS: WebAssembly.Global;
  TOKENS: WebAssembly.Global;
  NAME_BYTES: WebAssembly.Global;
  KEY: WebAssembly.Global;
  HOSTS: WebAssembly.Global;
  HOST_KEYS: WebAssembly.Global;
  KNOWN: WebAssembly.Global;
  init(): void;
  checkHosts(from: number, len: number, limit: number): number;
  compareHosts(
    from: number,
    len: number,
    limit: number,
    next: number,
    windowEnd: number,
    known: number,
  ): number;
  addName(table: number, id: number, at: number, length: number): number;
  checkElement(lt: number, len: number, host: number, tokens: number): number;
  startTag(lt: number, len: number, keep: number): number;
  referenceHost(start: number, len: number): number;
  sameRange(a: number, b: number, length: number): number;
}

/** Compiled once per thread, on first use (a few kB: well under a millisecond). */
let compiled: WebAssembly.Module | undefined;

export class ElementChecker {
  /** The pass's buffer: `capacity` bytes, plus one for the sentinel, in the module's memory. */
  buf: Buffer;
  private readonly memory: WebAssembly.Memory;
  private readonly exports: Exports;
  private readonly base: number;
  private readonly outAt: number;
  private readonly eventsAt: number;
  /** Where the tokens start, in words of `words`. */
  readonly tokensAt: number;
  /** Where checkHosts' records start, in words of `words`. */
  private readonly hostsAt: number;
  /** Where compareHosts' known reference hosts start, in words of `words`. */
  private readonly knownAt: number;
  /** The module's memory as i32 words (a new view after it grows). */
  words: Int32Array;
  /** The module's memory as bytes from KEY on (a new view after it grows). */
  private keyBytes: Buffer;
  /** The module's memory as bytes from HOST_KEYS on (a new view after it grows). */
  private hostKeyBytes: Buffer;
  /** buf's size, without the sentinel. */
  private capacity = 0;
  /**
   * Room for a second file's window after buf (reserveWindow; reference-hosts.ts), so that one call compares
   * bytes of both (sameRange): where it starts (from BUFFER, as every position given to the check), its bytes
   * (a new view after the memory grows), and a count of its moves (when buf grows, the window moves after it
   * and what it held is gone).
   */
  windowAt = 0;
  window: Buffer = Buffer.alloc(0);
  windowMoves = 0;
  private windowRoom = 0;
  /** Called when buf and window are new views (the memory grew): whoever keeps buf takes the new one. */
  onResize: (() => void) | undefined;

  constructor(capacity: number) {
    compiled ??= new WebAssembly.Module(Buffer.from(WASM_BASE64, 'base64'));
    this.memory = new WebAssembly.Memory({ initial: 1 });
    const instance = new WebAssembly.Instance(compiled, {
      env: {
        memory: this.memory,
        // A reference other than the five named ones (&#N;, say): the full reader's own rule.
        referenceAllowed: (start: number, end: number) =>
          referencedCharacter(this.buf.toString('latin1', start, end)) === undefined ? 0 : 1,
      },
    });
    this.exports = instance.exports as unknown as Exports;
    this.base = this.exports.BUFFER.value as number;
    this.outAt = (this.exports.OUT.value as number) >> 2;
    this.eventsAt = (this.exports.EVENTS.value as number) >> 2;
    this.tokensAt = (this.exports.TOKENS.value as number) >> 2;
    this.hostsAt = (this.exports.HOSTS.value as number) >> 2;
    this.knownAt = (this.exports.KNOWN.value as number) >> 2;
    this.buf = this.words = this.keyBytes = this.hostKeyBytes = undefined as never;
    this.resize(capacity);
    this.exports.init();
  }

  /** Where the next name's bytes go (addNames), from NAME_BYTES. */
  private namesLength = 0;

  /**
   * Gives the check the full reader's names (its START_TOKENs then carry their ids): table 0 for elements, 1
   * for attributes. Names past ASCII are left out (the check takes only ASCII names).
   */
  addNames(table: 0 | 1, names: readonly (string | undefined)[]): void {
    const base = this.exports.NAME_BYTES.value as number;
    const bytes = new Uint8Array(this.memory.buffer);
    names.forEach((name, id) => {
      if (name === undefined || !/^[\x21-\x7e]+$/.test(name)) return;
      const at = this.namesLength;
      bytes.set(Buffer.from(name, 'latin1'), base + at);
      if (!this.exports.addName(table, id, at, name.length))
        throw new Error('the reader has more names than the element check holds');
      this.namesLength += name.length;
    });
  }

  /** Makes room for `capacity` bytes (the bytes held so far stay where they are; the window's do not). */
  resize(capacity: number): void {
    this.capacity = capacity;
    // A page after the buffer and its sentinel (the check may look a few bytes past the data), then the window
    // (and a page after it, for the same reason), if there is one.
    const windowAt = this.windowRoom > 0 ? Math.ceil((capacity + 1) / PAGE) * PAGE + PAGE : 0;
    const end = this.windowRoom > 0 ? windowAt + this.windowRoom : capacity + 1;
    const pages = Math.ceil((this.base + end) / PAGE) + 1;
    const have = this.memory.buffer.byteLength / PAGE;
    if (pages > have) this.memory.grow(pages - have);
    this.buf = Buffer.from(this.memory.buffer, this.base, capacity + 1);
    this.words = new Int32Array(this.memory.buffer);
    this.keyBytes = Buffer.from(this.memory.buffer, this.exports.KEY.value as number);
    this.hostKeyBytes = Buffer.from(this.memory.buffer, this.exports.HOST_KEYS.value as number);
    if (windowAt !== this.windowAt) this.windowMoves++;
    this.windowAt = windowAt;
    this.window = Buffer.from(this.memory.buffer, this.base + windowAt, this.windowRoom);
    this.onResize?.();
  }

  /**
   * Makes room for a window of `room` bytes after buf (what it holds stays). Only as much as is used: the
   * memory's size counts as memory V8 does not manage, and a few MB reserved ahead made it collect the
   * worker's heap early (~14 ms).
   */
  reserveWindow(room: number): void {
    if (room <= this.windowRoom) return;
    this.windowRoom = room;
    this.resize(this.capacity);
  }

  /** Whether the `length` bytes at positions a and b (of buf or the window) are the same. */
  sameRange(a: number, b: number, length: number): boolean {
    return this.exports.sameRange(a, b, length) !== 0;
  }

  /**
   * The element at buf[lt]: the position after it, MORE or GIVE_UP (see element-check.as.ts). With `tokens`,
   * its tokens are left in words from tokensAt on (tokenWords of them; CheckedHostReader reads them).
   */
  checkElement(lt: number, len: number, host: boolean, tokens = false): number {
    return this.exports.checkElement(lt, len, host ? 1 : 0, tokens ? 1 : 0);
  }

  /**
   * checkElement for a host, which also writes its ndiff id (ndiffHostId), when ndiffId() has it: the same
   * string, without the host's addresses and names as objects.
   */
  checkHostWithId(lt: number, len: number): number {
    return this.exports.checkElement(lt, len, 2, 0);
  }

  /**
   * The ndiff id of the host checkHostWithId last checked: null when it has none; undefined when the check
   * left it to the caller (keyOf on the host's addresses and names): a value past ASCII, with references...
   */
  ndiffId(): string | null | undefined {
    const length = this.words[this.outAt + OUT_KEY_LENGTH]!;
    return length < 0 ? undefined : length === 0 ? null : this.keyBytes.toString('latin1', 0, length);
  }

  /**
   * checkHostWithId for the plain hosts from buf[from] on, in one call (see element-check.as.ts checkHosts):
   * how many it checked, each then read with host(i, field) and hostKey; hostsStop tells where it stopped.
   * Nothing past `limit` is started.
   */
  checkHosts(from: number, len: number, limit: number): number {
    return this.exports.checkHosts(from, len, limit);
  }

  /**
   * The hosts from buf[from] on that repeat the reference's next hosts, found from window position `next`, or
   * the `known` ones given by setKnown (see element-check.as.ts compareHosts), in one call: how many, each then
   * read with host(i, REPEAT_...); hostsStop tells where it stopped here, referenceNext where the reference's
   * next host starts.
   */
  compareHosts(from: number, len: number, limit: number, next: number, windowEnd: number, known = 0): number {
    return this.exports.compareHosts(from, len, limit, next, windowEnd, known);
  }

  /** How many known reference hosts compareHosts takes at most. */
  readonly maxKnown = MAX_HOSTS;

  /**
   * Known reference host k for compareHosts (positions as the window's, from BUFFER): where its content starts,
   * where its <times/> starts and ends (-1, -1 without), where it ends.
   */
  setKnown(k: number, content: number, times: number, timesEnd: number, end: number): void {
    const w = this.knownAt + KNOWN_WORDS * k;
    this.words[w] = content;
    this.words[w + 1] = times;
    this.words[w + 2] = timesEnd;
    this.words[w + 3] = end;
  }

  get referenceNext(): number {
    return this.words[this.outAt + OUT_REFERENCE_NEXT]!;
  }

  get hostsStop(): number {
    return this.words[this.outAt + OUT_HOSTS_STOP]!;
  }

  /** Word k (HOST_LT... or REPEAT_...) of host i of the last checkHosts or compareHosts. */
  host(i: number, k: HostWord): number {
    return this.words[this.hostsAt + HOST_WORDS * i + k]!;
  }

  /** The id of a host of the last checkHosts: `length` bytes `offset` bytes into their ids. */
  hostKey(offset: number, length: number): string {
    return this.hostKeyBytes.toString('latin1', offset, offset + length);
  }

  get tokenWords(): number {
    return this.words[this.outAt + OUT_TOKENS]!;
  }

  /**
   * The start tag at buf[lt]: the position after it, MORE or GIVE_UP. Then nameEnd tells where its name
   * ends.
   */
  startTag(lt: number, len: number): number {
    return this.exports.startTag(lt, len, 0);
  }

  get nameEnd(): number {
    return this.words[this.outAt + OUT_NAME_END]!;
  }

  /**
   * The host element at buf[start], found by its tags alone (reference-hosts.ts): where its '</host>' starts,
   * -1 when that is not before `len`, -2 when no host starts there. Then referenceGt, referenceTimes and
   * referenceTimesEnd tell where its start tag's '>' is and where its <times/> starts and ends (-1 without).
   */
  referenceHost(start: number, len: number): number {
    return this.exports.referenceHost(start, len);
  }

  get referenceGt(): number {
    return this.words[this.outAt + OUT_REFERENCE_GT]!;
  }

  get referenceTimes(): number {
    return this.words[this.outAt + OUT_REFERENCE_TIMES]!;
  }

  get referenceTimesEnd(): number {
    return this.words[this.outAt + OUT_REFERENCE_TIMES_END]!;
  }

  /** Where the content of the element checkElement last checked starts. */
  get contentStart(): number {
    return this.words[this.outAt + OUT_CONTENT_START]!;
  }

  /** Where the end tag of the host checkElement last checked starts. */
  get hostEnd(): number {
    return this.words[this.outAt + OUT_HOST_END]!;
  }

  /** How many tags the last host has in events. */
  get events(): number {
    return this.words[this.outAt + OUT_EVENTS]!;
  }

  /** Event i of the last host: its kind (ADDRESS_TAG...), where its '<' is, where it ends. */
  eventKind(i: number): number {
    return this.words[this.eventsAt + EVENT_WORDS * i]!;
  }
  eventStart(i: number): number {
    return this.words[this.eventsAt + EVENT_WORDS * i + 1]!;
  }
  eventEnd(i: number): number {
    return this.words[this.eventsAt + EVENT_WORDS * i + 2]!;
  }

  /**
   * Where value v of event i starts (-1: the tag has no such attribute); valueEnd, where it ends. The values
   * are, for ADDRESS_TAG: addr, addrtype, vendor; HOSTNAME_TAG: name, type; OSMATCH_TAG: name.
   */
  valueStart(i: number, v: number): number {
    return this.words[this.eventsAt + EVENT_WORDS * i + EVENT_VALUES + 2 * v]!;
  }
  valueEnd(i: number, v: number): number {
    return this.words[this.eventsAt + EVENT_WORDS * i + EVENT_VALUES + 2 * v + 1]!;
  }

  /** The FLAGS of event i's values, or'd (0 for OSMATCH_TAG). */
  valueFlags(i: number): number {
    return this.words[this.eventsAt + EVENT_WORDS * i + EVENT_FLAGS]!;
  }
}
