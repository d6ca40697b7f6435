// nmap port specifications ("22,80,443", "1-1000", "T:1-100,U:53", "-p-") as sets of port ranges.
// Used to read what a scan covered (`<scaninfo services="...">`, `<extrareasons ports="...">`): nmap's own
// notation, read leniently. The port lists users type are checked by src/shared/validate/ports.ts, which is
// stricter on purpose (Portwatch's subset: no open-ended ranges, no S:/P:) and browser-safe.
// Numbers and ranges only: service names ("http") and wildcards need nmap-services, which we do not read.

export type PortProtocol = 'tcp' | 'udp' | 'sctp' | 'ip';

const MAX_PORT: Record<PortProtocol, number> = { tcp: 65535, udp: 65535, sctp: 65535, ip: 255 };
const PREFIXES: Record<string, PortProtocol> = { T: 'tcp', U: 'udp', S: 'sctp', P: 'ip' };

/** An immutable set of ports kept as sorted, merged, inclusive ranges; `has` is a binary search. */
export class PortRanges {
  static readonly EMPTY = new PortRanges([]);
  /** [start0, end0, start1, end1, ...], sorted, non-overlapping, non-adjacent. */
  readonly #bounds: Uint32Array;

  constructor(ranges: Iterable<readonly [number, number]>) {
    const sorted = [...ranges].filter(([a, b]) => a <= b).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    const merged: number[] = [];
    for (const [start, end] of sorted) {
      const last = merged.length - 1;
      if (last > 0 && start <= merged[last]! + 1) merged[last] = Math.max(merged[last]!, end);
      else merged.push(start, end);
    }
    this.#bounds = Uint32Array.from(merged);
  }

  has(port: number): boolean {
    const bounds = this.#bounds;
    let low = 0;
    let high = bounds.length / 2 - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (port < bounds[2 * mid]!) high = mid - 1;
      else if (port > bounds[2 * mid + 1]!) low = mid + 1;
      else return true;
    }
    return false;
  }

  /** How many ports. */
  get size(): number {
    let total = 0;
    for (let i = 0; i < this.#bounds.length; i += 2) total += this.#bounds[i + 1]! - this.#bounds[i]! + 1;
    return total;
  }

  get isEmpty(): boolean {
    return this.#bounds.length === 0;
  }

  /** The merged ranges, in order. */
  ranges(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let i = 0; i < this.#bounds.length; i += 2) out.push([this.#bounds[i]!, this.#bounds[i + 1]!]);
    return out;
  }

  union(other: PortRanges): PortRanges {
    return new PortRanges([...this.ranges(), ...other.ranges()]);
  }

  /** nmap's own notation: "22,80,8000-8100". */
  toString(): string {
    return this.ranges()
      .map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`))
      .join(',');
  }
}

/** The ports of a spec, per protocol. A protocol the spec does not name for is empty. */
export interface PortSpec {
  tcp: PortRanges;
  udp: PortRanges;
  sctp: PortRanges;
  ip: PortRanges;
}

export type PortSpecResult = { ok: true; spec: PortSpec } | { ok: false; problem: string };

/**
 * Reads an nmap -p spec the way nmap does: ports before any prefix apply to TCP, UDP and SCTP alike;
 * "T:", "U:", "S:" and "P:" (IP protocols) apply to everything after them up to the next prefix.
 * "-" alone is every port (1-65535); "-100" is 1-100 and "60000-" is 60000-65535. Port 0 only when named.
 * Never throws: a bad spec gives one line saying what is wrong and what to write instead.
 */
export function checkPortSpec(
  text: string,
  unprefixed: readonly PortProtocol[] = ['tcp', 'udp', 'sctp'],
): PortSpecResult {
  const spec = text.trim();
  if (spec === '')
    return { ok: false, problem: 'the port list is empty; give ports such as 22,80,443 or 1-1000' };
  const collected: Record<PortProtocol, Array<[number, number]>> = { tcp: [], udp: [], sctp: [], ip: [] };
  let targets: readonly PortProtocol[] = unprefixed;
  for (const rawItem of spec.split(',')) {
    let item = rawItem.trim();
    const prefixed = /^([A-Za-z]):(.*)$/.exec(item);
    if (prefixed) {
      const protocol = PREFIXES[prefixed[1]!.toUpperCase()];
      if (!protocol)
        return problem(
          spec,
          `"${prefixed[1]}:" is not a protocol prefix; use T: (TCP), U: (UDP), S: (SCTP) or P:`,
        );
      targets = [protocol];
      item = prefixed[2]!.trim();
    }
    if (item === '') return problem(spec, 'it has an empty item; separate ports with single commas');
    const range = /^(\d*)-(\d*)$/.exec(item);
    const single = /^\d+$/.test(item);
    if (!range && !single) {
      const hint = /^[\w*?[\]-]+$/.test(item) ? ' (service names and wildcards are not supported)' : '';
      return problem(spec, `"${item}" is not a port number or range${hint}; use e.g. 22,80,443 or 8000-8100`);
    }
    for (const protocol of targets) {
      const max = MAX_PORT[protocol];
      const start = range ? (range[1] === '' ? 1 : Number(range[1])) : Number(item);
      const end = range ? (range[2] === '' ? max : Number(range[2])) : start;
      if (start > max || end > max)
        return problem(
          spec,
          `${Math.max(start, end)} is beyond the highest ${protocol.toUpperCase()} port (${max})`,
        );
      if (start > end) return problem(spec, `the range ${item} runs backwards; write ${end}-${start}`);
      collected[protocol].push([start, end]);
    }
  }
  return {
    ok: true,
    spec: {
      tcp: new PortRanges(collected.tcp),
      udp: new PortRanges(collected.udp),
      sctp: new PortRanges(collected.sctp),
      ip: new PortRanges(collected.ip),
    },
  };
}

function problem(spec: string, what: string): { ok: false; problem: string } {
  return { ok: false, problem: `port list "${spec}": ${what}` };
}

/**
 * The ports in a plain list without prefixes, as nmap writes `<scaninfo services="...">` and
 * `<extrareasons ports="...">`. An empty or unreadable list is an empty set (covering nothing is the safe
 * reading: such ports are "unscanned", never reported closed).
 */
export function parsePortList(text: string | undefined, protocol: string = 'tcp'): PortRanges {
  if (!(protocol in MAX_PORT)) return PortRanges.EMPTY;
  if (text === undefined || text.trim() === '') return PortRanges.EMPTY;
  const result = checkPortSpec(text, [protocol as PortProtocol]);
  return result.ok ? result.spec[protocol as PortProtocol] : PortRanges.EMPTY;
}
