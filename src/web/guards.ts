// The checks every request passes before it reaches a route: its Host must name this server (a page on
// another site that rebinds its DNS name to 127.0.0.1 still sends its own name: refused), and a request that
// changes anything must come from our own pages (Origin / Sec-Fetch-Site), never from another site.
import net from 'node:net';
import os from 'node:os';
import { UserError } from '../engine/errors.ts';

export interface ListenAddress {
  host: string;
  port: number;
}

export const DEFAULT_LISTEN: ListenAddress = { host: '127.0.0.1', port: 8787 };

/** "127.0.0.1:8787", "[::1]:8787", "0.0.0.0:443" or ":8787" (loopback) to a host and port. */
export function parseListen(text: string): ListenAddress {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
  const port = match ? Number(match[3]) : NaN;
  const host = match ? (match[1] ?? match[2] ?? '') || DEFAULT_LISTEN.host : '';
  if (!match || port > 65535 || (host !== 'localhost' && net.isIP(host) === 0))
    throw new UserError(
      `--listen needs ADDRESS:PORT with an IP address, e.g. 127.0.0.1:8787, 0.0.0.0:8787 or [::1]:8787 (got '${text}')`,
    );
  return { host, port };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (net.isIPv4(host) && host.startsWith('127.'));
}

const isWildcard = (host: string) => host === '0.0.0.0' || host === '::';

/** "name:port" -> [name, port]; IPv6 literals keep their brackets. */
function splitHost(header: string): [string, string | undefined] {
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(header.trim().toLowerCase());
  return match ? [match[1]!, match[2]] : ['', undefined];
}

const asHostName = (address: string) => (net.isIPv6(address) ? `[${address}]` : address.toLowerCase());

/**
 * The Host values this server answers: its listen address (for a wildcard, every address of this machine;
 * for loopback, also `localhost`), each with the port, plus the names the user allowed (--allow-host; a name
 * without a port matches any port, for a reverse proxy on 443).
 */
export function hostAllowList(
  listen: ListenAddress,
  allowed: string[],
): (hostHeader: string | undefined) => boolean {
  const names = new Set<string>();
  if (isWildcard(listen.host)) {
    for (const list of Object.values(os.networkInterfaces()))
      for (const iface of list ?? []) names.add(asHostName(iface.address.split('%')[0]!));
    names.add('localhost');
  } else names.add(asHostName(listen.host));
  if (isLoopback(listen.host)) names.add('localhost');
  const exact = new Set([...names].map((n) => `${n}:${listen.port}`));
  const anyPort = new Set<string>();
  for (const entry of allowed) {
    const [name, port] = splitHost(entry);
    if (port) exact.add(`${name}:${port}`);
    else anyPort.add(name);
  }
  return (header) => {
    if (!header) return false;
    const [name, port] = splitHost(header);
    if (anyPort.has(name)) return true;
    return exact.has(`${name}:${port ?? ''}`);
  };
}

/**
 * Whether a state-changing request comes from one of our pages. Browsers send Origin on every cross-origin
 * and same-origin POST, and Sec-Fetch-Site where they know it; a request with neither is not from a browser
 * page of ours either (scripts must send Origin).
 */
export function sameOrigin(headers: { origin?: string; host?: string; 'sec-fetch-site'?: string }): boolean {
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return false;
  const origin = headers.origin;
  if (origin === undefined) return false;
  try {
    // The host part only: behind a TLS-terminating proxy the page's scheme (https) is not ours (http).
    return new URL(origin).host === (headers.host ?? '').toLowerCase();
  } catch {
    return false;
  }
}
