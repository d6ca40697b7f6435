// `portwatch watch --metrics`: scraped over HTTP after real scans (real nmap against loopback listeners),
// values checked, the text accepted by `promtool check metrics`, counters kept across a restart; and the
// service's stop: SIGTERM during a running scan cancels it, records it, and exits 0. Addresses 127.0.121.16-31.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { HistoryEntry } from '../src/shared/history.ts';
import { ProfilePaths } from '../src/engine/monitor/layout.ts';
import { Outbox } from '../src/engine/mail/outbox.ts';
import { Listeners, closedPort } from './support/listeners.ts';
import { nmapChildren } from './support/processes.ts';
import { tempDir } from './support/temp-dirs.ts';

const cliMain = path.resolve(import.meta.dirname, '..', 'src/cli/main.ts');

function portwatch(dataDir: string, args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [cliMain, '--data-dir', dataDir, ...args], (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

interface Watch {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number>;
}

function startWatch(t: { after(fn: () => void): void }, dataDir: string, args: string[] = []): Watch {
  const child = spawn(process.execPath, [cliMain, '--data-dir', dataDir, 'watch', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => child.kill('SIGKILL'));
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? -1)));
  return { child, out: () => out, err: () => err, exited };
}

async function until(check: () => boolean, what: string, limitMs = 60_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function metricsUrl(watch: Watch): Promise<string> {
  await until(() => /metrics on (http:\S+)/.test(watch.err()), 'the metrics address');
  return /metrics on (http:\S+)/.exec(watch.err())![1]!;
}

function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  assert.ok(line, `${series} is in the metrics`);
  return Number(line.slice(series.length + 1));
}

function promtool(text: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = execFile('promtool', ['check', 'metrics'], (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
    );
    child.stdin!.end(text);
  });
}

test('metrics after real scans: values, promtool, and counters that survive a restart', async (t) => {
  const dataDir = tempDir('portwatch-metrics-');
  const net = new Listeners();
  t.after(() => net.close());
  const host = '127.0.121.16';
  const ssh = await net.tcp({ host });
  const web = await net.tcp({ host });
  const later = await closedPort(host);
  const add = ['profile', 'add', 'home', '--targets', host, '--ports', `${ssh.port},${web.port},${later}`];
  assert.equal((await portwatch(dataDir, [...add, '--no-dns', '--timing', '4'])).code, 0);
  assert.equal((await portwatch(dataDir, ['reference', 'capture', 'home'])).code, 0);
  await net.tcp({ host, port: later }); // a port opens
  const scan = await portwatch(dataDir, ['scan', 'home']);
  assert.equal(scan.code, 1, scan.stderr);
  // A channel whose receiver is down: the alert waits in the outbox.
  const dead = await closedPort('127.0.121.17');
  const channel = ['channel', 'add', 'phone', '--kind', 'ntfy', '--url', `http://127.0.121.17:${dead}/t`];
  assert.equal((await portwatch(dataDir, channel)).code, 0);
  await web.close(); // and one closes: a second alert
  assert.equal((await portwatch(dataDir, ['scan', 'home'])).code, 1);
  const history = JSON.parse(
    (await portwatch(dataDir, ['history', 'home', '--json'])).stdout,
  ) as HistoryEntry[];

  // The scan's own attempt failed and backs off for a minute; this one is due at once, for watch to try.
  await new Outbox({ dataDir }).enqueueReport(
    'phone',
    { items: [], mode: 'single' },
    'Portwatch: due now',
    [],
  );
  const watch = startWatch(t, dataDir, ['--metrics', '127.0.121.18:0']);
  const url = await metricsUrl(watch);
  assert.match(url, /^http:\/\/127\.0\.121\.18:\d+\/metrics$/);
  const response = await fetch(url);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  const p = 'profile="home"';
  assert.equal(value(text, `portwatch_open_ports{${p}}`), 2);
  assert.equal(value(text, `portwatch_hosts_up{${p}}`), 1);
  assert.equal(value(text, `portwatch_unaccepted_changes{${p}}`), 2, 'opened + closed against the reference');
  const okScans = history.filter((e) => e.status === 'ok').length;
  assert.equal(value(text, `portwatch_scans_total{${p},status="ok"}`), okScans);
  assert.equal(value(text, `portwatch_scans_total{${p},status="failed"}`), 0);
  assert.equal(
    value(text, `portwatch_last_scan_timestamp_seconds{${p}}`),
    Date.parse(history[0]!.startedAt) / 1000,
  );
  assert.equal(value(text, `portwatch_scan_duration_seconds{${p}}`), history[0]!.durationMs / 1000);
  assert.equal(value(text, 'portwatch_delivery_waiting{channel="phone"}'), 2);
  assert.equal(value(text, 'portwatch_delivery_failed{channel="phone"}'), 0);
  assert.equal(value(text, 'portwatch_delivery_waiting{channel="email"}'), 0);
  const checked = await promtool(text);
  assert.equal(checked.code, 0, checked.output);
  assert.equal(checked.output.trim(), '', 'promtool has no complaint');

  // The service logs one plain line per failed delivery through the engine's log (journald adds the time).
  await until(() => /phone: 'Portwatch: due now' not sent yet/.test(watch.err()), 'the delivery line');
  assert.match(
    watch.err(),
    /^portwatch: WARN \[mail\] phone: 'Portwatch: due now' not sent yet: the connection was refused/m,
  );

  // Accepting the scan clears the unaccepted changes; a restart keeps the counters where they were.
  assert.equal((await portwatch(dataDir, ['reference', 'accept', 'home'])).code, 0);
  const after = await (await fetch(url)).text();
  assert.equal(value(after, `portwatch_unaccepted_changes{${p}}`), 0);
  watch.child.kill('SIGTERM');
  assert.equal(await watch.exited, 0, watch.err());
  const again = startWatch(t, dataDir, ['--metrics', '127.0.121.18:0']);
  const restarted = await (await fetch(await metricsUrl(again))).text();
  assert.equal(value(restarted, `portwatch_scans_total{${p},status="ok"}`), okScans, 'not back to 0');
  assert.equal((await fetch((await metricsUrl(again)).replace('/metrics', '/other'))).status, 404);
  again.child.kill('SIGTERM');
  assert.equal(await again.exited, 0);
});

test('--metrics: bad input gets one line', async () => {
  const dataDir = tempDir('portwatch-metrics-');
  const r = await portwatch(dataDir, ['watch', '--metrics', 'nowhere:99999']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^portwatch: --metrics needs PORT or ADDRESS:PORT, e\.g\. --metrics 9464/);
});

test('SIGTERM during a scan (as systemd stops the service): the scan is cancelled and recorded, exit 0, plain lines', async (t) => {
  const dataDir = tempDir('portwatch-metrics-');
  const host = '127.0.121.19';
  const ports = (await Promise.all([1, 2, 3, 4].map(() => closedPort(host)))).join(',');
  // Timing 1 waits 15 s between probes: the scan is still running when the service is stopped.
  const add = ['profile', 'add', 'slow', '--targets', host, '--ports', ports, '--no-dns', '--timing', '1'];
  assert.equal((await portwatch(dataDir, [...add, '--schedule', 'hourly'])).code, 0);
  // Missed a run two hours ago: watch starts one at once.
  const paths = new ProfilePaths(dataDir, 'slow');
  fs.writeFileSync(
    paths.state,
    JSON.stringify({ lastRunAt: new Date(Date.now() - 2 * 3_600_000).toISOString() }),
  );
  const watch = startWatch(t, dataDir);
  await until(() => nmapChildren(watch.child.pid!).length > 0, 'nmap to start');
  watch.child.kill('SIGTERM');
  assert.equal(await watch.exited, 0, watch.err());
  assert.match(watch.err(), /stopped\n$/);
  assert.match(watch.out(), /slow: cancelled/);
  // Not a terminal: no colour, no cursor control; one line per event.
  assert.doesNotMatch(watch.out() + watch.err(), /\x1b\[/);
  const history = JSON.parse(
    (await portwatch(dataDir, ['history', 'slow', '--json'])).stdout,
  ) as HistoryEntry[];
  assert.equal(history[0]!.status, 'cancelled');
});
