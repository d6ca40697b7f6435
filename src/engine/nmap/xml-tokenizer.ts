// A streaming XML tokenizer made for nmap's -oX output.
//
// Why hand-made: measured on a 55 MB /16 scan, fast-xml-parser took ~5.5 s and ~600 MB, and the streaming
// parsers (saxes, htmlparser2) ~1.1-1.3 s, most of it in per-character callbacks and per-attribute objects.
// This one scans with indexOf and charCodeAt loops, names elements and attributes by a small hash table
// (no string per tag or attribute name), keeps attribute values as offsets until the reader asks for one,
// and so allocates nearly nothing for the parts of the file it does not keep.
//
// It checks well-formedness as expat does where it matters for trust (tags match, attributes are quoted
// and unique, references are defined, no control characters, one root, nothing after it), refuses DTD
// declarations (no entity expansion), caps the size of one token and the nesting depth, and knows line and
// column for every error without counting lines on the hot path (lines are counted per chunk, with indexOf).

export const DEFAULT_MAX_TOKEN = 64 * 1024 * 1024;
export const DEFAULT_MAX_DEPTH = 1000;

/** Malformed XML at a position. `truncated` when the input simply stopped (more data would have helped). */
export class XmlError extends Error {
  override name = 'XmlError';
  readonly line: number;
  readonly column: number;
  readonly truncated: boolean;
  constructor(message: string, line: number, column: number, truncated = false) {
    super(message);
    this.line = line;
    this.column = column;
    this.truncated = truncated;
  }
}

export interface XmlHandler {
  /** The attributes are readable on the tokenizer during this call only. `tokenizer.depth` is the parent's. */
  startElement(id: number): void;
  endElement(id: number): void;
  /** Character data, only while `tokenizer.captureText` is set (decoded, line ends normalized). */
  text(text: string): void;
}

/**
 * What a handler reads of the tag being reported: XmlTokenizer's, and CheckedHostReader's for a host the
 * WebAssembly check accepted (checked-host-reader.ts).
 */
export interface TagReader {
  /** Number of open elements (during startElement/endElement: the parent's depth). */
  depth: number;
  /** Set by the handler to receive character data. */
  captureText: boolean;
  /** Attributes of the current start tag: count, ids (0 = unknown name). */
  attrCount: number;
  attrId: Int32Array;
  /** Where the tag being reported starts and ends (in what this reader was given). */
  tagStart: number;
  tagEnd: number;
  /** The id of the element enclosing the one being reported (0 at the root or for unknown names). */
  parentId(): number;
  /** The name of the element being started (for messages). */
  currentName(): string;
  /** An attribute's value, decoded and normalized as expat does. */
  value(i: number): string;
  /** Whether attribute i's value is exactly `s` (compared in place, without making a string). */
  valueIs(i: number, s: string): boolean;
  /** An attribute that is a plain run of ASCII digits, read without a string; NaN for anything else. */
  digits(i: number): number;
  /** Throws an XmlError at the start of the tag being reported. */
  failAtTag(message: string): never;
}

/**
 * TagReader.valueIs for a value at text[start, end) with its flags (0: no reference or line end to rewrite):
 * compared in place, without making a string.
 */
export function plainValueIs(text: string, start: number, end: number, flags: number, s: string): boolean {
  return flags === 0 && end - start === s.length && text.startsWith(s, start);
}

/** TagReader.digits for a value at text[start, end) with its flags: a plain run of ASCII digits, or NaN. */
export function plainDigits(text: string, start: number, end: number, flags: number): number {
  if (flags !== 0 || end === start || end - start > 15) return NaN;
  let v = 0;
  for (let p = start; p < end; p++) {
    const c = text.charCodeAt(p) - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return v;
}

/** Maps names to small integer ids by hash, so the hot path never makes a string for a name. */
export class NameTable {
  private readonly size: number;
  private readonly hashes: Int32Array;
  private readonly ids: Int32Array;
  readonly names: string[] = [];
  constructor(entries: ReadonlyArray<readonly [number, string]>) {
    this.size = 1024;
    while (this.size < entries.length * 4) this.size *= 2;
    this.hashes = new Int32Array(this.size);
    this.ids = new Int32Array(this.size);
    for (const [id, name] of entries) {
      let h = 0;
      for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) | 0;
      let slot = h & (this.size - 1);
      while (this.ids[slot] !== 0) slot = (slot + 1) & (this.size - 1);
      this.hashes[slot] = h;
      this.ids[slot] = id;
      this.names[id] = name;
    }
  }
  /** The id of buf[start, end) whose hash is h, or 0 when the name is not in the table. */
  lookup(buf: string, start: number, end: number, h: number): number {
    const mask = this.size - 1;
    let slot = h & mask;
    for (;;) {
      const id = this.ids[slot]!;
      if (id === 0) return 0;
      if (this.hashes[slot] === h) {
        const name = this.names[id]!;
        if (name.length === end - start) {
          let k = 0;
          while (k < name.length && name.charCodeAt(k) === buf.charCodeAt(start + k)) k++;
          if (k === name.length) return id;
        }
      }
      slot = (slot + 1) & mask;
    }
  }
}

// Name characters: ASCII letters, digits, . - _ : and anything beyond ASCII (lenient, like a name check
// that only has to tell markup from junk).
function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58 || (c >= 0xc0 && c < 0xfffe);
}
function isNameChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) ||
    (c >= 48 && c <= 58) ||
    (c >= 65 && c <= 90) ||
    c === 45 ||
    c === 46 ||
    c === 95 ||
    c === 0xb7 ||
    (c >= 0xc0 && c < 0xfffe)
  );
}
function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13;
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

const BEFORE_ROOT = 0;
const IN_ROOT = 1;
const AFTER_ROOT = 2;

const FLAG_REF = 1; // the value holds & references
const FLAG_WS = 2; // the value holds a tab, CR or LF (normalized to a space)

export interface TokenizerOptions {
  maxToken?: number;
  maxDepth?: number;
}

export class XmlTokenizer implements TagReader {
  /** Number of open elements (during startElement/endElement: the parent's depth). */
  depth = 0;
  /** Set by the handler to receive character data. */
  captureText = false;
  /** Attributes of the current start tag: count, ids (0 = unknown name), values as offsets. */
  attrCount = 0;
  attrId = new Int32Array(16);
  private attrHash = new Int32Array(16);
  private attrNameStart = new Int32Array(16);
  private attrNameEnd = new Int32Array(16);
  private attrValueStart = new Int32Array(16);
  private attrValueEnd = new Int32Array(16);
  private attrFlags = new Uint8Array(16);

  private readonly handler: XmlHandler;
  private readonly elements: NameTable;
  private readonly attributes: NameTable;
  private readonly maxToken: number;
  private readonly maxDepth: number;

  private buf = '';
  private pos = 0;
  /** Absolute offset (in UTF-16 units) of buf[0], the line it is on, and where that line started. */
  private bufAbs = 0;
  private lineBase = 1;
  private lineStartAbs = 0;
  /** Where the next '&', '<', LF, tab and CR are at or after some position (-1: not looked yet). */
  private nextAmp = -1;
  private nextLt = -1;
  private nextNl = -1;
  private nextTab = -1;
  private nextCr = -1;

  private readonly stackId: Int32Array;
  private readonly stackHash: Int32Array;
  private readonly stackName: string[] = [];
  private readonly stackAbs: Float64Array;
  private readonly stackLine: Float64Array;
  private rootState = BEFORE_ROOT;
  private sawDoctype = false;
  private sawAnything = false;
  private sawMarkup = false;
  /** 1 when the text starts with a byte order mark. */
  private docStart = 0;
  /** Start of the tag being reported to the handler (in buf), for its errors. */
  tagStart = 0;
  /** Where the tag being reported ends (in buf: the position after its '>'). */
  tagEnd = 0;

  constructor(
    handler: XmlHandler,
    elements: NameTable,
    attributes: NameTable,
    options: TokenizerOptions = {},
  ) {
    this.handler = handler;
    this.elements = elements;
    this.attributes = attributes;
    this.maxToken = options.maxToken ?? DEFAULT_MAX_TOKEN;
    this.maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
    this.stackId = new Int32Array(this.maxDepth + 1);
    this.stackHash = new Int32Array(this.maxDepth + 1);
    this.stackAbs = new Float64Array(this.maxDepth + 1);
    this.stackLine = new Float64Array(this.maxDepth + 1);
  }

  /** The id of the element enclosing the one being reported (0 at the root or for unknown names). */
  parentId(): number {
    return this.depth > 0 ? this.stackId[this.depth - 1]! : 0;
  }

  /** The name of the element being started (for messages). */
  currentName(): string {
    let p = this.tagStart + 1;
    while (p < this.buf.length && isNameChar(this.buf.charCodeAt(p))) p++;
    return this.buf.slice(this.tagStart + 1, p);
  }

  /** An attribute's value, decoded and normalized as expat does. */
  value(i: number): string {
    const s = this.attrValueStart[i]!;
    const e = this.attrValueEnd[i]!;
    return this.attrFlags[i] === 0 ? this.buf.slice(s, e) : this.decode(s, e, true);
  }

  valueIs(i: number, s: string): boolean {
    return plainValueIs(this.buf, this.attrValueStart[i]!, this.attrValueEnd[i]!, this.attrFlags[i]!, s);
  }

  digits(i: number): number {
    return plainDigits(this.buf, this.attrValueStart[i]!, this.attrValueEnd[i]!, this.attrFlags[i]!);
  }

  /** Line and column where the text received so far ends. */
  position(): { line: number; column: number } {
    return this.where(this.buf.length);
  }

  /** Throws an XmlError at the start of the tag being reported. */
  failAtTag(message: string): never {
    this.fail(this.tagStart, message);
  }

  /**
   * Parses `text`, which must begin with the part of the previous text that was not consumed, and returns how
   * many characters of it were consumed (whole tokens). The caller keeps the rest and passes it again, in
   * front of what comes next: so every text parsed is one flat string (V8 reads a concatenation much slower).
   * With `final`, the input ends here: throws an XmlError (truncated when it stopped inside the document)
   * unless the document is whole.
   */
  parse(text: string, final: boolean): number {
    if (text.length > 0) this.sawAnything = true;
    this.buf = text;
    this.pos = 0;
    this.nextAmp = this.nextLt = this.nextNl = this.nextTab = this.nextCr = -1;
    const bad = FORBIDDEN.exec(text);
    if (bad !== null) this.fail(bad.index, `${this.charAt(bad.index)} is not allowed in XML`);
    this.run(final);
    if (final) this.finish();
    const consumed = this.pos;
    if (text.length - consumed > this.maxToken) this.tooLarge();
    this.discardConsumed();
    return consumed;
  }

  private finish(): void {
    const end = this.buf.length;
    if (this.rootState === IN_ROOT) {
      const outer = this.depth >= 2 ? 1 : 0;
      const name = this.stackName[outer] ?? 'nmaprun';
      throw this.errorAt(
        end,
        `the XML ends inside <${name}> at line ${this.openLine(outer)}: the scan was interrupted; rerun nmap`,
        true,
      );
    }
    if (this.rootState === BEFORE_ROOT) {
      if (!this.sawAnything)
        throw this.errorAt(0, 'the file is empty: nmap wrote nothing; rerun nmap with -oX');
      throw this.errorAt(
        end,
        this.pos < end
          ? 'the XML ends before its root element <nmaprun> starts: the scan was interrupted; rerun nmap'
          : 'no <nmaprun> element: this is not an nmap XML file (nmap -oX writes one)',
        true,
      );
    }
    if (this.pos < end)
      this.fail(this.pos, 'the XML ends inside an unfinished comment or tag after the root element');
  }

  /** The message for a token over the size cap. */
  private tooLarge(at = this.pos): never {
    this.fail(
      at,
      `a single XML token (tag, text or comment) is larger than ${Math.round(this.maxToken / 1048576)} MiB: ` +
        'this is not nmap output (its longest lines are script outputs of a few kB)',
    );
  }

  // ---- positions ----------------------------------------------------------------------------------------

  /** Counts the lines in the part already parsed, resolves the lines of open elements in it, and drops it. */
  private discardConsumed(): void {
    const buf = this.buf;
    const end = this.pos;
    if (end === 0) return;
    let line = this.lineBase;
    let lineStart = this.lineStartAbs;
    let p = 0;
    // Open elements that started in the dropped part need their line now (for "ends inside <host> at line N").
    for (let d = 0; d < this.depth; d++) {
      if (this.stackLine[d]! > 0) continue;
      const at = this.stackAbs[d]! - this.bufAbs;
      if (at >= end) break;
      for (let nl = buf.indexOf('\n', p); nl !== -1 && nl < at; nl = buf.indexOf('\n', nl + 1)) {
        line++;
        lineStart = this.bufAbs + nl + 1;
        p = nl + 1;
      }
      this.stackLine[d] = line;
    }
    for (let nl = buf.indexOf('\n', p); nl !== -1 && nl < end; nl = buf.indexOf('\n', nl + 1)) {
      line++;
      lineStart = this.bufAbs + nl + 1;
    }
    this.lineBase = line;
    this.lineStartAbs = lineStart;
    this.buf = buf.slice(end);
    this.bufAbs += end;
    this.pos = 0;
  }

  /** Line and column (1-based) of buf[p]. */
  private where(p: number): { line: number; column: number } {
    let line = this.lineBase;
    let lineStart = this.lineStartAbs;
    for (let nl = this.buf.indexOf('\n'); nl !== -1 && nl < p; nl = this.buf.indexOf('\n', nl + 1)) {
      line++;
      lineStart = this.bufAbs + nl + 1;
    }
    return { line, column: this.bufAbs + p - lineStart + 1 };
  }

  /** The line an open element started on. */
  private openLine(d: number): number {
    if (this.stackLine[d]! > 0) return this.stackLine[d]!;
    return this.where(this.stackAbs[d]! - this.bufAbs).line;
  }

  private errorAt(p: number, message: string, truncated = false): XmlError {
    const { line, column } = this.where(p);
    return new XmlError(message, line, column, truncated);
  }

  private fail(p: number, message: string): never {
    const c = this.buf.charCodeAt(p);
    if (c === 0) message = 'binary data (a NUL byte): this is not an nmap XML file';
    throw this.errorAt(p, message);
  }

  /** Describes the character at p for messages. */
  private charAt(p: number): string {
    const c = this.buf.charCodeAt(p);
    if (Number.isNaN(c)) return 'the end of the input';
    if (c < 32 || c === 127)
      return `the control character U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
    return `'${String.fromCodePoint(this.buf.codePointAt(p)!)}'`;
  }

  // ---- the scanner ---------------------------------------------------------------------------------------

  private run(final: boolean): void {
    const buf = this.buf;
    const len = buf.length;
    let pos = this.pos;
    // A byte order mark (from a text given as a string; the byte decoder drops it) is not part of the document.
    if (this.bufAbs === 0 && pos === 0 && buf.charCodeAt(0) === 0xfeff) pos = this.docStart = 1;
    while (pos < len) {
      if (buf.charCodeAt(pos) !== 60) {
        const lt = buf.indexOf('<', pos);
        if (lt === -1) {
          // Text up to the end of what we have: take what is safe now, keep a reference or CR that may go on.
          let end = len;
          if (!final) {
            const amp = buf.lastIndexOf('&');
            if (amp >= pos && buf.indexOf(';', amp) === -1) end = amp;
            if (this.captureText && end > pos && buf.charCodeAt(end - 1) === 13) end--;
          }
          this.textSegment(pos, end);
          pos = end;
          break;
        }
        this.textSegment(pos, lt);
        pos = lt;
        continue;
      }
      if (pos + 1 >= len) break;
      this.sawMarkup = true;
      const c1 = buf.charCodeAt(pos + 1);
      let next: number;
      if (c1 === 47) next = this.endTag(pos);
      else if (c1 === 33) next = this.markupDeclaration(pos, final);
      else if (c1 === 63) next = this.processingInstruction(pos);
      else next = this.startTag(pos);
      if (next < 0) break;
      pos = next;
    }
    this.pos = pos;
  }

  /** A start tag at lt; returns the position after it, or -1 when it is not complete yet. */
  private startTag(lt: number): number {
    const buf = this.buf;
    const len = buf.length;
    let p = lt + 1;
    let c = buf.charCodeAt(p);
    if (!isNameStart(c))
      this.fail(p, `${this.charAt(p)} cannot start a tag name (a literal '<' must be &lt;)`);
    let h = c;
    const nameStart = p;
    for (;;) {
      if (++p >= len) return -1;
      c = buf.charCodeAt(p);
      if (!isNameChar(c)) break;
      h = (h * 31 + c) | 0;
    }
    const nameEnd = p;
    let n = 0;
    let selfClosing = false;
    for (;;) {
      let spaced = false;
      while (c === 32 || c === 10 || c === 9 || c === 13) {
        spaced = true;
        if (++p >= len) return -1;
        c = buf.charCodeAt(p);
      }
      if (c === 62) {
        p++;
        break;
      }
      if (c === 47) {
        if (p + 1 >= len) return -1;
        if (buf.charCodeAt(p + 1) !== 62)
          this.fail(p + 1, `expected '>' after '/' in a tag, found ${this.charAt(p + 1)}`);
        p += 2;
        selfClosing = true;
        break;
      }
      if (!spaced || !isNameStart(c)) this.fail(p, `${this.charAt(p)} is not allowed here in a tag`);
      // attribute name
      const as = p;
      let ah = c;
      for (;;) {
        if (++p >= len) return -1;
        c = buf.charCodeAt(p);
        if (!isNameChar(c)) break;
        ah = (ah * 31 + c) | 0;
      }
      const ae = p;
      while (c === 32 || c === 10 || c === 9 || c === 13) {
        if (++p >= len) return -1;
        c = buf.charCodeAt(p);
      }
      if (c !== 61) this.fail(p, `expected '=' after the attribute name, found ${this.charAt(p)}`);
      if (++p >= len) return -1;
      c = buf.charCodeAt(p);
      while (c === 32 || c === 10 || c === 9 || c === 13) {
        if (++p >= len) return -1;
        c = buf.charCodeAt(p);
      }
      if (c !== 34 && c !== 39) this.fail(p, `an attribute value must be in quotes, found ${this.charAt(p)}`);
      // The value is skipped with indexOf; whether it holds a reference, a '<' or a line end is known from
      // where the next of each is (found once per occurrence, not once per value).
      const vs = p + 1;
      p = buf.indexOf(c === 34 ? '"' : "'", vs);
      if (p === -1) return -1;
      let flags = 0;
      if (this.nextLt < vs) this.nextLt = find(buf, '<', vs);
      if (this.nextLt < p)
        this.fail(this.nextLt, "'<' is not allowed in an attribute value (it must be &lt;)");
      if (this.nextAmp < vs) this.nextAmp = find(buf, '&', vs);
      if (this.nextAmp < p) {
        flags = FLAG_REF;
        this.checkReferences(vs, p);
      }
      if (this.nextNl < vs) this.nextNl = find(buf, '\n', vs);
      if (this.nextTab < vs) this.nextTab = find(buf, '\t', vs);
      if (this.nextCr < vs) this.nextCr = find(buf, '\r', vs);
      if (this.nextNl < p || this.nextTab < p || this.nextCr < p) flags |= FLAG_WS;
      if (n === this.attrId.length) this.growAttributes();
      this.attrHash[n] = ah;
      this.attrId[n] = this.attributes.lookup(buf, as, ae, ah);
      this.attrNameStart[n] = as;
      this.attrNameEnd[n] = ae;
      this.attrValueStart[n] = vs;
      this.attrValueEnd[n] = p;
      this.attrFlags[n] = flags;
      n++;
      if (++p >= len) return -1;
      c = buf.charCodeAt(p);
    }
    if (n > 1) this.checkDuplicates(n);
    this.attrCount = n;
    if (p - lt > this.maxToken) this.tooLarge(lt);

    if (this.depth === 0) {
      if (this.rootState === AFTER_ROOT)
        this.fail(lt, 'junk after the root element: a second element follows </nmaprun>');
      this.rootState = IN_ROOT;
    }
    if (this.depth >= this.maxDepth)
      this.fail(lt, `elements nested deeper than ${this.maxDepth} levels: this is not nmap output`);
    const id = this.elements.lookup(buf, nameStart, nameEnd, h);
    this.tagStart = lt;
    this.tagEnd = p;
    this.handler.startElement(id);
    if (selfClosing) {
      this.handler.endElement(id);
      if (this.depth === 0) this.rootState = AFTER_ROOT;
    } else {
      const d = this.depth++;
      this.stackId[d] = id;
      this.stackHash[d] = h;
      this.stackName[d] = id !== 0 ? this.elements.names[id]! : buf.slice(nameStart, nameEnd);
      this.stackAbs[d] = this.bufAbs + lt;
      this.stackLine[d] = 0;
    }
    return p;
  }

  private growAttributes(): void {
    const size = this.attrId.length * 2;
    const grow32 = (a: Int32Array) => {
      const b = new Int32Array(size);
      b.set(a);
      return b;
    };
    this.attrId = grow32(this.attrId);
    this.attrHash = grow32(this.attrHash);
    this.attrNameStart = grow32(this.attrNameStart);
    this.attrNameEnd = grow32(this.attrNameEnd);
    this.attrValueStart = grow32(this.attrValueStart);
    this.attrValueEnd = grow32(this.attrValueEnd);
    const flags = new Uint8Array(size);
    flags.set(this.attrFlags);
    this.attrFlags = flags;
  }

  private checkDuplicates(n: number): void {
    const buf = this.buf;
    for (let i = 1; i < n; i++) {
      for (let j = 0; j < i; j++) {
        if (this.attrHash[i] !== this.attrHash[j]) continue;
        const a = buf.slice(this.attrNameStart[i], this.attrNameEnd[i]);
        if (a === buf.slice(this.attrNameStart[j], this.attrNameEnd[j]))
          this.fail(this.attrNameStart[i]!, `duplicate attribute '${a}' in one tag`);
      }
    }
  }

  private endTag(lt: number): number {
    const buf = this.buf;
    const len = buf.length;
    let p = lt + 2;
    if (p >= len) return -1;
    let c = buf.charCodeAt(p);
    if (!isNameStart(c)) this.fail(p, `${this.charAt(p)} cannot start a tag name`);
    let h = c;
    const nameStart = p;
    for (;;) {
      if (++p >= len) return -1;
      c = buf.charCodeAt(p);
      if (!isNameChar(c)) break;
      h = (h * 31 + c) | 0;
    }
    const nameEnd = p;
    while (c === 32 || c === 10 || c === 9 || c === 13) {
      if (++p >= len) return -1;
      c = buf.charCodeAt(p);
    }
    if (c !== 62) this.fail(p, `expected '>' to end the closing tag, found ${this.charAt(p)}`);
    if (this.depth === 0)
      this.fail(lt, `</${buf.slice(nameStart, nameEnd)}> closes an element that was never opened`);
    const d = this.depth - 1;
    const open = this.stackName[d]!;
    if (this.stackHash[d] !== h || open.length !== nameEnd - nameStart || !buf.startsWith(open, nameStart))
      this.fail(
        lt,
        `mismatched tag: </${buf.slice(nameStart, nameEnd)}> closes <${open}> opened at line ${this.openLine(d)}`,
      );
    this.depth = d;
    this.tagStart = lt;
    this.tagEnd = p + 1;
    this.handler.endElement(this.stackId[d]!);
    if (d === 0) this.rootState = AFTER_ROOT;
    return p + 1;
  }

  /** <!-- comments -->, <![CDATA[...]]> and <!DOCTYPE ...>. */
  private markupDeclaration(lt: number, final: boolean): number {
    const buf = this.buf;
    if (buf.startsWith('<!--', lt)) {
      const end = buf.indexOf('-->', lt + 4);
      if (end === -1) return -1;
      const dashes = buf.indexOf('--', lt + 4);
      if (dashes < end) this.fail(dashes, "'--' is not allowed inside a comment");
      if (end - lt > this.maxToken) this.tooLarge(lt);
      this.checkChars(lt + 4, end);
      return end + 3;
    }
    if (buf.startsWith('<![CDATA[', lt)) {
      if (this.rootState !== IN_ROOT)
        this.fail(lt, 'a CDATA section is only allowed inside the root element');
      const end = buf.indexOf(']]>', lt + 9);
      if (end === -1) return -1;
      if (end - lt > this.maxToken) this.tooLarge(lt);
      if (this.captureText) this.handler.text(normalizeLineEnds(buf.slice(lt + 9, end)));
      return end + 3;
    }
    if (buf.startsWith('<!DOCTYPE', lt)) return this.doctype(lt);
    const rest = buf.slice(lt, lt + 9);
    if (!final && rest.length < 9 && ['<!--', '<![CDATA[', '<!DOCTYPE'].some((k) => k.startsWith(rest)))
      return -1;
    return this.fail(lt, `unknown markup ${JSON.stringify(buf.slice(lt, lt + 12))}: this is not nmap output`);
  }

  private doctype(lt: number): number {
    const buf = this.buf;
    if (this.rootState !== BEFORE_ROOT || this.sawDoctype)
      this.fail(lt, 'a DOCTYPE is only allowed once, before the root element');
    let quote = 0;
    for (let p = lt + 9; p < buf.length; p++) {
      const c = buf.charCodeAt(p);
      if (quote !== 0) {
        if (c === quote) quote = 0;
      } else if (c === 34 || c === 39) quote = c;
      else if (c === 91) {
        const subset = buf.slice(p, p + 4096);
        this.fail(
          p,
          /<!ENTITY/.test(subset)
            ? 'the DOCTYPE declares entities: entity declarations are refused (they can expand without bound), and nmap never writes them'
            : 'the DOCTYPE has an internal subset (declarations): refused, nmap never writes one',
        );
      } else if (c === 62) {
        if (p - lt > this.maxToken) this.tooLarge(lt);
        this.sawDoctype = true;
        return p + 1;
      }
    }
    return -1;
  }

  /** <?target ...?>: the XML declaration (first thing only), or an ignored instruction like xml-stylesheet. */
  private processingInstruction(lt: number): number {
    const buf = this.buf;
    const end = buf.indexOf('?>', lt + 2);
    if (end === -1) return -1;
    if (end - lt > this.maxToken) this.tooLarge(lt);
    let p = lt + 2;
    if (!isNameStart(buf.charCodeAt(p)))
      this.fail(p, `${this.charAt(p)} cannot start a processing instruction`);
    while (p < end && isNameChar(buf.charCodeAt(p))) p++;
    const target = buf.slice(lt + 2, p);
    if (p < end && !isSpace(buf.charCodeAt(p))) this.fail(p, `${this.charAt(p)} is not allowed here`);
    this.checkChars(p, end);
    if (target.toLowerCase() === 'xml') {
      if (this.bufAbs + lt !== this.docStart || target !== 'xml')
        this.fail(lt, 'the XML declaration <?xml ...?> is only allowed at the very start of the file');
      const encoding = /encoding\s*=\s*["']([^"']*)["']/.exec(buf.slice(p, end))?.[1];
      if (encoding !== undefined && !/^(utf-?8|us-ascii|ascii)$/i.test(encoding))
        this.fail(
          lt,
          `the file declares encoding "${encoding}"; nmap writes UTF-8: convert it (iconv -t UTF-8)`,
        );
    }
    return end + 2;
  }

  /** Character data between tags: only checked, unless the handler captures it. */
  private textSegment(s: number, e: number): void {
    if (s >= e) return;
    if (this.captureText) {
      this.handler.text(this.decode(s, e, false));
      return;
    }
    const buf = this.buf;
    for (let p = s; p < e; p++) {
      const c = buf.charCodeAt(p);
      if (c === 32 || c === 10 || c === 13 || c === 9) continue;
      if (this.rootState !== IN_ROOT) {
        if (this.rootState === AFTER_ROOT)
          this.fail(p, 'junk after the root element: text follows </nmaprun>');
        if (!this.sawMarkup)
          this.fail(
            p,
            `this is not XML (it starts with ${JSON.stringify(buf.slice(p, p + 24))}): ` +
              'give the file nmap wrote with -oX, not its normal or grepable output',
          );
        this.fail(p, `text before the root element: ${JSON.stringify(buf.slice(p, p + 24))}`);
      }
      if (c === 38) p = this.reference(p, e, null) - 1;
      else if (c < 32 || c >= 0xfffe) this.fail(p, `${this.charAt(p)} is not allowed in XML`);
    }
  }

  /** Checks every reference in buf[s, e) (an attribute value), so a bad one is an error even if unread. */
  private checkReferences(s: number, e: number): void {
    for (let amp = this.buf.indexOf('&', s); amp !== -1 && amp < e; amp = this.buf.indexOf('&', amp + 1))
      amp = this.reference(amp, e, null) - 1;
  }

  /** Rejects characters XML does not allow, in comments, CDATA and instructions. */
  private checkChars(s: number, e: number): void {
    const buf = this.buf;
    for (let p = s; p < e; p++) {
      const c = buf.charCodeAt(p);
      if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c >= 0xfffe)
        this.fail(p, `${this.charAt(p)} is not allowed in XML`);
    }
  }

  /**
   * Decodes buf[s, e): references, and line ends as expat does: in attribute values a literal tab, CR or LF
   * becomes a space (CRLF one space), in text CRLF and CR become LF. `&#xa;` stays a newline in both.
   */
  private decode(s: number, e: number, attribute: boolean): string {
    const buf = this.buf;
    if (!attribute) {
      // Text (a <cpe>) rarely holds a reference or a CR: then it is just the slice.
      if (this.nextAmp < s) this.nextAmp = find(buf, '&', s);
      if (this.nextCr < s) this.nextCr = find(buf, '\r', s);
      if (this.nextAmp >= e && this.nextCr >= e) return buf.slice(s, e);
    }
    const parts: string[] = [];
    let from = s;
    for (let p = s; p < e; p++) {
      const c = buf.charCodeAt(p);
      if (c === 38) {
        if (p > from) parts.push(buf.slice(from, p));
        from = this.reference(p, e, parts);
        p = from - 1;
      } else if (c === 13 || (attribute && (c === 9 || c === 10))) {
        if (p > from) parts.push(buf.slice(from, p));
        if (c === 13 && p + 1 < e && buf.charCodeAt(p + 1) === 10) p++;
        parts.push(attribute ? ' ' : '\n');
        from = p + 1;
      } else if (!attribute && ((c < 32 && c !== 9 && c !== 10) || c >= 0xfffe)) {
        this.fail(p, `${this.charAt(p)} is not allowed in XML`);
      }
    }
    if (from < e) parts.push(buf.slice(from, e));
    // join() makes one flat string: the result never keeps the whole chunk alive.
    return parts.join('');
  }

  /** The reference starting at buf[amp] ('&'); pushes its character to `out`; returns the position after ';'. */
  private reference(amp: number, limit: number, out: string[] | null): number {
    const buf = this.buf;
    const semi = buf.indexOf(';', amp + 1);
    if (semi === -1 || semi >= limit || semi - amp > 12)
      this.fail(amp, "'&' must start a reference such as &amp; (a literal '&' must be written &amp;)");
    const name = buf.slice(amp + 1, semi);
    const ch = referencedCharacter(name);
    if (ch === undefined) {
      if (name.charCodeAt(0) === 35) this.fail(amp, `&${name}; is not a character XML allows`);
      this.fail(amp, `undefined entity &${name}; (only &lt; &gt; &amp; &quot; &apos; and &#N; are allowed)`);
    }
    out?.push(ch);
    return semi + 1;
  }
}

/** The character the reference &name; stands for; undefined when XML allows no such reference. */
export function referencedCharacter(name: string): string | undefined {
  if (name.charCodeAt(0) === 35) {
    const code = /^#x[0-9a-fA-F]+$/.test(name)
      ? parseInt(name.slice(2), 16)
      : /^#[0-9]+$/.test(name)
        ? parseInt(name.slice(1), 10)
        : NaN;
    const legal =
      code === 9 ||
      code === 10 ||
      code === 13 ||
      (code >= 0x20 && code <= 0xd7ff) ||
      (code >= 0xe000 && code <= 0xfffd) ||
      (code >= 0x10000 && code <= 0x10ffff);
    return legal ? String.fromCodePoint(code) : undefined;
  }
  return Object.hasOwn(PREDEFINED, name) ? PREDEFINED[name] : undefined;
}

function normalizeLineEnds(s: string): string {
  return s.indexOf('\r') === -1 ? s : s.replace(/\r\n?/g, '\n');
}

/** Past every position (a small integer, so the trackers stay small-integer fields: no deopts). */
const NOWHERE = 0x7fffffff;

/** indexOf, with "not found" as a position after every other. */
function find(buf: string, what: string, from: number): number {
  const at = buf.indexOf(what, from);
  return at === -1 ? NOWHERE : at;
}

/** Characters XML 1.0 never allows, even as text (references to them are checked where they are decoded). */
const FORBIDDEN = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/;
