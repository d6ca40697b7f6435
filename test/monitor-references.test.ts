// References (import, accept per host, acknowledge one change), retention, the watchdog through the monitor,
// and concurrent edits from several processes. Real nmap XML from loopback listeners in 127.0.30.0/24.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { changeKey } from '../src/shared/changes.ts';
import type { Profile } from '../src/shared/profile.ts';
import { UserError } from '../src/engine/errors.ts';
import { Monitor } from '../src/engine/monitor/monitor.ts';
import { hostKey } from '../src/engine/nmap/hosts.ts';
import { silentReporter, type Reporter } from '../src/engine/reporter.ts';
import { Listeners, closedPort, nmapXml } from './support/listeners.ts';

const root = path.resolve(import.meta.dirname, '..');

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portwatch-refs-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('import takes a complete nmap XML file and refuses a truncated one, naming the file', async (t) => {
  const dataDir = tempDir(t);
  const listeners = new Listeners();
  t.after(() => listeners.close());
  const host = '127.0.30.20';
  const open = await listeners.tcp({ host });
  const xml = await nmapXml(['-n', '-sT', '-p', String(open.port), host]);
  const good = path.join(dataDir, 'reference.xml');
  const cut = path.join(dataDir, 'cut.xml');
  fs.writeFileSync(good, xml);
  fs.writeFileSync(cut, xml.slice(0, xml.indexOf('</host>')));
  const monitor = new Monitor({ dataDir, isOffline: () => false });
  monitor.addProfile({
    name: 'imp',
    targets: [host],
    options: { ports: { kind: 'list', spec: String(open.port) }, timing: 4, resolveHostnames: false },
  });

  assert.throws(
    () => monitor.importReference('imp', cut),
    (error: Error) => {
      assert.ok(error instanceof UserError);
      assert.match(error.message, /cut\.xml/);
      assert.ok(!error.message.includes('\n'));
      return true;
    },
  );
  assert.throws(() => monitor.importReference('imp', path.join(dataDir, 'missing.xml')), UserError);
  assert.deepEqual(monitor.references('imp'), []);

  const meta = monitor.importReference('imp', good);
  assert.equal(meta.source, 'import');
  assert.equal(meta.openPorts, 1);
  assert.equal(meta.file, good);
  assert.equal(monitor.currentReference('imp')?.meta.id, meta.id);
  // Imported, then scanned: nothing changed.
  const outcome = await monitor.scanNow('imp');
  assert.equal(outcome.entry.status, 'ok');
  assert.deepEqual(outcome.entry.changes, []);
  assert.equal(outcome.entry.referenceId, meta.id);
});

test('accept --host merges only those hosts; acknowledging one change takes only that port', async (t) => {
  const dataDir = tempDir(t);
  const listeners = new Listeners();
  t.after(() => listeners.close());
  const [a, b] = ['127.0.30.21', '127.0.30.22'];
  const [a1, a2, b1] = [await closedPort(a), await closedPort(a), await closedPort(b)];
  const monitor = new Monitor({ dataDir, isOffline: () => false });
  monitor.addProfile({
    name: 'merge',
    targets: [a, b],
    options: {
      ports: { kind: 'list', spec: `${a1},${a2},${b1}` },
      timing: 4,
      resolveHostnames: false,
      confirmChanges: false,
    },
  });
  const first = await monitor.captureReference('merge');
  await listeners.tcp({ host: a, port: a1 });
  await listeners.tcp({ host: a, port: a2 });
  await listeners.tcp({ host: b, port: b1 });
  const scan = await monitor.scanNow('merge');
  assert.equal(scan.entry.changes.length, 3);

  // Acknowledge a:a1 only.
  const ackKey = `${a} ${a1}/tcp port-opened`;
  const acked = monitor.acknowledge('merge', ackKey);
  assert.equal(acked.source, 'acknowledge');
  assert.equal(acked.basedOn, first.reference.id);
  let next = await monitor.scanNow('merge');
  assert.deepEqual(
    next.entry.changes.map(changeKey).sort(),
    [`${a} ${a2}/tcp port-opened`, `${b} ${b1}/tcp port-opened`].sort(),
  );

  // Accept host b wholly.
  const accepted = monitor.acceptScan('merge', { hosts: [b] });
  assert.deepEqual(accepted.hosts, [b]);
  next = await monitor.scanNow('merge');
  assert.deepEqual(next.entry.changes.map(changeKey), [`${a} ${a2}/tcp port-opened`]);
  const run = monitor.currentReference('merge')!.run;
  assert.deepEqual(run.hosts.map(hostKey).sort(), [a, b]);

  assert.throws(
    () => monitor.acceptScan('merge', { hosts: ['127.0.30.99'] }),
    /neither in that scan nor in the reference/,
  );
  assert.throws(() => monitor.acknowledge('merge', 'nothing like this'), /has no change/);
  // Every reference ever in force is listed, newest first.
  assert.deepEqual(
    monitor.references('merge').map((r) => r.source),
    ['accept', 'acknowledge', 'capture'],
  );
});

test('retention drops the XML of old no-change scans but keeps scans with changes and the newest', async (t) => {
  const dataDir = tempDir(t);
  const listeners = new Listeners();
  t.after(() => listeners.close());
  const host = '127.0.30.23';
  const port = await closedPort(host);
  let now = Date.parse('2026-01-01T00:00:00Z');
  const monitor = new Monitor({
    dataDir,
    isOffline: () => false,
    retentionDays: 7,
    clock: { now: () => new Date(now), monotonic: () => now },
  });
  monitor.addProfile({
    name: 'keep',
    targets: [host],
    options: {
      ports: { kind: 'list', spec: String(port) },
      timing: 4,
      resolveHostnames: false,
      confirmChanges: false,
    },
  });
  const quiet1 = (await monitor.scanNow('keep')).entry; // the first reference
  now += 86_400_000;
  const quiet2 = (await monitor.scanNow('keep')).entry;
  await listeners.tcp({ host, port });
  now += 86_400_000;
  const changed = (await monitor.scanNow('keep')).entry;
  assert.equal(changed.counts.changes, 1);
  assert.ok(monitor.scanXml('keep', quiet1.id));
  now += 30 * 86_400_000;
  const latest = (await monitor.scanNow('keep')).entry;
  assert.equal(monitor.scanXml('keep', quiet1.id), undefined, 'old no-change scan pruned');
  assert.equal(monitor.scanXml('keep', quiet2.id), undefined, 'old no-change scan pruned');
  assert.ok(monitor.scanXml('keep', changed.id), 'a scan with changes keeps its XML');
  assert.ok(monitor.scanXml('keep', latest.id), 'the newest scan keeps its XML');
  assert.ok(monitor.currentReference('keep'), 'references are never pruned');
  assert.throws(() => monitor.acceptScan('keep', { entryId: quiet2.id }), /pruned/);
  // The history says so too (what the app's Accept button and `history --json` go by).
  assert.equal(monitor.entry('keep', quiet2.id)?.hasXml, false);
  assert.equal(monitor.history('keep').records.find((e) => e.id === quiet1.id)?.hasXml, false);
  assert.equal(monitor.entry('keep', changed.id)?.hasXml, true);
});

test('the watchdog reports a profile without a successful scan through the Reporter', async (t) => {
  const dataDir = tempDir(t);
  let now = Date.now();
  const calls: { profile: string; lastSuccessAt: string | null }[] = [];
  const reporter: Reporter = {
    ...silentReporter,
    async watchdog(profile: Profile, lastSuccessAt: string | null) {
      calls.push({ profile: profile.name, lastSuccessAt });
    },
  };
  const monitor = new Monitor({
    dataDir,
    reporter,
    clock: { now: () => new Date(now), monotonic: () => now },
    scheduler: { timers: false },
  });
  t.after(() => monitor.stop());
  monitor.addProfile({ name: 'dog', targets: ['127.0.30.24'], watchdogHours: 3 });
  await monitor.start();
  assert.deepEqual(calls, []);
  now += 3 * 3_600_000 + 1000;
  await monitor.scheduler.check();
  await monitor.scheduler.check();
  assert.deepEqual(calls, [{ profile: 'dog', lastSuccessAt: null }]);
  assert.ok(monitor.profileState('dog').lastWatchdogAt);
});

// Spawns ./bin/portwatch: needs `npm run build` first (npm test does it).
test('concurrent edits from several processes lose nothing', async (t) => {
  const dataDir = tempDir(t);
  new Monitor({ dataDir }).addProfile({ name: 'edits', targets: ['127.0.30.25'] });
  const run = promisify(execFile);
  const ports = Array.from({ length: 6 }, (_, i) => 1000 + i);
  await Promise.all(
    ports.map((port) =>
      run(process.execPath, [
        path.join(root, 'src/cli/main.ts'),
        '--data-dir',
        dataDir,
        'ignore',
        'add',
        'edits',
        `127.0.30.25:${port}`,
      ]),
    ),
  );
  const rules = new Monitor({ dataDir }).getProfile('edits').expected;
  assert.deepEqual(rules.map((r) => r.port).sort(), ports);
});
