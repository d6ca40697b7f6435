// AssemblyScript, compiled to WebAssembly by scripts/build-wasm.ts: the byte-level check of one element for
// fast-host-scan.ts, the hot loop of reading a scan (every byte of every host goes through it), with the
// host's ndiff id when asked (ndiffId), or of a run of hosts in one call (checkHosts); for a host read again,
// its tokens for checked-host-reader.ts (the check of the same bytes, leaving what it read); the search for a
// reference scan's hosts by their tags (referenceHost, for reference-hosts.ts); and the comparison of a run of
// hosts with the reference's (compareHosts).
//
// Why WebAssembly: measured on the bench's 62 MB /16 scan, this check takes 2.0-2.4 ns a byte (TurboFan)
// against 5-7 for the same loops in JavaScript, whose typed-array reads are each bounds-checked. The rules
// are exactly fast-host-scan.ts's (it documents the subset), written once, here. Everything else (buffers,
// the prolog, digests, the comparison with a reference scan) stays in TypeScript, which reads the few tags a
// host's id and digest need, and where their values are, from the list this check leaves (EVENTS).
//
// Memory (imported: the caller owns it): tables and scratch below BUFFER, the file's bytes from BUFFER on.
// Positions given and returned are offsets from BUFFER, as in fast-host-scan.ts's buffer. The caller keeps a
// 0 byte just after the data (a sentinel that ends every name, value and text loop).

/** checkElement's results below 0: the element goes on past the data read; it is outside the subset. */
const MORE: i32 = -1;
const GIVE_UP: i32 = -2;

const NAME_START: usize = 0;
const NAME_CHAR: usize = 256;
const SPECIAL: usize = 512;
/** The open elements' names (start and end offsets), MAX_DEPTH of each. */
const STACK_START: usize = 1024;
const STACK_END: usize = STACK_START + 4 * 65;
/**
 * The current tag's attributes, 64 of each (i32): a signature (length, first and last byte), where each name
 * starts; with startTag's `keep`, also where each name ends, where its value starts and ends, and its flags:
 * VALUE_REFERENCE, VALUE_LINE_SPACE (a tab, CR or LF, which the full reader rewrites), VALUE_OTHER_QUOTE.
 */
const SIG: usize = 2048;
const ATTR_START: usize = SIG + 256;
const ATTR_NAME_END: usize = ATTR_START + 256;
const VALUE_START: usize = ATTR_START + 512;
const VALUE_END: usize = ATTR_START + 768;
const FLAGS: usize = ATTR_START + 1024;
/** Results besides the return value (i32 each): see OUT_* and element-checker.ts. */
export const OUT: usize = 3584;
const OUT_CONTENT_START: usize = OUT;
const OUT_HOST_END: usize = OUT + 4;
const OUT_EVENTS: usize = OUT + 8;
const OUT_NAME_END: usize = OUT + 12;
const OUT_ATTRIBUTES: usize = OUT + 16;
const OUT_TOKENS: usize = OUT + 20;
const OUT_KEY_LENGTH: usize = OUT + 24;
const OUT_REFERENCE_GT: usize = OUT + 28;
const OUT_REFERENCE_TIMES: usize = OUT + 32;
const OUT_REFERENCE_TIMES_END: usize = OUT + 36;
/**
 * The tags a host's id needs, in document order, EVENT_WORDS i32 each: kind, '<' and end offsets, 1 if
 * self-closing; then where the values the id reads start and end (VALUES pairs, -1 when the tag has no such
 * attribute; see noteValues), and their flags or'd (VALUE_*).
 */
export const EVENTS: usize = 4096;
const EVENT_WORDS: i32 = 12;
const VALUES: i32 = 3;
/** What fits below NAME_TABLES. */
const MAX_EVENTS: i32 = 320;
// Static data (the names below) is placed at 32768 (scripts/build-wasm.ts: --memoryBase).
/** A host's ndiff id, with checkElement's `host` == HOST_WITH_ID (see ndiffId); KEY_BYTES at most. */
export const KEY: usize = 49152;
const KEY_BYTES: i32 = 16384;
/**
 * With checkElement's `tokens`, the element's tokens (i32 words, in document order), for the reader that
 * builds the host's model from them (checked-host-reader.ts); past TOKEN_WORDS the check gives up:
 *   START_TOKEN, '<', end, name start, name end, the name's id (0: not one of the reader's), self-closing (1/0),
 *     n, and n times: the attribute name's id, value start, value end, flags (VALUE_REFERENCE |
 *     VALUE_LINE_SPACE)
 *   END_TOKEN, '<', end
 *   TEXT_TOKEN, start, end, flags (TEXT_REFERENCE | TEXT_CR); only text that is not empty
 * A name's id is the full reader's (xml-tokenizer.ts NameTable), found by the same hash: h = h * 31 + byte.
 */
export const TOKENS: usize = 65536;
/**
 * The full reader's names (parse.ts ELEMENTS and ATTRIBUTES), for START_TOKEN's ids: two tables of NAME_SLOTS
 * slots (hash, id, where the name's bytes are << 8 | their length), open addressing by hash; the names' bytes
 * from NAME_BYTES on. Filled by addName, once per instance.
 */
const NAME_SLOTS: i32 = 256;
const NAME_TABLES: usize = 20480;
export const NAME_BYTES: usize = NAME_TABLES + 2 * 12 * <usize>NAME_SLOTS;
const NAME_BYTES_END: usize = 32768;
/** 256 kB of tokens: a host of ~150 kB of nmap's XML (nmap's hosts are a few kB). */
const TOKEN_WORDS: i32 = 65536;
export const BUFFER: usize = TOKENS + 4 * <usize>TOKEN_WORDS;

const VALUE_REFERENCE: i32 = 1;
const VALUE_LINE_SPACE: i32 = 2;
const VALUE_OTHER_QUOTE: i32 = 4;
const START_TOKEN: i32 = 1;
const END_TOKEN: i32 = 2;
const TEXT_TOKEN: i32 = 3;
const TEXT_REFERENCE: i32 = 1;
const TEXT_CR: i32 = 2;

const MAX_DEPTH: i32 = 64;
const MAX_ATTRIBUTES: i32 = 64;

/** checkElement's `host`: 1, a host; HOST_WITH_ID, a host whose ndiff id is wanted too. */
const HOST_WITH_ID: i32 = 2;

/** Event kinds (fast-host-scan.ts reads them). */
const ADDRESS: i32 = 1;
const TIMES: i32 = 2;
const HOSTNAME: i32 = 3;
const OSMATCH: i32 = 4;

/** Whether &name; (its bytes between offsets) is a reference XML allows: the caller's own check. */
@external('env', 'referenceAllowed')
declare function referenceAllowed(start: i32, end: i32): i32;

@inline function at(p: i32): u32 {
  return <u32>load<u8>(BUFFER + <usize>p);
}
@inline function nameStart(c: u32): bool {
  return load<u8>(NAME_START + <usize>c) != 0;
}
@inline function nameChar(c: u32): bool {
  return load<u8>(NAME_CHAR + <usize>c) != 0;
}
@inline function special(c: u32): bool {
  return load<u8>(SPECIAL + <usize>c) != 0;
}
@inline function isSpace(c: u32): bool {
  return c == 32 || c == 10 || c == 9 || c == 13;
}
@inline function isControl(c: u32): bool {
  return c < 0x20 && c != 9 && c != 10 && c != 13;
}

/** Fills the byte tables (once per instance, before anything else). */
export function init(): void {
  for (let c: u32 = 0; c < 256; c++) {
    const letter = (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
    store<u8>(NAME_START + <usize>c, letter || c == 95 || c == 58 ? 1 : 0);
    store<u8>(NAME_CHAR + <usize>c, letter || (c >= 48 && c <= 58) || c == 45 || c == 46 || c == 95 ? 1 : 0);
    store<u8>(SPECIAL + <usize>c, c < 0x20 || c == 0x22 || c == 0x27 || c == 0x3c || c == 0x26 ? 1 : 0);
  }
}

const S_ADDRESS = memory.data<u8>([0x61, 0x64, 0x64, 0x72, 0x65, 0x73, 0x73]);
const S_TIMES = memory.data<u8>([0x74, 0x69, 0x6d, 0x65, 0x73]);
const S_HOSTNAMES = memory.data<u8>([0x68, 0x6f, 0x73, 0x74, 0x6e, 0x61, 0x6d, 0x65, 0x73]);
const S_OSMATCH = memory.data<u8>([0x6f, 0x73, 0x6d, 0x61, 0x74, 0x63, 0x68]);
const S_OS = memory.data<u8>([0x6f, 0x73]);
const S_ADDR = memory.data<u8>([0x61, 0x64, 0x64, 0x72]);
const S_ADDRTYPE = memory.data<u8>([0x61, 0x64, 0x64, 0x72, 0x74, 0x79, 0x70, 0x65]);
const S_VENDOR = memory.data<u8>([0x76, 0x65, 0x6e, 0x64, 0x6f, 0x72]);
const S_NAME = memory.data<u8>([0x6e, 0x61, 0x6d, 0x65]);
const S_TYPE = memory.data<u8>([0x74, 0x79, 0x70, 0x65]);

/** Whether the bytes [start, end) are the `length` bytes at `name` (a static string above). */
function nameIs(start: i32, end: i32, name: usize, length: i32): bool {
  if (end - start != length) return false;
  for (let k = 0; k < length; k++) if (at(start + k) != <u32>load<u8>(name + <usize>k)) return false;
  return true;
}

function sameBytes(s1: i32, e1: i32, s2: i32, e2: i32): bool {
  if (e1 - s1 != e2 - s2) return false;
  for (let k = 0; k < e1 - s1; k++) if (at(s1 + k) != at(s2 + k)) return false;
  return true;
}

/** The position of `a` (then `b`, when not 0) at or after `from` and before `len`; -1 when not there. */
function find2(a: u32, b: u32, from: i32, len: i32): i32 {
  for (let p = from; p < len; p++) {
    if (at(p) != a) continue;
    if (b == 0) return p;
    if (p + 1 < len && at(p + 1) == b) return p;
  }
  return -1;
}

/** '-->' at or after `from`, before `len`; -1 when not there. */
function findCommentEnd(from: i32, len: i32): i32 {
  for (let p = find2(0x2d, 0x2d, from, len); p >= 0; p = find2(0x2d, 0x2d, p + 1, len))
    if (p + 2 < len && at(p + 2) == 0x3e) return p;
  return -1;
}

/** The reference at `amp` ('&'): the position of its ';', MORE or GIVE_UP (as fast-host-scan.ts's). */
function reference(amp: i32, len: i32): i32 {
  let semi = amp + 1;
  while (semi < len && at(semi) != 0x3b && semi - amp <= 12) semi++;
  if (semi >= len) return MORE;
  if (at(semi) != 0x3b || semi - amp > 12) return GIVE_UP;
  if (!referenceAllowed(amp + 1, semi)) return GIVE_UP;
  return semi;
}

/**
 * The start tag at `lt`: checks it and its attributes; returns the position after its '>', MORE or GIVE_UP.
 * Where its name ends is left at OUT_NAME_END, how many attributes it has at OUT_ATTRIBUTES; with `keep`,
 * where they are (ATTR_START...).
 */
export function startTag(lt: i32, len: i32, keep: i32): i32 {
  let p = lt + 1;
  if (p >= len) return MORE;
  if (!nameStart(at(p))) return GIVE_UP;
  do p++;
  while (nameChar(at(p)));
  store<i32>(OUT_NAME_END, p);
  let n = 0;
  while (true) {
    if (p >= len) return MORE;
    let c = at(p);
    let spaced = false;
    while (isSpace(c)) {
      spaced = true;
      if (++p >= len) return MORE;
      c = at(p);
    }
    if (c == 0x3e) {
      store<i32>(OUT_ATTRIBUTES, n);
      return p + 1;
    }
    if (c == 0x2f) {
      if (p + 1 >= len) return MORE;
      store<i32>(OUT_ATTRIBUTES, n);
      return at(p + 1) == 0x3e ? p + 2 : GIVE_UP;
    }
    if (!spaced || !nameStart(c) || n == MAX_ATTRIBUTES) return GIVE_UP;
    const as = p;
    do p++;
    while (nameChar(at(p)));
    if (p >= len) return MORE;
    const ae = p;
    // No space around '=' (nmap writes none; the full reader takes it).
    if (at(p) != 0x3d) return GIVE_UP;
    const quote = at(p + 1);
    if (quote != 0x22 && quote != 0x27) return p + 1 >= len ? MORE : GIVE_UP;
    const vs = p + 2;
    let flags = 0;
    for (p = vs; ; p++) {
      while (!special(at(p))) p++;
      if (p >= len) return MORE;
      const v = at(p);
      if (v == quote) break;
      if (v == 0x3c || isControl(v)) return GIVE_UP;
      flags |= v == 0x26 ? VALUE_REFERENCE : v < 0x20 ? VALUE_LINE_SPACE : VALUE_OTHER_QUOTE;
      if (v == 0x26) {
        const semi = reference(p, len);
        if (semi < 0) return semi;
        p = semi;
      }
    }
    // A duplicate attribute is an error, left to the full reader: names are compared only when their length,
    // first and last bytes agree (a tag's names rarely do).
    const sig = ((ae - as) << 16) | (<i32>c << 8) | <i32>at(ae - 1);
    for (let k = 0; k < n; k++) {
      const other = load<i32>(ATTR_START + 4 * <usize>k);
      if (load<i32>(SIG + 4 * <usize>k) == sig && sameBytes(other, other + (ae - as), as, ae)) return GIVE_UP;
    }
    const k: usize = 4 * <usize>n;
    store<i32>(SIG + k, sig);
    store<i32>(ATTR_START + k, as);
    if (keep) {
      store<i32>(ATTR_NAME_END + k, ae);
      store<i32>(VALUE_START + k, vs);
      store<i32>(VALUE_END + k, p);
      store<i32>(FLAGS + k, flags);
    }
    n++;
    p++;
  }
}

/** Words of TOKENS written by the current checkElement; past TOKEN_WORDS, it gives up. */
let tokenCount: i32 = 0;

@inline function token(word: i32): void {
  if (tokenCount < TOKEN_WORDS) store<i32>(TOKENS + 4 * <usize>tokenCount, word);
  tokenCount++;
}

/** The full reader's hash of the name in [start, end) (of the file's bytes, or of NAME_BYTES with `base`). */
function hashOf(start: i32, end: i32, base: usize = BUFFER): i32 {
  let h: i32 = 0;
  for (let p = start; p < end; p++) h = h * 31 + <i32>load<u8>(base + <usize>p);
  return h;
}

/**
 * Adds name `id` to table 0 (elements) or 1 (attributes): its `length` bytes are at NAME_BYTES + `at` (the
 * caller wrote them). False when the table or the bytes' space is full (the caller's names do not fit).
 */
export function addName(table: i32, id: i32, at: i32, length: i32): bool {
  if (NAME_BYTES + <usize>(at + length) > NAME_BYTES_END || length > 255) return false;
  const slots = NAME_TABLES + 12 * <usize>(table * NAME_SLOTS);
  const h = hashOf(at, at + length, NAME_BYTES);
  for (let i = 0; i < NAME_SLOTS; i++) {
    const slot = slots + 12 * <usize>((h + i) & (NAME_SLOTS - 1));
    if (load<i32>(slot + 4) != 0) continue;
    store<i32>(slot, h);
    store<i32>(slot + 4, id);
    store<i32>(slot + 8, (at << 8) | length);
    return true;
  }
  return false;
}

/** The id of the name in the file's bytes [start, end) in table 0 or 1; 0 when it is not there. */
function idOf(table: i32, start: i32, end: i32): i32 {
  const slots = NAME_TABLES + 12 * <usize>(table * NAME_SLOTS);
  const h = hashOf(start, end);
  for (let i = 0; i < NAME_SLOTS; i++) {
    const slot = slots + 12 * <usize>((h + i) & (NAME_SLOTS - 1));
    const id = load<i32>(slot + 4);
    if (id == 0) return 0;
    if (load<i32>(slot) != h) continue;
    const name = load<i32>(slot + 8);
    const length = name & 255;
    if (length != end - start) continue;
    const bytes = NAME_BYTES + <usize>(name >> 8);
    let k = 0;
    while (k < length && <u32>load<u8>(bytes + <usize>k) == at(start + k)) k++;
    if (k == length) return id;
  }
  return 0;
}

/** The start tag startTag(keep) just read, as a START_TOKEN. */
function startToken(lt: i32, end: i32, ns: i32, ne: i32, selfClosing: bool): void {
  const n = load<i32>(OUT_ATTRIBUTES);
  token(START_TOKEN);
  token(lt);
  token(end);
  token(ns);
  token(ne);
  token(idOf(0, ns, ne));
  token(selfClosing ? 1 : 0);
  token(n);
  for (let i = 0; i < n; i++) {
    const k: usize = 4 * <usize>i;
    token(idOf(1, load<i32>(ATTR_START + k), load<i32>(ATTR_NAME_END + k)));
    token(load<i32>(VALUE_START + k));
    token(load<i32>(VALUE_END + k));
    token(load<i32>(FLAGS + k) & (VALUE_REFERENCE | VALUE_LINE_SPACE));
  }
}

/**
 * Notes a tag a host's id needs (EVENTS), from the attributes startTag just kept; false when there are too
 * many (the pass then gives up).
 */
function note(kind: i32, lt: i32, end: i32, selfClosing: bool): bool {
  const n = load<i32>(OUT_EVENTS);
  if (n == MAX_EVENTS) return false;
  const e = EVENTS + 4 * <usize>(EVENT_WORDS * n);
  store<i32>(e, kind);
  store<i32>(e + 4, lt);
  store<i32>(e + 8, end);
  store<i32>(e + 12, selfClosing ? 1 : 0);
  noteValues(e, kind);
  store<i32>(OUT_EVENTS, n + 1);
  return true;
}

/**
 * The values an event's kind needs (as fast-host-scan.ts reads them): an <address>'s addr, addrtype and
 * vendor; a <hostname>'s name and type; an <osmatch>'s name (only whether it has one). Their flags, or'd, for
 * the first two kinds (the pass leaves a value with references or line ends to the full reader).
 */
function noteValues(e: usize, kind: i32): void {
  for (let v = 0; v < VALUES; v++) {
    store<i32>(e + 16 + 8 * <usize>v, -1);
    store<i32>(e + 20 + 8 * <usize>v, -1);
  }
  let flags = 0;
  const n = load<i32>(OUT_ATTRIBUTES);
  for (let i = 0; i < n; i++) {
    const k: usize = 4 * <usize>i;
    const as = load<i32>(ATTR_START + k);
    const ae = load<i32>(ATTR_NAME_END + k);
    let v = -1;
    if (kind == ADDRESS) {
      if (nameIs(as, ae, S_ADDR, 4)) v = 0;
      else if (nameIs(as, ae, S_ADDRTYPE, 8)) v = 1;
      else if (nameIs(as, ae, S_VENDOR, 6)) v = 2;
    } else if (nameIs(as, ae, S_NAME, 4)) v = 0;
    else if (kind == HOSTNAME && nameIs(as, ae, S_TYPE, 4)) v = 1;
    if (v < 0) continue;
    store<i32>(e + 16 + 8 * <usize>v, load<i32>(VALUE_START + k));
    store<i32>(e + 20 + 8 * <usize>v, load<i32>(VALUE_END + k));
    if (kind != OSMATCH) flags |= load<i32>(FLAGS + k);
  }
  store<i32>(e + 16 + 8 * <usize>VALUES, flags);
}

/**
 * Checks the element (or comment or instruction) at `lt` and returns the position after it, MORE or
 * GIVE_UP. In a host (`host` != 0), notes the tags its id needs (EVENTS: its <address> and <hostname> tags,
 * its first <times>, its <osmatch> tags in an <os>), where its content starts and where its end tag starts.
 */
export function checkElement(lt: i32, len: i32, host: i32, tokens: i32): i32 {
  tokenCount = 0;
  const end = checkElementAt(lt, len, host, tokens);
  store<i32>(OUT_TOKENS, tokenCount);
  if (end >= 0 && host == HOST_WITH_ID) store<i32>(OUT_KEY_LENGTH, ndiffId());
  return end >= 0 && tokenCount > TOKEN_WORDS ? GIVE_UP : end;
}

/**
 * checkHosts' records, in the TOKENS area (a pass that runs it asks for no tokens): HOST_WORDS i32 a host, at
 * most MAX_HOSTS; then the hosts' ids, one after the other (HOST_KEY_LENGTH says how long each is).
 */
export const HOSTS: usize = TOKENS;
const HOST_WORDS: i32 = 8;
const HOST_LT: i32 = 0;
const HOST_END: i32 = 1;
const HOST_CONTENT: i32 = 2;
const HOST_CLOSE: i32 = 3;
const HOST_TIMES: i32 = 4;
const HOST_TIMES_END: i32 = 5;
/** The id's length; 0: the host has none. */
const HOST_KEY_LENGTH: i32 = 6;
/** 1 if the host has an <osmatch> with a name in an <os>. */
const HOST_OSMATCH: i32 = 7;
const MAX_HOSTS: i32 = 2048;
export const HOST_KEYS: usize = HOSTS + 4 * <usize>(HOST_WORDS * MAX_HOSTS);
const HOST_KEYS_END: usize = BUFFER;
/** Where checkHosts stopped: the position the caller goes on from. */
const OUT_HOSTS_STOP: usize = OUT + 40;

/**
 * checkElement(HOST_WITH_ID) for the hosts from `from` on, one after another, for as long as each is a plain
 * one: the next element after blank text is a <host> that starts before `limit`, is complete before `len`,
 * passes the check, has an id written here (ndiffId) and a self-closing first <times>. Notes each (HOSTS) and
 * returns how many; where it stopped is at OUT_HOSTS_STOP (the blank text before the host it stopped at is
 * passed). The host it stops at, and anything else, is the caller's (fast-host-scan.ts reads it one element at
 * a time, as before): this saves that loop's work a host, not one of its rules.
 */
export function checkHosts(from: i32, len: i32, limit: i32): i32 {
  let p = from;
  let n = 0;
  let keys: usize = HOST_KEYS;
  while (n < MAX_HOSTS && keys + <usize>KEY_BYTES <= HOST_KEYS_END) {
    let lt = p;
    while (lt < len && isSpace(at(lt))) lt++;
    if (lt + 6 > len || lt >= limit || at(lt) != 0x3c) break;
    if (!nameIs(lt + 1, lt + 5, S_HOST_START + 1, 4) || nameChar(at(lt + 5))) break;
    p = lt; // the blank text before it is passed
    const end = checkElement(lt, len, HOST_WITH_ID, 0);
    if (end < 0) break;
    const keyLength = load<i32>(OUT_KEY_LENGTH);
    if (keyLength < 0) break;
    let times = -1;
    let timesEnd = -1;
    let osmatch = 0;
    const events = load<i32>(OUT_EVENTS);
    for (let i = 0; i < events; i++) {
      const e = EVENTS + 4 * <usize>(EVENT_WORDS * i);
      const kind = load<i32>(e);
      if (kind == TIMES) {
        // One with content is the caller's to refuse.
        if (load<i32>(e + 12) == 0) return stopAt(lt, n);
        times = load<i32>(e + 4);
        timesEnd = load<i32>(e + 8);
      } else if (kind == OSMATCH && load<i32>(e + 16) >= 0) osmatch = 1;
    }
    const r = HOSTS + 4 * <usize>(HOST_WORDS * n);
    store<i32>(r + 4 * HOST_LT, lt);
    store<i32>(r + 4 * HOST_END, end);
    store<i32>(r + 4 * HOST_CONTENT, load<i32>(OUT_CONTENT_START));
    store<i32>(r + 4 * HOST_CLOSE, load<i32>(OUT_HOST_END));
    store<i32>(r + 4 * HOST_TIMES, times);
    store<i32>(r + 4 * HOST_TIMES_END, timesEnd);
    store<i32>(r + 4 * HOST_KEY_LENGTH, keyLength);
    store<i32>(r + 4 * HOST_OSMATCH, osmatch);
    memory.copy(keys, KEY, <usize>keyLength);
    keys += <usize>keyLength;
    n++;
    p = end;
  }
  return stopAt(p, n);
}

function stopAt(p: i32, n: i32): i32 {
  store<i32>(OUT_HOSTS_STOP, p);
  return n;
}

/** compareHosts' records, at HOSTS: where each host is here, then its reference host's shape. */
const REPEAT_LT: i32 = 0;
const REPEAT_END: i32 = 1;
const REPEAT_REFERENCE: i32 = 2;
const REPEAT_REFERENCE_CONTENT: i32 = 3;
const REPEAT_REFERENCE_TIMES: i32 = 4;
const REPEAT_REFERENCE_TIMES_END: i32 = 5;
const REPEAT_REFERENCE_END: i32 = 6;
/**
 * compareHosts' reference hosts when they are known (its `known` > 0), KNOWN_WORDS i32 each, in the ids' area
 * (checkHosts'): where its content starts, where its <times/> starts and ends (-1 without), where it ends.
 */
export const KNOWN: usize = HOST_KEYS;
const KNOWN_WORDS: i32 = 4;
/** Where compareHosts left the reference: the next host's start (after the last one's line end). */
const OUT_REFERENCE_NEXT: usize = OUT + 44;

/**
 * fast-host-scan.ts's comparison with a reference scan (sameAsReference and repeats) for the hosts from `from`
 * on, one after another, for as long as each repeats the next reference host, found from `next` in the
 * reference's window (up to `windowEnd`) as referenceHost finds it, or, with `known` > 0, the next of the
 * `known` hosts at KNOWN (the reference's hosts as its check found them): the same bytes from the end of its
 * start tag to its end, apart from a self-closing <times> at the same place. Hosts start before `limit` and end
 * before `len`. Notes each (HOSTS: REPEAT_*) and returns how many; where it stopped is at OUT_HOSTS_STOP, the
 * reference's next host at OUT_REFERENCE_NEXT. The host it stops at is the caller's, one at a time, as before.
 */
export function compareHosts(from: i32, len: i32, limit: i32, next: i32, windowEnd: i32, known: i32): i32 {
  let p = from;
  let n = 0;
  while (n < MAX_HOSTS) {
    let lt = p;
    while (lt < len && isSpace(at(lt))) lt++;
    if (lt + 6 > len || lt >= limit || at(lt) != 0x3c) break;
    if (!nameIs(lt + 1, lt + 5, S_HOST_START + 1, 4) || nameChar(at(lt + 5))) break;
    const content = startTag(lt, len, 0);
    if (content < 0 || at(content - 2) == 0x2f || load<i32>(OUT_NAME_END) != lt + 5) break;
    let refContent: i32;
    let refTimes: i32;
    let refTimesEnd: i32;
    let refEnd: i32;
    if (known > 0) {
      // The reference's hosts as its own check found them (KNOWN).
      if (n >= known) break;
      const k = KNOWN + 4 * <usize>(KNOWN_WORDS * n);
      refContent = load<i32>(k);
      refTimes = load<i32>(k + 4);
      refTimesEnd = load<i32>(k + 8);
      refEnd = load<i32>(k + 12);
    } else {
      const close = referenceHost(next, windowEnd);
      if (close < 0) break;
      refContent = load<i32>(OUT_REFERENCE_GT) + 1;
      refTimes = load<i32>(OUT_REFERENCE_TIMES);
      refTimesEnd = load<i32>(OUT_REFERENCE_TIMES_END);
      refEnd = close + 7;
    }
    let end: i32;
    if (refTimes < 0) {
      end = content + (refEnd - refContent);
      if (end >= len || !sameRange(content, refContent, refEnd - refContent)) break;
    } else {
      const times = content + (refTimes - refContent);
      if (times + 6 >= len || !sameRange(content, refContent, refTimes - refContent)) break;
      // Its own <times .../>, checked as any tag (within the subset: self-closing, named times).
      if (at(times) != 0x3c || !nameIs(times + 1, times + 6, S_TIMES, 5)) break;
      const timesEnd = startTag(times, len, 0);
      if (timesEnd < 0 || load<i32>(OUT_NAME_END) != times + 6 || at(timesEnd - 2) != 0x2f) break;
      end = timesEnd + (refEnd - refTimesEnd);
      if (end >= len || !sameRange(timesEnd, refTimesEnd, refEnd - refTimesEnd)) break;
    }
    const r = HOSTS + 4 * <usize>(HOST_WORDS * n);
    store<i32>(r + 4 * REPEAT_LT, lt);
    store<i32>(r + 4 * REPEAT_END, end);
    store<i32>(r + 4 * REPEAT_REFERENCE, next);
    store<i32>(r + 4 * REPEAT_REFERENCE_CONTENT, refContent);
    store<i32>(r + 4 * REPEAT_REFERENCE_TIMES, refTimes);
    store<i32>(r + 4 * REPEAT_REFERENCE_TIMES_END, refTimesEnd);
    store<i32>(r + 4 * REPEAT_REFERENCE_END, refEnd);
    n++;
    p = end;
    if (known > 0) continue;
    next = refEnd;
    while (next < windowEnd && (at(next) == 10 || at(next) == 13)) next++;
  }
  store<i32>(OUT_REFERENCE_NEXT, next);
  return stopAt(p, n);
}

/**
 * The host's ndiff id (ndiffHostId in diff/ndiff/scan-view.ts: its smallest address, padded to 40 characters,
 * then its smallest host name) from the EVENTS just noted, written at KEY: its length (0: the host has no
 * id), or -1 when it is left to TypeScript: a value past ASCII (Python compares code points; here bytes are
 * compared), one with references or line ends, an addrtype other than the three, an id longer than KEY_BYTES.
 * The values are the ones fast-host-scan.ts reads (ElementChecker.valueStart); same rules, as bytes.
 */
function ndiffId(): i32 {
  const n = load<i32>(OUT_EVENTS);
  let addr = -1;
  let addrEnd = -1;
  let addrRank = 0;
  let name = -1;
  let nameEnd = -1;
  for (let i = 0; i < n; i++) {
    const e = EVENTS + 4 * <usize>(EVENT_WORDS * i);
    const kind = load<i32>(e);
    if (kind != ADDRESS && kind != HOSTNAME) continue;
    if (load<i32>(e + 16 + 8 * <usize>VALUES) != 0) return -1;
    const s = load<i32>(e + 16);
    const end = load<i32>(e + 20);
    if (kind == ADDRESS) {
      const rank = addressRank(load<i32>(e + 24), load<i32>(e + 28));
      if (rank < 0) return -1;
      if (s < 0) continue;
      if (!isAsciiRange(s, end)) return -1;
      if (addr < 0 || rank < addrRank || (rank == addrRank && compareBytes(s, end, addr, addrEnd) < 0)) {
        addr = s;
        addrEnd = end;
        addrRank = rank;
      }
    } else {
      if (s < 0) continue;
      if (!isAsciiRange(s, end) || !isAsciiRange(load<i32>(e + 24), load<i32>(e + 28))) return -1;
      if (name < 0 || compareBytes(s, end, name, nameEnd) < 0) {
        name = s;
        nameEnd = end;
      }
    }
  }
  let length = 0;
  if (addr >= 0) {
    length = addrEnd - addr;
    if (length < 40) length = 40;
  } else if (name >= 0) length = 40;
  if (name >= 0) length += nameEnd - name;
  if (length > KEY_BYTES) return -1;
  let k: usize = KEY;
  if (addr >= 0) {
    memory.copy(k, BUFFER + <usize>addr, <usize>(addrEnd - addr));
    k += <usize>(addrEnd - addr);
  }
  if (name >= 0) {
    while (k < KEY + 40) store<u8>(k++, 0x20);
    memory.copy(k, BUFFER + <usize>name, <usize>(nameEnd - name));
  } else if (addr >= 0) while (k < KEY + 40) store<u8>(k++, 0x20);
  return length;
}

const S_IPV4 = memory.data<u8>([0x69, 0x70, 0x76, 0x34]);
const S_IPV6 = memory.data<u8>([0x69, 0x70, 0x76, 0x36]);
const S_MAC = memory.data<u8>([0x6d, 0x61, 0x63]);

/** An addrtype's place in ndiff's order of addresses (no value: ipv4); -1 for any other value. */
function addressRank(start: i32, end: i32): i32 {
  if (start < 0 || nameIs(start, end, S_IPV4, 4)) return 0;
  if (nameIs(start, end, S_IPV6, 4)) return 1;
  if (nameIs(start, end, S_MAC, 3)) return 2;
  return -1;
}

/** Whether the bytes [start, end) are all ASCII (true for start < 0: no value). */
function isAsciiRange(start: i32, end: i32): bool {
  for (let p = start; p < end; p++) if (at(p) >= 0x80) return false;
  return true;
}

/** Bytes [s1, e1) against [s2, e2), as Python compares ASCII strings. */
function compareBytes(s1: i32, e1: i32, s2: i32, e2: i32): i32 {
  const n1 = e1 - s1;
  const n2 = e2 - s2;
  for (let k = 0; k < n1 && k < n2; k++) {
    const d = <i32>at(s1 + k) - <i32>at(s2 + k);
    if (d != 0) return d;
  }
  return n1 - n2;
}

function checkElementAt(lt: i32, len: i32, host: i32, tokens: i32): i32 {
  if (at(lt + 1) == 0x21 || at(lt + 1) == 0x3f) {
    if (host) return GIVE_UP;
    // A comment or instruction between hosts: the full reader checks it.
    if (at(lt + 1) == 0x21) {
      if (at(lt + 2) != 0x2d || at(lt + 3) != 0x2d) return GIVE_UP;
      const end = findCommentEnd(lt + 2, len);
      return end < 0 ? MORE : end + 3;
    }
    const end = find2(0x3f, 0x3e, lt + 2, len);
    return end < 0 ? MORE : end + 2;
  }
  store<i32>(OUT_EVENTS, 0);
  let timesSeen = false;
  let depth = 0;
  let p = lt;
  while (true) {
    // At a '<'.
    if (p + 1 >= len) return MORE;
    const c1 = at(p + 1);
    if (c1 == 0x2f) {
      let q = p + 2;
      const ns = q;
      while (q < len && nameChar(at(q))) q++;
      const ne = q;
      while (q < len && isSpace(at(q))) q++;
      if (q >= len) return MORE;
      if (at(q) != 0x3e || depth == 0) return GIVE_UP;
      const d = depth - 1;
      const os = load<i32>(STACK_START + 4 * <usize>d);
      if (!sameBytes(os, load<i32>(STACK_END + 4 * <usize>d), ns, ne)) return GIVE_UP;
      if (tokens) {
        token(END_TOKEN);
        token(p);
        token(q + 1);
      }
      depth = d;
      if (depth == 0) {
        if (host) store<i32>(OUT_HOST_END, p);
        return q + 1;
      }
      p = q + 1;
    } else if (c1 == 0x21 || c1 == 0x3f) {
      // A comment or instruction inside a host is the full reader's job; elsewhere (nmap writes one in
      // <runstats>) only its end is found here: the full reader checks it in the rest.
      if (host) return GIVE_UP;
      let close: i32;
      if (c1 == 0x21) {
        if (at(p + 2) != 0x2d || at(p + 3) != 0x2d) return GIVE_UP;
        close = findCommentEnd(p + 2, len);
        if (close < 0) return MORE;
        p = close + 3;
      } else {
        close = find2(0x3f, 0x3e, p + 2, len);
        if (close < 0) return MORE;
        p = close + 2;
      }
    } else {
      // In a host, its attributes are kept for noteValues (and for startToken with `tokens`).
      const end = startTag(p, len, tokens | host);
      if (end < 0) return end;
      const ns = p + 1;
      const ne = load<i32>(OUT_NAME_END);
      const selfClosing = at(end - 2) == 0x2f;
      if (tokens) startToken(p, end, ns, ne, selfClosing);
      if (host && depth > 0) {
        let kind = 0;
        if (depth == 1) {
          if (nameIs(ns, ne, S_ADDRESS, 7)) kind = ADDRESS;
          else if (!timesSeen && nameIs(ns, ne, S_TIMES, 5)) {
            kind = TIMES;
            timesSeen = true;
          }
        } else {
          const ps = load<i32>(STACK_START + 4 * <usize>(depth - 1));
          const pe = load<i32>(STACK_END + 4 * <usize>(depth - 1));
          if (nameIs(ns, ne, S_HOSTNAMES, 8) && nameIs(ps, pe, S_HOSTNAMES, 9)) kind = HOSTNAME;
          else if (nameIs(ns, ne, S_OSMATCH, 7) && nameIs(ps, pe, S_OS, 2)) kind = OSMATCH;
        }
        if (kind && !note(kind, p, end, selfClosing)) return GIVE_UP;
      }
      if (!selfClosing) {
        if (depth >= MAX_DEPTH) return GIVE_UP;
        store<i32>(STACK_START + 4 * <usize>depth, ns);
        store<i32>(STACK_END + 4 * <usize>depth, ne);
        depth++;
      } else if (depth == 0) {
        return host ? GIVE_UP : end; // <host/> is left to the full reader
      }
      if (p == lt) store<i32>(OUT_CONTENT_START, end);
      p = end;
    }
    // Text up to the next '<'.
    const text = p;
    let flags = 0;
    for (;;) {
      while (!special(at(p))) p++;
      if (p >= len) return MORE;
      const c = at(p);
      if (c == 0x3c) break;
      if (isControl(c)) return GIVE_UP;
      if (c == 0x26) {
        flags |= TEXT_REFERENCE;
        const semi = reference(p, len);
        if (semi < 0) return semi;
        p = semi;
      } else if (c == 13) flags |= TEXT_CR;
      p++;
    }
    if (tokens && p > text) {
      token(TEXT_TOKEN);
      token(text);
      token(p);
      token(flags);
    }
  }
}

const S_HOST_START = memory.data<u8>([0x3c, 0x68, 0x6f, 0x73, 0x74]);
const S_HOST_END = memory.data<u8>([0x3c, 0x2f, 0x68, 0x6f, 0x73, 0x74, 0x3e]);

/**
 * For reference-hosts.ts: the host element that starts at `start` ('<host' then a space or '>'), found by its
 * tags alone, nothing checked (a guess, which its caller checks later): where its '</host>' starts, -1 when
 * that is not before `len`, -2 when there is no host there. Where its start tag's '>' is, and where its last
 * self-closing '<times' before '</host>' starts and ends (-1 without), are left at OUT_REFERENCE_*.
 */
export function referenceHost(start: i32, len: i32): i32 {
  if (start + 6 > len || !nameIs(start, start + 5, S_HOST_START, 5)) return -2;
  const after = at(start + 5);
  if (after != 0x20 && after != 0x3e) return -2;
  const close = findHostEnd(start + 6, len);
  if (close < 0) return -1;
  let gt = start + 6;
  while (gt < close && at(gt) != 0x3e) gt++;
  if (gt >= close) return -2;
  let times = close - 1;
  while (times > gt && !(at(times) == 0x3c && nameIs(times + 1, times + 6, S_TIMES, 5))) times--;
  let timesEnd = times + 6;
  while (timesEnd < close && at(timesEnd) != 0x3e) timesEnd++;
  const hasTimes = times > gt && at(timesEnd - 1) == 0x2f && timesEnd < close;
  store<i32>(OUT_REFERENCE_GT, gt);
  store<i32>(OUT_REFERENCE_TIMES, hasTimes ? times : -1);
  store<i32>(OUT_REFERENCE_TIMES_END, hasTimes ? timesEnd + 1 : -1);
  return close;
}

/**
 * Where the first '</host>' at or after `from` starts (ending before `len`), or -1: each '<' is found 16 bytes
 * at a time (SIMD: one in ~40 bytes of nmap's XML is a '<'), then its next bytes compared.
 */
function findHostEnd(from: i32, len: i32): i32 {
  const lt = i8x16.splat(0x3c);
  let p = from;
  for (; p + 16 <= len; p += 16) {
    let mask = i8x16.bitmask(i8x16.eq(v128.load(BUFFER + <usize>p), lt));
    while (mask != 0) {
      const q = p + ctz<i32>(mask);
      if (q + 7 <= len && at(q + 1) == 0x2f && nameIs(q, q + 7, S_HOST_END, 7)) return q;
      mask &= mask - 1;
    }
  }
  for (; p + 7 <= len; p++) if (at(p) == 0x3c && at(p + 1) == 0x2f && nameIs(p, p + 7, S_HOST_END, 7)) return p;
  return -1;
}

/**
 * Whether the `length` bytes at `a` and at `b` are the same, 16 at a time (a host of a rescan against the same
 * host in the reference's window: fast-host-scan.ts repeats()).
 */
export function sameRange(a: i32, b: i32, length: i32): bool {
  let p = BUFFER + <usize>a;
  let q = BUFFER + <usize>b;
  const end = p + <usize>length;
  for (; p + 16 <= end; p += 16, q += 16) if (!i8x16.all_true(i8x16.eq(v128.load(p), v128.load(q)))) return false;
  for (; p < end; p++, q++) if (load<u8>(p) != load<u8>(q)) return false;
  return true;
}
