// The typed model of one nmap XML run (`nmap -oX`), as read by src/engine/nmap/parse.ts.
//
// Rules the parser keeps so that every consumer can rely on them:
// - every element that can repeat is an array, even when it appears once (or not at all);
// - an attribute that is absent in the XML is `undefined` here (never an empty string), because
//   nmap's ndiff treats "absent" and "empty" differently;
// - `<hosthint>` is not a host, and the elements between hosts (`taskprogress`, `taskbegin`, ...) are skipped;
// - document order is kept everywhere (ndiff's output depends on it).
// Browser-safe: pure types, no imports.

export type AddressType = 'ipv4' | 'ipv6' | 'mac';

export interface Address {
  addr: string;
  addrtype: AddressType;
  /** MAC vendor, as nmap guesses it from the OUI. */
  vendor?: string;
}

export interface Hostname {
  name: string;
  /** 'user' (given on the command line) or 'PTR' (reverse DNS). */
  type?: string;
}

export interface HostStatus {
  /** 'up' | 'down' | 'unknown' | 'skipped'; undefined when the attribute is missing. */
  state?: string;
  reason?: string;
  reasonTtl?: number;
}

export interface PortState {
  /** 'open' | 'closed' | 'filtered' | 'unfiltered' | 'open|filtered' | 'closed|filtered' */
  state: string;
  reason?: string;
  reasonTtl?: number;
}

export interface Service {
  name?: string;
  product?: string;
  version?: string;
  extrainfo?: string;
  /** 'ssl' when the service was found behind TLS. */
  tunnel?: string;
  /** 'table' (looked up in nmap-services) or 'probed' (-sV). */
  method?: string;
  conf?: number;
  ostype?: string;
  devicetype?: string;
  hostname?: string;
  cpe: string[];
}

/** An NSE script's result: its id and its human-readable output. */
export interface ScriptResult {
  id: string;
  output: string;
}

export interface Port {
  protocol: string;
  portid: number;
  /** Undefined when the `<state>` element (or its state attribute) is missing: ndiff then ignores the port. */
  state?: PortState;
  service?: Service;
  scripts: ScriptResult[];
}

export interface ExtraReason {
  reason: string;
  count: number;
  proto?: string;
  /** nmap >= 7.80 lists the ports behind this reason, e.g. "1-21,23-79". */
  ports?: string;
}

/** "Not shown: 998 closed ports": ports nmap summarised instead of listing. */
export interface ExtraPorts {
  /** Undefined when the attribute is missing (ndiff keys it as "unknown"). */
  state?: string;
  /** 0 when missing or not an integer, as ndiff does. */
  count: number;
  reasons: ExtraReason[];
}

export interface OsClass {
  type?: string;
  vendor?: string;
  osfamily?: string;
  osgen?: string;
  accuracy?: number;
  cpe: string[];
}

export interface OsMatch {
  name: string;
  accuracy?: number;
  line?: number;
  classes: OsClass[];
}

export interface Host {
  status?: HostStatus;
  startTime?: number;
  endTime?: number;
  /** nmap gave up on this host (`--host-timeout`): its ports are not to be trusted. */
  timedOut: boolean;
  addresses: Address[];
  hostnames: Hostname[];
  extraPorts: ExtraPorts[];
  ports: Port[];
  os: OsMatch[];
  hostScripts: ScriptResult[];
}

export interface ScanInfo {
  /** 'syn' | 'connect' | 'udp' | 'ack' | ... */
  type: string;
  protocol: string;
  numservices?: number;
  /** The port ranges that were scanned for this protocol, e.g. "1-1000" or "22,80,443". */
  services: string;
}

export interface Finished {
  time?: number;
  timestr?: string;
  elapsed?: number;
  summary?: string;
  /** 'success' | 'error' */
  exit?: string;
  errormsg?: string;
}

export interface HostCounts {
  up: number;
  down: number;
  total: number;
}

/**
 * Whether the run can be trusted as a whole.
 * - complete: nmap finished and said so;
 * - incomplete: the XML stops early (nmap was interrupted or killed) or a host timed out;
 * - failed: nmap finished with `exit="error"`.
 * A scan that is not complete never produces change alerts.
 */
export type Completeness =
  { status: 'complete' } | { status: 'incomplete'; reason: string } | { status: 'failed'; reason: string };

export interface NmapRun {
  scanner?: string;
  args?: string;
  /** Start time, seconds since the epoch. */
  start?: number;
  startstr?: string;
  version?: string;
  xmlOutputVersion?: string;
  scanInfo: ScanInfo[];
  hosts: Host[];
  preScripts: ScriptResult[];
  postScripts: ScriptResult[];
  finished?: Finished;
  hostCounts?: HostCounts;
  completeness: Completeness;
}
