// The browser UI's security rules, each on its own against a real HTTP server on loopback (the real handlers
// over a temporary data directory, the built pages in dist/web). Each test fails if its rule is removed.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http from 'node:http';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { hashUiPassword, setUiPassword, verifyUiPassword } from '../src/engine/config/ui-password.ts';
import { CONTENT_SECURITY_POLICY } from '../src/main/renderer-protocol.ts';
import { checkTransport, findWebRoot, startWebUi, type WebUi } from '../src/web/ui-service.ts';
import { BODY_LIMIT, LOGIN_ATTEMPTS, SESSION_COOKIE } from '../src/web/server.ts';
import { cookieFrom, send, type SendOptions } from './support/http.ts';
import { manualProfile } from './support/profiles.ts';

const MAIL_PASSWORD = 'mail-Secret-4711-do-not-leak';
const UI_PASSWORD = 'ui-Secret-0815-do-not-leak';

let scratch: string;
let webRoot: string;
const logs: string[] = [];
const running: WebUi[] = [];

before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'portwatch-web-security-'));
  // A copy of the built pages, with a symlink pointing out of it (and one inside it, which is fine).
  webRoot = path.join(scratch, 'web');
  await cp(findWebRoot(), webRoot, { recursive: true });
  await writeFile(path.join(scratch, 'outside.js'), 'secret outside the UI folder');
  await symlink(path.join(scratch, 'outside.js'), path.join(webRoot, 'leak.js'));
  await symlink(path.join(webRoot, 'status.js'), path.join(webRoot, 'alias.js'));
});

after(async () => {
  for (const ui of running) await ui.close().then(() => ui.opened.close());
  await rm(scratch, { recursive: true, force: true });
});

/** A fresh server on its own data directory, with a signed-in session. */
async function startUi(options: { allowHosts?: string[]; tls?: { cert: string; key: string } } = {}) {
  const dataDir = await mkdtemp(path.join(scratch, 'data-'));
  const ui = await startWebUi({
    dataDir,
    env: {},
    listen: { host: '127.0.0.1', port: 0 },
    log: (line) => logs.push(line),
    webRoot,
    ...options,
  });
  running.push(ui);
  const base = ui.server.url;
  const host = new URL(base).host;
  const ca = options.tls?.cert;
  const login = await send(
    base,
    new URL(ui.server.loginLink()).pathname + new URL(ui.server.loginLink()).search,
    {
      ...(ca ? { ca } : {}),
    },
  );
  const cookie = cookieFrom(login, SESSION_COOKIE)!;
  /** A request as our own page sends it: right Host, same Origin, the session cookie. */
  const page = (p: string, o: SendOptions = {}) =>
    send(base, p, {
      ...o,
      ...(ca ? { ca } : {}),
      headers: {
        host,
        cookie,
        ...(o.method === 'POST' ? { origin: base, 'sec-fetch-site': 'same-origin' } : {}),
        ...o.headers,
      },
    });
  const api = (channel: string, payload: unknown, o: SendOptions = {}) =>
    page(`/api/${channel}`, {
      method: 'POST',
      body: JSON.stringify(payload),
      ...o,
      headers: { 'content-type': 'application/json', ...o.headers },
    });
  return { ui, base, host, cookie, login, page, api, dataDir };
}

const profileInput = (name: string) => manualProfile(name, ['127.0.111.9'], '22');

test('the login link signs in once: a cookie, then / without the token; used again it is refused', async () => {
  const { ui, base, login, cookie, api } = await startUi();
  assert.equal(login.status, 303);
  assert.equal(login.headers.location, '/', 'the token is dropped from the address bar');
  assert.ok(cookie, 'a session cookie is set');
  assert.equal((await api('getAppState', {})).status, 200);
  const link = new URL(ui.server.loginLink());
  assert.equal((await send(base, link.pathname + link.search)).status, 303);
  const again = await send(base, link.pathname + link.search);
  assert.equal(again.status, 401, 'a login link works once');
  assert.equal(cookieFrom(again, SESSION_COOKIE), undefined);
});

test('no session, or a wrong one: 401 for the API, the events and the pages', async () => {
  const { base, host, api, page } = await startUi();
  const post = { origin: base, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' };
  for (const cookie of [undefined, `${SESSION_COOKIE}=not-a-session`]) {
    const headers = { host, ...(cookie ? { cookie } : {}) };
    const noSession = await send(base, '/api/getSettings', {
      method: 'POST',
      body: '{}',
      headers: { ...headers, ...post },
    });
    assert.equal(noSession.status, 401);
    assert.deepEqual(Object.keys(JSON.parse(noSession.text)), ['ok', 'error']);
    assert.equal((await send(base, '/api/events', { headers })).status, 401);
    const settingsPage = await send(base, '/settings.html', { headers });
    assert.equal(settingsPage.status, 401);
    assert.match(settingsPage.text, /Sign in to Portwatch/, 'the sign-in page instead of the window');
    assert.equal((await send(base, '/settings.js', { headers })).status, 401);
  }
  // The sign-in page itself is public; with a session the same requests work.
  assert.equal((await send(base, '/login.js', { headers: { host } })).status, 200);
  assert.equal((await api('getSettings', {})).status, 200);
  assert.equal((await page('/settings.html')).status, 200);
});

test('a Host that is not this server is refused, even with a valid session (DNS rebinding)', async () => {
  const { base, api, page, ui } = await startUi({ allowHosts: ['portwatch.example.org'] });
  const port = ui.server.port;
  for (const host of [`rebind.attacker.example:${port}`, `127.0.0.2:${port}`, `127.0.0.1:${port + 1}`]) {
    const refused = await api('getSettings', {}, { headers: { host, origin: `http://${host}` } });
    assert.equal(refused.status, 403, host);
    assert.equal((await page('/status.html', { headers: { host } })).status, 403, host);
  }
  // The listen address, localhost on loopback, and a name the user allowed.
  for (const host of [new URL(base).host, `localhost:${port}`, 'portwatch.example.org'])
    assert.equal(
      (await api('getAppState', {}, { headers: { host, origin: `http://${host}` } })).status,
      200,
      host,
    );
  assert.ok(logs.some((l) => l.includes("host 'rebind.attacker.example")));
});

test('a state-changing request from another origin is refused; no CORS', async () => {
  const { api, page, dataDir } = await startUi();
  const profile = { profile: profileInput('csrf') };
  const attempts: Record<string, string | undefined>[] = [
    { origin: 'http://attacker.example', 'sec-fetch-site': 'cross-site' },
    { origin: 'http://attacker.example', 'sec-fetch-site': undefined },
    { origin: 'null', 'sec-fetch-site': undefined },
    { origin: undefined, 'sec-fetch-site': undefined },
    { origin: undefined, 'sec-fetch-site': 'same-site' },
  ];
  for (const headers of attempts) {
    const refused = await api('saveProfile', profile, { headers });
    assert.equal(refused.status, 403, JSON.stringify(headers));
    assert.equal(refused.headers['access-control-allow-origin'], undefined);
  }
  assert.equal(
    (await page('/logout', { method: 'POST', headers: { origin: 'http://attacker.example' } })).status,
    403,
  );
  await assert.rejects(readFile(path.join(dataDir, 'profiles', 'csrf', 'profile.json')), 'nothing was saved');
  // A preflight gets no CORS grant; the same request from our own page works.
  const preflight = await page('/api/saveProfile', {
    method: 'OPTIONS',
    headers: { origin: 'http://attacker.example', 'access-control-request-method': 'POST' },
  });
  assert.equal(preflight.headers['access-control-allow-origin'], undefined);
  const saved = await api('saveProfile', profile);
  assert.equal(JSON.parse(saved.text).ok, true, saved.text);
  assert.equal(saved.headers['access-control-allow-origin'], undefined);
  // A GET cannot change anything: the API answers only POST.
  assert.equal((await page('/api/removeProfile?profile=csrf')).status, 404);
});

test('static files only from the UI folder: traversal, encoded slashes and symlinks out get 404', async () => {
  const { page } = await startUi();
  assert.equal((await page('/status.js')).status, 200);
  assert.equal((await page('/alias.js')).status, 200, 'a symlink inside the folder is fine');
  for (const p of [
    '/../package.json',
    '/%2e%2e/package.json',
    '/..%2Fpackage.json',
    '/..%2fpackage.json',
    '/%2Fetc%2Fpasswd',
    '/..%5Cpackage.json',
    '/%252e%252e%252fpackage.json',
    '/.%2e/.%2e/package.json',
    '/leak.js',
    '/login.html%00.js',
    '/history.js.map',
    '/nonexistent.js',
  ]) {
    const sent = await page(p);
    assert.equal(sent.status, 404, p);
    assert.doesNotMatch(sent.text, /secret outside|"name": "portwatch"|root:/, p);
  }
});

test('request bodies are limited (413), a reference upload has its own limit and meets the XML reader', async () => {
  const { api } = await startUi();
  const big = await api('describeSchedule', {
    schedule: { kind: 'cron', expression: 'x'.repeat(BODY_LIMIT) },
  });
  assert.equal(big.status, 413);
  const result = JSON.parse(big.text);
  assert.equal(result.ok, false);
  assert.match(result.error, /too large/);
  // Larger than the body limit, within the upload limit: it reaches the XML reader, which refuses a DTD entity.
  const xml = `<?xml version="1.0"?><!DOCTYPE nmaprun [<!ENTITY boom "boom">]><nmaprun>${' '.repeat(BODY_LIMIT)}</nmaprun>`;
  assert.equal(JSON.parse((await api('saveProfile', { profile: profileInput('upload') })).text).ok, true);
  const upload = await api('importReference', { profile: 'upload', fileName: 'x.xml', xml });
  assert.equal(upload.status, 200);
  assert.match(JSON.parse(upload.text).error, /entity declarations are refused/);
  const tooBig = await api('importReference', {
    profile: 'p',
    fileName: 'x.xml',
    xml: 'x'.repeat(65 * 1024 * 1024),
  });
  assert.equal(tooBig.status, 413);
  assert.match(JSON.parse(tooBig.text).error, /too large/);
});

test('repeated sign-in attempts are rate-limited (429), even with the right password after that', async () => {
  const { base, host, dataDir } = await startUi();
  await setUiPassword(dataDir, UI_PASSWORD);
  const attempt = (password: string) =>
    send(base, '/login', {
      method: 'POST',
      body: JSON.stringify({ password }),
      headers: { host, origin: base, 'content-type': 'application/json' },
    });
  const good = await attempt(UI_PASSWORD);
  assert.equal(good.status, 200);
  assert.ok(cookieFrom(good, SESSION_COOKIE));
  const statuses: number[] = [];
  for (let i = 1; i < LOGIN_ATTEMPTS.max + 2; i++) statuses.push((await attempt(`wrong-${i}`)).status);
  // The link that opened the test's session and the right password counted too: 2 of the max.
  const firstBlocked = statuses.indexOf(429);
  assert.equal(firstBlocked, LOGIN_ATTEMPTS.max - 2, statuses.join(','));
  assert.deepEqual(statuses.slice(0, firstBlocked), Array(firstBlocked).fill(401));
  assert.ok(statuses.slice(firstBlocked).every((s) => s === 429));
  const blocked = await attempt(UI_PASSWORD);
  assert.equal(blocked.status, 429);
  assert.equal(cookieFrom(blocked, SESSION_COOKIE), undefined);
  // Login links count too.
  assert.equal((await send(base, '/login?token=guess', { headers: { host } })).status, 429);
});

test('every response carries the security headers; the cookie is HttpOnly and SameSite=Strict', async () => {
  const { login, page, api, host, base } = await startUi();
  const webPolicy = CONTENT_SECURITY_POLICY.replace("connect-src 'none'", "connect-src 'self'");
  assert.match(webPolicy, /frame-ancestors 'none'/);
  const responses = {
    login,
    page: await page('/history.html'),
    script: await page('/history.js'),
    api: await api('getAppState', {}),
    missing: await page('/nope.js'),
    refused: await send(base, '/api/getAppState', { method: 'POST', headers: { host } }),
    wrongHost: await send(base, '/', { headers: { host: 'evil.example' } }),
  };
  for (const [what, sent] of Object.entries(responses)) {
    assert.equal(sent.headers['content-security-policy'], webPolicy, what);
    assert.equal(sent.headers['x-content-type-options'], 'nosniff', what);
    assert.equal(sent.headers['referrer-policy'], 'no-referrer', what);
    assert.equal(sent.headers['access-control-allow-origin'], undefined, what);
  }
  // The events stream is written by hand: it must carry them too.
  const events = await new Promise<http.IncomingMessage>((resolve) => {
    const cookie = responses.login.headers['set-cookie']![0]!.split(';')[0]!;
    http.get(new URL('/api/events', base), { headers: { host, cookie } }, resolve);
  });
  assert.equal(events.statusCode, 200);
  assert.equal(events.headers['content-security-policy'], webPolicy);
  assert.equal(events.headers['x-content-type-options'], 'nosniff');
  events.destroy();
  const setCookie = login.headers['set-cookie']![0]!;
  assert.match(setCookie, /; HttpOnly/);
  assert.match(setCookie, /; SameSite=Strict/);
  assert.doesNotMatch(setCookie, /Secure/, 'plain HTTP on loopback: no Secure flag');
  // The pages' own meta policy is the same one.
  assert.ok((await page('/history.html')).text.includes(webPolicy.replace("; frame-ancestors 'none'", '')));
});

test('under TLS the cookie is also Secure; plain HTTP beyond loopback is refused unless asked for loudly', async () => {
  const dir = await mkdtemp(path.join(scratch, 'tls-'));
  await promisify(execFile)('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
    '-keyout',
    path.join(dir, 'key.pem'),
    '-out',
    path.join(dir, 'cert.pem'),
  ]);
  const tls = {
    cert: await readFile(path.join(dir, 'cert.pem'), 'utf8'),
    key: await readFile(path.join(dir, 'key.pem'), 'utf8'),
  };
  const { base, login, api } = await startUi({ tls });
  assert.match(base, /^https:/);
  assert.match(login.headers['set-cookie']![0]!, /; Secure/);
  assert.equal((await api('getAppState', {})).status, 200);

  assert.throws(() => checkTransport({ listen: { host: '0.0.0.0', port: 8787 } }), /--tls-cert/);
  assert.throws(() => checkTransport({ listen: { host: '192.168.1.10', port: 8787 } }), /--insecure-http/);
  assert.match(
    checkTransport({ listen: { host: '0.0.0.0', port: 8787 }, insecureHttp: true })!,
    /^WARNING: /,
  );
  assert.equal(checkTransport({ listen: { host: '0.0.0.0', port: 8787 }, tls }), undefined);
  assert.equal(checkTransport({ listen: { host: '127.0.0.1', port: 8787 } }), undefined);
});

test('no secret in any response or log line; each state-changing request logs what changed', async () => {
  const { api, page, dataDir, cookie, ui } = await startUi();
  await setUiPassword(dataDir, UI_PASSWORD);
  const before = logs.length;
  assert.equal(JSON.parse((await api('setMailPassword', { password: MAIL_PASSWORD })).text).value.set, true);
  const view = JSON.parse((await api('getSettings', {})).text).value;
  const settings = {
    ...view.settings,
    email: { ...view.settings.email, host: 'smtp.example.org', port: 587 },
  };
  assert.equal(JSON.parse((await api('saveSettings', { settings })).text).ok, true);
  const texts: string[] = [];
  for (const channel of ['getSettings', 'getAppState', 'listProfiles', 'nmapStatus'])
    texts.push((await api(channel, {})).text);
  texts.push((await api('sendTestEmail', {})).text);
  for (const p of ['/status.html', '/settings.html', '/settings.js', '/history.js', '/login.html'])
    texts.push((await page(p)).text);
  for (const text of texts) {
    assert.ok(!text.includes(MAIL_PASSWORD), 'the mail password never leaves the server');
    assert.ok(!text.includes(UI_PASSWORD));
    assert.ok(!text.includes('scrypt$'), 'nor the UI password hash');
  }
  assert.match(texts[0]!, /"secret":\{"set":true/);
  const lines = logs.slice(before);
  assert.ok(
    lines.some((l) => / setMailPassword: mail password set$/.test(l)),
    lines.join('\n'),
  );
  assert.ok(
    lines.some((l) =>
      /saveSettings: settings saved: email\.host: "smtp\.gmail\.com" -> "smtp\.example\.org", email\.port: 465 -> 587$/.test(
        l,
      ),
    ) || lines.some((l) => /saveSettings: settings saved: .*email\.host: .* -> "smtp\.example\.org"/.test(l)),
    lines.join('\n'),
  );
  assert.equal(
    lines.filter((l) => / (setMailPassword|saveSettings): /.test(l)).length,
    2,
    'one line per request',
  );
  const session = cookie.split('=')[1]!;
  const logFile = await readFile(path.join(dataDir, 'portwatch.log'), 'utf8');
  assert.match(logFile, /INFO \[web\] 127\.0\.0\.1 setMailPassword: mail password set\n/);
  for (const line of [...logs, ...logFile.split('\n')]) {
    assert.ok(!line.includes(MAIL_PASSWORD) && !line.includes(UI_PASSWORD), line);
    assert.ok(!line.includes(session), 'no session id in the log');
  }
  void ui;
});

test('the UI password is kept as a salted scrypt hash', async () => {
  const a = await hashUiPassword(UI_PASSWORD);
  const b = await hashUiPassword(UI_PASSWORD);
  assert.match(a, /^scrypt\$32768\$8\$1\$/);
  assert.notEqual(a, b, 'salted');
  assert.ok(!a.includes(UI_PASSWORD));
  assert.equal(await verifyUiPassword(UI_PASSWORD, a), true);
  assert.equal(await verifyUiPassword('wrong', a), false);
});
