// One host element read again (a pair's hosts, after the byte-level pass found them), with its tokens found by
// the WebAssembly check (element-check.as.ts) instead of the full tokenizer: the check runs on the bytes read
// again, and only if it accepts them (the strict subset fast-host-scan.ts documents) and they are ASCII (so a
// byte's offset is its character's, in one latin1 string of the host) are its tokens given to the full
// reader's handler (parse.ts RunBuilder), through the same TagReader the full tokenizer gives it. Anything
// else (a host with UTF-8 in it, bytes outside the subset, a file changed since) is left to the full
// tokenizer, which reads or refuses it as before.
//
// Why: in a diff where every host differs, re-reading the hosts is most of the time, and the full
// tokenizer's share of it was ~55% (a JavaScript scan of the decoded text, every name hashed and looked up,
// every value's end found): the check already reads every byte, so it leaves the tokens as it goes.
import { Buffer, isAscii } from 'node:buffer';
import { ElementChecker } from './element-checker.ts';
import {
  plainDigits,
  plainValueIs,
  referencedCharacter,
  XmlError,
  type NameTable,
  type TagReader,
  type XmlHandler,
} from './xml-tokenizer.ts';

// Token kinds and flags, as element-check.as.ts writes them.
const START_TOKEN = 1;
const END_TOKEN = 2;
const TEXT_TOKEN = 3;
const MAX_ATTRIBUTES = 64;
/** The check's nesting limit, and the element the host is in. */
const MAX_DEPTH = 64 + 1;

export class CheckedHostReader implements TagReader {
  depth = 0;
  captureText = false;
  attrCount = 0;
  readonly attrId = new Int32Array(MAX_ATTRIBUTES);
  tagStart = 0;
  tagEnd = 0;

  private readonly valueStart = new Int32Array(MAX_ATTRIBUTES);
  private readonly valueEnd = new Int32Array(MAX_ATTRIBUTES);
  private readonly valueFlags = new Int32Array(MAX_ATTRIBUTES);
  private readonly stack = new Int32Array(MAX_DEPTH + 1);
  private nameStart = 0;
  private nameEnd = 0;
  /** The host, as text (ASCII: its offsets are the bytes'). */
  private text = '';
  private checker: ElementChecker | undefined;
  private readonly handler: XmlHandler;
  private readonly elements: NameTable;
  private readonly attributes: NameTable;
  private readonly parent: number;

  /** `parent`: the id of the element the hosts are in (<nmaprun>). */
  constructor(handler: XmlHandler, elements: NameTable, attributes: NameTable, parent: number) {
    this.handler = handler;
    this.elements = elements;
    this.attributes = attributes;
    this.parent = parent;
  }

  /**
   * Reads the host element `bytes` (nothing before or after it) into the handler; false, having told the
   * handler nothing, when the check does not accept it.
   */
  read(bytes: Buffer): boolean {
    // The check takes the element at a '<' it is given: the bytes must start with one.
    if (bytes[0] !== 0x3c || !isAscii(bytes)) return false;
    const checker = this.checkerFor(bytes.length);
    bytes.copy(checker.buf, 0);
    checker.buf[bytes.length] = 0; // the check's sentinel
    if (checker.checkElement(0, bytes.length, true, true) !== bytes.length) return false;
    this.text = bytes.toString('latin1');
    try {
      this.dispatch(checker);
    } finally {
      this.text = '';
    }
    return true;
  }

  private checkerFor(length: number): ElementChecker {
    if (!this.checker) {
      this.checker = new ElementChecker(Math.max(length, 1 << 16));
      this.checker.addNames(0, this.elements.names);
      this.checker.addNames(1, this.attributes.names);
    } else if (this.checker.buf.length <= length) this.checker.resize(length * 2);
    return this.checker;
  }

  /** The tokens to the handler, as XmlTokenizer reports them (depth: the parent's, during each call). */
  private dispatch(checker: ElementChecker): void {
    const w = checker.words;
    const handler = this.handler;
    const stack = this.stack;
    stack[0] = this.parent;
    this.depth = 1;
    this.captureText = false;
    const end = checker.tokensAt + checker.tokenWords;
    for (let k = checker.tokensAt; k < end;) {
      const kind = w[k]!;
      if (kind === START_TOKEN) {
        this.tagStart = w[k + 1]!;
        this.tagEnd = w[k + 2]!;
        this.nameStart = w[k + 3]!;
        this.nameEnd = w[k + 4]!;
        const id = w[k + 5]!;
        const selfClosing = w[k + 6] === 1;
        const n = w[k + 7]!;
        k += 8;
        for (let i = 0; i < n; i++, k += 4) {
          this.attrId[i] = w[k]!;
          this.valueStart[i] = w[k + 1]!;
          this.valueEnd[i] = w[k + 2]!;
          this.valueFlags[i] = w[k + 3]!;
        }
        this.attrCount = n;
        handler.startElement(id);
        if (selfClosing) handler.endElement(id);
        else stack[this.depth++] = id;
      } else if (kind === END_TOKEN) {
        this.tagStart = w[k + 1]!;
        this.tagEnd = w[k + 2]!;
        k += 3;
        handler.endElement(stack[--this.depth]!);
      } else if (kind === TEXT_TOKEN) {
        if (this.captureText) handler.text(this.decoded(w[k + 1]!, w[k + 2]!, w[k + 3]!, false));
        k += 4;
      } else throw new Error(`unknown token ${kind}`);
    }
    this.depth = 1;
  }

  parentId(): number {
    return this.depth > 0 ? this.stack[this.depth - 1]! : 0;
  }

  currentName(): string {
    return this.text.slice(this.nameStart, this.nameEnd);
  }

  value(i: number): string {
    return this.decoded(this.valueStart[i]!, this.valueEnd[i]!, this.valueFlags[i]!, true);
  }

  valueIs(i: number, s: string): boolean {
    return plainValueIs(this.text, this.valueStart[i]!, this.valueEnd[i]!, this.valueFlags[i]!, s);
  }

  digits(i: number): number {
    return plainDigits(this.text, this.valueStart[i]!, this.valueEnd[i]!, this.valueFlags[i]!);
  }

  failAtTag(message: string): never {
    // Positions are the caller's (ScanFile.readHost reports a host it cannot read again as a changed file).
    throw new XmlError(message, 0, 0);
  }

  /**
   * The text or value in [start, end), decoded as XmlTokenizer decodes it: references, and line ends as expat
   * does (in a value a tab, CR or LF is a space, CRLF one space; in text CRLF and CR are LF). The check has
   * accepted every reference in it.
   */
  private decoded(start: number, end: number, flags: number, value: boolean): string {
    const raw = this.text.slice(start, end);
    if (flags === 0) return raw; // no reference, and no line end or tab to rewrite
    const parts: string[] = [];
    let from = 0;
    for (let p = 0; p < raw.length; p++) {
      const c = raw.charCodeAt(p);
      if (c === 38) {
        const semi = raw.indexOf(';', p);
        parts.push(raw.slice(from, p), referencedCharacter(raw.slice(p + 1, semi))!);
        p = semi;
        from = p + 1;
      } else if (c === 13 || (value && (c === 9 || c === 10))) {
        parts.push(raw.slice(from, p));
        if (c === 13 && raw.charCodeAt(p + 1) === 10) p++;
        parts.push(value ? ' ' : '\n');
        from = p + 1;
      }
    }
    parts.push(raw.slice(from));
    return parts.join('');
  }
}
