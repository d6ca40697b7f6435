// Plain HTTP(S) requests with full control over every header (Host, Origin, Cookie), for the browser UI's
// security tests: fetch() would fill some in or refuse to set them.
import http from 'node:http';
import https from 'node:https';

export interface Sent {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

export interface SendOptions {
  method?: string;
  headers?: Record<string, string | undefined>;
  body?: string | Buffer;
  /** Trust this CA (a test's self-signed certificate). */
  ca?: string | Buffer;
}

export function send(base: string, pathAndQuery: string, options: SendOptions = {}): Promise<Sent> {
  const url = new URL(pathAndQuery, base);
  const client = url.protocol === 'https:' ? https : http;
  const headers = Object.fromEntries(
    Object.entries(options.headers ?? {}).filter((e): e is [string, string] => e[1] !== undefined),
  );
  return new Promise((resolve, reject) => {
    const request = client.request(
      url,
      {
        method: options.method ?? 'GET',
        headers,
        agent: false,
        ...(options.ca ? { ca: options.ca } : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

/** The session cookie's `name=value` from a Set-Cookie header. */
export function cookieFrom(sent: Sent, name: string): string | undefined {
  const cookies = sent.headers['set-cookie'] ?? [];
  return cookies.map((c) => c.split(';')[0]!).find((c) => c.startsWith(`${name}=`));
}
