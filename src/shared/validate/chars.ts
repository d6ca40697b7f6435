// Naming the characters we refuse, so an error says exactly which one and why. Browser-safe.

const named: Record<string, string> = {
  ' ': 'a space',
  '\t': 'a tab',
  '\n': 'a line break',
  '\r': 'a carriage return',
  '\0': 'a NUL byte',
  '\u00a0': 'a no-break space (U+00A0)',
  '\u200b': 'a zero-width space (U+200B)',
  '\u200c': 'a zero-width non-joiner (U+200C)',
  '\u200d': 'a zero-width joiner (U+200D)',
  '\u2028': 'a line separator (U+2028)',
  '\u2029': 'a paragraph separator (U+2029)',
  '\u202e': 'a right-to-left override (U+202E)',
  '\ufeff': 'a byte-order mark (U+FEFF)',
};

function codePoint(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** "a space", "';'", "a control character (U+0007)", "the non-ASCII character 'а' (U+0430)". */
export function describeChar(ch: string): string {
  const name = named[ch];
  if (name) return name;
  const cp = ch.codePointAt(0)!;
  if (cp < 0x20 || cp === 0x7f) return `a control character (${codePoint(ch)})`;
  if (/\p{Cf}|\p{Zs}|\p{Zl}|\p{Zp}/u.test(ch)) return `an invisible character (${codePoint(ch)})`;
  if (cp > 0x7e) return `the non-ASCII character '${ch}' (${codePoint(ch)})`;
  return `'${ch}'`;
}

/** Control characters (C0, DEL, C1) and Unicode format/separator characters: never valid in any field. */
export const controlOrInvisible = /[\u0000-\u001f\u007f-\u009f\p{Cf}\u2028\u2029]/u;

/** Characters a shell would act on; refused everywhere so no value is dangerous if ever pasted into one. */
export const shellMeta = /[;|&$`<>()\\'"*?!{}[\]~#^]/;

export function firstMatch(text: string, pattern: RegExp): string | undefined {
  const m = pattern.exec(text);
  return m ? m[0] : undefined;
}
