// Python 3 string semantics that ndiff's output depends on, where JavaScript's differ: ordering by code point
// (JS `<` compares UTF-16 units), lengths in code points, str.ljust, str.rstrip() and str.splitlines().
import { isPythonSpace } from '../../nmap/xml-numbers.ts';

/** Maps a UTF-16 unit so that comparing mapped units orders strings by code point (surrogates go last). */
function unitRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit <= 0xdfff ? unit + 0x2000 : unit - 0x800;
}

/** Python's `a < b` on str: -1, 0 or 1. */
export function comparePy(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return unitRank(x) < unitRank(y) ? -1 : 1;
  }
  return a.length < b.length ? -1 : 1;
}

const HIGH_UNITS = /[\ud800-\uffff]/;

/**
 * A string whose JS ordering (`<`, default sort) is the code-point ordering of `s`. Equal to `s` unless it
 * holds a unit at or above U+D800, so the common case costs one regex test and no copy.
 */
export function codePointKey(s: string): string {
  if (!HIGH_UNITS.test(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) out += String.fromCharCode(unitRank(s.charCodeAt(i)));
  return out;
}

/** Python's len(): code points, not UTF-16 units. */
export function pyLen(s: string): number {
  if (!HIGH_UNITS.test(s)) return s.length;
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) n--;
  }
  return n;
}

/** Python's str.ljust(width): pads with spaces to `width` code points. */
export function ljust(s: string, width: number): string {
  const len = pyLen(s);
  return len >= width ? s : s + ' '.repeat(width - len);
}

/**
 * Python's str.rstrip() with no argument. A loop from the end, not a regular expression: /[...]+$/ tries
 * every run of spaces in the line (a table's padding) before the last, ~8 ms of a /16 diff's 2,966 pairs.
 */
export function rstrip(s: string): string {
  let end = s.length;
  while (end > 0 && isPythonSpace(s.charCodeAt(end - 1))) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** The line boundaries of Python's str.splitlines(). */
const PY_LINE_BREAK = /\r\n|[\n\v\f\r\x1c\x1d\x1e\x85\u2028\u2029]/;

/** Python's str.splitlines(): no empty last line for a trailing break, [] for ''. */
export function splitlines(s: string): string[] {
  const lines = s.split(PY_LINE_BREAK);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
