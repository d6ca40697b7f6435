// The one composition root (src/engine/open-engine.ts): the app's engine honours the settings the Settings
// window edits (nmap's path, retention), as the CLI always did. Addresses: 127.0.91.0/24 (this suite's range).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openAppEngine } from '../src/engine/api/real-engine.ts';
import { AppStatus } from '../src/engine/api/status.ts';
import { saveSettings } from '../src/engine/config/settings-file.ts';
import { defaultSettings } from '../src/shared/settings.ts';
import { Listeners } from './support/listeners.ts';

function tempDir(t: { after(fn: () => unknown): void }): string {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portwatch-engine-'));
  t.after(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  return dataDir;
}

const env = (): NodeJS.ProcessEnv => {
  const copy = { ...process.env };
  delete copy.PORTWATCH_NMAP;
  delete copy.PORTWATCH_SMTP_PASSWORD;
  return copy;
};

test("the app's engine scans with the settings' nmapPath, and takes a changed path without a restart", async (t) => {
  const dataDir = tempDir(t);
  const listeners = new Listeners();
  t.after(() => listeners.close());
  const host = '127.0.91.1';
  const open = await listeners.tcp({ host });
  const missing = path.join(dataDir, 'no-such-nmap');
  await saveSettings(dataDir, { ...defaultSettings(), nmapPath: missing });
  const opened = await openAppEngine({ dataDir, env: env(), monitor: { isOffline: () => false } });
  t.after(() => opened.close());
  opened.monitor.addProfile({
    name: 'path',
    targets: [host],
    options: { ports: { kind: 'list', spec: String(open.port) }, timing: 4, resolveHostnames: false },
  });

  const failed = await opened.monitor.scanNow('path');
  assert.equal(failed.entry.status, 'failed');
  assert.match(failed.entry.reason ?? '', /no-such-nmap/);

  // The Settings window saves an empty path: nmap is found on PATH from the next scan on.
  await opened.engine.saveSettings({ ...(await opened.engine.settings()), nmapPath: '' });
  const ok = await opened.monitor.scanNow('path');
  assert.equal(ok.entry.status, 'ok', ok.entry.reason);
});

test("the app's engine prunes no-change XML after the settings' retentionDays, not the default 30", async (t) => {
  const dataDir = tempDir(t);
  const listeners = new Listeners();
  t.after(() => listeners.close());
  const host = '127.0.91.2';
  const open = await listeners.tcp({ host });
  await saveSettings(dataDir, { ...defaultSettings(), retentionDays: 2 });
  let now = new Date('2026-03-01T12:00:00Z');
  const clock = { now: () => now, monotonic: () => performance.now() };
  const opened = await openAppEngine({
    dataDir,
    env: env(),
    monitor: { isOffline: () => false, clock },
  });
  t.after(() => opened.close());
  opened.monitor.addProfile({
    name: 'keep',
    targets: [host],
    options: { ports: { kind: 'list', spec: String(open.port) }, timing: 4, resolveHostnames: false },
  });

  await opened.monitor.scanNow('keep');
  now = new Date('2026-03-02T12:00:00Z');
  const second = await opened.monitor.scanNow('keep');
  assert.equal(second.entry.counts.changes, 0);
  now = new Date('2026-03-05T12:00:00Z'); // 4 days after the first scan, 3 after the second
  const third = await opened.monitor.scanNow('keep');
  assert.equal(third.entry.status, 'ok');
  assert.notEqual(opened.monitor.scanXml('keep', third.entry.id), undefined, 'the newest scan keeps its XML');
  assert.equal(opened.monitor.scanXml('keep', second.entry.id), undefined, 'older than 2 days: pruned');
});

test('the live status follows the monitor alone: a capture shows as scanning, then as the last scan', async (t) => {
  const dataDir = tempDir(t);
  const listeners = new Listeners();
  t.after(() => listeners.close());
  const host = '127.0.91.3';
  const open = await listeners.tcp({ host });
  const opened = await openAppEngine({ dataDir, env: env(), monitor: { isOffline: () => false } });
  t.after(() => opened.close());
  const status = new AppStatus();
  const stop = status.follow(opened.monitor);
  t.after(stop);
  opened.monitor.addProfile({
    name: 'live',
    targets: [host],
    options: { ports: { kind: 'list', spec: String(open.port) }, timing: 4, resolveHostnames: false },
  });
  const profiles = () => [{ name: 'live', paused: false, nextRun: null }];
  const seen: string[] = [];
  opened.monitor.on('scan-started', () => seen.push(status.snapshot(profiles()).state));
  await opened.engine.captureReference('live');
  assert.deepEqual(seen, ['scanning']);
  const after = status.snapshot(profiles());
  assert.equal(after.state, 'quiet');
  assert.equal(after.profiles[0]!.scanning, false);
  assert.equal(after.profiles[0]!.lastScan?.status, 'ok');
});
