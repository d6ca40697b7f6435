// What Portwatch lets nmap scan: IPv4/IPv6 addresses, CIDR blocks, nmap's IPv4 octet ranges and host names,
// nothing nmap could read as an option or a shell could act on, and at most 65,536 addresses per profile.
// Hand-written on purpose: precise messages, and fast enough to run on every keystroke. Browser-safe.
import { controlOrInvisible, describeChar, firstMatch } from './chars.ts';
import { ipv4Intervals, ipv4ToNumber, parseIpv4Range, parseIpv6 } from './ip.ts';
import { groupDigits, invalid, valid, type FieldError, type Validation } from './result.ts';

export const MAX_ADDRESSES_PER_PROFILE = 65_536;

export type TargetKind = 'ipv4' | 'ipv4-cidr' | 'ipv4-range' | 'ipv6' | 'ipv6-cidr' | 'hostname';
/** A host name follows the profile's family (nmap resolves it to an A or, with -6, an AAAA record). */
export type TargetFamily = 'ipv4' | 'ipv6' | 'name';

export interface Target {
  /** As given, without surrounding ASCII whitespace. */
  text: string;
  kind: TargetKind;
  family: TargetFamily;
  /** Addresses nmap will scan (a host name counts as one). */
  count: number;
}

export interface TargetList {
  targets: string[];
  /** Addresses in all, for the window ("3 targets, 258 addresses"). */
  count: number;
  /** nmap scans one family per run; 'ipv6' means nmap runs with -6. */
  family: 'ipv4' | 'ipv6';
}

/** Everything else (letters, digits and . : / , - % _) gets a message naming the character. */
const allowedChars = /^[A-Za-z0-9.:/,%_-]$/;
const ipv4Chars = /^[0-9.,/-]+$/;
const labelRule = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

interface Checked {
  target: Target;
  /** Address intervals, for finding duplicates and overlaps across the list (IPv4 as numbers, IPv6 as bigints). */
  spans: () => Array<[number, number]> | Array<[bigint, bigint]>;
  /** First and last address: only targets whose bounds meet another's are expanded into spans. */
  bounds: [number | bigint, number | bigint];
}

type Check = { ok: true; value: Checked } | { ok: false; message: string };

const fail = (message: string): Check => ({ ok: false, message });

function tooMany(text: string, count: number | bigint, advice: string): Check {
  return fail(
    `${text} is ${groupDigits(count)} addresses; Portwatch scans at most ${groupDigits(MAX_ADDRESSES_PER_PROFILE)} ` +
      `per profile: ${advice}`,
  );
}

function checkCharacters(text: string): string | undefined {
  if (text.startsWith('-'))
    return "starts with '-', which nmap would read as an option: enter an address, a block, a range or a host name";
  const hidden = firstMatch(text, controlOrInvisible);
  if (hidden !== undefined) return `contains ${describeChar(hidden)}, which is never valid in a target`;
  const space = firstMatch(text, /\s/u);
  if (space !== undefined) return `contains ${describeChar(space)}: put each target in its own entry`;
  if (text.startsWith('/') || text.startsWith('./') || text.startsWith('../'))
    return 'looks like a file path: nmap reads no target files here; enter an address, a block, a range or a host name';
  if (text.startsWith('[') && text.includes(']'))
    return 'remove the brackets: write an IPv6 address as fe80::1';
  if (text.includes('*')) return "contains '*': write an octet range such as 0-255 instead";
  for (const ch of text) {
    if (allowedChars.test(ch)) continue;
    if (ch.codePointAt(0)! > 0x7e)
      return `contains ${describeChar(ch)}: write international host names in their ASCII (xn--) form`;
    return `contains ${describeChar(ch)}, which is not allowed in a target`;
  }
  return undefined;
}

function checkIpv4(text: string): Check {
  const slash = text.indexOf('/');
  const base = slash === -1 ? text : text.slice(0, slash);
  const range = parseIpv4Range(base);
  if (!range.ok) return fail(range.reason);
  if (slash === -1) {
    const r = range.value;
    if (r.count > MAX_ADDRESSES_PER_PROFILE) return tooMany(text, r.count, 'split it into smaller ranges');
    const spans = () => ipv4Intervals(r);
    const bounds: [number, number] = [
      r.octets.reduce((n, set) => n * 256 + set[0]![0], 0),
      r.octets.reduce((n, set) => n * 256 + set[set.length - 1]![1], 0),
    ];
    return {
      ok: true,
      value: {
        target: { text, kind: r.single ? 'ipv4' : 'ipv4-range', family: 'ipv4', count: r.count },
        spans,
        bounds,
      },
    };
  }
  if (!range.value.single) return fail("a range can't also have a /prefix: use one or the other");
  const prefixText = text.slice(slash + 1);
  if (!/^(0|[1-9][0-9]?)$/.test(prefixText))
    return fail(`'/${prefixText}' is not a prefix length from /0 to /32`);
  const prefix = Number(prefixText);
  if (prefix > 32) return fail(`/${prefix} is out of range: IPv4 prefixes go from /0 to /32`);
  const address = ipv4ToNumber(range.value);
  const size = 2 ** (32 - prefix);
  const network = address - (address % size);
  if (network !== address) {
    const n = [24, 16, 8, 0].map((s) => (network / 2 ** s) % 256).join('.');
    return fail(`has bits set after the /${prefix} prefix: did you mean ${n}/${prefix}?`);
  }
  if (size > MAX_ADDRESSES_PER_PROFILE) return tooMany(text, size, 'split it into /16s');
  const spans = (): Array<[number, number]> => [[network, network + size - 1]];
  return {
    ok: true,
    value: {
      target: { text, kind: 'ipv4-cidr', family: 'ipv4', count: size },
      spans,
      bounds: [network, network + size - 1],
    },
  };
}

function checkIpv6(text: string): Check {
  const slash = text.indexOf('/');
  const base = slash === -1 ? text : text.slice(0, slash);
  if (slash !== -1 && base.includes('%'))
    return fail("a zone (%eth0) can't be combined with a /prefix: drop one");
  if (base.includes('-') || base.includes(','))
    return fail('nmap has no ranges for IPv6: use a block such as 2001:db8::/120');
  const address = parseIpv6(base);
  if (!address.ok) return fail(address.reason);
  const value = address.value.value;
  if (slash === -1) {
    return {
      ok: true,
      value: {
        target: { text, kind: 'ipv6', family: 'ipv6', count: 1 },
        spans: () => [[value, value]],
        bounds: [value, value],
      },
    };
  }
  const prefixText = text.slice(slash + 1);
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText))
    return fail(`'/${prefixText}' is not a prefix length from /0 to /128`);
  const prefix = Number(prefixText);
  if (prefix > 128) return fail(`/${prefix} is out of range: IPv6 prefixes go from /0 to /128`);
  const size = 1n << BigInt(128 - prefix);
  if (value % size !== 0n)
    return fail(`has bits set after the /${prefix} prefix: write the block's first address`);
  if (size > BigInt(MAX_ADDRESSES_PER_PROFILE)) return tooMany(text, size, 'split it into /112s');
  return {
    ok: true,
    value: {
      target: { text, kind: 'ipv6-cidr', family: 'ipv6', count: Number(size) },
      spans: () => [[value, value + size - 1n]],
      bounds: [value, value + size - 1n],
    },
  };
}

function checkHostname(text: string): Check {
  if (text.includes('/'))
    return fail("a host name can't take a /prefix: write the address block instead, e.g. 192.168.1.0/24");
  if (text.includes(','))
    return fail('put each host name in its own entry (commas only list numbers in IPv4 ranges)');
  if (text.includes('%')) return fail("'%' only introduces the zone of an IPv6 address, e.g. fe80::1%eth0");
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  if (name.length > 253)
    return fail(`the name is ${name.length} characters long; host names have at most 253`);
  const labels = name.split('.');
  for (const label of labels) {
    if (label === '') return fail('has an empty label (two dots in a row, or a leading dot)');
    if (label.length > 63)
      return fail(`the label '${label.slice(0, 20)}...' is ${label.length} characters; at most 63`);
    if (label.includes('_')) return fail(`'_' is not allowed in host names (RFC 1123): '${label}'`);
    if (!labelRule.test(label)) return fail(`the label '${label}' may not start or end with '-' (RFC 1123)`);
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1]!))
    return fail('looks like an IPv4 address but is not one: an address has 4 numbers from 0 to 255');
  return {
    ok: true,
    value: { target: { text, kind: 'hostname', family: 'name', count: 1 }, spans: () => [], bounds: [0, -1] },
  };
}

/** Only ASCII spaces are trimmed: an invisible Unicode character at either end is still refused. */
function trimAscii(text: string): string {
  return text.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
}

function check(input: string): Check {
  const text = trimAscii(input);
  if (text === '')
    return fail('is empty: enter an address, a block (192.168.1.0/24), a range (10.0.0.1-20) or a host name');
  const bad = checkCharacters(text);
  if (bad !== undefined) return fail(bad);
  if (text.includes(':')) return checkIpv6(text);
  if (ipv4Chars.test(text)) return checkIpv4(text);
  return checkHostname(text);
}

/** One target, as the user types it into one field. */
export function validateTarget(input: string): Validation<Target> {
  const result = check(input);
  return result.ok ? valid(result.value.target) : invalid([{ input, message: result.message }]);
}

interface Span {
  lo: number | bigint;
  hi: number | bigint;
  index: number;
}

/** [later, earlier] target indexes whose addresses overlap, each later target once: a sort and one sweep. */
function overlaps(spans: Span[]): Array<[number, number]> {
  spans.sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : a.index - b.index));
  const found = new Map<number, number>();
  let widest: Span | undefined;
  for (const span of spans) {
    if (widest && span.lo <= widest.hi && widest.index !== span.index) {
      const later = Math.max(span.index, widest.index);
      if (!found.has(later)) found.set(later, Math.min(span.index, widest.index));
    }
    if (!widest || span.hi > widest.hi) widest = span;
  }
  return [...found];
}

/** Indexes of targets whose [first, last] bounds meet another target's: the only ones that can overlap. */
function meetingBounds(items: Array<Checked & { index: number }>): Set<number> {
  const sorted = [...items].sort((a, b) =>
    a.bounds[0] < b.bounds[0] ? -1 : a.bounds[0] > b.bounds[0] ? 1 : 0,
  );
  const meeting = new Set<number>();
  let widest: (typeof sorted)[number] | undefined;
  for (const item of sorted) {
    // Whatever else the item meets also contains its first address, and so meets `widest` too (marked then).
    if (widest && item.bounds[0] <= widest.bounds[1]) meeting.add(item.index).add(widest.index);
    if (!widest || item.bounds[1] > widest.bounds[1]) widest = item;
  }
  return meeting;
}

function nameKey(text: string): string {
  return text.toLowerCase().replace(/\.$/, '');
}

/**
 * A profile's target list: each entry valid, no duplicates or overlaps (nmap would scan and list those
 * addresses twice), one address family, at most 65,536 addresses in all.
 */
export function validateTargets(inputs: readonly string[]): Validation<TargetList> {
  if (inputs.length === 0)
    return invalid([
      { input: '', message: 'no targets: add at least one address, block, range or host name' },
    ]);
  const errors: FieldError[] = [];
  const checked: Array<Checked & { index: number }> = [];
  inputs.forEach((input, index) => {
    const result = check(input);
    if (result.ok) checked.push({ ...result.value, index });
    else errors.push({ index, input, message: result.message });
  });

  // One family per profile: the first address literal decides.
  const first = checked.find((c) => c.target.family !== 'name');
  const family = first?.target.family === 'ipv6' ? 'ipv6' : 'ipv4';
  for (const c of checked) {
    if (c.target.family === 'name' || c.target.family === family) continue;
    errors.push({
      index: c.index,
      input: inputs[c.index]!,
      message:
        `is ${c.target.family === 'ipv6' ? 'IPv6' : 'IPv4'} but target ${first!.index + 1} is ` +
        `${family === 'ipv6' ? 'IPv6' : 'IPv4'}: nmap scans one address family per run, so make a separate profile`,
    });
  }

  // Duplicate names, and addresses covered by an earlier target.
  const names = new Map<string, number>();
  for (const c of checked) {
    if (c.target.kind !== 'hostname') continue;
    const key = nameKey(c.target.text);
    const earlier = names.get(key);
    if (earlier === undefined) names.set(key, c.index);
    else
      errors.push({
        index: c.index,
        input: inputs[c.index]!,
        message: `is listed twice (also target ${earlier + 1}): remove one`,
      });
  }
  for (const family of ['ipv4', 'ipv6'] as const) {
    const ofFamily = checked.filter((c) => c.target.family === family);
    if (ofFamily.length < 2) continue; // one target's own intervals never overlap
    const meeting = meetingBounds(ofFamily);
    const spans = ofFamily
      .filter((c) => meeting.has(c.index))
      .flatMap((c) =>
        (c.spans() as Array<[number | bigint, number | bigint]>).map(([lo, hi]) => ({
          lo,
          hi,
          index: c.index,
        })),
      );
    for (const [later, earlier] of overlaps(spans)) {
      const same = trimAscii(inputs[later]!) === trimAscii(inputs[earlier]!);
      errors.push({
        index: later,
        input: inputs[later]!,
        message: same
          ? `is listed twice (also target ${earlier + 1}): remove one`
          : `overlaps target ${earlier + 1} (${trimAscii(inputs[earlier]!)}): remove one, or nmap scans those addresses twice`,
      });
    }
  }

  const count = checked.reduce((sum, c) => sum + c.target.count, 0);
  if (count > MAX_ADDRESSES_PER_PROFILE && errors.length === 0)
    errors.push({
      input: inputs.join(' '),
      message:
        `these targets add up to ${groupDigits(count)} addresses; Portwatch scans at most ` +
        `${groupDigits(MAX_ADDRESSES_PER_PROFILE)} per profile: split them across profiles`,
    });

  if (errors.length > 0) return invalid(errors.sort((a, b) => (a.index ?? -1) - (b.index ?? -1)));
  return valid({ targets: inputs.map(trimAscii), count, family });
}

/** A text box's content as entries: one per line, blank lines dropped (spaces inside a line stay an error). */
export function splitTargetLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map(trimAscii)
    .filter((line) => line !== '');
}

/**
 * A comma-separated target list (the CLI's --targets) as entries. nmap writes lists inside an IPv4 octet
 * with commas too (10.0.0.1,3,5 or 10.0.1-3,7.1), so a piece of digits, dashes and dots that does not make
 * a whole address by itself continues the octet list before it rather than starting a new target.
 */
export function splitTargetList(text: string): string[] {
  const dots = (s: string) => s.split('.').length - 1;
  const octets = /^[0-9.,-]+$/;
  const entries: string[] = [];
  for (const piece of text.split(',').map(trimAscii)) {
    if (piece === '') continue;
    const last = entries.at(-1);
    if (last !== undefined && octets.test(last) && octets.test(piece) && dots(last) + dots(piece) <= 3)
      entries[entries.length - 1] = `${last},${piece}`;
    else entries.push(piece);
  }
  return entries;
}
