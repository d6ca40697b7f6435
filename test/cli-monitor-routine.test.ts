// The headless routine end to end through ./bin/portwatch, with real nmap against real loopback listeners:
// profile add, reference capture, change the listeners, scan (exit 1, exactly the expected changes),
// reference accept, scan again (exit 0). Then failures, a second process, Ctrl-C, and `watch`.
// Needs `npm run build` first (npm test does it). Addresses: 127.0.31.0/24.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { changeKey } from '../src/shared/changes.ts';
import type { HistoryEntry } from '../src/shared/history.ts';
import { lockHolder } from '../src/engine/store/lock.ts';
import { ProfilePaths } from '../src/engine/monitor/layout.ts';
import { Listeners, closedPort } from './support/listeners.ts';
import { nmapChildren } from './support/processes.ts';
import { tempDir } from './support/temp-dirs.ts';

const root = path.resolve(import.meta.dirname, '..');
const bin = path.join(root, 'bin', 'portwatch');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function portwatch(dataDir: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Result> {
  return new Promise((resolve) => {
    execFile(bin, ['--data-dir', dataDir, ...args], { env, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function lastEntries(dataDir: string, name: string, limit: number): Promise<HistoryEntry[]> {
  const result = await portwatch(dataDir, ['history', name, '--limit', String(limit), '--json']);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as HistoryEntry[];
}

test('the routine: add, capture, change, scan (exit 1), accept, scan (exit 0)', async (t) => {
  const dataDir = tempDir('portwatch-cli-');
  const net1 = new Listeners();
  t.after(() => net1.close());
  const host = '127.0.31.1';
  const ssh = await net1.tcp({ host, banner: 'SSH-2.0-OpenSSH_9.2p1\r\n' });
  const web = await net1.http({ host, server: 'nginx/1.22.1', title: 'Welcome' });
  const later = await closedPort(host);
  const ports = `${ssh.port},${web.port},${later}`;

  let r = await portwatch(dataDir, [
    'profile',
    'add',
    'home',
    '--targets',
    host,
    '--ports',
    ports,
    '--no-dns',
    '--timing',
    '4',
  ]);
  assert.equal(r.code, 0, r.stderr);
  r = await portwatch(dataDir, ['reference', 'capture', 'home']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /2 open ports/);

  await web.close(); // an open port closes
  await net1.tcp({ host, port: later }); // a closed port opens
  r = await portwatch(dataDir, ['scan', 'home']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /2 changes/);
  // New open ports come first in the summary.
  assert.ok(
    r.stdout.indexOf(`${later}/tcp open`) < r.stdout.indexOf(`${web.port}/tcp no longer open`),
    r.stdout,
  );

  let [entry] = await lastEntries(dataDir, 'home', 1);
  assert.equal(entry!.status, 'ok');
  assert.deepEqual(
    entry!.changes.map(changeKey).sort(),
    [`${host} ${later}/tcp port-opened`, `${host} ${web.port}/tcp port-closed`].sort(),
  );
  assert.equal(entry!.counts.alerted, 2);
  assert.ok(entry!.nmapArgs.includes('-n'), '--no-dns: nmap asks no name server (tests stay on loopback)');

  r = await portwatch(dataDir, ['reference', 'accept', 'home']);
  assert.equal(r.code, 0, r.stderr);
  r = await portwatch(dataDir, ['scan', 'home']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /no changes/);
  [entry] = await lastEntries(dataDir, 'home', 1);
  assert.deepEqual(entry!.changes, []);
  assert.equal(entry!.status, 'ok');

  r = await portwatch(dataDir, ['reference', 'list', 'home']);
  assert.equal(r.stdout.trim().split('\n').length, 2, 'the captured reference is kept after accepting');
  const history = await lastEntries(dataDir, 'home', 10);
  assert.deepEqual(
    history.map((e) => e.counts.changes),
    [0, 2, 0],
  );
});

test('accepting chosen hosts merges them into the reference; ignore keeps a port quiet', async (t) => {
  const dataDir = tempDir('portwatch-cli-');
  const listeners = new Listeners();
  t.after(() => listeners.close());
  const [a, b] = ['127.0.31.2', '127.0.31.3'];
  const pa = await closedPort(a);
  const pb = await closedPort(b);
  let r = await portwatch(dataDir, [
    'profile',
    'add',
    'two',
    '--targets',
    `${a},${b}`,
    '--ports',
    `${pa},${pb}`,
    '--no-dns',
    '--timing',
    '4',
    '--no-confirm',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await portwatch(dataDir, ['reference', 'capture', 'two'])).code, 0);
  await listeners.tcp({ host: a, port: pa });
  await listeners.tcp({ host: b, port: pb });
  assert.equal((await portwatch(dataDir, ['scan', 'two'])).code, 1);
  r = await portwatch(dataDir, ['reference', 'accept', 'two', '--host', a]);
  assert.equal(r.code, 0, r.stderr);
  r = await portwatch(dataDir, ['scan', 'two']);
  assert.equal(r.code, 1);
  const [entry] = await lastEntries(dataDir, 'two', 1);
  assert.deepEqual(
    entry!.changes.map(changeKey),
    [`${b} ${pb}/tcp port-opened`],
    'only the host not accepted still differs',
  );

  r = await portwatch(dataDir, ['ignore', 'add', 'two', `${b}:${pb}/tcp`, '--note', 'test service']);
  assert.equal(r.code, 0, r.stderr);
  const id = r.stdout.split(/\s+/)[1]!;
  r = await portwatch(dataDir, ['scan', 'two']);
  assert.equal(r.code, 0, 'an ignored change does not make the scan exit 1');
  const [quiet] = await lastEntries(dataDir, 'two', 1);
  assert.deepEqual(quiet!.suppressed, [`${b} ${pb}/tcp port-opened`]);
  assert.equal((await portwatch(dataDir, ['ignore', 'remove', 'two', id])).code, 0);
  assert.equal((await portwatch(dataDir, ['scan', 'two'])).code, 1);
});

test('with nmap missing the scan is recorded as failed, exits 2 with one line, and the reference stays', async (t) => {
  const dataDir = tempDir('portwatch-cli-');
  const host = '127.0.31.4';
  const listeners = new Listeners();
  t.after(() => listeners.close());
  const open = await listeners.tcp({ host });
  assert.equal(
    (
      await portwatch(dataDir, [
        'profile',
        'add',
        'nonmap',
        '--targets',
        host,
        '--ports',
        String(open.port),
        '--no-dns',
      ])
    ).code,
    0,
  );
  assert.equal((await portwatch(dataDir, ['reference', 'capture', 'nonmap'])).code, 0);
  const before = (await portwatch(dataDir, ['reference', 'list', 'nonmap'])).stdout;
  await open.close();
  // A PATH with the one tool bin/portwatch may need (readlink, for a symlinked bin), but no nmap.
  const tools = tempDir('portwatch-path-');
  fs.symlinkSync('/usr/bin/readlink', path.join(tools, 'readlink'));
  const r = await portwatch(dataDir, ['scan', 'nonmap'], { ...process.env, PATH: tools });
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /^portwatch: .*FAILED: .*nmap/);
  const [entry] = await lastEntries(dataDir, 'nonmap', 1);
  assert.equal(entry!.status, 'failed');
  assert.deepEqual(entry!.changes, []);
  assert.equal((await portwatch(dataDir, ['reference', 'list', 'nonmap'])).stdout, before);
});

test('a second process scanning the same profile waits for the first and reports its scan', async (t) => {
  const dataDir = tempDir('portwatch-cli-');
  const host = '127.0.31.5';
  const listeners = new Listeners();
  t.after(() => listeners.close());
  const open = await listeners.tcp({ host });
  const ports = [open.port, ...(await Promise.all([1, 2, 3, 4].map(() => closedPort(host))))].join(',');
  // Timing 2 waits 0.4 s between probes: the first scan runs long enough for the second to find it.
  assert.equal(
    (
      await portwatch(dataDir, [
        'profile',
        'add',
        'slow',
        '--targets',
        host,
        '--ports',
        ports,
        '--no-dns',
        '--timing',
        '2',
      ])
    ).code,
    0,
  );
  const first = spawn(bin, ['--data-dir', dataDir, 'scan', 'slow'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => first.kill('SIGKILL'));
  let firstOut = '';
  first.stdout.on('data', (d) => (firstOut += d));
  const firstDone = new Promise<number>((resolve) => first.once('exit', (code) => resolve(code ?? -1)));
  const lockPath = new ProfilePaths(dataDir, 'slow').scanLock;
  while (!lockHolder(lockPath)) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.notEqual(lockHolder(lockPath)?.pid, process.pid);
  const second = await portwatch(dataDir, ['scan', 'slow']);
  assert.equal(await firstDone, 0);
  assert.equal(second.code, 0, second.stderr);
  assert.equal(second.stdout, firstOut, 'the second process reports the first one’s scan');
  const entries = await lastEntries(dataDir, 'slow', 10);
  assert.equal(entries.length, 1, 'one scan, not two');
});

test('watch runs a missed scheduled scan once at start and stops cleanly on SIGTERM', async (t) => {
  const dataDir = tempDir('portwatch-cli-');
  const host = '127.0.31.6';
  const listeners = new Listeners();
  t.after(() => listeners.close());
  const open = await listeners.tcp({ host });
  assert.equal(
    (
      await portwatch(dataDir, [
        'profile',
        'add',
        'cron',
        '--targets',
        host,
        '--ports',
        String(open.port),
        '--schedule',
        'hourly',
        '--no-dns',
        '--timing',
        '4',
      ])
    ).code,
    0,
  );
  // The last run was two hours ago: the app was closed through two slots.
  const paths = new ProfilePaths(dataDir, 'cron');
  fs.writeFileSync(
    paths.state,
    JSON.stringify({ lastRunAt: new Date(Date.now() - 2 * 3_600_000).toISOString() }),
  );
  const watch = spawn(bin, ['--data-dir', dataDir, 'watch'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => watch.kill('SIGKILL'));
  let out = '';
  let err = '';
  watch.stdout.on('data', (d) => (out += d));
  watch.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number>((resolve) => watch.once('exit', (code) => resolve(code ?? -1)));
  while (!out.includes('\n')) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.match(out, /cron: first successful scan: it is now the reference/);
  watch.kill('SIGTERM');
  assert.equal(await exited, 0, err);
  assert.match(err, /stopped/);
  assert.equal(out.trim().split('\n').length, 1, 'one line per scan, one scan for two missed slots');
  const entries = await lastEntries(dataDir, 'cron', 10);
  assert.equal(entries.length, 1);
});

test('Ctrl-C during a scan stops nmap, records the scan as cancelled, exits 2 and frees the profile', async (t) => {
  const dataDir = tempDir('portwatch-cli-');
  const host = '127.0.31.7';
  const ports = (await Promise.all([1, 2, 3, 4].map(() => closedPort(host)))).join(',');
  // Timing 1 waits 15 s between probes: the scan is still running when it is interrupted.
  const add = ['profile', 'add', 'stop', '--targets', host, '--ports', ports, '--no-dns', '--timing', '1'];
  assert.equal((await portwatch(dataDir, add)).code, 0);
  const scan = spawn(bin, ['--data-dir', dataDir, 'scan', 'stop'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => scan.kill('SIGKILL'));
  let err = '';
  scan.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number>((resolve) => scan.once('exit', (code) => resolve(code ?? -1)));
  let nmap: number[] = [];
  while (nmap.length === 0) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    nmap = nmapChildren(scan.pid!);
  }
  scan.kill('SIGINT');
  assert.equal(await exited, 2, err);
  assert.match(err, /^portwatch: .*stop: cancelled/);
  assert.throws(() => process.kill(nmap[0]!, 0), /ESRCH/, 'nmap was stopped with it');
  assert.equal(lockHolder(new ProfilePaths(dataDir, 'stop').scanLock), undefined);
  const [entry] = await lastEntries(dataDir, 'stop', 1);
  assert.equal(entry!.status, 'cancelled');
  assert.deepEqual(entry!.changes, []);
});

test('output to a reader that is gone (| head) is dropped quietly: the command keeps its exit code', async () => {
  const dataDir = tempDir('portwatch-cli-');
  for (const args of [['profile', 'list'], ['--help']]) {
    const child = spawn(bin, ['--data-dir', dataDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the read end is closed before anything is written: every write fails (EPIPE)
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    assert.equal(err, '', args.join(' '));
    assert.equal(code, 0, args.join(' '));
  }
});

test('schedules through the CLI: a cron line described in words with its next runs; a bad one refused in one line', async () => {
  const dataDir = tempDir('portwatch-cli-');
  const add = await portwatch(dataDir, [
    'profile',
    'add',
    'cron',
    '--targets',
    '127.0.31.8',
    '--schedule',
    '30 6 * * 1-5',
  ]);
  assert.equal(add.code, 0, add.stderr);
  assert.match(add.stdout, /; at 06:30, monday through friday\n/);
  const show = await portwatch(dataDir, ['profile', 'show', 'cron']);
  const runs = [...show.stdout.matchAll(/(?:next runs:|^) +(\w{3} \w{3} \d\d \d{4} 06:30:00)/gm)].map(
    (m) => new Date(m[1]!),
  );
  assert.equal(runs.length, 3, show.stdout);
  for (const run of runs)
    assert.ok(run.getDay() >= 1 && run.getDay() <= 5 && run.getTime() > Date.now(), String(run));
  const bad = await portwatch(dataDir, [
    'profile',
    'add',
    'bad',
    '--targets',
    '127.0.31.9',
    '--schedule',
    '61 * * * *',
  ]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^portwatch: schedule '61 \* \* \* \*' is not a valid cron expression: [^\n]*\n$/);
});
