// The one HTTP sender every channel uses, and what the server's answer means. Secure by default: https only
// (plain http just for loopback receivers), no redirect followed (a webhook that moved must be re-entered,
// not silently sent elsewhere), a timeout on every request, and at most a few KB of any answer read.
import { isIP } from 'node:net';
import type { ChannelAnswer } from '../../shared/channels.ts';
import { messageOf } from '../errors.ts';
import type { ChannelRequest } from './formats.ts';

export interface HttpOptions {
  timeoutMs: number;
  /** How much of an answer is read (the rest is dropped). */
  maxBytes: number;
}

export const DEFAULT_HTTP: HttpOptions = { timeoutMs: 15_000, maxBytes: 4096 };

export interface Verdict extends ChannelAnswer {
  /** delivered; retry later; permanent (stop, say why); too-big (send the shortened version). */
  outcome: 'delivered' | 'retry' | 'permanent' | 'too-big';
  /** From Retry-After. */
  retryAfterMs?: number;
}

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/** Why this URL may not be used (one line), or undefined when it may. */
export function urlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'the URL is not valid; give the full address, e.g. https://ntfy.sh/my-topic';
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return undefined;
  if (url.protocol === 'http:')
    return 'plain http:// is only allowed for loopback addresses; use the https:// address';
  return `only https:// URLs are allowed, not ${url.protocol}`;
}

/** Seconds or an HTTP date, as milliseconds from `now`. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

async function readLimited(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
}

function snippet(body: string): string {
  const line = body.replace(/\s+/g, ' ').trim();
  return line.length > 160 ? line.slice(0, 159) + '…' : line;
}

/** The server's answer, classified, in one line that says what to do. */
export function explainStatus(status: number, body: string, retryAfter: string | null): Verdict {
  const said = snippet(body);
  const answer = `HTTP ${status}${said ? `: ${said}` : ''}`;
  const base = { status, ok: status >= 200 && status < 300 };
  if (status >= 200 && status < 300)
    return { ...base, outcome: 'delivered', message: `delivered (${answer})` };
  if (status >= 300 && status < 400)
    return {
      ...base,
      outcome: 'permanent',
      message: `${answer}; the URL redirects elsewhere, which is not followed: enter the final https:// URL`,
    };
  if (status === 401 || status === 403)
    return {
      ...base,
      outcome: 'permanent',
      message: `${answer}; the token or the URL is wrong (or lacks permission): set the channel up again`,
    };
  if (status === 404 || status === 410)
    return {
      ...base,
      outcome: 'permanent',
      message: `${answer}; the webhook was deleted or the URL is wrong: create it again and re-add the channel`,
    };
  if (status === 413) return { ...base, outcome: 'too-big', message: `${answer}; the message is too big` };
  if (status === 429) {
    const ms = parseRetryAfter(retryAfter);
    const when =
      ms !== undefined ? `; trying again in ${Math.ceil(ms / 1000)} s as asked` : '; trying again later';
    return {
      ...base,
      outcome: 'retry',
      message: `${answer}; rate limited${when}`,
      ...(ms !== undefined ? { retryAfterMs: ms } : {}),
    };
  }
  if (status === 408 || status === 425 || status >= 500) {
    const ms = parseRetryAfter(retryAfter);
    return {
      ...base,
      outcome: 'retry',
      message: `${answer}; the server has a problem, trying again later`,
      ...(ms !== undefined ? { retryAfterMs: ms } : {}),
    };
  }
  return { ...base, outcome: 'permanent', message: `${answer}; the server refused the message` };
}

/** A request that got no answer: always worth another try. */
export function explainNetworkError(error: unknown, timeoutMs: number): Verdict {
  const e = error as { name?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError')
    return {
      ok: false,
      outcome: 'retry',
      message: `no answer within ${Math.round(timeoutMs / 1000)} s; trying again later`,
    };
  const code = e.cause?.code;
  const what =
    code === 'ECONNREFUSED'
      ? 'the connection was refused (is the server running?)'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'the host name could not be resolved'
        : code?.startsWith('ERR_TLS') || code?.includes('CERT')
          ? `the TLS certificate was not accepted (${code})`
          : (e.cause?.message ?? messageOf(error));
  return { ok: false, outcome: 'retry', message: `${what}; trying again later` };
}

/** One POST, never following a redirect, bounded in time and in what is read. */
export async function post(request: ChannelRequest, options: HttpOptions = DEFAULT_HTTP): Promise<Verdict> {
  const problem = urlProblem(request.url);
  if (problem) return { ok: false, outcome: 'permanent', message: problem };
  try {
    const signal = AbortSignal.timeout(options.timeoutMs);
    const response = await fetch(request.url, {
      method: 'POST',
      headers: { 'user-agent': 'Portwatch', ...request.headers },
      body: request.body,
      redirect: 'manual',
      signal,
    });
    const body = await readLimited(response, options.maxBytes);
    return explainStatus(response.status, body, response.headers.get('retry-after'));
  } catch (error) {
    return explainNetworkError(error, options.timeoutMs);
  }
}

/** Sends the full message, and the shortened one when the server says it is too big. */
export async function deliver(
  build: (short: boolean) => ChannelRequest,
  options: HttpOptions = DEFAULT_HTTP,
): Promise<Verdict> {
  const first = await post(build(false), options);
  if (first.outcome !== 'too-big') return first;
  const second = await post(build(true), options);
  if (second.outcome === 'delivered')
    return { ...second, message: `${second.message}; shortened after HTTP 413` };
  if (second.outcome === 'too-big')
    return { ...second, outcome: 'permanent', message: `${second.message}, even shortened` };
  return second;
}
