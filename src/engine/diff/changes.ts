// The change model: what changed from a reference scan to the current one, as typed facts (see
// src/shared/changes.ts for the kinds and why they are better than ndiff's text).
//
// How it reads two runs:
// - Hosts are matched by address (IPv4, else IPv6, else MAC for MAC-only hosts), never by name.
// - A host that is absent or down on one side is compared only for presence: host-added/host-up (with a
//   port-opened per open port, before.state 'absent') or a single host-removed/host-down.
// - A port's state on one side is: its listed state; else, when that scan covered the port
//   (`<scaninfo services>` for its protocol), the "Not shown" state it was summarised in (notShown: true),
//   found by `<extrareasons ports>` (nmap >= 7.80), else the only extraports state, else every candidate
//   state joined by " or " when old XML cannot say; else 'unscanned'. Only ports listed on either side are
//   compared, so a change in how many ports are "Not shown" is no change.
// - 'unscanned' is never reported closed; an unscanned -> open port is a port-opened that says so.
import type {
  Change,
  ChangeKind,
  HostSide,
  OsSide,
  PortSide,
  ScriptSide,
  ServiceSummary,
} from '../../shared/changes.ts';
import type {
  ExtraPorts,
  ExtraReason,
  Host,
  NmapRun,
  Port,
  ScriptResult,
  Service,
} from '../../shared/scan.ts';
import { PortRanges, parsePortList } from '../nmap/port-spec.ts';
import { hostKey } from '../nmap/hosts.ts';
import { sameDigest, type LazyHosts } from './ndiff/index.ts';

// The change model's stored order (history entries keep it, and tests and exports compare it), used only as
// the last tie-break after host and port. How a reader sees changes ordered is src/shared/wording.ts KIND_ORDER.
const STORED_KIND_ORDER: readonly ChangeKind[] = [
  'host-added',
  'host-removed',
  'host-up',
  'host-down',
  'hostname-changed',
  'mac-changed',
  'os-changed',
  'script-changed',
  'port-opened',
  'port-closed',
  'port-state-changed',
  'service-changed',
];

/** What one scan knows beyond its hosts: the ports it covered per protocol, and whether it ran OS detection. */
interface ScanView {
  coverage: Map<string, PortRanges>;
  ranOsDetection: boolean;
}

/**
 * A run whose hosts are read only when needed (the scan digested: nmap/host-digests.ts, diff/fast-digest.ts).
 * Hosts whose digests are equal have the same content (but for their start tag and first empty <times/>),
 * and two such hosts never make a change whatever the rest of either scan says (compareHost reads nothing
 * else of them): a pair with equal digests is not even read.
 */
export interface LazyRun extends LazyHosts {
  /** The run; its hosts are not read (they may be absent). */
  run: NmapRun;
  /** keys[i]: hostKey of host i, in document order (null without an address). */
  keys: (string | null | undefined)[];
  /** Whether some host's OS list is not empty (a whole-scan fact: see ranOsDetection). */
  anyOsMatch: boolean;
}

export function computeChanges(reference: NmapRun, current: NmapRun): Change[] {
  return computeChangesLazy(lazyRunOf(reference), lazyRunOf(current));
}

/** A parsed run as a LazyRun: no digests, every host is compared. */
export function lazyRunOf(run: NmapRun): LazyRun {
  return {
    run,
    keys: run.hosts.map(hostKey),
    digests: run.hosts.map(() => ''),
    anyOsMatch: run.hosts.some((h) => h.os.length > 0),
    loadHost: (i) => run.hosts[i]!,
  };
}

/**
 * computeChanges on runs whose hosts are read only when their digests differ: the same changes, in the same
 * order. With `only`, just the hosts with those keys are compared (the others make no changes).
 */
export function computeChangesLazy(
  reference: LazyRun,
  current: LazyRun,
  only?: ReadonlySet<string>,
): Change[] {
  const before = viewOf(reference);
  const after = viewOf(current);
  const indexA = only ? firstHostsOf(reference, only) : hostIndex(reference);
  const indexB = only ? firstHostsOf(current, only) : hostIndex(current);
  const changes: Change[] = [];
  const compare = (key: string, i: number | undefined, j: number | undefined) => {
    if (i !== undefined && j !== undefined && sameDigest(reference.digests[i]!, current.digests[j]!)) return;
    const a = i === undefined ? undefined : reference.loadHost(i);
    const b = j === undefined ? undefined : current.loadHost(j);
    compareHost(key, a, b, before, after, changes);
  };
  // The reference's hosts, then the current scan's new ones (one lookup a host: a /16 has 65,536).
  const paired = new Uint8Array(current.keys.length);
  for (const [key, i] of indexA) {
    const j = indexB.get(key);
    if (j !== undefined) paired[j] = 1;
    compare(key, i, j);
  }
  for (const [key, j] of indexB) if (!paired[j]) compare(key, undefined, j);
  return sortChanges(changes);
}

const hostIndexes = new WeakMap<LazyRun['keys'], Map<string, number>>();

/**
 * Each key's host (its index): a host listed twice (an address given twice as a target) is its first answer.
 * Made once per list of keys (the monitor's offline check asks too, and makes the reference's while nmap runs).
 */
export function hostIndex(run: Pick<LazyRun, 'keys'>): Map<string, number> {
  let index = hostIndexes.get(run.keys);
  if (!index) hostIndexes.set(run.keys, (index = firstHostsOf(run, undefined)));
  return index;
}

function firstHostsOf(
  run: Pick<LazyRun, 'keys'>,
  only: ReadonlySet<string> | undefined,
): Map<string, number> {
  const hosts = new Map<string, number>();
  run.keys.forEach((key, i) => {
    if (key != null && !hosts.has(key) && (!only || only.has(key))) hosts.set(key, i);
  });
  return hosts;
}

function viewOf({ run, anyOsMatch }: LazyRun): ScanView {
  const coverage = new Map<string, PortRanges>();
  for (const info of run.scanInfo) {
    const ports = parsePortList(info.services, info.protocol);
    coverage.set(info.protocol, (coverage.get(info.protocol) ?? PortRanges.EMPTY).union(ports));
  }
  const ranOsDetection = /(^|\s)-(O|A)(\s|$)/.test(run.args ?? '') || anyOsMatch;
  return { coverage, ranOsDetection };
}

function isUp(host: Host | undefined): host is Host {
  return host?.status?.state === 'up';
}

function hostSide(host: Host | undefined): HostSide {
  if (!host) return { state: 'absent', hostnames: [] };
  const side: HostSide = { state: host.status?.state ?? 'unknown', hostnames: hostnamesOf(host) };
  const mac = host.addresses.find((a) => a.addrtype === 'mac');
  if (mac) {
    side.mac = mac.addr.toUpperCase();
    if (mac.vendor !== undefined) side.macVendor = mac.vendor;
  }
  return side;
}

function hostnamesOf(host: Host): string[] {
  return [...new Set(host.hostnames.map((h) => h.name))];
}

function compareHost(
  key: string,
  a: Host | undefined,
  b: Host | undefined,
  before: ScanView,
  after: ScanView,
  out: Change[],
): void {
  if (!isUp(a)) {
    if (!isUp(b)) return; // down or absent on both sides: nothing to say
    out.push({ kind: a ? 'host-up' : 'host-added', host: key, before: hostSide(a), after: hostSide(b) });
    for (const port of b.ports) {
      if (port.state?.state !== 'open') continue;
      out.push(portChange('port-opened', key, port, { state: 'absent' }, listedSide(port)));
    }
    return;
  }
  if (!isUp(b)) {
    out.push({ kind: b ? 'host-down' : 'host-removed', host: key, before: hostSide(a), after: hostSide(b) });
    return;
  }

  const sideA = hostSide(a);
  const sideB = hostSide(b);
  if (!sameSet(sideA.hostnames, sideB.hostnames)) {
    out.push({ kind: 'hostname-changed', host: key, before: sideA, after: sideB });
  }
  if (sideA.mac !== undefined && sideB.mac !== undefined && sideA.mac !== sideB.mac) {
    out.push({ kind: 'mac-changed', host: key, before: sideA, after: sideB });
  }
  compareOs(key, a, b, before, after, out);
  compareScripts(key, a.hostScripts, b.hostScripts, undefined, out);
  comparePorts(key, a, b, before, after, out);
}

function compareOs(key: string, a: Host, b: Host, before: ScanView, after: ScanView, out: Change[]): void {
  const osA: OsSide = { matches: [...new Set(a.os.map((m) => m.name))] };
  const osB: OsSide = { matches: [...new Set(b.os.map((m) => m.name))] };
  if (sameSet(osA.matches, osB.matches)) return;
  // A scan without -O says nothing about the OS: no change against one that guessed.
  if (
    (osA.matches.length === 0 && !before.ranOsDetection) ||
    (osB.matches.length === 0 && !after.ranOsDetection)
  )
    return;
  out.push({ kind: 'os-changed', host: key, before: osA, after: osB });
}

function comparePorts(key: string, a: Host, b: Host, before: ScanView, after: ScanView, out: Change[]): void {
  const listedA = listedPorts(a);
  const listedB = listedPorts(b);
  const compare = (portA: Port | undefined, portB: Port | undefined, protocol: string, port: number) => {
    // The common case, a listed port unchanged, costs no allocation.
    if (portA && portB && portA.state!.state === portB.state!.state) {
      if (!sameService(portA.service, portB.service)) {
        out.push({
          kind: 'service-changed',
          host: key,
          port,
          protocol,
          before: listedSide(portA),
          after: listedSide(portB),
        });
      }
      if (portA.scripts.length + portB.scripts.length > 0)
        compareScripts(key, portA.scripts, portB.scripts, { port, protocol }, out);
      return;
    }
    const sideA = portA ? listedSide(portA) : unlistedSide(a, before, protocol, port);
    const sideB = portB ? listedSide(portB) : unlistedSide(b, after, protocol, port);
    if (sameState(sideA.state, sideB.state)) return; // a listed port now (or still) summarised in "Not shown"
    const kind = portChangeKind(sideA.state, sideB.state);
    if (kind) out.push({ kind, host: key, port, protocol, before: sideA, after: sideB });
  };
  for (const [id, portA] of listedA) compare(portA, listedB.get(id), portA.protocol, portA.portid);
  for (const [id, portB] of listedB)
    if (!listedA.has(id)) compare(undefined, portB, portB.protocol, portB.portid);
}

/** Which change a port's state change is, or none when either side's knowledge is missing. */
function portChangeKind(
  before: string,
  after: string,
): 'port-opened' | 'port-closed' | 'port-state-changed' | null {
  if (after === 'open') return 'port-opened';
  if (after === 'unscanned' || before === 'unscanned') return null; // not covered now, or newly covered and not open
  if (before === 'open' && (after === 'closed' || after === 'filtered')) return 'port-closed';
  return 'port-state-changed';
}

const PROTOCOL_SLOT: Record<string, number> = { tcp: 0, udp: 1, sctp: 2, ip: 3 };

/** Ports with a state, keyed by protocol and number. A port without a `<state>` is ignored, as ndiff does. */
function listedPorts(host: Host): Map<number | string, Port> {
  const ports = new Map<number | string, Port>();
  for (const port of host.ports) {
    const slot = PROTOCOL_SLOT[port.protocol];
    const id = slot === undefined ? `${port.protocol}/${port.portid}` : slot * 65536 + port.portid;
    if (port.state !== undefined && !ports.has(id)) ports.set(id, port);
  }
  return ports;
}

function listedSide(port: Port): PortSide {
  const side: PortSide = { state: port.state?.state ?? 'unscanned' };
  const service = serviceSummary(port.service);
  if (service) side.service = service;
  return side;
}

/** A port the host did not list: "Not shown" if the scan covered it, else unscanned. */
function unlistedSide(host: Host, view: ScanView, protocol: string, port: number): PortSide {
  const covered = view.coverage.get(protocol);
  if (host.timedOut || !covered?.has(port)) return { state: 'unscanned' };
  const unexplained: ExtraPorts[] = [];
  for (const extra of host.extraPorts) {
    const listing = extra.reasons.filter((r) => r.ports !== undefined && (r.proto ?? protocol) === protocol);
    if (listing.some((r) => reasonPorts(r, protocol).has(port))) {
      return { state: extra.state ?? 'unknown', notShown: true };
    }
    // Reasons that list ports (for any protocol) rule this group out; older XML lists none.
    if (!extra.reasons.some((r) => r.ports !== undefined)) unexplained.push(extra);
  }
  const states = [...new Set(unexplained.map((extra) => extra.state ?? 'unknown'))];
  if (states.length === 0) return { state: 'unscanned' };
  if (states.length === 1) return { state: states[0]!, notShown: true };
  // Old XML with several groups ("Not shown: 95 filtered" and "99 open|filtered" for a TCP+UDP scan): the
  // group whose count is exactly this protocol's unlisted ports is this protocol's.
  const listed = host.ports.filter((p) => p.protocol === protocol && p.state !== undefined).length;
  const unlisted = covered.size - listed;
  const matching = [
    ...new Set(unexplained.filter((e) => e.count === unlisted).map((e) => e.state ?? 'unknown')),
  ];
  if (matching.length === 1) return { state: matching[0]!, notShown: true };
  return { state: states.join(' or '), notShown: true };
}

// Parsed once per `<extrareasons>` element: a host with many listed ports asks the same list many times.
const reasonPortsCache = new WeakMap<ExtraReason, PortRanges>();
function reasonPorts(reason: ExtraReason, protocol: string): PortRanges {
  let ports = reasonPortsCache.get(reason);
  if (!ports) reasonPortsCache.set(reason, (ports = parsePortList(reason.ports, protocol)));
  return ports;
}

/** Equal states; an old-XML "closed or filtered" matches either of its candidates. */
function sameState(a: string, b: string): boolean {
  if (a === b) return true;
  const optionsA = a.split(' or ');
  const optionsB = b.split(' or ');
  if (optionsA.length === 1 && optionsB.length === 1) return false;
  return optionsA.some((state) => optionsB.includes(state));
}

const SERVICE_FIELDS = ['name', 'product', 'version', 'extrainfo', 'tunnel'] as const;

function serviceSummary(service: Service | undefined): ServiceSummary | undefined {
  if (!service) return undefined;
  const summary: ServiceSummary = {};
  for (const field of SERVICE_FIELDS) if (service[field] !== undefined) summary[field] = service[field];
  return Object.keys(summary).length > 0 ? summary : undefined;
}

function sameService(
  a: Service | ServiceSummary | undefined,
  b: Service | ServiceSummary | undefined,
): boolean {
  if (a === b) return true;
  return SERVICE_FIELDS.every((field) => a?.[field] === b?.[field]);
}

function compareScripts(
  key: string,
  before: ScriptResult[],
  after: ScriptResult[],
  where: { port: number; protocol: string } | undefined,
  out: Change[],
): void {
  const outputsA = scriptOutputs(before);
  const outputsB = scriptOutputs(after);
  for (const id of new Set([...outputsA.keys(), ...outputsB.keys()])) {
    const a = outputsA.get(id);
    const b = outputsB.get(id);
    if (a === b) continue;
    const side = (output: string | undefined): ScriptSide | null =>
      output === undefined ? null : { id, output };
    out.push({ kind: 'script-changed', host: key, ...where, before: side(a), after: side(b) });
  }
}

/** Script outputs by id; a script that ran twice on one target keeps both outputs, in order. */
function scriptOutputs(scripts: ScriptResult[]): Map<string, string> {
  const outputs = new Map<string, string>();
  for (const script of scripts) {
    const seen = outputs.get(script.id);
    outputs.set(script.id, seen === undefined ? script.output : `${seen}\n${script.output}`);
  }
  return outputs;
}

function portChange(
  kind: 'port-opened',
  host: string,
  port: Port,
  before: PortSide,
  after: PortSide,
): Change {
  return { kind, host, port: port.portid, protocol: port.protocol, before, after };
}

function sameSet(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((item) => set.has(item));
}

// --- order -----------------------------------------------------------------------------------------

/** By host address (IPv4 numerically, then IPv6 numerically, then MACs), then port, then kind. */
export function sortChanges(changes: Change[]): Change[] {
  const ranks = new Map<string, [number, bigint, string]>();
  const rankOf = (host: string) => {
    let rank = ranks.get(host);
    if (!rank) ranks.set(host, (rank = addressRank(host)));
    return rank;
  };
  return changes.sort((x, y) => {
    const [familyX, valueX, textX] = rankOf(x.host);
    const [familyY, valueY, textY] = rankOf(y.host);
    if (familyX !== familyY) return familyX - familyY;
    if (valueX !== valueY) return valueX < valueY ? -1 : 1;
    if (textX !== textY) return textX < textY ? -1 : 1;
    const portX = 'port' in x && x.port !== undefined ? x.port : -1;
    const portY = 'port' in y && y.port !== undefined ? y.port : -1;
    if (portX !== portY) return portX - portY;
    const protoX = ('protocol' in x && x.protocol) || '';
    const protoY = ('protocol' in y && y.protocol) || '';
    if (protoX !== protoY) return protoX < protoY ? -1 : 1;
    const kindDiff = STORED_KIND_ORDER.indexOf(x.kind) - STORED_KIND_ORDER.indexOf(y.kind);
    if (kindDiff !== 0) return kindDiff;
    return scriptId(x) < scriptId(y) ? -1 : scriptId(x) > scriptId(y) ? 1 : 0;
  });
}

function scriptId(change: Change): string {
  return change.kind === 'script-changed' ? ((change.after ?? change.before)?.id ?? '') : '';
}

/** [family, numeric value, text]: family 0 IPv4, 1 IPv6, 2 anything else (MACs), compared as text. */
function addressRank(address: string): [number, bigint, string] {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (v4) return [0, v4.slice(1).reduce((sum, octet) => sum * 256n + BigInt(octet), 0n), ''];
  const v6 = ipv6Value(address);
  if (v6 !== undefined) return [1, v6, ''];
  return [2, 0n, address];
}

function ipv6Value(address: string): bigint | undefined {
  if (!address.includes(':') || /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(address)) return undefined;
  let text = address.split('%')[0]!;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (tail) {
    const [b0, b1, b2, b3] = tail.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, tail.index) + `${((b0 << 8) | b1).toString(16)}:${((b2 << 8) | b3).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const fill = halves.length === 2 ? 8 - head.length - rest.length : 0;
  const groups = [...head, ...Array<string>(Math.max(fill, 0)).fill('0'), ...rest];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  return groups.reduce((sum, group) => (sum << 16n) + BigInt(parseInt(group, 16)), 0n);
}
