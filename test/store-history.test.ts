import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { HistoryEntry } from '../src/shared/history.ts';
import type { Profile } from '../src/shared/profile.ts';
import { HistoryStore } from '../src/engine/monitor/history.ts';
import { ProfilePaths, idTime, newId } from '../src/engine/monitor/layout.ts';
import { defaultScanOptions } from '../src/engine/monitor/profiles.ts';

const root = path.resolve(import.meta.dirname, '..');

function entry(i: number): HistoryEntry {
  const changed = i % 50 === 0;
  return {
    id: `scan-${i}`,
    profile: 'big',
    startedAt: new Date(Date.UTC(2020, 0, 1) + i * 60_000).toISOString(),
    durationMs: 1000 + (i % 50),
    status: i % 97 === 0 ? 'failed' : 'ok',
    ...(i % 97 === 0 ? { reason: 'nmap exited with code 1' } : {}),
    nmapArgs: ['-sT', '-p', '22,80', '--', '127.0.30.1'],
    counts: { hostsUp: 1, hostsScanned: 1, openPorts: 2, changes: changed ? 1 : 0, alerted: changed ? 1 : 0 },
    changes: changed
      ? [
          {
            kind: 'port-opened',
            host: '127.0.30.1',
            port: 8000 + (i % 100),
            protocol: 'tcp',
            before: { state: 'closed' },
            after: { state: 'open' },
          },
        ]
      : [],
    suppressed: [],
    hasXml: false,
    delivery: { state: 'none' },
  };
}

test('the last 100 of a 100,000-scan history come back newest first, and page further back', async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portwatch-history-'));
  t.after(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const paths = new ProfilePaths(dataDir, 'big');
  fs.mkdirSync(paths.dir, { recursive: true });
  const now = new Date().toISOString();
  const profile: Profile = {
    name: 'big',
    targets: ['127.0.30.1'],
    options: defaultScanOptions,
    schedule: { kind: 'manual' },
    paused: false,
    expected: [],
    watchdogHours: 0,
    createdAt: now,
    updatedAt: now,
  };
  fs.writeFileSync(paths.profile, JSON.stringify(profile));
  // Generate the log directly, as 100,000 scans would have appended it.
  const fd = fs.openSync(paths.historyLog, 'w');
  let batch = '';
  for (let i = 0; i < 100_000; i++) {
    batch += JSON.stringify(entry(i)) + '\n';
    if (batch.length > 1 << 20) {
      fs.writeSync(fd, batch);
      batch = '';
    }
  }
  fs.writeSync(fd, batch);
  fs.closeSync(fd);

  const history = new HistoryStore(paths);
  const page = history.list(100);
  assert.equal(page.records.length, 100);
  assert.deepEqual(
    page.records.map((e) => e.id),
    Array.from({ length: 100 }, (_, k) => `scan-${99_999 - k}`),
  );
  assert.deepEqual(page.records[0], entry(99_999));
  assert.ok(page.next !== undefined);
  const older = history.list(3, page.next);
  assert.deepEqual(
    older.records.map((e) => e.id),
    ['scan-99899', 'scan-99898', 'scan-99897'],
  );
  assert.equal(history.get('scan-99000')?.changes.length, 1);

  // The same through the CLI, as JSON.
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [path.join(root, 'src/cli/main.ts'), '--data-dir', dataDir, 'history', 'big', '--limit', '100', '--json'],
    { maxBuffer: 64 << 20 },
  );
  const listed = JSON.parse(stdout) as HistoryEntry[];
  assert.equal(listed.length, 100);
  assert.equal(listed[0]!.id, 'scan-99999');
  assert.equal(listed[99]!.id, 'scan-99900');
  assert.deepEqual(listed[99], entry(99_900));
  assert.equal(listed.find((e) => e.id === 'scan-99950')?.changes[0]?.kind, 'port-opened');
});

test('a scan id tells when it was made, which lets retention skip the log while nothing is old enough', () => {
  const when = new Date('2026-03-29T01:59:59.987Z');
  assert.equal(idTime(newId(when)), when.getTime());
  for (const name of [
    'scan-1',
    '20260329T015959987Z',
    '20261329T015959987Z-00ff',
    'x20260329T015959987Z-00ff',
  ])
    assert.equal(idTime(name), undefined, name);
});
