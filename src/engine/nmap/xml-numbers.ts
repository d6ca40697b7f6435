// Numbers in nmap's XML attributes, read the way nmap's ndiff (Python) reads them, so that a file ndiff
// accepts gives the same numbers here and a file it rejects is recognisable.

/**
 * Whether Python's str.isspace() accepts the UTF-16 unit c: what int() strips around its argument, and
 * str.rstrip() with no argument (diff/ndiff/pystr.ts).
 */
export function isPythonSpace(c: number): boolean {
  return (
    (c >= 0x09 && c <= 0x0d) ||
    (c >= 0x1c && c <= 0x20) ||
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

const unicodeDigit = /\p{Nd}/u;

/** The value (0-9) of a Unicode decimal digit, or -1. Python's int() accepts every `Nd` digit. */
function digitValue(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c >= 48 && c <= 57) return c - 48;
  if (c < 0x80) return -1;
  const cp = s.codePointAt(i)!;
  const ch = String.fromCodePoint(cp);
  if (!unicodeDigit.test(ch)) return -1;
  // Nd digits come in runs of ten, 0 to 9, so the value is the distance from the start of the run, mod 10.
  let start = cp;
  while (unicodeDigit.test(String.fromCodePoint(start - 1))) start--;
  return (cp - start) % 10;
}

/**
 * Python's int(s) for a base-10 string: surrounding whitespace, one sign, digits with single underscores
 * between them, any Unicode decimal digits. NaN where Python raises ValueError.
 */
export function pythonInt(s: string): number {
  let start = 0;
  let end = s.length;
  while (start < end && isPythonSpace(s.charCodeAt(start))) start++;
  while (end > start && isPythonSpace(s.charCodeAt(end - 1))) end--;
  if (start === end) return NaN;
  let sign = 1;
  const first = s.charCodeAt(start);
  if (first === 43 || first === 45) {
    if (first === 45) sign = -1;
    start++;
  }
  let value = 0;
  let digits = 0;
  let underscore = false;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 95) {
      if (digits === 0 || underscore) return NaN;
      underscore = true;
      continue;
    }
    const d = digitValue(s, i);
    if (d < 0) return NaN;
    if (c >= 0xd800 && c <= 0xdbff) i++; // a digit outside the BMP is two UTF-16 units
    value = value * 10 + d;
    digits++;
    underscore = false;
  }
  if (digits === 0 || underscore) return NaN;
  return sign * value;
}

/** A decimal number such as nmap's elapsed="6.49" or percent="12.50"; undefined when it is not one. */
export function decimal(s: string): number | undefined {
  const t = s.trim();
  if (t === '' || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return undefined;
  return Number(t);
}
