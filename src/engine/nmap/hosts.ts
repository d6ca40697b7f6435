// Facts about parsed nmap runs, each defined once: how a host is named in the change model (the comparison,
// the confirmation rescan, the offline check and accepting hosts into the reference all match hosts by this
// key; ndiff's own host id, "%-40s" of the smallest address, is ndiff's format: ndiff/scan-view.ts
// ndiffHostId), whether a host is up, and a run's counts (the history, references and the diff summary).
import type { Host, NmapRun } from '../../shared/scan.ts';

/** The address a host is matched by: IPv4, else IPv6, else its MAC (upper case); undefined without any. */
export function hostKey(host: Pick<Host, 'addresses'>): string | undefined {
  const of = (type: string) => host.addresses.find((a) => a.addrtype === type)?.addr;
  return of('ipv4') ?? of('ipv6') ?? of('mac')?.toUpperCase();
}

export function isUp(host: Pick<Host, 'status'>): boolean {
  return host.status?.state === 'up';
}

/** Hosts up, hosts scanned, and open ports (over every host listed: a host that is down lists no ports). */
export function runCounts(run: NmapRun): { hostsUp: number; hostsScanned: number; openPorts: number } {
  let hostsUp = 0;
  let openPorts = 0;
  for (const host of run.hosts) {
    if (isUp(host)) hostsUp++;
    for (const port of host.ports) if (port.state?.state === 'open') openPorts++;
  }
  return { hostsUp, hostsScanned: run.hostCounts?.total ?? run.hosts.length, openPorts };
}
