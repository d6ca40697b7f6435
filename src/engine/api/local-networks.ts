// This machine's own networks, from its interfaces, for the first profile the welcome suggests: e.g.
// `192.168.1.0/24 (wlan0)`. IPv4 only (an IPv6 /64 is no scan target), never loopback or link-local, and no
// wider than a /24, so the suggested first scan is a few minutes, not hours. Only suggested: nothing is
// scanned until the user saves the profile.
import os from 'node:os';
import type { LocalNetwork } from '../../shared/ipc.ts';

/** Interfaces of containers, VMs and VPN tunnels: listed after the machine's own LAN. */
const virtual = /^(docker|br-|veth|virbr|vmnet|vboxnet|lxc|lxd|cni|flannel|tun|tap|wg|utun|zt)/;
const WIDEST_PREFIX = 24;

function toInt(address: string): number {
  return address.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function toDotted(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

export function localNetworks(
  interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]> = os.networkInterfaces(),
): LocalNetwork[] {
  const found: (LocalNetwork & { virtual: boolean })[] = [];
  for (const [name, addresses] of Object.entries(interfaces)) {
    for (const info of addresses ?? []) {
      if (info.family !== 'IPv4' || info.internal || info.address.startsWith('169.254.')) continue;
      const prefix = Math.max(Number(info.cidr?.split('/')[1] ?? 24), WIDEST_PREFIX);
      if (!Number.isInteger(prefix) || prefix > 32) continue;
      const size = 2 ** (32 - prefix);
      const network = `${toDotted(Math.floor(toInt(info.address) / size) * size)}/${prefix}`;
      if (found.some((n) => n.cidr === network)) continue;
      found.push({
        cidr: network,
        interface: name,
        label: `${network} (${name})`,
        virtual: virtual.test(name),
      });
    }
  }
  return found
    .sort((a, b) => Number(a.virtual) - Number(b.virtual))
    .map(({ cidr, interface: iface, label }) => ({ cidr, interface: iface, label }));
}
