// The one adapter from the parsed model (src/shared/scan.ts) to the scan as ndiff 7.93 sees it after loading:
// addresses and hostnames de-duplicated, ports keyed by (portid, protocol) with later duplicates winning and
// stateless ports dropped, extraports with Python dict semantics, script lists sorted, the host id computed.
import type { Address, Host, NmapRun, Port, ScriptResult, Service } from '../../../shared/scan.ts';
import { codePointKey, comparePy, pyLen } from './pystr.ts';

/** A port as ndiff keeps it: the model's Port, known to have a state. */
export type NdPort = Port & { state: NonNullable<Port['state']> };

export interface NdHost {
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
  /** The model's hosts in ndiff's order: sorted by key, stable. Seen as ndiff does through viewHost(). */
  hosts: Host[];
  /**
   * keys[i] is hosts[i]'s get_id(), transformed so that JS `<` orders it as Python orders str; null for a
   * host with no address and no name (ndiff falls back to id(self): it never matches another host).
   */
  keys: (string | null)[];
  /** order[i]: the index in the run's hosts of hosts[i]. */
  order: number[];
  /** Pre-/post-scan scripts in document order (ndiff does not sort these). */
  preScripts: ScriptResult[];
  postScripts: ScriptResult[];
}

/** The empty Host() that host_pairs pairs with a host missing from one scan. */
export const PLACEHOLDER_HOST: NdHost = Object.freeze({
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

const SPACES_40 = ' '.repeat(40);

function padRight40(s: string): string {
  const len = pyLen(s);
  // A slice of one shared run of spaces, rather than a new one per host (65,536 of them in a /16).
  return len >= 40 ? s : s + SPACES_40.slice(len);
}

/** Host.get_id(): "%-40s" of the smallest address, then the smallest host name. Allocates only the key. */
export function ndiffHostId(h: Host): string | null {
  let id: string | null = null;
  const addresses = h.addresses;
  if (addresses.length > 0) {
    let smallest = addresses[0]!;
    for (let i = 1; i < addresses.length; i++) {
      if (compareAddresses(addresses[i]!, smallest) < 0) smallest = addresses[i]!;
    }
    id = padRight40(smallest.addr);
  }
  const names = h.hostnames;
  if (names.length > 0) {
    let smallest = names[0]!.name;
    for (let i = 1; i < names.length; i++)
      if (comparePy(names[i]!.name, smallest) < 0) smallest = names[i]!.name;
    id = (id ?? SPACES_40) + smallest;
  }
  return id === null ? null : codePointKey(id);
}

function extraportsDict(run: Host): [string | null, number][] {
  const dict: [string | null, number][] = [];
  for (const ep of run.extraPorts) {
    const state = ep.state ?? null;
    const existing = dict.find((entry) => entry[0] === state);
    if (existing) existing[1] = ep.count;
    else dict.push([state, ep.count]);
  }
  return dict;
}

function sameScripts(a: ScriptResult[], b: ScriptResult[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.id !== b[i]!.id || a[i]!.output !== b[i]!.output) return false;
  return true;
}

function samePort(a: Port, b: Port): boolean {
  if (a.portid !== b.portid || a.protocol !== b.protocol || a.state?.state !== b.state?.state) return false;
  const x = a.service;
  const y = b.service;
  if (x !== y) {
    if (!x || !y) return false;
    if (x.name !== y.name || x.product !== y.product || x.version !== y.version) return false;
    if (x.extrainfo !== y.extrainfo || x.tunnel !== y.tunnel) return false;
  }
  return sameScripts(a.scripts, b.scripts);
}

/**
 * True when everything ndiff reads from the two hosts is the same, in the same order: then ndiff's views are
 * equal and the pair costs nothing. The common case in a large scan, checked without building the views.
 */
export function sameHostForNdiff(a: Host, b: Host): boolean {
  if (a.status?.state !== b.status?.state) return false;
  if (a.addresses.length !== b.addresses.length || a.hostnames.length !== b.hostnames.length) return false;
  if (a.ports.length !== b.ports.length || a.extraPorts.length !== b.extraPorts.length) return false;
  if (a.os.length !== b.os.length || !sameScripts(a.hostScripts, b.hostScripts)) return false;
  for (let i = 0; i < a.addresses.length; i++) {
    if (
      a.addresses[i]!.addr !== b.addresses[i]!.addr ||
      a.addresses[i]!.addrtype !== b.addresses[i]!.addrtype
    ) {
      return false;
    }
  }
  for (let i = 0; i < a.hostnames.length; i++)
    if (a.hostnames[i]!.name !== b.hostnames[i]!.name) return false;
  for (let i = 0; i < a.extraPorts.length; i++) {
    if (
      a.extraPorts[i]!.state !== b.extraPorts[i]!.state ||
      a.extraPorts[i]!.count !== b.extraPorts[i]!.count
    ) {
      return false;
    }
  }
  for (let i = 0; i < a.os.length; i++) if (a.os[i]!.name !== b.os[i]!.name) return false;
  for (let i = 0; i < a.ports.length; i++) if (!samePort(a.ports[i]!, b.ports[i]!)) return false;
  return true;
}

/** A host as ndiff sees it after loading. Built per host pair while diffing, so it never outlives the pair. */
export function viewHost(h: Host): NdHost {
  const addresses = uniqueAddresses(h.addresses);
  return {
    state: h.status?.state ?? null,
    addresses,
    hostnames: hostnameList(h),
    ports: keyedPorts(h.ports),
    extraports: extraportsDict(h),
    os: h.os.length === 0 ? NO_NAMES : h.os.map((o) => o.name),
    scripts: sortedScripts(h.hostScripts),
  };
}

const NO_NAMES: string[] = [];

function hostnameList(h: Host): string[] {
  if (h.hostnames.length === 0) return NO_NAMES;
  if (h.hostnames.length === 1) return [h.hostnames[0]!.name];
  return uniqueNames(h.hostnames.map((n) => n.name));
}

/** Every host's get_id() (see NdScan.keys), in document order. */
export function ndiffHostIds(run: NmapRun): (string | null)[] {
  const n = run.hosts.length;
  const keys: (string | null)[] = new Array(n);
  for (let i = 0; i < n; i++) keys[i] = ndiffHostId(run.hosts[i]!);
  return keys;
}

/**
 * ndiff's order of hosts (document indices) by their ids `keys`: sorted by id, equal ids in document order
 * (Python's sort is stable). Python would raise comparing id(self) with a str; the nameless hosts (null) go
 * first, in document order.
 */
function ndiffIdOrder(keys: readonly (string | null)[]): (i: number, j: number) => number {
  return (i, j) => {
    const a = keys[i]!;
    const b = keys[j]!;
    if (a === null || b === null) return a === b ? i - j : a === null ? -1 : 1;
    return a < b ? -1 : a > b ? 1 : i - j;
  };
}

/**
 * The scan as ndiff holds it: hosts sorted by get_id() (Python's sort is stable, so is ours). Only the ids
 * are computed for every host; the rest of ndiff's view is built per pair (viewHost). With `keys` (from
 * ndiffHostIds), the run may come without its hosts: then NdScan.hosts is empty and hosts are read by index.
 */
export function toNdiffScan(run: NmapRun, keys: (string | null)[] = ndiffHostIds(run)): NdScan {
  // Plain loops, not Array.from and map with a callback: this runs once, before V8 optimizes anything, and
  // a callback a host costs twice as much then (~8 ms of a /16's 65,536 hosts).
  const n = keys.length;
  const order = new Array<number>(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort(ndiffIdOrder(keys));
  const sorted = new Array<string | null>(n);
  for (let k = 0; k < n; k++) sorted[k] = keys[order[k]!]!;
  const scan = sortedNdiffScan(run, sorted, order);
  if (run.hosts.length === n) scan.hosts = order.map((i) => run.hosts[i]!);
  return scan;
}

/**
 * The NdScan of a run read without its hosts (digest mode), from toNdiffScan's keys and order: the hosts are
 * then read by index (NdScan.hosts is empty).
 */
export function sortedNdiffScan(run: NmapRun, keys: (string | null)[], order: number[]): NdScan {
  return {
    scanner: run.scanner ?? null,
    version: run.version ?? null,
    args: run.args ?? null,
    start: run.start ?? null,
    end: run.finished?.time ?? null,
    hosts: [],
    keys,
    order,
    preScripts: run.preScripts,
    postScripts: run.postScripts,
  };
}

/** Service as ndiff reads it: absent attributes are None. */
export type NdService = Pick<Service, 'name' | 'product' | 'version' | 'extrainfo' | 'tunnel'>;
export const NO_SERVICE: NdService = Object.freeze({});
