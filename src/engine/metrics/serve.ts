// The metrics endpoint: GET /metrics on a loopback address unless told otherwise.
import http from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { UserError, messageOf } from '../errors.ts';
import { createMetrics, type MetricsSources } from './metrics.ts';

export interface ListenAddress {
  host: string;
  port: number;
}

const usage = '--metrics needs PORT or ADDRESS:PORT, e.g. --metrics 9464 or --metrics 127.0.0.1:9464';

/** "9464", "127.0.0.1:9464", "[::1]:9464"; the address defaults to 127.0.0.1. */
export function parseListenAddress(text: string): ListenAddress {
  const match = /^(?:\[([^\]]+)\]:|([^:[\]]+):)?(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[3]);
  const host = match?.[1] ?? match?.[2] ?? '127.0.0.1';
  if (!match || port > 65535 || (host !== 'localhost' && isIP(host) === 0)) throw new UserError(usage);
  return { host, port };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

export async function serveMetrics(registry: Registry, where: ListenAddress): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || (path !== '/metrics' && path !== '/')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${messageOf(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new UserError(
          error.code === 'EADDRINUSE'
            ? `${where.host}:${where.port} is already in use; choose another port with --metrics`
            : `cannot serve metrics on ${where.host}:${where.port}: ${error.message}`,
        ),
      ),
    );
    server.listen(where.port, where.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** `watch --metrics TEXT`: parse the address, build the metrics over these sources, serve them. */
export async function startMetricsEndpoint(
  text: string,
  sources: MetricsSources,
): Promise<MetricsServer & { note: string }> {
  const where = parseListenAddress(text);
  const server = await serveMetrics(createMetrics(sources), where);
  const note = isLoopback(where.host) ? '' : ' (not loopback: anyone who can reach it can read it)';
  return { ...server, note };
}
