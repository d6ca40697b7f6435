// Merging hosts and ports of parsed nmap runs into a reference (the facts about a run: nmap/hosts.ts).
import type { Host, NmapRun, Port } from '../../shared/scan.ts';
import { hostKey } from '../nmap/hosts.ts';

/**
 * A new reference: `reference` with the hosts in `hosts` taken from `scan` (added, replaced, or dropped when
 * the scan no longer has them). The reference's other hosts and its scan info stay.
 */
export function mergeHosts(reference: NmapRun, scan: NmapRun, hosts: string[]): NmapRun {
  const chosen = new Set<string | undefined>(hosts);
  const fromScan = new Map(scan.hosts.filter((h) => chosen.has(hostKey(h))).map((h) => [hostKey(h), h]));
  const merged: Host[] = [];
  for (const host of reference.hosts) {
    const key = hostKey(host);
    if (!chosen.has(key)) merged.push(host);
    else if (fromScan.has(key)) {
      merged.push(fromScan.get(key)!);
      fromScan.delete(key);
    }
  }
  merged.push(...fromScan.values());
  return { ...structuredClone(reference), hosts: structuredClone(merged) };
}

/**
 * A new reference with one port (or one host's status) taken from the scan: acknowledging a single change
 * without accepting the rest of the scan.
 */
export function mergePort(
  reference: NmapRun,
  scan: NmapRun,
  host: string,
  port: number,
  protocol: string,
): NmapRun {
  const next = structuredClone(reference);
  const scanned = scan.hosts.find((h) => hostKey(h) === host);
  const scannedPort = scanned?.ports.find((p) => p.portid === port && p.protocol === protocol);
  let target = next.hosts.find((h) => hostKey(h) === host);
  if (!target) {
    if (!scanned) return next;
    target = { ...structuredClone(scanned), ports: [] };
    next.hosts.push(target);
  }
  const index = target.ports.findIndex((p) => p.portid === port && p.protocol === protocol);
  if (scannedPort) {
    const copy: Port = structuredClone(scannedPort);
    if (index === -1) {
      target.ports.push(copy);
      target.ports.sort((a, b) => a.protocol.localeCompare(b.protocol) || a.portid - b.portid);
    } else target.ports[index] = copy;
  } else if (index !== -1) target.ports.splice(index, 1);
  return next;
}
