// A real HTTP receiver on loopback for the channel tests: records every request exactly as it arrived and
// answers as told (a status, headers, a body), like ntfy, Slack, Discord, Teams or a webhook would.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Wait this long before answering (a slow server). */
  delayMs?: number;
}

export class HttpReceiver {
  readonly requests: ReceivedRequest[] = [];
  /** What the next requests get; change it between steps of a test. */
  answer: (request: ReceivedRequest) => Answer = () => ({ status: 200, body: '{"ok":true}' });
  private server: http.Server | undefined;
  port = 0;
  readonly host: string;

  constructor(host = '127.0.0.1') {
    this.host = host;
  }

  async start(port = 0): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const request: ReceivedRequest = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
        };
        this.requests.push(request);
        const answer = this.answer(request);
        setTimeout(() => {
          res.writeHead(answer.status, answer.headers ?? { 'content-type': 'application/json' });
          res.end(answer.body ?? '');
        }, answer.delayMs ?? 0);
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, this.host, () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  url(path = '/hook'): string {
    return `http://${this.host}:${this.port}${path}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
