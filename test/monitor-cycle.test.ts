// The scan cycle with real nmap against real loopback listeners: confirmation, failures that never alert,
// the offline rule, noise control, joining a running scan, a head-started scan, the comparison through
// digests. Addresses: 127.0.30.0/24 (this suite's range); 127.0.9.0/24 for the comparison through digests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { changeKey } from '../src/shared/changes.ts';
import type { NmapRun } from '../src/shared/scan.ts';
import { ProfilePaths } from '../src/engine/monitor/layout.ts';
import { Monitor } from '../src/engine/monitor/monitor.ts';
import { startScanEarly } from '../src/engine/monitor/head-start.ts';
import { lockHolder } from '../src/engine/store/lock.ts';
import { Listeners, closedPort, nmapXml } from './support/listeners.ts';

function setup(
  t: { after(fn: () => unknown): void },
  options: Partial<ConstructorParameters<typeof Monitor>[0]> = {},
) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portwatch-monitor-'));
  const listeners = new Listeners();
  const monitor = new Monitor({ dataDir, isOffline: () => false, ...options });
  t.after(async () => {
    await monitor.stop();
    await listeners.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  return { dataDir, listeners, monitor };
}

test('a change seen once and gone when rescanned is dropped by confirmation; one that holds is kept', async (t) => {
  const { listeners, monitor } = setup(t);
  const host = '127.0.30.10';
  const steady = await listeners.tcp({ host });
  const flickerPort = await closedPort(host);
  const newPort = await closedPort(host);
  monitor.addProfile({
    name: 'confirm',
    targets: [host],
    options: {
      ports: { kind: 'list', spec: `${steady.port},${flickerPort},${newPort}` },
      timing: 4,
      resolveHostnames: false,
    },
  });
  await monitor.captureReference('confirm');

  // A listener that closes itself after its first connection: open for the scan, closed for the rescan.
  const flicker = net.createServer((socket) => {
    socket.destroy();
    flicker.close();
  });
  await new Promise<void>((resolve) => flicker.listen(flickerPort, host, resolve));
  t.after(() => flicker.close());
  await listeners.tcp({ host, port: newPort });

  const phases: string[] = [];
  monitor.on('nmap-started', ({ phase }) => phases.push(phase));
  const outcome = await monitor.scanNow('confirm');
  assert.deepEqual(phases, ['scan', 'confirm']);
  assert.equal(outcome.entry.status, 'ok');
  assert.deepEqual(outcome.entry.changes.map(changeKey), [`${host} ${newPort}/tcp port-opened`]);
  assert.equal(outcome.entry.confirmation?.dropped, 1);
  // The rescan covered just the changed ports.
  const changedPorts = [flickerPort, newPort].sort((x, y) => x - y).join(',');
  assert.ok(
    outcome.entry.confirmation?.args.includes(`T:${changedPorts}`),
    outcome.entry.confirmation?.args.join(' '),
  );
  assert.equal(outcome.entry.counts.alerted, 1);
});

test('expected and snoozed ports are recorded but not alerted; expired rules alert again', async (t) => {
  const { listeners, monitor } = setup(t);
  const host = '127.0.30.11';
  const a = await closedPort(host);
  const b = await closedPort(host);
  const c = await closedPort(host);
  monitor.addProfile({
    name: 'noise',
    targets: [host],
    options: {
      ports: { kind: 'list', spec: `${a},${b},${c}` },
      timing: 4,
      resolveHostnames: false,
      confirmChanges: false,
    },
  });
  await monitor.captureReference('noise');
  await listeners.tcp({ host, port: a });
  await listeners.tcp({ host, port: b });
  await listeners.tcp({ host, port: c });
  monitor.addExpected('noise', { target: `${host}:${a}/tcp`, note: 'dev server' });
  monitor.snooze('noise', `${host}:${b}`, 24);
  monitor.addExpected('noise', { target: `${host}:${c}`, until: '2001-01-01' }); // long expired
  const outcome = await monitor.scanNow('noise');
  assert.equal(outcome.entry.counts.changes, 3);
  assert.deepEqual(
    outcome.entry.suppressed.sort(),
    [`${host} ${a}/tcp port-opened`, `${host} ${b}/tcp port-opened`].sort(),
  );
  assert.deepEqual(outcome.alerted.map(changeKey), [`${host} ${c}/tcp port-opened`]);
  assert.equal(outcome.entry.counts.alerted, 1);
});

test('nmap missing, nmap killed mid-scan, and a scan that times out are failed scans: no alerts, reference untouched', async (t) => {
  const host = '127.0.30.12';
  const { listeners, monitor, dataDir } = setup(t);
  const open = await listeners.tcp({ host });
  monitor.addProfile({
    name: 'fail',
    targets: [host],
    options: { ports: { kind: 'list', spec: `${open.port},1-2000` }, timing: 4, resolveHostnames: false },
  });
  const reference = await monitor.captureReference('fail');
  await open.close(); // a real change, which none of the failed scans may report

  const missing = new Monitor({
    dataDir,
    nmapPath: path.join(dataDir, 'no-such-nmap'),
    isOffline: () => false,
  });
  const noNmap = await missing.scanNow('fail');
  assert.equal(noNmap.entry.status, 'failed');
  assert.match(noNmap.entry.reason ?? '', /nmap/i);

  // Slow the scan down so it is surely still running when it is killed or times out.
  monitor.updateProfile('fail', (p) => ({ ...p, options: { ...p.options, timing: 0 } }));
  monitor.once('nmap-started', ({ pid }) => process.kill(pid, 'SIGKILL'));
  const killed = await monitor.scanNow('fail');
  assert.equal(killed.entry.status, 'failed');
  assert.ok(killed.entry.reason, 'a killed scan says why it failed');

  monitor.updateProfile('fail', (p) => ({ ...p, options: { ...p.options, timeoutSeconds: 5 } }));
  const timedOut = await monitor.scanNow('fail');
  assert.equal(timedOut.entry.status, 'failed');
  assert.match(timedOut.entry.reason ?? '', /time|limit|5 s/i);

  for (const outcome of [noNmap, killed, timedOut]) {
    assert.deepEqual(outcome.entry.changes, []);
    assert.deepEqual(outcome.alerted, []);
    assert.equal(outcome.entry.counts.alerted, 0);
    assert.equal(outcome.entry.hasXml, false);
  }
  assert.equal(monitor.references('fail').length, 1);
  assert.equal(monitor.references('fail')[0]!.id, reference.reference.id);
  const statuses = monitor.history('fail', 10).records.map((e) => e.status);
  assert.deepEqual(statuses, ['failed', 'failed', 'failed', 'ok']);
  assert.equal(monitor.profileState('fail').lastSuccessId, reference.entry.id);
});

test('every reference host down while the machine looks offline is recorded as offline, not as changes', async (t) => {
  const before = '127.0.30.13';
  const after = '127.0.30.14';
  const xml = await nmapXml(['-n', '-sT', '-p', '9', before]);
  let offline = true;
  const { monitor } = setup(t, { isOffline: () => offline });
  // The reference saw 127.0.30.13 up; the profile's scans now only see 127.0.30.14.
  // (No confirmation: a rescan of 127.0.30.13 by address would find it, as it is not really gone.)
  monitor.addProfile({
    name: 'away',
    targets: [after],
    options: {
      ports: { kind: 'list', spec: '9' },
      timing: 4,
      resolveHostnames: false,
      confirmChanges: false,
    },
  });
  monitor.importReferenceXml('away', xml, 'reference.xml');
  const offlineScan = await monitor.scanNow('away');
  assert.equal(offlineScan.entry.status, 'offline');
  assert.match(offlineScan.entry.reason ?? '', /offline/);
  assert.deepEqual(offlineScan.entry.changes, []);
  assert.deepEqual(offlineScan.alerted, []);

  offline = false; // the same scan with the network up is a real change
  const onlineScan = await monitor.scanNow('away');
  assert.equal(onlineScan.entry.status, 'ok');
  assert.ok(
    onlineScan.entry.changes.some(
      (c) => c.host === before && (c.kind === 'host-removed' || c.kind === 'host-down'),
    ),
  );
});

test('"scan now" during a running scan joins it: one nmap run, one history entry', async (t) => {
  const { listeners, monitor } = setup(t);
  const host = '127.0.30.15';
  const open = await listeners.tcp({ host });
  monitor.addProfile({
    name: 'join',
    targets: [host],
    options: { ports: { kind: 'list', spec: String(open.port) }, timing: 4, resolveHostnames: false },
  });
  let started = 0;
  monitor.on('nmap-started', () => started++);
  const [first, second] = await Promise.all([monitor.scanNow('join'), monitor.scanNow('join')]);
  assert.equal(first.entry.id, second.entry.id);
  assert.deepEqual([first.joined, second.joined], [false, true]);
  assert.equal(started, 1);
  assert.equal(monitor.history('join').records.length, 1);
  assert.equal(first.entry.note, 'first successful scan: it is now the reference');
  assert.equal(monitor.references('join')[0]?.source, 'first-scan');
});

test('a head-started scan is taken over by the monitor: one nmap run, its start seen, the lock freed', async (t) => {
  const { dataDir, listeners, monitor } = setup(t);
  const host = '127.0.30.16';
  const open = await listeners.tcp({ host });
  monitor.addProfile({
    name: 'early',
    targets: [host],
    options: { ports: { kind: 'list', spec: String(open.port) }, timing: 4, resolveHostnames: false },
  });
  const headStart = await startScanEarly(dataDir, 'early');
  assert.ok(headStart, 'the lock was free, so nmap started');
  assert.ok(lockHolder(monitor.store.paths('early').scanLock), 'the head start holds the scan lock');
  const starts: number[] = [];
  monitor.on('nmap-started', ({ pid }) => starts.push(pid));
  const outcome = await monitor.scanNow('early', { headStart });
  assert.equal(outcome.entry.status, 'ok');
  assert.equal(outcome.entry.counts.openPorts, 1);
  assert.equal(starts.length, 1, "nmap's start reaches the monitor's listeners, though it came first");
  assert.equal(outcome.entry.startedAt, headStart.startedAt.toISOString());
  assert.equal(lockHolder(monitor.store.paths('early').scanLock), undefined);
  assert.equal(monitor.history('early').records.length, 1);
  await headStart.abandon(); // after a takeover: nothing to do
});

test('a head start finds the profile locked by another scan and leaves it alone; abandon stops nmap and frees the lock', async (t) => {
  const { dataDir, listeners, monitor } = setup(t);
  const host = '127.0.30.17';
  const open = await listeners.tcp({ host });
  const ports = [open.port, ...(await Promise.all([1, 2, 3].map(() => closedPort(host))))].join(',');
  // Timing 1 waits 15 s between probes: the scan is still running when it is abandoned.
  monitor.addProfile({
    name: 'left',
    targets: [host],
    options: { ports: { kind: 'list', spec: ports }, timing: 1, resolveHostnames: false },
  });
  const lockPath = monitor.store.paths('left').scanLock;
  const headStart = await startScanEarly(dataDir, 'left');
  assert.ok(headStart);
  assert.equal(
    await startScanEarly(dataDir, 'left'),
    undefined,
    'a second head start does not run nmap twice',
  );
  let pid = 0;
  headStart.follow({ onStart: (info) => (pid = info.pid), onProgress: () => {} });
  assert.ok(pid > 0, 'follow passes on a start that happened before it');
  await headStart.abandon();
  assert.equal((await headStart.result).failure?.kind, 'cancelled');
  assert.throws(() => process.kill(pid, 0), /ESRCH/, 'nmap is gone');
  assert.equal(lockHolder(lockPath), undefined, 'the lock is free again');
  assert.equal(monitor.history('left').records.length, 0, 'nothing recorded: nobody took the scan over');
});

// The cycle compares a scan with a reference that has its XML through host digests (monitor/comparison.ts).
test('a changed host is reported when the reference is compared through its digests, and without its XML too', async (t) => {
  // This test's addresses are 127.0.9.0/24.
  const { dataDir, listeners, monitor } = setup(t);
  const changed = '127.0.9.20';
  const steady = '127.0.9.21';
  const kept = await listeners.tcp({ host: changed });
  const newPort = await closedPort(changed);
  await listeners.tcp({ host: steady, port: kept.port });
  monitor.addProfile({
    name: 'digests',
    targets: [changed, steady],
    options: {
      ports: { kind: 'list', spec: `${kept.port},${newPort}` },
      timing: 4,
      resolveHostnames: false,
      skipHostDiscovery: true,
    },
  });
  const { reference } = await monitor.captureReference('digests');
  assert.equal(reference.hasXml, true);

  // The reference's parsed run says it had no hosts; its XML (what the digests are read from) says what nmap
  // saw. Read in full, every host would be new; through digests, only the new port is.
  const paths = new ProfilePaths(dataDir, 'digests');
  const runFile = paths.referenceRun(reference.id);
  const run = JSON.parse(fs.readFileSync(runFile, 'utf8')) as NmapRun;
  fs.writeFileSync(runFile, JSON.stringify({ ...run, hosts: [] }));

  await listeners.tcp({ host: changed, port: newPort });
  const expected = [`${changed} ${newPort}/tcp port-opened`];
  const outcome = await monitor.scanNow('digests');
  assert.equal(outcome.entry.status, 'ok', outcome.entry.reason);
  assert.deepEqual(outcome.entry.changes.map(changeKey), expected);
  assert.equal(outcome.entry.confirmation?.dropped, 0, 'the confirmation scan compared through digests too');
  assert.match(outcome.ndiffText, new RegExp(`\\+${newPort}/tcp\\s+open`));
  // The steady host has no section of its own (its address is in the banner's nmap command line).
  assert.doesNotMatch(outcome.ndiffText, new RegExp(`^ ${steady.replace(/\./g, '\\.')}:`, 'm'));
  assert.match(outcome.ndiffText, new RegExp(`^ ${changed.replace(/\./g, '\\.')}:`, 'm'));

  // Without its XML (as a merged reference is), the reference is read in full, with the same outcome.
  fs.writeFileSync(runFile, JSON.stringify(run));
  fs.rmSync(paths.referenceXml(reference.id));
  const full = await monitor.scanNow('digests');
  assert.deepEqual(full.entry.changes, outcome.entry.changes);
  // (ndiff's banner lines differ when the two scans started in different seconds.)
  const hostSections = (text: string) => text.slice(text.indexOf(`\n ${changed}:`));
  assert.equal(hostSections(full.ndiffText), hostSections(outcome.ndiffText));
});
