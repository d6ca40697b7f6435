// The one adapter from the parsed model (src/shared/scan.ts) to the scan as ndiff 7.93 sees it after loading:
// addresses and hostnames de-duplicated, ports keyed by (portid, protocol) with later duplicates winning and
// stateless ports dropped, extraports with Python dict semantics, script lists sorted, the host id computed.
import type { Address, NmapRun, Port, ScriptResult, Service } from '../../../shared/scan.ts';
import { codePointKey, comparePy, pyLen } from './pystr.ts';

/** A port as ndiff keeps it: the model's Port, known to have a state. */
export type NdPort = Port & { state: NonNullable<Port['state']> };

export interface NdHost {
  /**
   * ndiff's get_id(), transformed so that JS `<` orders it as Python orders str; null for a host with no
   * address and no name (ndiff falls back to the object's id(): it never matches another host).
   */
  key: string | null;
  /** Host state; null is ndiff's None (no `<status state>`, or the empty placeholder host). */
  state: string | null;
  /** In document order, duplicates (same type and address) dropped. */
  addresses: Address[];
  /** In document order, duplicates dropped. */
  hostnames: string[];
  /** Sorted by (portid, protocol), one per spec (the last one in the document), only ports with a state. */
  ports: NdPort[];
  /** The extraports dict: [state (null = None), count] in insertion order; a repeated state keeps its place. */
  extraports: [string | null, number][];
  /** OS match names in document order. */
  os: string[];
  /** Host script results, sorted by (id, output). */
  scripts: ScriptResult[];
}

export interface NdScan {
  scanner: string | null;
  version: string | null;
  args: string | null;
  /** Seconds since the epoch (ndiff turns them into local time). */
  start: number | null;
  end: number | null;
  /** In ndiff's order: sorted by key, stable. */
  hosts: NdHost[];
  /** Pre-/post-scan scripts in document order (ndiff does not sort these). */
  preScripts: ScriptResult[];
  postScripts: ScriptResult[];
}

/** The empty Host() that host_pairs pairs with a host missing from one scan. */
export const PLACEHOLDER_HOST: NdHost = Object.freeze({
  key: null,
  state: null,
  addresses: [],
  hostnames: [],
  ports: [],
  extraports: [],
  os: [],
  scripts: [],
}) as NdHost;

const ADDRESS_RANK: Record<string, number> = { ipv4: 0, ipv6: 1, mac: 2 };

/** Address.__lt__: IPv4, then IPv6, then MAC; within a type by the address string. */
export function compareAddresses(a: Address, b: Address): number {
  return (ADDRESS_RANK[a.addrtype] ?? 3) - (ADDRESS_RANK[b.addrtype] ?? 3) || comparePy(a.addr, b.addr);
}

export function compareScripts(a: ScriptResult, b: ScriptResult): number {
  return comparePy(a.id, b.id) || comparePy(a.output, b.output);
}

/** ndiff sorts by (portid, protocol). */
export function comparePorts(a: Port, b: Port): number {
  return a.portid - b.portid || comparePy(a.protocol, b.protocol);
}

/**
 * ScriptResult lists sorted by (id, output), what ndiff meant by `script_results.sort()` (with two or more
 * results it raises TypeError: ScriptResult has only __cmp__). Returns the input when already sorted.
 */
export function sortedScripts(scripts: ScriptResult[]): ScriptResult[] {
  for (let i = 1; i < scripts.length; i++) {
    if (compareScripts(scripts[i - 1]!, scripts[i]!) > 0) return [...scripts].sort(compareScripts);
  }
  return scripts;
}

function uniqueAddresses(addresses: Address[]): Address[] {
  if (addresses.length < 2) return addresses;
  const out: Address[] = [];
  for (const a of addresses) {
    if (!out.some((o) => o.addr === a.addr && o.addrtype === a.addrtype)) out.push(a);
  }
  return out;
}

function uniqueNames(names: string[]): string[] {
  if (names.length < 2) return names;
  return [...new Set(names)];
}

/** The dict `ports[spec] = port` for ports with a state, then sorted by spec. */
function keyedPorts(ports: Port[]): NdPort[] {
  let sorted = true;
  let previous: Port | undefined;
  const kept: NdPort[] = [];
  for (const port of ports) {
    if (port.state === undefined) continue;
    if (previous && comparePorts(previous, port) >= 0) sorted = false;
    previous = port;
    kept.push(port as NdPort);
  }
  if (sorted) return kept;
  const bySpec = new Map<string, NdPort>();
  for (const port of kept) bySpec.set(`${port.portid}/${port.protocol}`, port);
  return [...bySpec.values()].sort(comparePorts);
}

function padRight40(s: string): string {
  const len = pyLen(s);
  return len >= 40 ? s : s + ' '.repeat(40 - len);
}

/** Host.get_id(): "%-40s" of the smallest address, then the smallest host name. */
function hostKey(addresses: Address[], hostnames: string[]): string | null {
  let id: string | null = null;
  if (addresses.length > 0) {
    let smallest = addresses[0]!;
    for (const a of addresses) if (compareAddresses(a, smallest) < 0) smallest = a;
    id = padRight40(smallest.addr);
  }
  if (hostnames.length > 0) {
    let smallest = hostnames[0]!;
    for (const h of hostnames) if (comparePy(h, smallest) < 0) smallest = h;
    id = (id ?? ' '.repeat(40)) + smallest;
  }
  return id === null ? null : codePointKey(id);
}

function extraportsDict(run: NmapRun['hosts'][number]): [string | null, number][] {
  const dict: [string | null, number][] = [];
  for (const ep of run.extraPorts) {
    const state = ep.state ?? null;
    const existing = dict.find((entry) => entry[0] === state);
    if (existing) existing[1] = ep.count;
    else dict.push([state, ep.count]);
  }
  return dict;
}

function hostOrder(a: NdHost, b: NdHost): number {
  // Python would raise comparing id(self) with a str; we put the nameless hosts first, in document order.
  if (a.key === null || b.key === null) return a.key === b.key ? 0 : a.key === null ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

export function toNdiffScan(run: NmapRun): NdScan {
  const hosts: NdHost[] = new Array(run.hosts.length);
  for (let i = 0; i < run.hosts.length; i++) {
    const h = run.hosts[i]!;
    const addresses = uniqueAddresses(h.addresses);
    const hostnames = uniqueNames(h.hostnames.map((n) => n.name));
    hosts[i] = {
      key: hostKey(addresses, hostnames),
      state: h.status?.state ?? null,
      addresses,
      hostnames,
      ports: keyedPorts(h.ports),
      extraports: extraportsDict(h),
      os: h.os.map((o) => o.name),
      scripts: sortedScripts(h.hostScripts),
    };
  }
  hosts.sort(hostOrder); // stable, like Python's list.sort
  return {
    scanner: run.scanner ?? null,
    version: run.version ?? null,
    args: run.args ?? null,
    start: run.start ?? null,
    end: run.finished?.time ?? null,
    hosts,
    preScripts: run.preScripts,
    postScripts: run.postScripts,
  };
}

/** Service as ndiff reads it: absent attributes are None. */
export type NdService = Pick<Service, 'name' | 'product' | 'version' | 'extrainfo' | 'tunnel'>;
export const NO_SERVICE: NdService = Object.freeze({});
