// The change model: what changed between a reference scan and a new scan, as typed facts.
// Notifications, email reports, history and the windows all read this; ndiff's text is only a view.
// Browser-safe: pure types.
//
// Where it is better than ndiff:
// - a host is matched by its address, so a changed PTR name is a `hostname-changed`, not a removed and an
//   added host;
// - a port that moved into "Not shown: N filtered ports" is open -> filtered, not a vanished port;
// - a port the reference did not scan has `before.state === 'unscanned'`, so it can be told from a port
//   that really opened; a port this scan did not cover is never reported closed.

export type ChangeKind =
  | 'host-added'
  | 'host-removed'
  | 'host-up'
  | 'host-down'
  | 'port-opened'
  | 'port-closed'
  | 'port-state-changed'
  | 'service-changed'
  | 'script-changed'
  | 'os-changed'
  | 'hostname-changed'
  | 'mac-changed';

/**
 * A port's state on one side of a change: one of nmap's states ('open', 'closed', 'filtered',
 * 'unfiltered', 'open|filtered', 'closed|filtered'), or
 * - 'absent': the host is not in that scan at all (or is down),
 * - 'unscanned': the host is there, but that scan did not cover the port.
 */
export type PortStateName = string;

export interface ServiceSummary {
  name?: string;
  product?: string;
  version?: string;
  extrainfo?: string;
  tunnel?: string;
}

export interface PortSide {
  state: PortStateName;
  /** True when the port was not listed but summarised in "Not shown: N <state> ports". */
  notShown?: boolean;
  service?: ServiceSummary;
}

export interface HostSide {
  /** 'up' | 'down' | 'absent' (not in that scan) */
  state: string;
  hostnames: string[];
  mac?: string;
  macVendor?: string;
}

export interface ScriptSide {
  id: string;
  output: string;
}

export interface OsSide {
  matches: string[];
}

interface ChangeBase<K extends ChangeKind, S> {
  kind: K;
  /** The host's address (IPv4 or IPv6; a MAC only when the host has no IP address). */
  host: string;
  before: S | null;
  after: S | null;
}

interface PortChangeBase<K extends ChangeKind, S> extends ChangeBase<K, S> {
  port: number;
  protocol: string;
}

export type Change =
  | ChangeBase<'host-added' | 'host-removed' | 'host-up' | 'host-down', HostSide>
  | ChangeBase<'hostname-changed' | 'mac-changed', HostSide>
  | ChangeBase<'os-changed', OsSide>
  | (ChangeBase<'script-changed', ScriptSide> & { port?: number; protocol?: string })
  | PortChangeBase<'port-opened' | 'port-closed' | 'port-state-changed' | 'service-changed', PortSide>;

export interface ChangeSet {
  changes: Change[];
}

/** A stable key for one change, used to acknowledge or ignore it ("10.0.0.5 443/tcp port-opened"). */
export function changeKey(change: Change): string {
  const where = 'port' in change && change.port !== undefined ? ` ${change.port}/${change.protocol}` : '';
  const script = change.kind === 'script-changed' ? ` ${(change.after ?? change.before)?.id ?? ''}` : '';
  return `${change.host}${where} ${change.kind}${script}`;
}
