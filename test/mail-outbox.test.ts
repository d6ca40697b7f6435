// Nothing lost: the outbox against a real SMTP server on loopback that goes down, holds a message while the
// sender is killed, or refuses; quiet hours, the digest and the failed-scan rate limit with a test clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { PASSWORD_ENV } from '../src/engine/config/secrets.ts';
import { saveSettings, updateSettings } from '../src/engine/config/settings-file.ts';
import { createMailReporter } from '../src/engine/mail/mail-reporter.ts';
import { defaultSettings, type Settings } from '../src/shared/settings.ts';
import {
  TestSmtpServer,
  parseMail,
  portClosed,
  portOpened,
  testReport,
  SMTP_TEST_HOST,
} from './support/smtp.ts';
import { tempDir } from './support/temp-dirs.ts';

const root = path.resolve(import.meta.dirname, '..');
const cliMain = path.join(root, 'src/cli/main.ts');

async function setup(
  t: { after(fn: () => Promise<void>): void },
  server: TestSmtpServer,
  change?: (s: Settings) => void,
) {
  const dataDir = tempDir('portwatch-outbox-'); // removed after the reporters writing into it are closed
  const settings = defaultSettings();
  Object.assign(settings.email, {
    enabled: true,
    host: SMTP_TEST_HOST,
    port: server.port,
    security: 'none',
    user: '',
    from: 'portwatch@example.test',
    to: ['admin@example.test'],
  });
  change?.(settings);
  await saveSettings(dataDir, settings);
  return dataDir;
}

async function until(check: () => Promise<boolean> | boolean, what: string, limitMs = 60_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function cli(dataDir: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [cliMain, '--data-dir', dataDir, ...args],
      { env: { ...process.env, ...env } },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test('server down, then up: the report waits, is retried with backoff, and arrives exactly once', async (t) => {
  const server = await new TestSmtpServer({ security: 'none' }).start();
  await server.stop(); // down; it comes back on the same port
  t.after(() => server.stop());
  const dataDir = await setup(t, server);
  const reporter = createMailReporter({ dataDir, env: {}, retry: { baseMs: 100, maxMs: 400 } });
  t.after(() => reporter.close());
  reporter.start(100);

  const report = testReport({
    changes: [portOpened('127.0.40.10', 8080, 'http-proxy'), portClosed('127.0.40.10', 22)],
  });
  await reporter.scanRecorded(report);
  await until(async () => {
    const s = await reporter.deliveryState(report.entry.id);
    return s.state === 'waiting' && s.attempts >= 2;
  }, 'two failed attempts');
  const waiting = await reporter.deliveryState(report.entry.id);
  assert.equal(waiting.state, 'waiting');
  assert.match((waiting as { lastError: string }).lastError, /^connection refused by 127\.0\.40\.1:\d+/);

  await server.start();
  await until(async () => (await reporter.deliveryState(report.entry.id)).state === 'delivered', 'delivery');
  // More chances to send it twice: an explicit flush and more ticks.
  await reporter.flush();
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(server.received.length, 1, 'delivered exactly once');
  const [record] = await reporter.outbox.list();
  assert.equal(record!.state, 'sent');
  assert.equal(record!.content, undefined, 'the body is dropped once delivered');
  const mail = parseMail(server.accepted[0]!.raw);
  assert.equal(mail.headers['message-id'], record!.messageId);
  assert.equal(mail.headers['subject'], 'Portwatch: 2 changes on Home LAN (1 host)');
  assert.equal(mail.headers['from'], 'portwatch@example.test');
  assert.equal(mail.headers['to'], 'admin@example.test');
  assert.match(mail.text!, /\+ NEW 8080\/tcp open: http-proxy/);
  assert.match(mail.html!, /8080\/tcp open: http-proxy/);
  assert.match(mail.text!, /22\/tcp no longer open/);
});

test('a sender killed (SIGKILL) mid-send: after a restart the message is re-sent with the same Message-ID (at-least-once)', async (t) => {
  // The server receives the first copy in full but never answers it: the window in which a crash leaves
  // the sender not knowing whether the message went out.
  const server = await new TestSmtpServer({
    security: 'none',
    verdict: (_m, i) => (i === 0 ? 'hold' : 'accept'),
  }).start();
  t.after(() => server.stop());
  const dataDir = await setup(t, server);
  const queuer = createMailReporter({ dataDir, env: {}, autoSend: false });
  const report = testReport({ changes: [portOpened('127.0.40.10', 4444, 'krb524')] });
  await queuer.scanRecorded(report);
  const [queued] = await queuer.outbox.list();
  assert.equal(queued!.state, 'queued');

  const child = spawn(process.execPath, [cliMain, '--data-dir', dataDir, 'mail', 'flush'], {
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  await server.waitFor(() => server.received.length, 1);
  child.kill('SIGKILL');
  await exited;

  const [left] = await queuer.outbox.list();
  assert.equal(left!.state, 'sending', 'the crash left the message marked sending');
  assert.equal(left!.attempts, 1);
  const lock = JSON.parse(
    await fs.readFile(path.join(dataDir, 'outbox', `${left!.id}.lock`, 'owner.json'), 'utf8'),
  );
  assert.equal(lock.pid, child.pid, 'held by the killed sender');
  assert.equal((await queuer.deliveryState(report.entry.id)).state, 'waiting');

  const again = await cli(dataDir, ['mail', 'flush']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /1 sent, 0 still waiting, 0 failed/);
  assert.equal(server.received.length, 2, 'the server saw two copies: the unanswered one and the re-send');
  assert.equal(server.accepted.length, 1);
  const [first, second] = server.received.map((m) => parseMail(m.raw));
  assert.equal(second!.headers['message-id'], queued!.messageId);
  assert.equal(
    first!.headers['message-id'],
    second!.headers['message-id'],
    'the same Message-ID, so clients can recognise the duplicate',
  );
  assert.equal(first!.headers['date'], second!.headers['date']);
  assert.equal(first!.text, second!.text);
  const [done] = await queuer.outbox.list();
  assert.equal(done!.state, 'sent');
  assert.equal(done!.attempts, 2);
  assert.deepEqual(
    await fs.readdir(path.join(dataDir, 'outbox')).then((n) => n.filter((f) => f.endsWith('.lock'))),
    [],
  );
  assert.equal((await queuer.deliveryState(report.entry.id)).state, 'delivered');
});

test('a permanent failure (bad password) is recorded, shown and not retried, and flush sends it once fixed', async (t) => {
  const server = await new TestSmtpServer({ security: 'none', users: { watcher: 'right' } }).start();
  t.after(() => server.stop());
  const dataDir = await setup(t, server, (s) => (s.email.user = 'watcher'));
  const reporter = createMailReporter({
    dataDir,
    env: { [PASSWORD_ENV]: 'wrong' },
    autoSend: false,
    retry: { baseMs: 10 },
  });
  const report = testReport({ changes: [portOpened('127.0.40.10', 25, 'smtp')] });
  await reporter.scanRecorded(report);
  const first = await reporter.sendDue();
  assert.deepEqual([first.sent, first.waiting, first.failed], [0, 0, 1]);
  const state = await reporter.deliveryState(report.entry.id);
  assert.equal(state.state, 'failed');
  assert.match((state as { error: string }).error, /refused the user name or password \(535/);
  await new Promise((r) => setTimeout(r, 50));
  const second = await reporter.sendDue();
  assert.deepEqual([second.sent, second.waiting, second.failed], [0, 0, 0], 'not retried by the sender loop');
  assert.equal(server.authAttempts.length, 1);

  const status = await cli(dataDir, ['mail', 'status']);
  assert.match(
    status.stdout,
    /^FAILED .*Portwatch: 1 change on Home LAN \(1 host\)\n {4}127\.0\.40\.1:\d+ refused the user name or password/m,
  );
  assert.match(status.stdout, /then 'portwatch mail flush' tries the failed ones again/);
  const stillWrong = await cli(dataDir, ['mail', 'flush'], { [PASSWORD_ENV]: 'wrong' });
  assert.equal(stillWrong.code, 2);
  assert.match(
    stillWrong.stderr,
    /^portwatch: Portwatch: 1 change on Home LAN \(1 host\): 127\.0\.40\.1:\d+ refused the user name or password/,
  );
  const fixed = await cli(dataDir, ['mail', 'flush'], { [PASSWORD_ENV]: 'right' });
  assert.equal(fixed.code, 0, fixed.stderr);
  assert.equal(server.accepted.length, 1);
  assert.equal((await reporter.deliveryState(report.entry.id)).state, 'delivered');
});

test('quiet hours hold alerts (never drop them) and release them in one message when they end', async (t) => {
  const server = await new TestSmtpServer({ security: 'none' }).start();
  t.after(() => server.stop());
  const dataDir = await setup(
    t,
    server,
    (s) => (s.quietHours = { enabled: true, start: '22:00', end: '07:00' }),
  );
  let clock = new Date(2026, 10, 24, 23, 0); // local time
  const reporter = createMailReporter({ dataDir, env: {}, autoSend: false, now: () => clock });
  const a = testReport({ changes: [portOpened('127.0.40.10', 3389, 'ms-wbt-server')] });
  const b = testReport({
    profile: 'Office',
    changes: [portClosed('127.0.40.20', 22), portOpened('127.0.40.21', 23, 'telnet')],
  });
  await reporter.scanRecorded(a);
  clock = new Date(2026, 10, 25, 1, 30);
  await reporter.scanRecorded(b);
  await reporter.release();
  await reporter.sendDue();
  assert.equal(server.received.length, 0, 'nothing sent inside quiet hours');
  const held = await reporter.deliveryState(a.entry.id);
  assert.deepEqual(held, {
    state: 'waiting',
    attempts: 0,
    nextAttemptAt: new Date(2026, 10, 25, 7, 0).toISOString(),
  });

  clock = new Date(2026, 10, 25, 7, 0);
  assert.equal(await reporter.release(), 1);
  await reporter.sendDue();
  assert.equal(server.accepted.length, 1, 'one message for everything held');
  const mail = parseMail(server.accepted[0]!.raw);
  assert.equal(
    mail.headers['subject'],
    'Portwatch: 3 changes on Home LAN, Office (3 hosts) (held during quiet hours)',
  );
  assert.match(mail.text!, /held until they ended/);
  assert.match(mail.text!, /3389\/tcp open/);
  assert.match(mail.text!, /23\/tcp open: telnet/);
  assert.equal((await reporter.deliveryState(a.entry.id)).state, 'delivered');
  assert.equal((await reporter.deliveryState(b.entry.id)).state, 'delivered');
  assert.equal(await reporter.release(), 0, 'released once');
});

test('digest: changes and heartbeats are collected and sent at the digest time; failures go at once', async (t) => {
  const server = await new TestSmtpServer({ security: 'none' }).start();
  t.after(() => server.stop());
  const dataDir = await setup(t, server, (s) => {
    s.email.on = 'digest';
    s.email.digestTime = '08:00';
    s.email.heartbeat = true;
  });
  let clock = new Date(2026, 10, 24, 9, 0);
  const reporter = createMailReporter({ dataDir, env: {}, autoSend: false, now: () => clock });
  const changed = testReport({ changes: [portOpened('127.0.40.10', 5900, 'vnc')] });
  const quiet = testReport({});
  const failed = testReport({ status: 'failed', reason: 'nmap was killed by a signal' });
  await reporter.scanRecorded(changed);
  clock = new Date(2026, 10, 24, 12, 0);
  await reporter.scanRecorded(quiet);
  clock = new Date(2026, 10, 24, 13, 0);
  await reporter.scanRecorded(failed);
  await reporter.release();
  await reporter.sendDue();
  assert.equal(server.accepted.length, 1);
  assert.equal(parseMail(server.accepted[0]!.raw).headers['subject'], 'Portwatch: scan failed on Home LAN');
  assert.equal((await reporter.deliveryState(changed.entry.id)).state, 'waiting');

  clock = new Date(2026, 10, 25, 7, 59);
  assert.equal(await reporter.release(), 0, 'not before the digest time');
  clock = new Date(2026, 10, 25, 8, 0);
  assert.equal(await reporter.release(), 1);
  await reporter.sendDue();
  assert.equal(server.accepted.length, 2);
  const digest = parseMail(server.accepted[1]!.raw);
  assert.equal(digest.headers['subject'], 'Portwatch digest: 1 change on Home LAN (1 host)');
  assert.match(digest.text!, /since the last digest/);
  assert.match(digest.text!, /5900\/tcp open: vnc/);
  assert.match(digest.text!, /== Home LAN: no change/);
  assert.equal((await reporter.deliveryState(changed.entry.id)).state, 'delivered');
  assert.equal((await reporter.deliveryState(quiet.entry.id)).state, 'delivered');

  await reporter.scanRecorded(testReport({ changes: [portOpened('127.0.40.10', 6000, 'x11')] }));
  clock = new Date(2026, 10, 25, 20, 0);
  assert.equal(await reporter.release(), 0, 'the next digest waits for the next day');
});

test('failed-scan mail: at most once per N hours per profile', async (t) => {
  const server = await new TestSmtpServer({ security: 'none' }).start();
  t.after(() => server.stop());
  const dataDir = await setup(t, server, (s) => (s.email.failedScanEveryHours = 6));
  let clock = new Date('2026-11-24T10:00:00Z');
  const reporter = createMailReporter({ dataDir, env: {}, autoSend: false, now: () => clock });
  const fail = (profile = 'Home LAN') =>
    reporter.scanRecorded(testReport({ profile, status: 'failed', reason: 'nmap exited with code 1' }));
  await fail();
  clock = new Date('2026-11-24T12:00:00Z');
  await fail();
  await fail('Office');
  clock = new Date('2026-11-24T16:00:00Z');
  await fail();
  await reporter.sendDue();
  const subjects = server.accepted.map((m) => parseMail(m.raw).headers['subject']);
  assert.deepEqual(subjects, [
    'Portwatch: scan failed on Home LAN',
    'Portwatch: scan failed on Office',
    'Portwatch: scan failed on Home LAN',
  ]);
});

test('mail switched on but not set up yet: the report waits, says why, and goes out once fixed', async (t) => {
  const server = await new TestSmtpServer({ security: 'none' }).start();
  t.after(() => server.stop());
  const dataDir = await setup(t, server, (s) => (s.email.to = []));
  const reporter = createMailReporter({ dataDir, env: {}, autoSend: false });
  const report = testReport({ changes: [portOpened('127.0.40.10', 111, 'rpcbind')] });
  await reporter.scanRecorded(report);
  const result = await reporter.sendDue();
  assert.deepEqual(result.errors, [
    "no recipient is set; run 'portwatch config set email.to you@example.com'",
  ]);
  const state = await reporter.deliveryState(report.entry.id);
  assert.equal(state.state, 'waiting');
  assert.equal((state as { lastError?: string }).lastError, result.errors[0]);
  await updateSettings(dataDir, (s) => (s.email.to = ['admin@example.test']));
  assert.equal((await reporter.sendDue()).sent, 1);
  assert.equal(server.accepted.length, 1);
});

test('a digest due inside quiet hours waits for them to end; a heartbeat mails "no change"', async (t) => {
  const server = await new TestSmtpServer({ security: 'none' }).start();
  t.after(() => server.stop());
  const dataDir = await setup(t, server, (s) => {
    s.email.on = 'digest';
    s.email.digestTime = '06:00';
    s.quietHours = { enabled: true, start: '22:00', end: '07:00' };
  });
  let clock = new Date(2026, 10, 24, 18, 0);
  const reporter = createMailReporter({ dataDir, env: {}, autoSend: false, now: () => clock });
  await reporter.scanRecorded(testReport({ changes: [portOpened('127.0.40.10', 2049, 'nfs')] }));
  clock = new Date(2026, 10, 25, 6, 30);
  assert.equal(await reporter.release(), 0, 'the digest time has come, but inside quiet hours');
  clock = new Date(2026, 10, 25, 7, 0);
  assert.equal(await reporter.release(), 1);
  await reporter.sendDue();
  assert.equal(
    parseMail(server.accepted[0]!.raw).headers['subject'],
    'Portwatch digest: 1 change on Home LAN (1 host)',
  );

  const beatDir = await setup(t, server, (s) => (s.email.heartbeat = true));
  const beat = createMailReporter({ dataDir: beatDir, env: {}, autoSend: false });
  await beat.scanRecorded(testReport({}));
  await beat.sendDue();
  const mail = parseMail(server.accepted[1]!.raw);
  assert.equal(mail.headers['subject'], 'Portwatch: no change on Home LAN');
  assert.match(mail.text!, /Hosts:\s+2 hosts up of 2 scanned, 3 open ports/);
});
