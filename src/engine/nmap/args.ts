// nmap's argv, built only from typed, validated options: never from a free-form string, targets always after
// `--` so nothing in them can be read as an option, XML to stdout, progress every 2 s.
import type { ScanOptions } from '../../shared/profile.ts';
import { describeError } from '../../shared/validate/result.ts';
import { validateScanOptions } from '../../shared/validate/options.ts';
import { formatPortList } from '../../shared/validate/ports.ts';
import { validateTargets } from '../../shared/validate/targets.ts';
import { UserError } from '../errors.ts';

export const STATS_EVERY = '2s';

export interface NmapArgsExtra {
  /** Change confirmation: only these ports (and the caller passes only the changed hosts as targets). */
  onlyPorts?: { tcp: number[]; udp: number[] };
  /** nmap has raw-socket capabilities it can't see itself (see detect.ts): add --privileged. */
  privilegedFlag?: boolean;
}

function checkPorts(ports: number[], protocol: string): void {
  for (const port of ports)
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new Error(`onlyPorts.${protocol} holds ${String(port)}, not a port from 1 to 65535`);
}

/** Builds nmap's argv (without the nmap path). Re-validates everything: a bad target or option is a UserError. */
export function buildNmapArgs(targets: string[], options: ScanOptions, extra: NmapArgsExtra = {}): string[] {
  const checkedTargets = validateTargets(targets);
  if (!checkedTargets.ok) throw new UserError(describeError(checkedTargets.errors[0]!));
  const checkedOptions = validateScanOptions(options);
  if (!checkedOptions.ok) throw new UserError(describeError(checkedOptions.errors[0]!));
  const o = checkedOptions.value;

  // Not --noninteractive: nmap 7.93 then stops writing --stats-every progress. stdin is /dev/null anyway.
  const args = ['-oX', '-', '--stats-every', STATS_EVERY];
  const only = extra.onlyPorts;
  if (only) {
    checkPorts(only.tcp, 'tcp');
    checkPorts(only.udp, 'udp');
    if (only.tcp.length === 0 && only.udp.length === 0) throw new Error('onlyPorts lists no port to rescan');
  }
  // The technique scans TCP (connect or SYN) or UDP; a confirmation rescan scans the protocols of its ports.
  const tcpFlag = o.technique === 'syn' ? '-sS' : '-sT';
  if (!only) args.push(o.technique === 'udp' ? '-sU' : tcpFlag);
  else {
    if (only.tcp.length > 0) args.push(tcpFlag);
    if (only.udp.length > 0) args.push('-sU');
  }
  if (o.serviceDetection) args.push('-sV');
  if (o.osDetection) args.push('-O');
  args.push(`-T${o.timing}`);
  if (o.skipHostDiscovery) args.push('-Pn');
  if (o.resolveHostnames === false) args.push('-n');

  if (only) {
    const parts: string[] = [];
    if (only.tcp.length > 0) parts.push(`T:${formatPortList(only.tcp)}`);
    if (only.udp.length > 0) parts.push(`U:${formatPortList(only.udp)}`);
    args.push('-p', parts.join(','));
  } else if (o.ports.kind === 'list') args.push('-p', o.ports.spec);
  else if (o.ports.kind === 'top') args.push('--top-ports', String(o.ports.count));

  if (o.hostTimeoutSeconds !== undefined) args.push('--host-timeout', `${o.hostTimeoutSeconds}s`);
  if (extra.privilegedFlag) args.push('--privileged');
  if (checkedTargets.value.family === 'ipv6') args.push('-6');
  args.push('--', ...checkedTargets.value.targets);
  return args;
}
