// The WebAssembly element check (wasm/element-check.as.ts) as fast-host-scan.ts and checked-host-reader.ts
// use it: one instance per pass (or reader), its memory holding the caller's buffer, so the check reads the
// file's bytes where they were read to.
import { Buffer } from 'node:buffer';
import { referencedCharacter } from './xml-tokenizer.ts';
import { WASM_BASE64 } from './wasm/element-check.wasm.ts';

const PAGE = 65536;
/** The check's limit on a tag's attributes, and the length of each row of ATTR_START (element-check.as.ts). */
const MAX_ATTRIBUTES = 64;

/** checkElement's and startTag's results below 0. */
export const MORE = -1;
export const GIVE_UP = -2;

/** The kinds of tag a host's id needs (ElementChecker.eventKind). */
export const ADDRESS_TAG = 1;
export const TIMES_TAG = 2;
export const HOSTNAME_TAG = 3;
export const OSMATCH_TAG = 4;

/** What attribute() gives (the rows of ATTR_START in element-check.as.ts). */
export const NAME_START = 0;
export const NAME_END = 1;
export const VALUE_START = 2;
export const VALUE_END = 3;
/** 0 when the value holds no reference, tab, line end or other quote (element-check.as.ts: VALUE_*). */
export const FLAGS = 4;
type AttributeField =
  typeof NAME_START | typeof NAME_END | typeof VALUE_START | typeof VALUE_END | typeof FLAGS;

interface Exports {
  memory: WebAssembly.Memory;
  BUFFER: WebAssembly.Global;
  OUT: WebAssembly.Global;
  EVENTS: WebAssembly.Global;
  ATTR_START: WebAssembly.Global;
  TOKENS: WebAssembly.Global;
  NAME_BYTES: WebAssembly.Global;
  init(): void;
  addName(table: number, id: number, at: number, length: number): number;
  checkElement(lt: number, len: number, host: number, tokens: number): number;
  startTag(lt: number, len: number, keep: number): number;
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
  private readonly attributesAt: number;
  /** Where the tokens start, in words of `words`. */
  readonly tokensAt: number;
  /** The module's memory as i32 words (a new view after it grows). */
  words: Int32Array;

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
    this.attributesAt = (this.exports.ATTR_START.value as number) >> 2;
    this.tokensAt = (this.exports.TOKENS.value as number) >> 2;
    this.buf = this.words = undefined as never;
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

  /** Makes room for `capacity` bytes (the bytes held so far stay where they are). */
  resize(capacity: number): void {
    // One page more than the buffer and its sentinel: the check may look a few bytes past the data.
    const pages = Math.ceil((this.base + capacity + 1) / PAGE) + 1;
    const have = this.memory.buffer.byteLength / PAGE;
    if (pages > have) this.memory.grow(pages - have);
    this.buf = Buffer.from(this.memory.buffer, this.base, capacity + 1);
    this.words = new Int32Array(this.memory.buffer);
  }

  /**
   * The element at buf[lt]: the position after it, MORE or GIVE_UP (see element-check.as.ts). With `tokens`,
   * its tokens are left in words from tokensAt on (tokenWords of them; CheckedHostReader reads them).
   */
  checkElement(lt: number, len: number, host: boolean, tokens = false): number {
    return this.exports.checkElement(lt, len, host ? 1 : 0, tokens ? 1 : 0);
  }

  get tokenWords(): number {
    return this.words[this.outAt + 5]!;
  }

  /**
   * The start tag at buf[lt]: the position after it, MORE or GIVE_UP. Then nameEnd and attributes tell
   * where its name ends and how many attributes it has; with `keep`, attribute(i, field) where each is.
   */
  startTag(lt: number, len: number, keep: boolean): number {
    return this.exports.startTag(lt, len, keep ? 1 : 0);
  }

  get nameEnd(): number {
    return this.words[this.outAt + 3]!;
  }

  get attributes(): number {
    return this.words[this.outAt + 4]!;
  }

  /** Attribute i of the last tag startTag kept: where its name starts and ends, its value starts and ends, its flags. */
  attribute(i: number, field: AttributeField): number {
    return this.words[this.attributesAt + MAX_ATTRIBUTES * field + i]!;
  }

  /** Where the content of the element checkElement last checked starts. */
  get contentStart(): number {
    return this.words[this.outAt]!;
  }

  /** Where the end tag of the host checkElement last checked starts. */
  get hostEnd(): number {
    return this.words[this.outAt + 1]!;
  }

  /** How many tags the last host has in events. */
  get events(): number {
    return this.words[this.outAt + 2]!;
  }

  /** Event i of the last host: its kind (ADDRESS_TAG...), where its '<' is, where it ends. */
  eventKind(i: number): number {
    return this.words[this.eventsAt + 4 * i]!;
  }
  eventStart(i: number): number {
    return this.words[this.eventsAt + 4 * i + 1]!;
  }
  eventEnd(i: number): number {
    return this.words[this.eventsAt + 4 * i + 2]!;
  }
}
