// A real SMTP server on loopback for the mail tests (smtp-server, the nodemailer project's server), a
// self-signed certificate made with openssl at test time, and a minimal MIME reader for asserting on what
// arrived. Listens on 127.0.40.0/24 (this area's test range), port 0 unless told otherwise.
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import type { Change } from '../../src/shared/changes.ts';
import type { HistoryEntry } from '../../src/shared/history.ts';
import type { Profile } from '../../src/shared/profile.ts';
import type { ScanReport } from '../../src/engine/reporter.ts';

const run = promisify(execFile);

export const SMTP_TEST_HOST = '127.0.40.1';

export interface TestCert {
  dir: string;
  keyFile: string;
  /** The certificate, which is its own CA: give it to the client as email.caFile. */
  certFile: string;
  key: string;
  cert: string;
}

/** A self-signed certificate for `host` (an IP SAN), valid two days, in a new temp dir. */
export async function makeTestCert(host = SMTP_TEST_HOST): Promise<TestCert> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'portwatch-cert-'));
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-sha256',
    '-days',
    '2',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-subj',
    '/CN=portwatch-test-smtp',
    '-addext',
    `subjectAltName=IP:${host},DNS:localhost`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
  ]);
  return {
    dir,
    keyFile,
    certFile,
    key: await fs.readFile(keyFile, 'utf8'),
    cert: await fs.readFile(certFile, 'utf8'),
  };
}

export interface ReceivedMail {
  raw: string;
  envelopeFrom: string;
  envelopeTo: string[];
  user?: string;
  secure: boolean;
}

/** What the server does with a message it has fully received. */
export type DataVerdict = 'accept' | 'hold' | { code: number; message: string };

export interface TestSmtpOptions {
  host?: string;
  port?: number;
  /** 'tls': implicit TLS; 'starttls': plain, upgraded by STARTTLS; 'none': plain, no STARTTLS offered. */
  security: 'tls' | 'starttls' | 'none';
  cert?: TestCert;
  /** user -> password; without, no AUTH is required. */
  users?: Record<string, string>;
  authMethods?: string[];
  /** Decides per message; default accept. 'hold' never answers (the client waits until killed or timed out). */
  verdict?: (mail: ReceivedMail, index: number) => DataVerdict;
}

export class TestSmtpServer {
  readonly host: string;
  port: number;
  /** Every message whose DATA arrived in full, accepted or not. */
  readonly received: ReceivedMail[] = [];
  /** The messages the server answered 250 to. */
  readonly accepted: ReceivedMail[] = [];
  readonly authAttempts: Array<{ user: string; method: string; ok: boolean }> = [];
  private server: SMTPServer | undefined;
  private readonly options: TestSmtpOptions;
  private waiters: Array<() => void> = [];

  constructor(options: TestSmtpOptions) {
    this.options = options;
    this.host = options.host ?? SMTP_TEST_HOST;
    this.port = options.port ?? 0;
  }

  /** Starts listening (again on the same port after stop()). */
  async start(): Promise<this> {
    const o = this.options;
    const users = o.users;
    const serverOptions: SMTPServerOptions = {
      secure: o.security === 'tls',
      hideSTARTTLS: o.security === 'none',
      disabledCommands: o.security === 'none' ? ['STARTTLS'] : [],
      ...(o.cert ? { key: o.cert.key, cert: o.cert.cert } : {}),
      authOptional: users === undefined,
      allowInsecureAuth: o.security === 'none',
      authMethods: o.authMethods ?? ['PLAIN', 'LOGIN'],
      logger: false,
      closeTimeout: 200,
      onAuth: (auth, _session, callback) => {
        const ok =
          users !== undefined && auth.username !== undefined && users[auth.username] === auth.password;
        this.authAttempts.push({ user: auth.username ?? '', method: auth.method, ok });
        if (ok) callback(null, { user: auth.username });
        else
          callback(
            Object.assign(new Error('5.7.8 Username and Password not accepted'), { responseCode: 535 }),
          );
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const mail: ReceivedMail = {
            raw: Buffer.concat(chunks).toString('utf8'),
            envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            envelopeTo: session.envelope.rcptTo.map((r) => r.address),
            ...(typeof session.user === 'string' ? { user: session.user } : {}),
            secure: session.secure,
          };
          const index = this.received.length;
          this.received.push(mail);
          this.notify();
          const verdict = o.verdict?.(mail, index) ?? 'accept';
          if (verdict === 'hold') return;
          if (verdict === 'accept') {
            this.accepted.push(mail);
            this.notify();
            callback(null, 'Ok: queued');
          } else {
            callback(Object.assign(new Error(verdict.message), { responseCode: verdict.code }));
          }
        });
      },
    };
    this.server = new SMTPServer(serverOptions);
    this.server.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.port, this.host, () => resolve());
    });
    const address = (this.server as unknown as { server: { address(): { port: number } } }).server.address();
    this.port = address.port;
    return this;
  }

  /** Stops listening and drops open connections. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves once `count()` reaches n (or rejects after a generous limit, so a broken test does not hang). */
  async waitFor(count: () => number, n: number, limitMs = 60_000): Promise<void> {
    const deadline = Date.now() + limitMs;
    while (count() < n) {
      if (Date.now() > deadline) throw new Error(`waited ${limitMs} ms for ${n} messages, have ${count()}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 100);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

// ---- a minimal MIME reader: enough to assert on headers and on the text and HTML parts ----

export interface MimePart {
  headers: Record<string, string>;
  contentType: string;
  filename?: string;
  body: string;
}

export interface ParsedMail {
  headers: Record<string, string>;
  parts: MimePart[];
  text?: string;
  html?: string;
  attachments: MimePart[];
}

function decodeWords(value: string): string {
  return value.replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_m, _charset, enc: string, text: string) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(
          text
            .replace(/_/g, ' ')
            .replace(/=([0-9A-Fa-f]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16))),
          'latin1',
        ).toString('utf8'),
  );
}

function splitHeaders(raw: string): { headers: Record<string, string>; body: string } {
  const at = raw.search(/\r?\n\r?\n/);
  const head = at === -1 ? raw : raw.slice(0, at);
  const body = at === -1 ? '' : raw.slice(at).replace(/^\r?\n\r?\n/, '');
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = decodeWords(line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function param(header: string, name: string): string | undefined {
  const m = new RegExp(`${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(header);
  return m ? (m[1] ?? m[2]) : undefined;
}

function decodeBody(body: string, encoding: string | undefined): string {
  const enc = (encoding ?? '7bit').toLowerCase();
  if (enc === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (enc === 'quoted-printable') {
    const bytes = body
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

function collect(raw: string, into: MimePart[]): Record<string, string> {
  const { headers, body } = splitHeaders(raw);
  const type = headers['content-type'] ?? 'text/plain';
  if (/^multipart\//i.test(type)) {
    const boundary = param(type, 'boundary');
    if (boundary) {
      const pieces = body.split(
        new RegExp(`\\r?\\n?--${boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:--)?\\r?\\n?`),
      );
      for (const piece of pieces.slice(1)) if (piece.trim() !== '') collect(piece, into);
    }
    return headers;
  }
  const filename = param(headers['content-disposition'] ?? '', 'filename') ?? param(type, 'name');
  into.push({
    headers,
    contentType: type.split(';')[0]!.trim().toLowerCase(),
    ...(filename ? { filename } : {}),
    // Line ends as the sender wrote them: SMTP turns every one into CRLF.
    body: decodeBody(body, headers['content-transfer-encoding']).replace(/\r\n/g, '\n'),
  });
  return headers;
}

export function parseMail(raw: string): ParsedMail {
  const parts: MimePart[] = [];
  const headers = collect(raw, parts);
  const attachments = parts.filter(
    (p) => p.filename !== undefined || /attachment/i.test(p.headers['content-disposition'] ?? ''),
  );
  const inline = parts.filter((p) => !attachments.includes(p));
  return {
    headers,
    parts,
    text: inline.find((p) => p.contentType === 'text/plain')?.body,
    html: inline.find((p) => p.contentType === 'text/html')?.body,
    attachments,
  };
}

// ---- scan reports to mail: typed inputs as the monitor would hand them over ----

export function testProfile(name = 'Home LAN'): Profile {
  return {
    name,
    targets: ['127.0.40.10'],
    options: {
      ports: { kind: 'default' },
      technique: 'connect',
      serviceDetection: false,
      osDetection: false,
      timing: 4,
      skipHostDiscovery: true,
      confirmChanges: false,
      timeoutSeconds: 300,
    },
    schedule: { kind: 'manual' },
    paused: false,
    expected: [],
    watchdogHours: 0,
    createdAt: '2026-11-01T00:00:00.000Z',
    updatedAt: '2026-11-01T00:00:00.000Z',
  };
}

export function portOpened(host: string, port: number, name = 'http', product?: string): Change {
  return {
    kind: 'port-opened',
    host,
    port,
    protocol: 'tcp',
    before: { state: 'closed', notShown: true },
    after: { state: 'open', service: { name, ...(product ? { product } : {}) } },
  };
}

export function portClosed(host: string, port: number): Change {
  return {
    kind: 'port-closed',
    host,
    port,
    protocol: 'tcp',
    before: { state: 'open', service: { name: 'ssh' } },
    after: { state: 'closed' },
  };
}

let entryCounter = 0;

export function testReport(options: {
  profile?: string;
  changes?: Change[];
  status?: HistoryEntry['status'];
  reason?: string;
  startedAt?: string;
  suppressed?: string[];
  ndiffText?: string;
  id?: string;
}): ScanReport {
  const changes = options.changes ?? [];
  const id = options.id ?? `entry-${process.pid}-${++entryCounter}`;
  return {
    profile: testProfile(options.profile),
    entry: {
      id,
      profile: options.profile ?? 'Home LAN',
      startedAt: options.startedAt ?? '2026-11-24T05:00:00.000Z',
      durationMs: 4200,
      status: options.status ?? 'ok',
      ...(options.reason ? { reason: options.reason } : {}),
      nmapArgs: ['-sT', '--', '127.0.40.10'],
      counts: { hostsUp: 2, hostsScanned: 2, openPorts: 3, changes: changes.length, alerted: changes.length },
      changes,
      suppressed: options.suppressed ?? [],
      hasXml: true,
      delivery: { state: 'none' },
    },
    ndiffText:
      options.ndiffText ??
      (changes.length > 0
        ? '-Nmap 7.93 scan initiated\n+Nmap 7.93 scan initiated\n\n 127.0.40.10:\n-Not shown: 999 closed ports\n+80/tcp open http\n'
        : ''),
  };
}
