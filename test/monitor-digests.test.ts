// The cycle compares a scan with a reference that has its XML through host digests (monitor/comparison.ts):
// the reference's XML is digested while nmap runs and only the hosts that differ are read from it. Real nmap
// against real loopback listeners. Addresses: 127.0.9.0/24 (this suite's range).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { changeKey } from '../src/shared/changes.ts';
import type { NmapRun } from '../src/shared/scan.ts';
import { ProfilePaths } from '../src/engine/monitor/layout.ts';
import { Monitor } from '../src/engine/monitor/monitor.ts';
import { Listeners, closedPort } from './support/listeners.ts';

test('a changed host is reported when the reference is compared through its digests, and without its XML too', async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portwatch-monitor-digests-'));
  const listeners = new Listeners();
  const monitor = new Monitor({ dataDir, isOffline: () => false });
  t.after(async () => {
    await monitor.stop();
    await listeners.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
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
  assert.doesNotMatch(outcome.ndiffText, new RegExp(steady.replace(/\./g, '\\.')));

  // Without its XML (as a merged reference is), the reference is read in full, with the same outcome.
  fs.writeFileSync(runFile, JSON.stringify(run));
  fs.rmSync(paths.referenceXml(reference.id));
  const full = await monitor.scanNow('digests');
  assert.deepEqual(full.entry.changes, outcome.entry.changes);
  assert.equal(full.ndiffText, outcome.ndiffText);
});
