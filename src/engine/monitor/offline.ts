// "Does this machine look offline?": no network interface up other than loopback, or no default route.
// Used to tell "every host went down" (alarming) from "we lost the network" (not a change at all).
import fs from 'node:fs';
import os from 'node:os';

export type OfflineCheck = () => boolean;

export const machineLooksOffline: OfflineCheck = () => {
  const interfaces = Object.values(os.networkInterfaces()).flat();
  if (!interfaces.some((address) => address && !address.internal)) return true;
  if (process.platform === 'linux') return !hasDefaultRoute();
  return false;
};

/** Linux: a default route in /proc/net/route (IPv4) or /proc/net/ipv6_route. */
function hasDefaultRoute(): boolean {
  try {
    const v4 = fs.readFileSync('/proc/net/route', 'utf8').split('\n').slice(1);
    if (v4.some((line) => line.split(/\s+/)[1] === '00000000')) return true;
  } catch {
    return true; // cannot tell: assume online rather than hide real changes
  }
  try {
    const v6 = fs.readFileSync('/proc/net/ipv6_route', 'utf8').split('\n');
    return v6.some((line) => {
      const [dest, prefix, , , , , , , , device] = line.trim().split(/\s+/);
      return dest === '0'.repeat(32) && prefix === '00' && device !== 'lo';
    });
  } catch {
    return false;
  }
}
