// Port specs as nmap's -p takes them, restricted to what Portwatch needs: "22,80,443,8000-8100",
// "T:22,80,U:53". Items after "T:" or "U:" belong to that protocol until the next prefix; items before any
// prefix apply to every protocol scanned. Browser-safe.
import { controlOrInvisible, describeChar, firstMatch } from './chars.ts';
import { invalid, valid, type Validation } from './result.ts';

export interface PortSpec {
  /** Normalised: spaces removed ("22, 80" -> "22,80"). */
  spec: string;
  /** Ports with no prefix (scanned with whatever technique the profile uses). */
  any: Array<[number, number]>;
  tcp: Array<[number, number]>;
  udp: Array<[number, number]>;
  /** Ports in all (a port listed for T: and U: counts twice). */
  count: number;
}

const number = /^(0|[1-9][0-9]*)$/;

function readPort(text: string, item: string): number | string {
  if (text === '') return `'${item}' is open-ended: write both ends, e.g. 1-1024`;
  if (!/^[0-9]+$/.test(text)) return `'${text}' is not a port number (1-65535)`;
  if (!number.test(text)) return `'${text}' has a leading zero: write ${Number(text)}`;
  const n = Number(text);
  if (n < 1 || n > 65535) return `port ${text} is out of range: ports go from 1 to 65535`;
  return n;
}

function size(ranges: Array<[number, number]>): number {
  return ranges.reduce((sum, [lo, hi]) => sum + hi - lo + 1, 0);
}

/** Finds a port listed twice in one protocol's ranges, if any. */
function firstRepeat(ranges: Array<[number, number]>): number | undefined {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < sorted.length; i++) if (sorted[i]![0] <= sorted[i - 1]![1]) return sorted[i]![0];
  return undefined;
}

export function parsePortSpec(input: string): Validation<PortSpec> {
  const refuse = (message: string) => invalid<PortSpec>([{ field: 'ports', input, message }]);
  const hidden = firstMatch(input, controlOrInvisible);
  if (hidden !== undefined) return refuse(`contains ${describeChar(hidden)}`);
  const spec = input.replace(/[ \t]+/g, '');
  if (spec === '') return refuse('no ports: list ports such as 22,80,443 or a range such as 1-1024');
  if (spec.startsWith('-')) return refuse("starts with '-', which nmap would read as an option: write 1-100");
  const odd = firstMatch(spec, /[^0-9,:A-Z-]/);
  if (odd !== undefined)
    return refuse(
      `contains ${describeChar(odd)}: use numbers, ranges (8000-8100), commas, and T: or U: prefixes`,
    );

  const out: PortSpec = { spec, any: [], tcp: [], udp: [], count: 0 };
  let current: 'any' | 'tcp' | 'udp' = 'any';
  for (let item of spec.split(',')) {
    const original = item;
    if (item === '') return refuse('has an empty item (two commas in a row, or a comma at an end)');
    const prefix = /^([A-Z]):/.exec(item);
    if (prefix) {
      if (prefix[1] !== 'T' && prefix[1] !== 'U')
        return refuse(`'${prefix[1]}:' is not supported: use T: or U:`);
      current = prefix[1] === 'T' ? 'tcp' : 'udp';
      item = item.slice(2);
    }
    if (/[A-Z:]/.test(item))
      return refuse(`'${original}' is not a port or range: T: and U: go before a port`);
    const dash = item.indexOf('-');
    const lo = readPort(dash === -1 ? item : item.slice(0, dash), original);
    if (typeof lo === 'string') return refuse(lo);
    const hi = dash === -1 ? lo : readPort(item.slice(dash + 1), original);
    if (typeof hi === 'string') return refuse(hi);
    if (hi < lo) return refuse(`the range ${lo}-${hi} goes backwards: write ${hi}-${lo}`);
    out[current].push([lo, hi]);
  }
  for (const [name, ranges] of [
    ['', out.any],
    ['T:', out.tcp],
    ['U:', out.udp],
  ] as const) {
    const repeat = firstRepeat(ranges);
    if (repeat !== undefined)
      return refuse(`port ${name}${repeat} is listed more than once: remove the repeat`);
  }
  const both = [...out.any];
  for (const [lo, hi] of both)
    for (const [other, ranges] of [
      ['T:', out.tcp],
      ['U:', out.udp],
    ] as const)
      for (const [a, b] of ranges)
        if (a <= hi && lo <= b)
          return refuse(`port ${Math.max(lo, a)} is listed both with and without ${other}: remove one`);
  out.count = size(out.any) + size(out.tcp) + size(out.udp);
  return valid(out);
}

/** "22,80,8000-8100" from port numbers, collapsing runs into ranges. */
export function formatPortList(ports: readonly number[]): string {
  const sorted = [...new Set(ports)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
