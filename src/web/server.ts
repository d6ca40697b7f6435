// The browser UI's HTTP server (Fastify): the windows' files, POST /api/<request> for every request of the
// contract (the same handlers, schemas and Result shapes as the app's IPC), and the events as Server-Sent
// Events. Every response carries the windows' security headers; every request passes the Host allow-list,
// then needs a session (a one-time login link or the UI password opens one); every POST must come from our
// own pages. See the README's "Portwatch in a browser" for the reasons behind each rule.
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { promises as fs } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Handlers } from '../engine/api/index.ts';
import { channels, type Result } from '../shared/ipc.ts';
import { contentSecurityPolicy } from '../shared/csp.ts';
import type { Settings } from '../shared/settings.ts';
import type { EventHub } from './event-stream.ts';
import { hostAllowList, sameOrigin, type ListenAddress } from './guards.ts';
import { requestLogLine, stateChanging } from './request-log.ts';
import { Sessions } from './sessions.ts';
import { resolveStaticFile } from './static-files.ts';

export const SESSION_COOKIE = 'portwatch_session';
/** Every request body but a reference upload. */
export const BODY_LIMIT = 256 * 1024;
/** A reference upload (an nmap XML file in JSON); the XML reader's own limits apply after this. */
export const UPLOAD_LIMIT = 64 * 1024 * 1024;
/** Login attempts (link or password) per client address and window. */
export const LOGIN_ATTEMPTS = { max: 10, timeWindow: 5 * 60_000 };

/** Files the sign-in page needs before there is a session. */
const publicFiles = new Set(['/login.html', '/login.js', '/login.css']);

export const securityHeaders: Record<string, string> = {
  'Content-Security-Policy': contentSecurityPolicy("'self'"),
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export interface WebServerOptions {
  handlers: Handlers;
  events: EventHub;
  /** The built browser UI (dist/web). */
  webRoot: string;
  listen: ListenAddress;
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Extra Host names to answer (a reverse proxy's public name). */
  allowHosts?: string[];
  /** Checks the UI password (undefined: none is set). */
  checkPassword?: (password: string) => Promise<boolean | undefined>;
  /** One line per state-changing request and per refusal worth knowing about; never a secret. */
  log: (line: string) => void;
  bodyLimit?: number;
  uploadLimit?: number;
}

export interface WebServer {
  /** http(s)://host:port */
  url: string;
  port: number;
  /** A fresh one-time login link. */
  loginLink(): string;
  close(): Promise<void>;
}

const json = (reply: FastifyReply, status: number, body: unknown) =>
  reply.code(status).header('Cache-Control', 'no-store').type('application/json; charset=utf-8').send(body);

const refusal = (error: string): Result<never> => ({ ok: false, error });

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const { handlers, events, webRoot, listen, log } = options;
  const secure = options.tls !== undefined;
  const sessions = new Sessions();
  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimit ?? BODY_LIMIT,
    ...(options.tls ? { https: { cert: options.tls.cert, key: options.tls.key } } : {}),
  });
  let hostAllowed: (host: string | undefined) => boolean = () => false;

  await app.register(cookie);
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      ok: false,
      error: `too many sign-in attempts; wait ${context.after} and try again`,
    }),
  });

  const sessionOf = (request: FastifyRequest) => request.cookies[SESSION_COOKIE];
  const who = (request: FastifyRequest) => request.ip;

  const sendLoginPage = async (reply: FastifyReply, status: number) => {
    const page = await fs.readFile(`${webRoot}/login.html`);
    return reply.code(status).header('Cache-Control', 'no-store').type('text/html; charset=utf-8').send(page);
  };

  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(securityHeaders)) reply.header(name, value);
    return payload;
  });

  app.addHook('onRequest', async (request, reply) => {
    if (!hostAllowed(request.headers.host)) {
      log(`${who(request)}: refused a request for host '${request.headers.host ?? ''}' (not this server)`);
      return json(reply, 403, refusal('refused: this server does not answer to that host name'));
    }
    const method = request.method;
    if (method !== 'GET' && method !== 'HEAD' && !sameOrigin(request.headers as Record<string, string>)) {
      log(`${who(request)}: refused a cross-site ${method} ${request.url.split('?')[0]}`);
      return json(reply, 403, refusal('refused: this request did not come from a Portwatch page'));
    }
    const path = request.url.split('?')[0]!;
    if (path === '/login' || publicFiles.has(path) || sessions.valid(sessionOf(request))) return;
    if (path.startsWith('/api/'))
      return json(reply, 401, refusal('not signed in: open the link portwatch printed, or sign in again'));
    if (method === 'GET' && (path === '/' || path.endsWith('.html'))) return sendLoginPage(reply, 401);
    return json(reply, 401, refusal('not signed in'));
  });

  const openSession = (reply: FastifyReply) => {
    reply.setCookie(SESSION_COOKIE, sessions.open(), {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure,
    });
  };

  // One route for both ways in, so the link and the password share one count of attempts per address.
  app.route<{ Querystring: { token?: string }; Body: { password?: unknown } | undefined }>({
    method: ['GET', 'POST'],
    url: '/login',
    config: { rateLimit: LOGIN_ATTEMPTS },
    async handler(request, reply) {
      if (request.method === 'POST') return passwordLogin(request.body?.password, request, reply);
      // The link: spends its token, sets the cookie, and sends the browser on without the token in its
      // address bar.
      const token = request.query.token;
      if (typeof token === 'string' && sessions.useLoginToken(token)) {
        openSession(reply);
        log(`${who(request)}: signed in with a login link`);
        return reply.code(303).header('Location', '/').header('Cache-Control', 'no-store').send();
      }
      if (typeof token === 'string') log(`${who(request)}: refused a used, expired or wrong login link`);
      return sendLoginPage(reply, token === undefined ? 200 : 401);
    },
  });
  const passwordLogin = async (password: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const verdict =
      typeof password === 'string' && password.length <= 1024
        ? await options.checkPassword?.(password)
        : false;
    if (verdict === undefined)
      return json(reply, 401, refusal("no UI password is set; open the link 'portwatch watch --ui' printed"));
    if (!verdict) {
      log(`${who(request)}: refused a wrong UI password`);
      return json(reply, 401, refusal('wrong password'));
    }
    openSession(reply);
    log(`${who(request)}: signed in with the UI password`);
    return json(reply, 200, { ok: true, value: null });
  };
  app.post('/logout', async (request, reply) => {
    const session = sessionOf(request);
    sessions.close(session);
    if (session) events.endSession(session);
    reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure });
    return json(reply, 200, { ok: true, value: null });
  });

  for (const channel of channels) {
    const bodyLimit = channel === 'importReference' ? (options.uploadLimit ?? UPLOAD_LIMIT) : undefined;
    app.post(`/api/${channel}`, bodyLimit ? { bodyLimit } : {}, async (request, reply) => {
      const before =
        channel === 'saveSettings'
          ? await handlers.getSettings({}).then((r) => (r.ok ? r.value.settings : undefined))
          : undefined;
      const result = await (handlers[channel] as (payload: unknown) => Promise<Result<unknown>>)(
        request.body,
      );
      if (stateChanging.has(channel))
        log(
          requestLogLine(
            who(request),
            channel,
            request.body,
            result as Result<never>,
            before as Settings | undefined,
          ),
        );
      return json(reply, 200, result);
    });
  }

  app.get('/api/events', async (request, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, {
      ...securityHeaders,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    });
    events.add(reply.raw, sessionOf(request) ?? '');
  });

  app.get('/', async (_request, reply) => reply.code(303).header('Location', '/status.html').send());
  app.get('/*', async (request, reply) => {
    const found = await resolveStaticFile(webRoot, (request.raw.url ?? '/').split('?')[0]!);
    if (!found) return reply.code(404).type('text/plain; charset=utf-8').send('not found');
    return reply
      .header('Cache-Control', 'no-cache')
      .type(found.type)
      .send(await fs.readFile(found.file));
  });

  app.setNotFoundHandler((_request, reply) => json(reply, 404, refusal('not found')));
  app.setErrorHandler((error: { statusCode?: number; code?: string; message: string }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status === 413) {
      const limit = request.url.startsWith('/api/importReference')
        ? (options.uploadLimit ?? UPLOAD_LIMIT)
        : app.initialConfig.bodyLimit!;
      return json(reply, 413, refusal(`the request is too large (at most ${Math.round(limit / 1024)} KiB)`));
    }
    if (status === 429)
      return json(reply, 429, refusal((error as { error?: string }).error ?? 'too many requests'));
    if (status < 500) return json(reply, status, refusal(`bad request: ${error.message}`));
    log(
      `${who(request)}: internal error on ${request.method} ${request.url.split('?')[0]}: ${error.message}`,
    );
    return json(reply, 500, refusal('internal error (see the server log)'));
  });

  await app.listen({ host: listen.host, port: listen.port });
  const address = app.server.address() as AddressInfo;
  hostAllowed = hostAllowList({ host: listen.host, port: address.port }, options.allowHosts ?? []);
  const shownHost = listen.host === '0.0.0.0' || listen.host === '::' ? 'localhost' : listen.host;
  const url = `${secure ? 'https' : 'http'}://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${address.port}`;
  return {
    url,
    port: address.port,
    loginLink: () => `${url}/login?token=${sessions.newLoginToken()}`,
    async close() {
      events.close();
      await app.close();
    },
  };
}
