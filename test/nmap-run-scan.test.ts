// runNmap against real listeners: a complete scan, progress, cancel, the time limit, nmap killed from outside,
// the XML size limit, a name that doesn't resolve, and nmap missing or unprivileged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ScanOptions } from '../src/shared/profile.ts';
import { UserError } from '../src/engine/errors.ts';
import { runNmap, type ScanProgress } from '../src/engine/nmap/run.ts';
import { Listeners } from './support/listeners.ts';

/** -n keeps the tests off the system's DNS resolver (nmap would ask it for the PTR names of 127.0.20.x). */
const quick: ScanOptions = {
  ports: { kind: 'list', spec: '1' },
  technique: 'connect',
  serviceDetection: false,
  osDetection: false,
  timing: 4,
  skipHostDiscovery: true,
  confirmChanges: false,
  timeoutSeconds: 60,
  resolveHostnames: false,
};

/** -T2 waits 0.4 s between probes: 200 ports take over a minute, long enough to see progress and to stop. */
const slow: ScanOptions = { ...quick, ports: { kind: 'list', spec: '1-200' }, timing: 2 };

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('a complete scan finds the open ports of real listeners, with -- before the targets', async (t) => {
  const net = new Listeners();
  t.after(() => net.close());
  const a = await net.tcp({ host: '127.0.20.10' });
  const b = await net.tcp({ host: '127.0.20.10' });
  const closed = await net.tcp({ host: '127.0.20.10' });
  await closed.close();
  const result = await runNmap({
    targets: ['127.0.20.10'],
    options: { ...quick, ports: { kind: 'list', spec: `${a.port},${b.port},${closed.port}` } },
  });
  assert.equal(result.failure, undefined, result.failure?.message);
  assert.equal(result.exitCode, 0);
  assert.deepEqual(result.run.completeness, { status: 'complete' });
  assert.deepEqual(result.args.slice(-2), ['--', '127.0.20.10']);
  const host = result.run.hosts.find((h) => h.addresses.some((x) => x.addr === '127.0.20.10'));
  assert.ok(host, 'the host is in the run');
  const state = (port: number) => host.ports.find((p) => p.portid === port)?.state?.state;
  assert.equal(state(a.port), 'open');
  assert.equal(state(b.port), 'open');
  assert.equal(state(closed.port), 'closed');
  assert.match(result.xml, /^<\?xml/);
  assert.match(result.xml, /<\/nmaprun>\s*$/);
  assert.equal(result.nmap.version.split('.')[0], '7');
});

test('progress arrives while nmap works, and cancelling stops nmap: failure cancelled, process gone', async () => {
  const controller = new AbortController();
  const seen: ScanProgress[] = [];
  let pid = 0;
  const result = await runNmap({
    targets: ['127.0.20.11'],
    options: slow,
    signal: controller.signal,
    onStart: (info) => (pid = info.pid),
    onProgress: (progress) => {
      seen.push(progress);
      controller.abort();
    },
  });
  assert.ok(seen.length >= 1, 'at least one progress event');
  assert.equal(seen[0]!.task, 'Connect Scan');
  assert.ok(seen[0]!.percent > 0 && seen[0]!.percent < 100, `percent ${seen[0]!.percent}`);
  assert.equal(typeof seen[0]!.etaSeconds, 'number');
  assert.equal(result.failure?.kind, 'cancelled');
  assert.equal(result.run.completeness.status, 'incomplete');
  assert.ok(pid > 0);
  assert.equal(alive(pid), false, 'nmap is gone');
});

test('an nmap that does not stop on SIGTERM is SIGKILLed after the grace period', async () => {
  const controller = new AbortController();
  let pid = 0;
  const result = await runNmap({
    targets: ['127.0.20.19'],
    options: slow,
    signal: controller.signal,
    killGraceMs: 300,
    onStart: (info) => {
      pid = info.pid;
      // A stopped process leaves SIGTERM pending; only SIGKILL ends it.
      process.kill(pid, 'SIGSTOP');
      setTimeout(() => controller.abort(), 100);
    },
  });
  assert.equal(result.failure?.kind, 'cancelled');
  assert.equal(result.exitSignal, 'SIGKILL');
  assert.equal(alive(pid), false);
});

test('an already-aborted signal never starts nmap', async () => {
  let started = false;
  const result = await runNmap({
    targets: ['127.0.20.11'],
    options: quick,
    signal: AbortSignal.abort(),
    onStart: () => (started = true),
  });
  assert.equal(started, false);
  assert.equal(result.failure?.kind, 'cancelled');
});

test('the time limit kills nmap: failure timeout with the partial run', async () => {
  let pid = 0;
  const result = await runNmap({
    targets: ['127.0.20.12'],
    options: { ...slow, timeoutSeconds: 5 },
    onStart: (info) => (pid = info.pid),
  });
  assert.equal(result.failure?.kind, 'timeout');
  assert.match(result.failure!.message, /time limit of 5 s/);
  assert.equal(result.exitSignal, 'SIGTERM');
  assert.equal(result.run.completeness.status, 'incomplete');
  assert.equal(result.run.scanInfo[0]?.type, 'connect', 'the partial run was parsed');
  assert.equal(alive(pid), false);
});

test('nmap killed from outside mid-scan is a failure, with what it wrote so far', async () => {
  let pid = 0;
  const result = await runNmap({
    targets: ['127.0.20.13'],
    options: slow,
    onStart: (info) => (pid = info.pid),
    // Kill once nmap has written progress (the first comes after 2 s), so there is a partial run to keep.
    onProgress: () => {
      if (pid > 0 && alive(pid)) process.kill(pid, 'SIGKILL');
    },
  });
  assert.equal(result.failure?.kind, 'nmap-error');
  assert.match(result.failure!.message, /killed by SIGKILL/);
  assert.equal(result.exitSignal, 'SIGKILL');
  assert.equal(result.run.completeness.status, 'incomplete');
  assert.match(result.xml, /<taskprogress/);
  assert.equal(alive(pid), false);
});

test('XML past the size limit stops the scan: failure output-too-large', async () => {
  const result = await runNmap({ targets: ['127.0.20.14'], options: quick, maxXmlBytes: 600 });
  assert.equal(result.failure?.kind, 'output-too-large');
  assert.ok(Buffer.byteLength(result.xml) <= 600);
});

test('a name that does not resolve makes the scan incomplete, naming it', async (t) => {
  if (process.geteuid?.() !== 0) return t.skip('needs root (a private mount namespace for resolv.conf)');
  // A private mount namespace whose resolv.conf points at a closed loopback port: the lookup fails at once
  // and nothing leaves the machine.
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portwatch-dns-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, 'resolv.conf'), 'nameserver 127.0.20.53\noptions timeout:1 attempts:1\n');
  const wrapper = path.join(dir, 'nmap');
  await writeFile(
    wrapper,
    `#!/bin/sh\nexec unshare -m sh -c 'mount --bind "$0" /etc/resolv.conf && exec /usr/bin/nmap "$@"' ${path.join(dir, 'resolv.conf')} "$@"\n`,
  );
  await chmod(wrapper, 0o755);
  const result = await runNmap({
    targets: ['no-such-host.portwatch.test', '127.0.20.15'],
    options: quick,
    nmapPath: wrapper,
  });
  assert.equal(result.failure?.kind, 'incomplete', result.failure?.message ?? result.stderr);
  assert.match(result.failure!.message, /could not resolve no-such-host\.portwatch\.test/);
  assert.equal(result.run.hosts.length, 1, 'the other target was still scanned');
});

test('nmap missing or not nmap: a UserError with the install hint, for a bad path, a PATH without nmap, another program', async () => {
  const hint = /nmap not found.*sudo apt-get install nmap.*brew install nmap.*nmap\.org\/download/;
  await assert.rejects(
    runNmap({ targets: ['127.0.20.16'], options: quick, nmapPath: '/nonexistent/nmap' }),
    (error) => error instanceof UserError && hint.test(error.message),
  );
  await assert.rejects(
    runNmap({ targets: ['127.0.20.16'], options: quick, env: { PATH: '/nonexistent' } }),
    (error) => error instanceof UserError && hint.test(error.message),
  );
  // A program that is not nmap: its version check fails and whatever it did is thrown away.
  await assert.rejects(
    runNmap({ targets: ['127.0.20.16'], options: quick, nmapPath: '/bin/true' }),
    (error) => error instanceof UserError && /\/bin\/true is not nmap/.test(error.message),
  );
});

test('options that need raw sockets, with an unprivileged nmap: a UserError that says how to fix it', async () => {
  let started = false;
  await assert.rejects(
    runNmap({
      targets: ['127.0.20.16'],
      options: { ...quick, technique: 'syn' },
      env: { ...process.env, NMAP_UNPRIVILEGED: '1' },
      onStart: () => (started = true),
    }),
    (error) =>
      error instanceof UserError &&
      /SYN scans \(-sS\) needs root or CAP_NET_RAW: .*setcap cap_net_raw.*or choose technique connect/.test(
        error.message,
      ),
  );
  assert.equal(started, false);
});

test('a privileged SYN scan runs when nmap may (root here)', async (t) => {
  if (process.geteuid?.() !== 0) return t.skip('needs root');
  const net = new Listeners();
  t.after(() => net.close());
  const open = await net.tcp({ host: '127.0.20.17' });
  const result = await runNmap({
    targets: ['127.0.20.17'],
    options: { ...quick, technique: 'syn', ports: { kind: 'list', spec: String(open.port) } },
  });
  assert.equal(result.failure, undefined, result.failure?.message);
  assert.ok(result.args.includes('-sS'));
  assert.equal(result.run.scanInfo[0]?.type, 'syn');
  assert.equal(result.run.hosts[0]?.ports[0]?.state?.state, 'open');
});

test('invalid targets never reach nmap: UserError before anything runs', async () => {
  let started = false;
  await assert.rejects(
    runNmap({ targets: ['127.0.20.18', '-iL /etc/shadow'], options: quick, onStart: () => (started = true) }),
    (error) =>
      error instanceof UserError && /target 2 \(-iL \/etc\/shadow\): starts with '-'/.test(error.message),
  );
  assert.equal(started, false);
});

test('an IPv6 profile runs nmap with -6 and finds the port open on ::1', async (t) => {
  const net = new Listeners();
  t.after(() => net.close());
  const open = await net.tcp({ host: '::1' });
  const result = await runNmap({
    targets: ['::1'],
    options: { ...quick, ports: { kind: 'list', spec: String(open.port) } },
  });
  assert.equal(result.failure, undefined, result.failure?.message);
  assert.deepEqual(result.args.slice(-3), ['-6', '--', '::1']);
  assert.equal(result.run.hosts[0]?.addresses[0]?.addrtype, 'ipv6');
  assert.equal(result.run.hosts[0]?.ports[0]?.state?.state, 'open');
});
