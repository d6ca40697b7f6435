// Hand-written, strict readers for IPv4 (with nmap's octet ranges) and IPv6 addresses. Browser-safe.
// They return a reason instead of throwing, so the target validator can say exactly what is wrong.

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** One IPv4 octet field of an nmap target: a sorted list of inclusive ranges, e.g. "1-3,7" -> [[1,3],[7,7]]. */
export type OctetSet = Array<[number, number]>;

const decimal = /^(0|[1-9][0-9]*)$/;

function readOctetNumber(text: string): Parsed<number> {
  if (text === '') return { ok: false, reason: 'an octet is empty' };
  if (text === '*') return { ok: false, reason: "'*' is not accepted: write the range 0-255" };
  if (!/^[0-9]+$/.test(text)) return { ok: false, reason: `'${text}' is not a number from 0 to 255` };
  if (!decimal.test(text))
    return {
      ok: false,
      reason: `'${text}' has a leading zero, which some tools read as octal: write ${Number(text)}`,
    };
  const n = Number(text);
  if (n > 255) return { ok: false, reason: `${text} is not a number from 0 to 255` };
  return { ok: true, value: n };
}

/** "1-20", "5", "1,3,5-7": one dotted field of an nmap IPv4 range. */
function readOctetField(field: string): Parsed<OctetSet> {
  const set: OctetSet = [];
  for (const item of field.split(',')) {
    const dash = item.indexOf('-');
    if (dash === -1) {
      const n = readOctetNumber(item);
      if (!n.ok) return n;
      set.push([n.value, n.value]);
      continue;
    }
    const lowText = item.slice(0, dash);
    const highText = item.slice(dash + 1);
    if (lowText === '' || highText === '')
      return { ok: false, reason: `the range '${item}' is open-ended: write both ends, e.g. 0-255` };
    const low = readOctetNumber(lowText);
    if (!low.ok) return low;
    const high = readOctetNumber(highText);
    if (!high.ok) return high;
    if (low.value > high.value)
      return { ok: false, reason: `the range ${item} goes backwards: write ${high.value}-${low.value}` };
    set.push([low.value, high.value]);
  }
  set.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < set.length; i++) {
    if (set[i]![0] <= set[i - 1]![1]) return { ok: false, reason: `'${field}' lists some numbers twice` };
  }
  return { ok: true, value: set };
}

function octetCount(set: OctetSet): number {
  return set.reduce((sum, [low, high]) => sum + high - low + 1, 0);
}

export interface Ipv4Range {
  octets: [OctetSet, OctetSet, OctetSet, OctetSet];
  count: number;
  /** True when every field is a single number: a plain address. */
  single: boolean;
}

/** A dotted quad, each field a number, range or list ("10.0.1-3.1-254"). Exactly four fields. */
export function parseIpv4Range(text: string): Parsed<Ipv4Range> {
  const fields = text.split('.');
  if (fields.length !== 4)
    return {
      ok: false,
      reason: `an IPv4 address has 4 numbers separated by dots; this has ${fields.length}`,
    };
  const octets: OctetSet[] = [];
  for (const field of fields) {
    const set = readOctetField(field);
    if (!set.ok) return set;
    octets.push(set.value);
  }
  const count = octets.reduce((product, set) => product * octetCount(set), 1);
  const single = octets.every((set) => set.length === 1 && set[0]![0] === set[0]![1]);
  return { ok: true, value: { octets: octets as Ipv4Range['octets'], count, single } };
}

export function ipv4ToNumber(range: Ipv4Range): number {
  return range.octets.reduce((n, set) => n * 256 + set[0]![0], 0);
}

/**
 * The range as sorted, contiguous [first, last] address intervals (numbers), for overlap checks.
 * Bounded by the address count, which the caller has already limited.
 */
export function ipv4Intervals(range: Ipv4Range): Array<[number, number]> {
  const [a, b, c, d] = range.octets;
  const out: Array<[number, number]> = [];
  for (const [a0, a1] of a)
    for (let x = a0; x <= a1; x++)
      for (const [b0, b1] of b)
        for (let y = b0; y <= b1; y++)
          for (const [c0, c1] of c)
            for (let z = c0; z <= c1; z++) {
              const base = ((x * 256 + y) * 256 + z) * 256;
              for (const [d0, d1] of d) {
                const last = out[out.length - 1];
                if (last && last[1] + 1 === base + d0) last[1] = base + d1;
                else out.push([base + d0, base + d1]);
              }
            }
  return out;
}

/**
 * An IPv6 address: full, compressed ("::"), with an embedded IPv4 tail ("::ffff:192.0.2.1"), and an optional
 * zone ("fe80::1%eth0"). Returns the address as a 128-bit number.
 */
export function parseIpv6(text: string): Parsed<{ value: bigint; zone?: string }> {
  let address = text;
  let zone: string | undefined;
  const percent = text.indexOf('%');
  if (percent !== -1) {
    zone = text.slice(percent + 1);
    address = text.slice(0, percent);
    if (!/^[A-Za-z0-9_.-]{1,32}$/.test(zone))
      return { ok: false, reason: `the zone '%${zone}' must be an interface name or number, e.g. %eth0` };
  }
  const halves = address.split('::');
  if (halves.length > 2) return { ok: false, reason: "'::' may appear only once in an IPv6 address" };
  const groupsOf = (part: string): Parsed<number[]> => {
    if (part === '') return { ok: true, value: [] };
    const groups: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4Range(piece);
        if (!v4.ok || !v4.value.single)
          return { ok: false, reason: `'${piece}' is not a valid embedded IPv4 address` };
        const n = ipv4ToNumber(v4.value);
        groups.push(Math.floor(n / 65536), n % 65536);
        continue;
      }
      if (!/^[0-9A-Fa-f]{1,4}$/.test(piece))
        return {
          ok: false,
          reason:
            piece === ''
              ? 'an IPv6 address has an empty group'
              : `'${piece}' is not an IPv6 group (1-4 hex digits)`,
        };
      groups.push(parseInt(piece, 16));
    }
    return { ok: true, value: groups };
  };
  const head = groupsOf(halves[0]!);
  if (!head.ok) return head;
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : { ok: true as const, value: [] as number[] };
  if (!tail.ok) return tail;
  const given = head.value.length + tail.value.length;
  if (halves.length === 1 && given !== 8)
    return { ok: false, reason: `an IPv6 address has 8 groups (or '::'); this has ${given}` };
  if (halves.length === 2 && given > 7)
    return { ok: false, reason: "an IPv6 address with '::' has at most 7 groups" };
  const groups = [...head.value, ...new Array<number>(8 - given).fill(0), ...tail.value];
  const value = groups.reduce((n, g) => (n << 16n) | BigInt(g), 0n);
  return { ok: true, value: zone === undefined ? { value } : { value, zone } };
}
