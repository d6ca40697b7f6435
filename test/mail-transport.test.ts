// Sending through a real SMTP server on loopback: AUTH PLAIN and LOGIN, implicit TLS and STARTTLS with a
// certificate the test trusts through email.caFile, and every way it goes wrong, explained in one line.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { saveSettings } from '../src/engine/config/settings-file.ts';
import { PASSWORD_ENV } from '../src/engine/config/secrets.ts';
import { explainSendError, sendMessage, type OutgoingMessage } from '../src/engine/mail/transport.ts';
import { defaultSettings, type EmailSettings } from '../src/shared/settings.ts';
import { SMTP_TEST_HOST, TestSmtpServer, makeTestCert, parseMail, type TestCert } from './support/smtp.ts';

const root = path.resolve(import.meta.dirname, '..');
const fast = { connectMs: 3000, greetingMs: 3000, socketMs: 10_000 };
const USER = 'watcher@example.test';
const PASS = 'correct horse battery staple';

let cert: TestCert;
let tlsServer: TestSmtpServer;
let starttlsServer: TestSmtpServer;

before(async () => {
  cert = await makeTestCert();
  tlsServer = await new TestSmtpServer({
    security: 'tls',
    cert,
    users: { [USER]: PASS },
    authMethods: ['PLAIN'],
  }).start();
  starttlsServer = await new TestSmtpServer({
    security: 'starttls',
    cert,
    users: { [USER]: PASS },
    authMethods: ['LOGIN'],
  }).start();
});

after(async () => {
  await tlsServer.stop();
  await starttlsServer.stop();
  await fs.rm(cert.dir, { recursive: true, force: true });
});

function email(over: Partial<EmailSettings>): EmailSettings {
  return {
    ...defaultSettings().email,
    enabled: true,
    host: SMTP_TEST_HOST,
    user: USER,
    from: 'portwatch@example.test',
    to: ['admin@example.test', 'oncall@example.test'],
    caFile: cert.certFile,
    ...over,
  };
}

function message(subject: string): OutgoingMessage {
  return {
    messageId: `<test.${Math.random().toString(36).slice(2)}@example.test>`,
    date: '2026-11-24T05:00:00.000Z',
    subject,
    text: 'plain body: 443/tcp open\n',
    html: '<p>html body: <b>443/tcp open</b></p>',
  };
}

async function failure(settings: EmailSettings, password = PASS) {
  try {
    await sendMessage(settings, password, message('should not arrive'), fast);
  } catch (error) {
    return explainSendError(error, settings);
  }
  assert.fail('sending should have failed');
}

test('implicit TLS with AUTH PLAIN: the message arrives with its headers and both parts', async () => {
  const m = message('Portwatch: 1 change on Home LAN (1 host)');
  await sendMessage(email({ port: tlsServer.port, security: 'tls' }), PASS, m, fast);
  const got = tlsServer.accepted.at(-1)!;
  assert.equal(got.secure, true);
  assert.equal(got.user, USER);
  assert.equal(tlsServer.authAttempts.at(-1)!.method, 'PLAIN');
  assert.deepEqual(got.envelopeTo, ['admin@example.test', 'oncall@example.test']);
  const mail = parseMail(got.raw);
  assert.equal(mail.headers['from'], 'portwatch@example.test');
  assert.equal(mail.headers['to'], 'admin@example.test, oncall@example.test');
  assert.equal(mail.headers['subject'], 'Portwatch: 1 change on Home LAN (1 host)');
  assert.equal(mail.headers['message-id'], m.messageId);
  assert.equal(mail.headers['date'], 'Tue, 24 Nov 2026 05:00:00 +0000');
  assert.equal(mail.text, 'plain body: 443/tcp open\n');
  assert.equal(mail.html, '<p>html body: <b>443/tcp open</b></p>');
});

test('STARTTLS with AUTH LOGIN: upgraded before logging in', async () => {
  await sendMessage(
    email({ port: starttlsServer.port, security: 'starttls' }),
    PASS,
    message('via starttls'),
    fast,
  );
  const got = starttlsServer.accepted.at(-1)!;
  assert.equal(got.secure, true, 'the session was upgraded to TLS');
  assert.equal(starttlsServer.authAttempts.at(-1)!.method, 'LOGIN');
  assert.equal(parseMail(got.raw).headers['subject'], 'via starttls');
});

test('a wrong Gmail password explains app passwords and 2-Step Verification, and is permanent', async () => {
  const f = await failure(
    email({ port: tlsServer.port, security: 'tls', provider: 'gmail' }),
    'my google password',
  );
  assert.equal(f.permanent, true);
  assert.match(
    f.message,
    /^Gmail refused the password for watcher@example\.test \(535 5\.7\.8 Username and Password not accepted\): Gmail needs an app password, not your Google password, and app passwords need 2-Step Verification; create one at https:\/\/myaccount\.google\.com\/apppasswords/,
  );
  assert.ok(!f.message.includes('my google password'), 'the password is never part of a message');
  const other = await failure(email({ port: tlsServer.port, security: 'tls' }), 'nope');
  assert.match(
    other.message,
    /refused the user name or password \(535 .*\); check email\.user and set the password again/,
  );
});

test('implicit TLS on a STARTTLS port: a TLS mismatch, with the setting that fixes it', async () => {
  const f = await failure(email({ port: starttlsServer.port, security: 'tls' }));
  assert.equal(f.permanent, false);
  assert.equal(
    f.message,
    `TLS mismatch with ${SMTP_TEST_HOST}:${starttlsServer.port} (wrong version number): the server does not start with TLS there; for a STARTTLS port (usually 587) run 'portwatch config set email.security starttls', or use port 465 with security tls`,
  );
});

test('a certificate the client does not trust: says so and points at email.caFile', async () => {
  const f = await failure(email({ port: tlsServer.port, security: 'tls', caFile: '' }));
  assert.match(
    f.message,
    /^the TLS certificate of 127\.0\.40\.1:\d+ is not trusted \(self-signed certificate\); .*email\.caFile/,
  );
});

test('connection refused and a server that never greets: clear lines, retried later', async () => {
  const gone = await new TestSmtpServer({ security: 'none' }).start();
  const port = gone.port;
  await gone.stop();
  const refused = await failure(email({ port, security: 'none', user: '' }));
  assert.equal(refused.permanent, false);
  assert.equal(
    refused.message,
    `connection refused by ${SMTP_TEST_HOST}:${port}: no mail server is listening there; check email.host and email.port`,
  );

  const silent = net.createServer(() => {});
  const sockets = new Set<net.Socket>();
  silent.on('connection', (s) => sockets.add(s));
  await new Promise<void>((resolve) => silent.listen(0, SMTP_TEST_HOST, resolve));
  try {
    const port2 = (silent.address() as net.AddressInfo).port;
    const f = await failure(email({ port: port2, security: 'starttls' }));
    assert.equal(f.permanent, false);
    assert.match(
      f.message,
      new RegExp(
        `^no SMTP greeting from 127\\.0\\.40\\.1:${port2} in time .*if the port expects TLS from the start \\(465\\), set email\\.security tls$`,
      ),
    );
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => silent.close(resolve));
  }
});

test('DNS failures and server rejections are classified (errors shaped as nodemailer reports them)', () => {
  const settings = email({ host: 'smtp.example.invalid', port: 587 });
  const dns = explainSendError(
    Object.assign(new Error('getaddrinfo ENOTFOUND smtp.example.invalid'), {
      code: 'EDNS',
      originalCode: 'ENOTFOUND',
    }),
    settings,
  );
  assert.deepEqual(dns, {
    permanent: false,
    message:
      "cannot find the mail server 'smtp.example.invalid' (DNS: getaddrinfo ENOTFOUND smtp.example.invalid); check email.host and this machine's network",
  });
  const rejected = explainSendError(
    Object.assign(new Error('Message failed'), {
      code: 'EMESSAGE',
      responseCode: 550,
      response: '550 5.1.1 no such user',
      permanent: true,
    }),
    settings,
  );
  assert.equal(rejected.permanent, true);
  const deferred = explainSendError(
    Object.assign(new Error('Message failed'), {
      code: 'EMESSAGE',
      responseCode: 451,
      response: '451 4.3.0 try later',
      permanent: false,
    }),
    settings,
  );
  assert.equal(deferred.permanent, false);
  assert.match(deferred.message, /deferred the message \(451 4\.3\.0 try later\); it will be tried again/);
});

function cli(
  dataDir: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(root, 'src/cli/main.ts'), '--data-dir', dataDir, ...args],
      { env: { ...process.env, ...env } },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test('portwatch mail test: sends now, or says in one line what is wrong', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'portwatch-mailtest-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const settings = defaultSettings();
  settings.email = email({ port: starttlsServer.port, security: 'starttls' });
  await saveSettings(dir, settings);
  const before = starttlsServer.accepted.length;
  const ok = await cli(dir, ['mail', 'test'], { [PASSWORD_ENV]: PASS });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(
    ok.stdout,
    /^sending a test message to admin@example\.test, oncall@example\.test via 127\.0\.40\.1:\d+ \(starttls\)\.\.\.\nsent; the server said: 250 Ok: queued/,
  );
  assert.equal(starttlsServer.accepted.length, before + 1);
  assert.equal(parseMail(starttlsServer.accepted.at(-1)!.raw).headers['subject'], 'Portwatch: test message');

  const wrong = await cli(dir, ['mail', 'test'], { [PASSWORD_ENV]: 'wrong' });
  assert.equal(wrong.code, 2);
  assert.match(
    wrong.stderr,
    /^portwatch: 127\.0\.40\.1:\d+ refused the user name or password \(535 [^\n]*\n$/,
  );

  const badTimeout = await cli(dir, ['mail', 'test', '--timeout', '0']);
  assert.equal(
    badTimeout.stderr,
    'portwatch: --timeout needs a number of seconds 1-600, e.g. --timeout 10\n',
  );

  const none = await cli(dir, ['mail', 'test'], { [PASSWORD_ENV]: '' });
  assert.equal(none.code, 2);
  assert.equal(
    none.stderr,
    "portwatch: no mail password is set for watcher@example.test; run 'portwatch config set email.password -' and type it (or set PORTWATCH_SMTP_PASSWORD)\n",
  );
});
