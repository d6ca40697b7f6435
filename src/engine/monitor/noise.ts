// Noise control: which changes are recorded but not alerted. Expected ports/hosts and snoozes are
// ExpectedRules on the profile; a rule past its `until` no longer applies. Changes only in ports nmap
// summarised ("Not shown: N closed ports") are never alerts.
import { changeKey, type Change } from '../../shared/changes.ts';
import type { ExpectedRule } from '../../shared/profile.ts';
import { UserError } from '../errors.ts';

export function ruleActive(rule: ExpectedRule, now: Date): boolean {
  return rule.until === undefined || Date.parse(rule.until) > now.getTime();
}

export function ruleMatches(rule: ExpectedRule, change: Change): boolean {
  if (rule.host !== change.host) return false;
  if (rule.port === undefined) return true;
  if (!('port' in change) || change.port !== rule.port) return false;
  return (rule.protocol ?? 'tcp') === change.protocol;
}

/** Both sides of a port change only counted in "Not shown": a count change, not an alert. */
export function notShownOnly(change: Change): boolean {
  if (!('port' in change) || change.port === undefined) return false;
  const sides = [change.before, change.after].filter((side) => side !== null) as { notShown?: boolean }[];
  return sides.length > 0 && sides.every((side) => side.notShown === true);
}

export interface Triage {
  alerted: Change[];
  /** changeKeys of changes that were recorded but not alerted. */
  suppressed: string[];
}

export function triage(changes: Change[], rules: ExpectedRule[], now: Date): Triage {
  const active = rules.filter((rule) => ruleActive(rule, now));
  const alerted: Change[] = [];
  const suppressed: string[] = [];
  for (const change of changes) {
    if (notShownOnly(change) || active.some((rule) => ruleMatches(rule, change)))
      suppressed.push(changeKey(change));
    else alerted.push(change);
  }
  return { alerted, suppressed };
}

export interface HostPort {
  host: string;
  port?: number;
  protocol?: string;
}

/** Parses "HOST", "HOST:PORT", "HOST:PORT/PROTO", "[IPv6]:PORT/PROTO" or a bare IPv6 address. */
export function parseHostPort(text: string): HostPort {
  const bad = () =>
    new UserError(
      `'${text}' is not HOST, HOST:PORT or HOST:PORT/PROTO (e.g. 192.168.1.10:443/tcp, [::1]:22/tcp)`,
    );
  let host: string;
  let rest: string | undefined;
  const v6 = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  if (v6) {
    host = v6[1]!;
    rest = v6[2];
  } else if ((text.match(/:/g) ?? []).length > 1) {
    host = text; // a bare IPv6 address: the whole host
  } else {
    const colon = text.indexOf(':');
    host = colon === -1 ? text : text.slice(0, colon);
    rest = colon === -1 ? undefined : text.slice(colon + 1);
  }
  if (!host || /\s/.test(host)) throw bad();
  if (rest === undefined) return { host };
  const match = /^(\d{1,5})(?:\/(tcp|udp|sctp))?$/i.exec(rest);
  if (!match) throw bad();
  const port = Number(match[1]);
  if (port < 1 || port > 65535) throw new UserError(`port ${port} in '${text}' is out of range (1-65535)`);
  return { host, port, protocol: (match[2] ?? 'tcp').toLowerCase() };
}

export function formatHostPort(rule: { host: string; port?: number; protocol?: string }): string {
  if (rule.port === undefined) return rule.host;
  const host = rule.host.includes(':') ? `[${rule.host}]` : rule.host;
  return `${host}:${rule.port}/${rule.protocol ?? 'tcp'}`;
}
