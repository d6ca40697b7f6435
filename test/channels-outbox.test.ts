// One outbox for every channel, against real HTTP receivers on loopback: a receiver down, then back, gets the
// message exactly once; 404 fails for good with its reason; 429 Retry-After is waited out; a sender killed
// mid-send re-sends with the same Idempotency-Key; per-profile channels; quiet hours hold channels too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { saveSettings } from '../src/engine/config/settings-file.ts';
import { ChannelStore } from '../src/engine/channels/store.ts';
import { createMailReporter } from '../src/engine/mail/mail-reporter.ts';
import { describeDeliveries, withDelivery } from '../src/engine/reporter.ts';
import { defaultSettings, type Settings } from '../src/shared/settings.ts';
import { HttpReceiver } from './support/http-receiver.ts';
import { portOpened, testReport } from './support/smtp.ts';
import { tempDir } from './support/temp-dirs.ts';

const cliMain = path.resolve(import.meta.dirname, '..', 'src/cli/main.ts');
const HOST = '127.0.121.5';

async function setup(t: { after(fn: () => Promise<void>): void }, change?: (s: Settings) => void) {
  const dataDir = tempDir('portwatch-chout-'); // removed after the reporters writing into it are closed
  const settings = defaultSettings();
  change?.(settings);
  await saveSettings(dataDir, settings);
  return dataDir;
}

async function receiver(t: { after(fn: () => Promise<void>): void }) {
  const r = await new HttpReceiver(HOST).start();
  t.after(() => r.stop());
  return r;
}

async function until(check: () => Promise<boolean> | boolean, what: string, limitMs = 30_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const report = () => testReport({ changes: [portOpened('127.0.121.10', 8080, 'http-proxy')] });

test('receiver down: the message waits, is retried, and arrives exactly once when it is back', async (t) => {
  const dataDir = await setup(t);
  const r = await receiver(t);
  const port = r.port;
  await r.stop();
  await new ChannelStore(dataDir).add({ name: 'chat', kind: 'slack', url: `http://${HOST}:${port}/hook` });
  const reporter = createMailReporter({ dataDir, env: {}, retry: { baseMs: 100, maxMs: 400 } });
  t.after(() => reporter.close());
  reporter.start(100);
  const scan = report();
  await reporter.scanRecorded(scan);
  await until(async () => {
    const s = await reporter.deliveryState(scan.entry.id);
    return s.state === 'waiting' && s.attempts >= 2;
  }, 'two failed attempts');
  const [waiting] = await reporter.deliveries(scan.entry.id);
  assert.equal(waiting!.channel, 'chat');
  assert.match((waiting!.delivery as { lastError: string }).lastError, /connection was refused/);

  await r.start(port);
  await until(async () => (await reporter.deliveryState(scan.entry.id)).state === 'delivered', 'delivery');
  await reporter.flush();
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(r.requests.length, 1, 'delivered exactly once');
  const [record] = await reporter.outbox.list();
  assert.equal(record!.channel, 'chat');
  assert.equal(record!.state, 'sent');
  assert.equal(record!.report, undefined, 'the body is dropped once delivered');
  assert.equal(r.requests[0]!.headers['idempotency-key'], record!.messageId);
  assert.match(JSON.parse(r.requests[0]!.body).text, /8080\/tcp open: http-proxy/);
});

test('404: failed with its reason, shown in history, and never retried', async (t) => {
  const dataDir = await setup(t);
  const r = await receiver(t);
  r.answer = () => ({ status: 404, body: '{"message":"Unknown Webhook","code":10015}' });
  await new ChannelStore(dataDir).add({ name: 'discord', kind: 'discord', url: r.url('/api/webhooks/1/x') });
  const reporter = createMailReporter({ dataDir, env: {}, retry: { baseMs: 50, maxMs: 100 } });
  t.after(() => reporter.close());
  reporter.start(50);
  const scan = report();
  await reporter.scanRecorded(scan);
  await until(async () => (await reporter.deliveryState(scan.entry.id)).state === 'failed', 'failure');
  await new Promise((resolve) => setTimeout(resolve, 600));
  assert.equal(r.requests.length, 1, 'no retry after a permanent failure');
  const [filled] = await withDelivery([scan.entry], reporter);
  assert.equal(filled!.deliveries![0]!.channel, 'discord');
  assert.match(
    describeDeliveries(filled!)!,
    /report failed: discord: HTTP 404: \{"message":"Unknown Webhook","code":10015\}; the webhook was deleted/,
  );
});

test('429 with Retry-After: the next try waits that long, then delivers', async (t) => {
  const dataDir = await setup(t);
  const r = await receiver(t);
  r.answer = (req) =>
    r.requests.indexOf(req) === 0
      ? { status: 429, headers: { 'retry-after': '2' }, body: 'slow down' }
      : { status: 200 };
  await new ChannelStore(dataDir).add({ name: 'hook', kind: 'webhook', url: r.url('/in'), hmacKey: 'k' });
  const reporter = createMailReporter({ dataDir, env: {}, retry: { baseMs: 50, maxMs: 100 } });
  t.after(() => reporter.close());
  reporter.start(50);
  const scan = report();
  await reporter.scanRecorded(scan);
  await until(() => r.requests.length >= 1, 'first request');
  await until(async () => (await reporter.deliveryState(scan.entry.id)).state === 'delivered', 'delivery');
  assert.equal(r.requests.length, 2);
  const gap = r.requests[1]!.at - r.requests[0]!.at;
  assert.ok(gap >= 1900, `waited ${gap} ms, Retry-After asked for 2000`);
  assert.equal(r.requests[0]!.headers['idempotency-key'], r.requests[1]!.headers['idempotency-key']);
  assert.equal(r.requests[0]!.body, r.requests[1]!.body, 'the same event, byte for byte');
});

test('a sender killed mid-send: the re-send carries the same Idempotency-Key', async (t) => {
  const dataDir = await setup(t);
  const r = await receiver(t);
  r.answer = (req) => (r.requests.indexOf(req) === 0 ? { status: 200, delayMs: 60_000 } : { status: 200 });
  await new ChannelStore(dataDir).add({ name: 'phone', kind: 'ntfy', url: r.url('/alerts') });
  const queuer = createMailReporter({ dataDir, env: {}, autoSend: false });
  const scan = report();
  await queuer.scanRecorded(scan);
  const [queued] = await queuer.outbox.list();
  const child = spawn(process.execPath, [cliMain, '--data-dir', dataDir, 'mail', 'flush'], {
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  await until(() => r.requests.length === 1, 'the first request');
  child.kill('SIGKILL');
  await exited;
  const [left] = await queuer.outbox.list();
  assert.equal(left!.state, 'sending');
  const again = await new Promise<{ code: number; stdout: string }>((resolve) =>
    execFile(process.execPath, [cliMain, '--data-dir', dataDir, 'mail', 'flush'], (error, stdout) =>
      resolve({ code: error ? 1 : 0, stdout }),
    ),
  );
  assert.equal(again.code, 0);
  assert.match(again.stdout, /1 sent, 0 still waiting, 0 failed/);
  assert.equal(r.requests.length, 2);
  assert.equal(r.requests[0]!.headers['idempotency-key'], queued!.messageId);
  assert.equal(r.requests[1]!.headers['idempotency-key'], queued!.messageId);
  assert.equal((await queuer.deliveryState(scan.entry.id)).state, 'delivered');
});

test('per-profile channels, and quiet hours hold every channel, releasing one message each', async (t) => {
  const dataDir = await setup(t, (s) => (s.quietHours = { enabled: true, start: '22:00', end: '07:00' }));
  const home = await receiver(t);
  const office = await new HttpReceiver('127.0.121.6').start();
  t.after(() => office.stop());
  const store = new ChannelStore(dataDir);
  await store.add({ name: 'home', kind: 'slack', url: home.url(), profiles: ['Home LAN'] });
  await store.add({ name: 'all', kind: 'teams', url: office.url() });
  let clock = new Date(2026, 10, 24, 23, 0);
  const reporter = createMailReporter({ dataDir, env: {}, autoSend: false, now: () => clock });
  const a = testReport({ changes: [portOpened('127.0.121.10', 3389, 'ms-wbt-server')] });
  const b = testReport({ profile: 'Office', changes: [portOpened('127.0.121.11', 23, 'telnet')] });
  await reporter.scanRecorded(a);
  await reporter.scanRecorded(b);
  await reporter.release();
  await reporter.sendDue();
  assert.equal(home.requests.length + office.requests.length, 0, 'nothing inside quiet hours');
  assert.equal((await reporter.deliveryState(a.entry.id)).state, 'waiting');
  clock = new Date(2026, 10, 25, 7, 0);
  assert.equal(await reporter.release(), 1);
  await reporter.sendDue();
  assert.equal(home.requests.length, 1);
  assert.equal(office.requests.length, 1);
  const homeText = JSON.parse(home.requests[0]!.body).text as string;
  assert.match(homeText, /3389\/tcp open/);
  assert.doesNotMatch(homeText, /telnet/, "the home channel does not get the Office profile's alerts");
  assert.match(homeText, /held during quiet hours/);
  const card = JSON.stringify(JSON.parse(office.requests[0]!.body));
  assert.match(card, /3389\/tcp open/);
  assert.match(card, /23\/tcp open: telnet/);
  assert.deepEqual(
    (await reporter.deliveries(a.entry.id)).map((d) => `${d.channel} ${d.delivery.state}`),
    ['all delivered', 'home delivered'],
  );
  assert.deepEqual(
    (await reporter.deliveries(b.entry.id)).map((d) => `${d.channel} ${d.delivery.state}`),
    ['all delivered'],
  );
});

test('the one notification policy: a failed scan reaches a channel at most once per limit; no-change scans never do', async (t) => {
  const dataDir = await setup(t, (s) => (s.email.failedScanEveryHours = 6));
  const r = await receiver(t);
  await new ChannelStore(dataDir).add({ name: 'chat', kind: 'slack', url: r.url() });
  const reporter = createMailReporter({ dataDir, env: {}, autoSend: false });
  await reporter.scanRecorded(testReport({ status: 'failed', reason: 'nmap exited with code 1' }));
  await reporter.scanRecorded(testReport({ status: 'failed', reason: 'nmap exited with code 1' }));
  await reporter.scanRecorded(testReport({})); // no change: mail's heartbeat at most, never a channel's
  const records = await reporter.outbox.list();
  assert.deepEqual(
    records.map((rec) => `${rec.channel} ${rec.subject}`),
    ['chat Portwatch: scan failed on Home LAN'],
  );
  await reporter.sendDue();
  assert.match(JSON.parse(r.requests[0]!.body).text, /nmap exited with code 1/);
});
