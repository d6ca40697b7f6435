// Real loopback listeners for tests, and a helper that runs real nmap against them.
//
//   const net = new Listeners();
//   t.after(() => net.close());                      // or: await using net = new Listeners();
//   const ssh = await net.tcp({ host: '127.0.12.1', banner: 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n' });
//   const web = await net.http({ host: '127.0.12.1', server: 'nginx/1.22.1', title: 'Welcome to nginx!' });
//   const dns = await net.udp({ host: '127.0.12.1' });          // answers any datagram
//   const xml = await nmapXml(['-n', '-Pn', '-sT', '-p', `${ssh.port},${web.port}`, '127.0.12.1']);
//
// - Every listener binds to one address you choose. Use the loopback range your task owns (each 127.x address
//   is a separate host to nmap) or ::1, and port 0 (the default) so the OS picks a free port; pass a fixed
//   port only when a scenario needs the same port across runs.
// - tcp(): accepts connections and, if given, sends `banner` first (nmap -sV reads it); `reply` answers
//   whatever the client sends. http(): a real HTTP/1.1 server with a `Server:` header and a page whose
//   <title> is `title` (no Date header, so output is the same on every run). udp(): a responder that sends
//   `reply` back to every datagram, so nmap -sU sees the port open.
// - close() stops every listener and drops every open connection; it is safe to call twice. A listener can
//   also be stopped alone with its own close() (to make a port close between two scans).
// - closedPort(host): a port nothing listens on (bound on port 0, noted, released), for a closed-port probe.
// - nmapXml() runs nmap without a shell (execFile) with `-oX -` appended and returns the XML text. It rejects
//   with nmap's stderr when nmap fails. Only ever pass loopback or test-namespace targets.
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';

export interface TcpListenerOptions {
  /** Address to bind: a loopback IPv4 address or '::1'. */
  host: string;
  /** 0 (default): the OS picks a free port. */
  port?: number;
  /** Sent as soon as a client connects (an SSH or SMTP greeting, say). */
  banner?: string | Uint8Array;
  /** Sent back whenever the client sends something. */
  reply?: string | Uint8Array;
}

export interface HttpListenerOptions {
  host: string;
  port?: number;
  /** The `Server:` header, e.g. 'nginx/1.22.1'. Omitted when undefined. */
  server?: string;
  /** The page's <title>. */
  title?: string;
  /** Extra response headers. */
  headers?: Record<string, string>;
  /** HTTP status for every request (default 200). */
  status?: number;
}

export interface UdpResponderOptions {
  host: string;
  port?: number;
  /** Sent back to every datagram (default 'ok\n'). */
  reply?: string | Uint8Array;
}

/** One running listener. */
export interface Listener {
  readonly protocol: 'tcp' | 'udp';
  readonly host: string;
  readonly port: number;
  /** Stops this listener only (its open connections are dropped). */
  close(): Promise<void>;
}

export class Listeners {
  readonly #closers = new Set<() => Promise<void>>();

  /** A TCP listener, with an optional banner and reply. */
  async tcp(options: TcpListenerOptions): Promise<Listener> {
    const server = net.createServer((socket) => {
      socket.on('error', () => {}); // nmap resets connections freely: not an error here
      if (options.banner !== undefined) socket.write(options.banner);
      if (options.reply !== undefined) {
        const reply = options.reply;
        socket.on('data', () => {
          if (!socket.destroyed) socket.write(reply);
        });
      }
    });
    return this.#listenStream(server, options.host, options.port ?? 0);
  }

  /** An HTTP server answering every request with the same small page. */
  async http(options: HttpListenerOptions): Promise<Listener> {
    const title = options.title ?? '';
    const body = `<!DOCTYPE html>\n<html>\n<head>\n<title>${title}</title>\n</head>\n<body>\n<h1>${title}</h1>\n</body>\n</html>\n`;
    const server = http.createServer((request, response) => {
      response.sendDate = false;
      const headers: Record<string, string | number> = {
        'Content-Type': 'text/html',
        'Content-Length': Buffer.byteLength(body),
        Connection: 'close',
        ...options.headers,
      };
      if (options.server !== undefined) headers.Server = options.server;
      response.writeHead(options.status ?? 200, headers);
      response.end(request.method === 'HEAD' ? undefined : body);
    });
    server.on('clientError', (_error, socket) => socket.destroy());
    return this.#listenStream(server, options.host, options.port ?? 0);
  }

  /** A UDP responder: every datagram gets `reply` back, so nmap -sU sees the port open. */
  async udp(options: UdpResponderOptions): Promise<Listener> {
    const reply = options.reply ?? 'ok\n';
    const socket = dgram.createSocket(net.isIPv6(options.host) ? 'udp6' : 'udp4');
    socket.on('message', (_message, from) => {
      socket.send(reply, from.port, from.address);
    });
    socket.on('error', () => {}); // e.g. ICMP errors reported back on send: not ours to fail on
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address: options.host, port: options.port ?? 0, exclusive: true }, () => {
        socket.off('error', reject);
        resolve();
      });
    }).catch((error: unknown) => {
      throw bindError('udp', options.host, options.port ?? 0, error);
    });
    let closed = false;
    const close = async (): Promise<void> => {
      if (closed) return;
      closed = true;
      this.#closers.delete(close);
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    };
    this.#closers.add(close);
    return { protocol: 'udp', host: options.host, port: socket.address().port, close };
  }

  /** Stops every listener still running. */
  async close(): Promise<void> {
    await Promise.all([...this.#closers].map((close) => close()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #listenStream(server: net.Server, host: string, port: number): Promise<Listener> {
    const sockets = new Set<net.Socket>();
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((error: unknown) => {
      throw bindError('tcp', host, port, error);
    });
    server.on('error', () => {});
    let closed = false;
    const close = async (): Promise<void> => {
      if (closed) return;
      closed = true;
      this.#closers.delete(close);
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await done;
    };
    this.#closers.add(close);
    return { protocol: 'tcp', host, port: (server.address() as net.AddressInfo).port, close };
  }
}

/** A port on `host` that nothing listens on now: bound on port 0, noted, released. */
export async function closedPort(host: string): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, host, resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function bindError(protocol: string, host: string, port: number, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException)?.code ?? String(error);
  const where = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return new Error(`cannot listen on ${protocol} ${where}: ${code}`, { cause: error });
}

export interface NmapXmlOptions {
  /** Default 'nmap' on PATH. */
  nmapPath?: string;
  signal?: AbortSignal;
  /** Kill nmap after this long (default 5 minutes): a stuck test should fail, not hang. */
  timeoutMs?: number;
}

/** Runs `nmap ARGS -oX -` (no shell) and resolves with the XML it wrote. */
export function nmapXml(args: string[], options: NmapXmlOptions = {}): Promise<string> {
  const argv = [...args, '-oX', '-'];
  return new Promise((resolve, reject) => {
    execFile(
      options.nmapPath ?? 'nmap',
      argv,
      {
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
        timeout: options.timeoutMs ?? 5 * 60_000,
        killSignal: 'SIGKILL',
        signal: options.signal,
      },
      (error, stdout, stderr) => {
        if (error) {
          const detail = stderr.trim().split('\n').slice(-3).join(' | ') || error.message;
          reject(new Error(`nmap ${argv.join(' ')} failed: ${detail}`, { cause: error }));
        } else {
          resolve(stdout);
        }
      },
    );
  });
}
